"""In-process service tests: the real app (routes, auth, middleware, MCP mount) over httpx's
ASGI transport, in front of real clients whose transport is the demo backend, with a
recorder counting every request that reached "VirusTotal".
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support.faults import Recorder, chain, record
from vttui.config import Settings
from vttui.demo import DemoBackend, DemoTransport, Middleware
from vttui.serve.clients import default_factory
from vttui.serve.config import ServeConfig
from vttui.serve.factory import create_app
from vttui.vt.client import VTClient

#: The server's own key (open and token modes).
SERVER_KEY = "srv-key-" + "0123456789abcdef" * 4 + "SRVK"
#: A caller's own key (key mode).
CALLER_KEY = "caller-" + "fedcba9876543210" * 4 + "CALK"


@dataclass
class Served:
    """One app under test: its HTTP client, the demo backend and the upstream recorder."""

    app: FastAPI
    http: httpx.AsyncClient
    backend: DemoBackend
    recorder: Recorder
    clients: list[VTClient] = field(default_factory=list)

    def upstream(self, method: str | None = "GET") -> list[str]:
        """What reached the demo backend (path?query relative to the API root)."""
        return [e.target for e in self.recorder.exchanges if e.in_api and (method is None or e.method == method)]

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, **kw)


def settings(**kw: Any) -> Settings:
    kw.setdefault("api_key", SERVER_KEY)
    kw.setdefault("per_minute", None)
    kw.setdefault("per_day", None)
    return Settings(api_key_source="VT_API_KEY", base_url=DemoBackend().base_url, timeout=2.0,
                    upload_timeout=5.0, **kw)


async def no_sleep(_seconds: float) -> None:
    """Backoff without waiting (still yielding to the loop)."""
    import asyncio

    await asyncio.sleep(0)


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The app's lifespan entered and left in one task of its own (anyio's task groups inside
    it, like the MCP session manager's, must not change tasks; fixtures do)."""
    import asyncio

    ready, stop = asyncio.Event(), asyncio.Event()
    failed: list[BaseException] = []

    async def hold() -> None:
        try:
            async with app.router.lifespan_context(app):
                ready.set()
                await stop.wait()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            failed.append(exc)
            ready.set()

    task = asyncio.ensure_future(hold())
    await ready.wait()
    if failed:
        raise failed[0]
    try:
        yield app
    finally:
        stop.set()
        await task


Build = Callable[..., Awaitable[Served]]


@pytest.fixture
async def served() -> AsyncIterator[Build]:
    """``await served(config=None, settings=None, middleware=None, headers=None, client=...)``."""
    stack = contextlib.AsyncExitStack()

    async def build(config: ServeConfig | None = None, *, settings_: Settings | None = None,
                    middleware: Middleware | None = None, headers: dict[str, str] | None = None,
                    client_addr: tuple[str, int] = ("127.0.0.1", 50000),
                    base_url: str = "http://127.0.0.1:8000") -> Served:
        backend = DemoBackend()
        made: list[VTClient] = []
        recorder = record()
        transport = DemoTransport(backend, middleware=chain(recorder, middleware))
        chosen = settings_ or settings()
        config = config or ServeConfig()
        build_client = default_factory(chosen, demo=config.demo, transport=None if config.demo else transport)

        def fast(api_key: str | None) -> VTClient:
            client = build_client(api_key)
            client._sleep = no_sleep  # retries happen at once
            made.append(client)
            return client

        app = create_app(config, settings=chosen, factory=fast)
        await stack.enter_async_context(running(app))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client_addr), base_url=base_url,
                                 headers=headers or {}, timeout=30.0)
        await stack.enter_async_context(http)
        return Served(app, http, backend, recorder, made)

    async with stack:
        yield build

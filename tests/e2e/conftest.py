"""End-to-end fixtures: the demo backend on a real loopback socket, and clients, apps and
the CLI pointed at it through ``base_url`` (the same path a user's VT_API_URL takes).

Clients here use a short timeout (a reply that never comes costs seconds, not minutes)
and no backoff pauses, so retries do not slow the tests; the rate limiter is off unless
a test is about the quota.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.server import DemoServer
from vttui.cli import commands, main
from vttui.config import Settings
from vttui.demo import DemoBackend, Middleware
from vttui.runtime import make_client
from vttui.tui.app import VTApp
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter

#: The key e2e clients send (the demo backend accepts any key but ``REJECTED_API_KEY``).
KEY = "e2e-key-" + "0123456789abcdef" * 4 + "wxyz"
TIMEOUT = 2.0


async def no_sleep(_seconds: float) -> None:
    """Backoff without waiting: retries happen at once (still yielding to the loop)."""
    await asyncio.sleep(0)


class FakeTime:
    """A monotonic clock that moves only when something sleeps on it: the CLI's rate
    limiter (and a quota middleware given ``clock=``) see a minute pass in no time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def fast(client: VTClient) -> VTClient:
    client._sleep = no_sleep
    client.backoff_base = 0.001
    client.backoff_cap = 0.01
    return client


def settings_for(server: DemoServer, *, key: str = KEY, timeout: float = TIMEOUT, **kw) -> Settings:
    kw.setdefault("upload_timeout", timeout)
    return Settings(api_key=key, api_key_source="VT_API_KEY", base_url=server.base_url,
                    per_minute=None, per_day=None, timeout=timeout, **kw)


def client_for(server: DemoServer, *, key: str = KEY, timeout: float = TIMEOUT, **kw) -> VTClient:
    """The real client (via runtime.make_client) pointed at ``server``, with instant retries."""
    return fast(make_client(settings_for(server, key=key, timeout=timeout, **kw)))


def app_for(server: DemoServer, *, key: str = KEY, timeout: float = TIMEOUT, strict: bool = True,
            **kw) -> VTApp:
    settings = settings_for(server, key=key, timeout=timeout, **kw)
    client = fast(make_client(settings))
    return VTApp(settings=settings, client=client, clipboard=False, strict=strict)


@pytest.fixture
def serve() -> Iterator[Callable[..., DemoServer]]:
    """``serve(middleware=None, backend=None)``: a started server on port 0, stopped at teardown."""
    servers: list[DemoServer] = []

    def start(middleware: Middleware | None = None, backend: DemoBackend | None = None) -> DemoServer:
        server = DemoServer(backend or DemoBackend(), port=0, middleware=middleware).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(serve) -> DemoServer:
    return serve()


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., VTClient]]:
    """``clients(server, **kw)``: a fast client for ``server``, closed at teardown."""
    made: list[VTClient] = []

    def build(server: DemoServer, **kw) -> VTClient:
        client = client_for(server, **kw)
        made.append(client)
        return client

    yield build
    for client in made:
        await client.aclose()


@pytest.fixture
async def apps() -> AsyncIterator[Callable[..., VTApp]]:
    """``apps(server, **kw)``: a VTApp whose client talks to ``server`` (closed at teardown)."""
    made: list[VTApp] = []

    def build(server: DemoServer, **kw) -> VTApp:
        app = app_for(server, **kw)
        made.append(app)
        return app

    yield build
    for app in made:
        if app.client is not None and not app.client.closed:
            await app.client.aclose()


# --- the CLI --------------------------------------------------------------------------------


@dataclass
class CLIResult:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@dataclass
class CLI:
    """Runs ``vttui.cli.main`` in process against a server, as a user's shell would."""

    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture
    config_dir: Path
    clients: list[VTClient] = field(default_factory=list)
    #: The time the CLI's rate limiter runs on (waiting out a 429 costs nothing here).
    time: FakeTime = field(default_factory=FakeTime)

    def point_at(self, server: DemoServer, key: str = KEY) -> CLI:
        self.monkeypatch.setenv("VT_API_URL", server.base_url)
        self.monkeypatch.setenv("VT_API_KEY", key)
        return self

    def run(self, *argv: str, stdin: str = "") -> CLIResult:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        return CLIResult(code, out, err)


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys) -> CLI:
    """The CLI with a config file that lifts the public 4/minute limit and sets short
    timeouts; clients it builds retry without pausing, their limiter runs on
    ``cli.time`` (a fake clock), and they are kept for inspection."""
    config = tmp_path / "vttui-config"
    config.mkdir()
    (config / "config.toml").write_text(
        f'[quota]\ntier = "premium"\n\n[network]\ntimeout = {TIMEOUT}\nupload_timeout = {TIMEOUT}\n'
    )
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(config))
    monkeypatch.delenv("VTTUI_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    harness = CLI(monkeypatch, capsys, config)
    real = commands.make_client

    def make(settings, *, demo=False, transport=None, backend=None):
        assert not demo, "e2e tests talk to the loopback server, not the in-process demo"
        client = fast(real(settings, transport=transport))
        client.limiter = RateLimiter(settings.per_minute, settings.per_day,
                                     clock=harness.time.clock, sleep=harness.time.sleep)
        harness.clients.append(client)
        return client

    monkeypatch.setattr(commands, "make_client", make)
    return harness

"""Starting the service: ``vttui serve`` (uvicorn) and ``vttui mcp`` (stdio).

Settings are checked before anything listens, so a server that would expose the key
(beyond loopback without tokens or per-caller keys) never starts.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any

from ..config import Settings, load_settings
from ..runtime import make_client
from ..vt.client import VTClient
from .config import load_serve_config

#: Longer than clients' own keep-alive (httpx: 5 s), so a client never reuses a connection the
#: server is closing.
KEEP_ALIVE = 30

_AUTH_WORDS = {
    "open": "no caller authentication (loopback only), answering with the server's key",
    "key": "each caller sends its own VirusTotal key in X-API-Key",
    "token": "callers send a team token (Authorization: Bearer), answering with the server's key",
}


def _say(text: str) -> None:
    print(f"vttui: {text}", file=sys.stderr, flush=True)


def _settings(no_store: bool) -> Settings:
    settings = load_settings()
    for warning in settings.warnings:
        _say(warning)
    if no_store:
        settings = replace(settings, store=settings.store.memory_only("--no-store"))
    return settings


async def run_http(log_level: str = "info", no_store: bool = False, **flags: Any) -> int:
    """Serve the REST API and /mcp with uvicorn until interrupted."""
    import uvicorn

    settings = _settings(no_store)
    config = load_serve_config(config_file=settings.config_file, **flags)
    mode = config.check(bool(settings.api_key) or config.demo)
    host = f"[{config.host}]" if ":" in config.host else config.host
    _say(f"serving on http://{host}:{config.port} ({config.workers} worker{'s' if config.workers > 1 else ''}"
         f"{', demo data' if config.demo else ''}); auth: {_AUTH_WORDS[mode]}; writes "
         f"{'ENABLED' if config.allow_writes else 'disabled'}; docs at http://{host}:{config.port}/docs"
         f"{'; MCP at /mcp' if config.mcp else ''}")
    if config.workers > 1:
        # Workers import vttui.serve:app, which rebuilds this config from the environment.
        os.environ.update(config.to_env())
        if no_store:
            os.environ["VTTUI_STORE"] = "memory"
        if config.demo or settings.store.kind == "memory":
            _say("note: the store is memory-only here, so each worker keeps its own cache and quota count; "
                 "the default SQLite store (one machine) or Redis (VTTUI_STORE=redis://...) shares them")
        else:
            _say(f"workers share one cache, quota ledger and flight table through {settings.store.kind}")
        uvicorn.run("vttui.serve:app", host=config.host, port=config.port, workers=config.workers,
                    log_level=log_level, server_header=False, timeout_keep_alive=KEEP_ALIVE)
        return 0
    from .factory import create_app

    app = create_app(config, settings=settings)
    server = uvicorn.Server(uvicorn.Config(app, host=config.host, port=config.port, log_level=log_level,
                                           server_header=False, timeout_keep_alive=KEEP_ALIVE))
    await server.serve()
    return 0


async def run_stdio(*, demo: bool = False, allow_writes: bool | None = None, no_store: bool = False) -> int:
    """Serve the MCP tools on stdin/stdout (for an agent that starts vttui itself)."""
    from ..export.templates import load_templates
    from .mcp_tools import build_mcp

    settings = _settings(no_store)
    config = load_serve_config(config_file=settings.config_file, demo=demo or None, allow_writes=allow_writes)
    client = make_client(settings, demo=config.demo)
    await client.prepare()
    for warning in list(getattr(client.store, "warnings", [])):
        _say(warning)

    @contextlib.asynccontextmanager
    async def lease(_headers: Mapping[str, str] | None) -> AsyncIterator[VTClient]:
        yield client

    server = build_mcp(lease, load_templates(errors=[]), allow_writes=config.allow_writes, max_wait=config.max_wait)
    try:
        await server.run_stdio_async()
    finally:
        await client.aclose()
    return 0

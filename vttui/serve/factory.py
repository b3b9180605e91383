"""The FastAPI app: routes, auth, errors as ``{"detail": ...}``, /healthz, /metrics, /mcp.

``create_app`` wires one :class:`ClientPool` (so one cache, quota ledger and flight table
per key) into the REST routes and the MCP tools alike.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import __version__
from ..config import Settings, load_settings
from ..export.templates import TemplateError, load_templates
from ..vt.client import VTClient
from ..vt.errors import VTError
from . import routes, writes
from .auth import AuthError, authenticate
from .clients import ClientFactory, ClientPool, default_factory
from .config import MAX_UPLOAD, MULTIPART_SLACK, ServeConfig, load_serve_config
from .context import ServerState, respond, server_state
from .formats import error_text
from .middleware import Guard
from .problems import message_for, rate_headers, retry_after, status_for

log = logging.getLogger("vttui.serve")

DESCRIPTION = """\
VirusTotal for other programs, through vttui: VT4AI's REST API (same paths and envelopes),
more routes, and MCP tools at `/mcp`. Every caller shares one cache, one quota ledger and
one flight per key: an object is fetched from VirusTotal once, however many ask.

Answers are `{"data": ..., "format": ...}`; errors `{"detail": "..."}`.
"""


def _upload_limit(method: str, path: str) -> int | None:
    if method == "POST" and path.rstrip("/") == "/api/v1/files":
        return MAX_UPLOAD + MULTIPART_SLACK
    return None


def create_app(
    config: ServeConfig | None = None,
    *,
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    factory: ClientFactory | None = None,
) -> FastAPI:
    """The app. ``transport`` (or a whole client ``factory``) replaces the network, for tests."""
    config = config or ServeConfig()
    settings = settings or load_settings()
    server_has_key = bool(settings.api_key) or config.demo
    mode = config.check(server_has_key)
    factory = factory or default_factory(settings, demo=config.demo, transport=transport)
    errors: list[TemplateError] = []
    templates = load_templates(errors=errors)
    for error in errors:
        log.warning("template skipped: %s", error.message)
    state = ServerState(config, mode, settings, ClientPool(factory, max_clients=config.max_clients), templates)
    mcp_app, mcp_manager = _mcp(state) if config.mcp else (None, None)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if mcp_manager is not None:
                await stack.enter_async_context(mcp_manager.run())
            try:
                if mode != "key":
                    await state.pool.start()
                yield
            finally:
                await state.pool.aclose()

    app = FastAPI(title="vttui", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.vttui = state
    app.include_router(routes.router)
    app.include_router(writes.router)
    _service_routes(app)
    _error_handlers(app)
    if mcp_app is not None:
        app.router.routes.append(Route("/mcp", mcp_app, methods=["GET", "POST", "DELETE"], include_in_schema=False))
    app.add_middleware(Guard, metrics=state.metrics, max_body=config.max_body, limit_for=_upload_limit)
    return app


def app_from_env() -> FastAPI:
    """The app as ``uvicorn vttui.serve:app`` (and each worker of ``vttui serve``) builds it."""
    settings = load_settings()
    return create_app(load_serve_config(config_file=settings.config_file), settings=settings)


# --- /healthz, /metrics -------------------------------------------------------------------------


def _service_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["Service"], summary="Liveness (no VirusTotal request)")
    async def healthz(request: Request) -> dict[str, Any]:
        state = server_state(request)
        client = state.pool.current_server_client
        return {"status": "ok", "version": __version__, "auth": state.mode, "writes": state.config.allow_writes,
                "demo": state.config.demo, "pid": os.getpid(),
                "store": "memory" if state.config.demo else state.settings.store.kind,
                "store_notice": client.store_notice if client is not None else None,
                "store_warnings": list(getattr(client.store, "warnings", []))[-3:] if client is not None else []}

    @app.get("/metrics", tags=["Service"], summary="Prometheus text: requests, cache, upstream, quota")
    async def metrics(request: Request) -> Response:
        state = server_state(request)
        if state.mode != "key":  # the same gate as the API (a key alone proves nothing here)
            client_host = request.client.host if request.client else None
            authenticate(state.mode, state.config.token_hashes, request.headers, client_host)
        pool = state.pool
        text = state.metrics.render(pool.clients(), server_client=pool.server_client if state.mode != "key" else None,
                                    keyed_clients=pool.keyed_count)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")


# --- errors -----------------------------------------------------------------------------------


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VTError)
    async def vt_error(request: Request, exc: VTError) -> Response:
        state = server_state(request)
        current = getattr(request.state, "vttui_call", None)
        caller = current.caller if current is not None else None
        client: VTClient | None = current.client if current is not None else None
        own_key = caller is not None and caller.api_key is not None
        status = status_for(exc, caller_key=own_key)
        headers = rate_headers(client) if client is not None else {}
        if status == 429:
            headers["Retry-After"] = str(retry_after(exc, client))
            state.metrics.refused_quota += 1
        return respond(error_text(message_for(exc, status, caller_key=own_key)), status, state.secrets(caller), headers)

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        return respond(error_text(exc.message), exc.status, server_state(request).secrets(None), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return respond(error_text(_validation_message(exc)), 400, server_state(request).secrets(None))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Request refused."
        return respond(error_text(detail), exc.status_code, server_state(request).secrets(None),
                       dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return respond(error_text("The server failed on this request; its log has the details."), 500,
                       server_state(request).secrets(None))


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body", "header")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {error.get('msg', 'is not valid')}")
    return "Invalid request: " + "; ".join(parts) + "."


# --- MCP over streamable HTTP --------------------------------------------------------------------


class _McpAuth:
    """The MCP endpoint behind the same auth as the REST routes."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
            client = scope.get("client")
            try:
                authenticate(self.state.mode, self.state.config.token_hashes, headers,
                             client[0] if client else None)
            except AuthError as exc:
                response = respond(error_text(exc.message), exc.status, self.state.secrets(None), exc.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _mcp(state: ServerState) -> tuple[ASGIApp, Any]:
    from mcp.server.transport_security import TransportSecuritySettings

    from .auth import caller_key
    from .mcp_tools import build_mcp

    @contextlib.asynccontextmanager
    async def lease(headers: Mapping[str, str] | None) -> AsyncIterator[VTClient]:
        key = caller_key(headers) if headers is not None and state.mode in ("key", "open") else None
        async with state.pool.lease(key) as client:
            yield client

    server = build_mcp(lease, state.templates, allow_writes=state.config.allow_writes, max_wait=state.config.max_wait)
    security = None
    if state.config.loopback:
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    # Stateless, JSON replies: any worker can answer any message, so --workers N just works.
    inner = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                       transport_security=security, host=state.config.host)
    return _McpAuth(inner, state), server.session_manager

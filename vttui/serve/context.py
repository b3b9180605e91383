"""Per-request plumbing: who called, which client answers, and how an answer is sent.

Every route gets a :class:`Call` from the ``call`` dependency: the caller is
authenticated, the right client leased from the pool (the server's, or the caller's own
key's), and answers leave through :meth:`Call.answer`, which adds the quota headers and
masks every key the server knows of, whatever the data holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..config import Settings
from ..export import redact
from ..export.templates import Template
from ..vt.client import VTClient
from .auth import Caller, authenticate
from .clients import ClientPool
from .config import ServeConfig
from .formats import envelope, resolve_template
from .memo import RenderMemo
from .metrics import Metrics
from .problems import rate_headers
from .service import Fetcher

JSON = "application/json"


@dataclass
class ServerState:
    """Everything the routes share, kept on ``app.state.vttui``."""

    config: ServeConfig
    mode: str
    settings: Settings
    pool: ClientPool
    templates: Mapping[str, Template]
    metrics: Metrics = field(default_factory=Metrics)
    memo: RenderMemo = field(default_factory=RenderMemo)

    def secrets(self, caller: Caller | None) -> list[str]:
        found = [s for s in (self.settings.api_key, caller.api_key if caller else None) if s]
        return found


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.vttui
    return state


def respond(text: str, status: int, secrets: list[str], headers: Mapping[str, str] | None = None) -> Response:
    for secret in secrets:
        text = redact(text, secret)
    return Response(text.encode("utf-8"), status_code=status, media_type=JSON, headers=dict(headers or {}))


class Call(Fetcher):
    """One request's caller and client."""

    def __init__(self, state: ServerState, caller: Caller, client: VTClient) -> None:
        super().__init__(client, state.config.max_wait)
        self.state = state
        self.caller = caller

    def template(self, name: str | None) -> Template | None:
        return resolve_template(name, self.state.templates)

    def answer(self, data: str, fmt: str, meta: Mapping[str, Any] | None = None, status: int = 200) -> Response:
        """The envelope around ``data`` (JSON text), with quota headers; keys masked."""
        return respond(envelope(data, fmt, meta), status, self.state.secrets(self.caller), rate_headers(self.client))

    def text(self, body: str, status: int = 200) -> Response:
        return respond(body, status, self.state.secrets(self.caller), rate_headers(self.client))


async def call(request: Request) -> AsyncIterator[Call]:
    """The dependency every VirusTotal-backed route takes."""
    state = server_state(request)
    client_host = request.client.host if request.client else None
    caller = authenticate(state.mode, state.config.token_hashes, request.headers, client_host)
    async with state.pool.lease(caller.api_key) as client:
        current = Call(state, caller, client)
        request.state.vttui_call = current
        yield current

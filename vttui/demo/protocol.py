"""Requests and replies as the demo backend sees them, independent of how they travel.

The same :class:`DemoRequest`/:class:`DemoResponse` pair is used by the in-process httpx
transport and by the loopback HTTP server, so a middleware (fault injection, latency)
written once works for both. A middleware can return any status, headers and body,
lie about ``Content-Length`` (a truncated body), stream a body slowly, or ask for the
connection to be dropped (:meth:`DemoResponse.close`) or never answered
(:meth:`DemoResponse.hang`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, unquote


class Action(StrEnum):
    """What the carrier does with a reply."""

    REPLY = "reply"  # send status, headers and body
    CLOSE = "close"  # drop the connection without sending anything
    HANG = "hang"  # never answer (until the client gives up or the server stops)
    RAW = "raw"  # write ``body`` to the socket as is (status line and headers included), then close


class BodyTooLarge(Exception):
    """A request body was larger than the caller was willing to buffer."""


async def _no_body() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator


@dataclass(eq=False)
class DemoRequest:
    """One HTTP request. ``path`` is still percent-encoded and relative to the API root
    (``/files/abc``) when ``in_api``; otherwise it is the raw path (``/_upload/tok``)."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: AsyncIterator[bytes] = field(default_factory=_no_body)
    origin: str = "https://demo.vttui.invalid"
    api_prefix: str = "/api/v3"
    in_api: bool = True
    query_string: str = ""
    _consumed: bool = field(default=False, repr=False)

    @classmethod
    def build(
        cls,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str] | list[tuple[str, str]],
        body: AsyncIterator[bytes] | None,
        *,
        origin: str,
        api_prefix: str,
    ) -> DemoRequest:
        """A request from wire parts; splits off the API prefix and parses the query."""
        pairs = headers.items() if isinstance(headers, dict) else headers
        lowered = {str(k).lower(): str(v) for k, v in pairs}
        prefix = api_prefix.rstrip("/")
        raw_path = raw_path or "/"
        in_api = True
        if prefix and (raw_path == prefix or raw_path.startswith(prefix + "/")):
            path = raw_path[len(prefix):] or "/"
        elif prefix:
            path, in_api = raw_path, False
        else:
            path = raw_path
        query: dict[str, str] = {}
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            query.setdefault(key, value)
        return cls(
            method=method.upper(), path=path, query=query, headers=lowered,
            body=body if body is not None else _no_body(), origin=origin.rstrip("/"),
            api_prefix=prefix, in_api=in_api, query_string=query_string,
        )

    @property
    def base_url(self) -> str:
        """The API root as this client reached it (used for every link in replies)."""
        return self.origin + self.api_prefix

    @property
    def segments(self) -> tuple[str, ...]:
        """Decoded path segments (a ``%2F`` inside a segment stays inside it)."""
        return tuple(unquote(s) for s in self.path.strip("/").split("/") if s != "")

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query_string if self.query_string else "")

    async def iter_body(self) -> AsyncIterator[bytes]:
        """The body, chunk by chunk, as it arrives. Can be consumed once."""
        if self._consumed:
            return
        self._consumed = True
        async for chunk in self.body:
            if chunk:
                yield bytes(chunk)

    async def read(self, limit: int = 1 << 20) -> bytes:
        """The whole body; raises :class:`BodyTooLarge` past ``limit`` bytes."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self.iter_body():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"request body larger than {limit} bytes")
            parts.append(chunk)
        return b"".join(parts)

    async def drain(self) -> None:
        """Read and discard whatever is left of the body."""
        async for _ in self.iter_body():
            pass


@dataclass(eq=False)
class DemoResponse:
    """A reply. ``body`` may be bytes or an async iterable of bytes (streamed).

    An explicit ``content-length`` header that disagrees with a bytes body is sent as
    is, and the connection is then dropped: that is how a middleware makes a truncated
    reply.
    """

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterable[bytes] = b""
    action: Action = Action.REPLY

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> DemoResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status, [("content-type", "application/json; charset=utf-8"), *(headers or [])], body)

    @classmethod
    def error(
        cls, status: int, code: str, message: str, headers: list[tuple[str, str]] | None = None
    ) -> DemoResponse:
        """A v3 error reply: ``{"error": {"code", "message"}}``."""
        return cls.json({"error": {"code": code, "message": message}}, status, headers)

    @classmethod
    def text(cls, body: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> DemoResponse:
        return cls(status, [("content-type", content_type)], body.encode("utf-8"))

    @classmethod
    def close(cls) -> DemoResponse:
        """Drop the connection without replying (client sees a protocol/read error)."""
        return cls(0, [], b"", Action.CLOSE)

    @classmethod
    def raw(cls, body: bytes | AsyncIterable[bytes]) -> DemoResponse:
        """Bytes written to the socket untouched, then the connection closes: lets a test
        send headers slowly, or anything that is not well-formed HTTP."""
        return cls(0, [], body, Action.RAW)

    @classmethod
    def hang(cls) -> DemoResponse:
        """Never reply (client sees its read timeout)."""
        return cls(0, [], b"", Action.HANG)


Handler = Callable[[DemoRequest], Awaitable[DemoResponse]]
#: ``async def middleware(request, call_next) -> DemoResponse``
Middleware = Callable[[DemoRequest, Handler], Awaitable[DemoResponse]]


async def dispatch(handler: Handler, middleware: Middleware | None, request: DemoRequest) -> DemoResponse:
    """Run a request through the optional middleware, then the handler."""
    if middleware is None:
        return await handler(request)
    return await middleware(request, handler)

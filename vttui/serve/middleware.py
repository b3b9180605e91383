"""The outermost layer: refuse oversized bodies (413) and count every answer for /metrics.

A body is refused on its declared Content-Length before anything is read, and, for
chunked bodies, as soon as the bytes received pass the limit. File submissions get the
upload limit (650 MB plus the multipart framing); everything else a small one.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import MAX_UPLOAD
from .formats import error_text
from .metrics import Metrics


class BodyTooLarge(Exception):
    pass


def _too_large_message(limit: int) -> str:
    if limit >= MAX_UPLOAD:
        return "The file is too large: VirusTotal accepts files up to 650 MB."
    if limit >= 1024 * 1024:
        return f"The request body is too large; this endpoint accepts up to {limit // (1024 * 1024)} MB."
    return f"The request body is too large; this endpoint accepts up to {limit // 1024} KB."


class Guard:
    """ASGI middleware: body limits and request metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body: int,
                 limit_for: Callable[[str, str], int | None]) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        path = str(scope.get("path", ""))
        limit = self.limit_for(method, path) or self.max_body
        status_seen: list[int] = []

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(int(message["status"]))
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(counting_send, limit)
            self._observe(scope, method, path, status_seen)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, counting_send)
        except BodyTooLarge:
            if not status_seen:
                await _refuse(counting_send, limit)
        finally:
            self._observe(scope, method, path, status_seen)

    def _observe(self, scope: Scope, method: str, path: str, status_seen: list[int]) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None)
        if not isinstance(template, str):
            template = "/mcp" if path == "/mcp" or path.startswith("/mcp/") else "(unmatched)"
        self.metrics.observe(template, method, status_seen[0] if status_seen else 500)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = error_text(_too_large_message(limit)).encode("utf-8")
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})

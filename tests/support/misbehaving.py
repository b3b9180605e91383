"""A server that misbehaves on purpose: middleware for the loopback demo server.

Each factory returns ``async def mw(request, call_next) -> DemoResponse`` for
:class:`~tests.support.server.DemoServer`; ``only`` picks which requests misbehave (the others
reach the demo backend untouched). What they do:

- ``slow_drip``: the real reply, its body sent one byte at a time
- ``slow_headers``: the status line and headers sent one byte at a time
- ``hang``: no reply ever
- ``gzip_bomb``: a small gzip body that inflates to ``inflated`` bytes
- ``pages``: a synthetic list: pages of related domains with cursors, a cursor that
  never advances, an empty page that still has a cursor, or a page that always fails
- ``replace``: a fixed reply (wrong object type, wrong id, plain 429...)
- ``redirect``: a 302 to somewhere else
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from vttui.demo.protocol import DemoRequest, DemoResponse, Handler, Middleware

Predicate = Callable[[DemoRequest], bool]


def api_path_endswith(suffix: str) -> Predicate:
    return lambda request: request.in_api and request.path.endswith(suffix)


def api_path_startswith(prefix: str) -> Predicate:
    return lambda request: request.in_api and request.path.startswith(prefix)


async def _drip(data: bytes, delay: float) -> AsyncIterator[bytes]:
    for i in range(len(data)):
        yield data[i:i + 1]
        await asyncio.sleep(delay)


def slow_drip(delay: float = 0.05, *, only: Predicate | None = None) -> Middleware:
    """The real reply, its body one byte per ``delay`` seconds (Content-Length honest)."""

    async def mw(request: DemoRequest, call_next: Handler) -> DemoResponse:
        reply = await call_next(request)
        if only is not None and not only(request) or not isinstance(reply.body, (bytes, bytearray)):
            return reply
        body = bytes(reply.body)
        out = DemoResponse(reply.status, list(reply.headers), _drip(body, delay))
        out.set_header("content-length", str(len(body)))
        return out

    return mw


def slow_headers(delay: float = 0.05, *, only: Predicate | None = None) -> Middleware:
    """A 200 whose status line and headers arrive one byte per ``delay`` seconds."""

    async def mw(request: DemoRequest, call_next: Handler) -> DemoResponse:
        if only is not None and not only(request):
            return await call_next(request)
        head = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" + b"x-padding: " + b"a" * 400
                + b"\r\ncontent-length: 2\r\n\r\n{}")
        return DemoResponse.raw(_drip(head, delay))

    return mw


def hang(*, only: Predicate | None = None) -> Middleware:
    async def mw(request: DemoRequest, call_next: Handler) -> DemoResponse:
        if only is not None and not only(request):
            return await call_next(request)
        return DemoResponse.hang()

    return mw


def gzip_bomb(inflated: int, *, only: Predicate | None = None, content_type: str = "application/json") -> Middleware:
    """A reply whose gzip body inflates to ``inflated`` bytes (JSON-ish: a huge string)."""
    raw = b'{"data": {"type": "file", "id": "' + b"0" * inflated + b'"}}'
    packed = gzip.compress(raw, compresslevel=9)

    async def mw(request: DemoRequest, call_next: Handler) -> DemoResponse:
        if only is not None and not only(request):
            return await call_next(request)
        return DemoResponse(200, [("content-type", content_type), ("content-encoding", "gzip"),
                                  ("content-length", str(len(packed)))], packed)

    mw.packed_size = len(packed)  # type: ignore[attr-defined]
    return mw


def domain_item(n: int) -> dict:
    return {"type": "domain", "id": f"d{n:04d}.example.com", "links": {"self": None},
            "attributes": {"last_analysis_stats": {"malicious": n % 3, "suspicious": 0, "harmless": 1,
                                                   "undetected": 60}}}


def comment_item(n: int) -> dict:
    return {"type": "comment", "id": f"c-{n:04d}", "links": {"self": None},
            "attributes": {"text": f"comment number {n}", "date": 1700000000 + n, "tags": [],
                           "votes": {"positive": 0, "negative": 0, "abuse": 0}}}


@dataclass
class Pages:
    """A synthetic paged list on every request ``only`` matches.

    Page ``k`` (1-based) holds items ``(k-1)*size .. k*size-1`` of ``total``, with the
    next page's cursor ``c<k+1>``. ``stuck_after`` makes every page from that one on
    repeat its own cursor (a server whose cursor never advances: the same items again);
    ``empty_from`` answers that page and later ones with no items and a cursor;
    ``fail_page`` answers that page with ``fail_status`` every time.
    """

    total: int = 200
    size: int = 40
    only: Predicate | None = None
    stuck_after: int | None = None
    empty_from: int | None = None
    fail_page: int | None = None
    fail_status: int = 503
    item: Callable[[int], dict] = domain_item
    #: After this many requests every answer is a 500: a client that never stops still ends.
    give_up_after: int = 300
    requests: list[str] = field(default_factory=list)

    def _page_number(self, cursor: str | None) -> int:
        if not cursor:
            return 1
        try:
            return int(cursor.lstrip("c"))
        except ValueError:
            return 1

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        if self.only is not None and not self.only(request):
            return await call_next(request)
        self.requests.append(request.target)
        if len(self.requests) > self.give_up_after:
            return DemoResponse.error(500, "ServerError", "the test server gave up: the client never stopped")
        page = self._page_number(request.query.get("cursor"))
        if self.fail_page is not None and page == self.fail_page:
            return DemoResponse.error(self.fail_status, "TransientError", "page unavailable")
        size = min(self.size, int(request.query.get("limit") or self.size))
        if self.stuck_after is not None and page >= self.stuck_after:
            page = self.stuck_after
            start = (page - 1) * size
            items = [self.item(n) for n in range(start, min(start + 3, self.total))]
            return DemoResponse.json({"data": items, "meta": {"cursor": f"c{page}", "count": self.total}})
        if self.empty_from is not None and page >= self.empty_from:
            return DemoResponse.json({"data": [], "meta": {"cursor": f"c{page + 1}"}})
        start = (page - 1) * size
        items = [self.item(n) for n in range(start, min(start + size, self.total))]
        cursor = f"c{page + 1}" if start + size < self.total else None
        meta: dict = {"count": self.total}
        if cursor:
            meta["cursor"] = cursor
        return DemoResponse.json({"data": items, "meta": meta})


def replace(reply: Callable[[DemoRequest], DemoResponse], *, only: Predicate | None = None) -> Middleware:
    """Answer ``only``'s requests with ``reply(request)`` instead of the backend."""

    async def mw(request: DemoRequest, call_next: Handler) -> DemoResponse:
        if only is not None and not only(request):
            return await call_next(request)
        return reply(request)

    return mw


def json_reply(payload: dict, status: int = 200) -> Callable[[DemoRequest], DemoResponse]:
    body = json.dumps(payload)
    return lambda _request: DemoResponse(status, [("content-type", "application/json")], body.encode())


def redirect(location: str, status: int = 302, *, only: Predicate | None = None) -> Middleware:
    def reply(_request: DemoRequest) -> DemoResponse:
        return DemoResponse(status, [("location", location), ("content-length", "0")], b"")

    return replace(reply, only=only)

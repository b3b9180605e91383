"""Pages of v3 list replies, and an async iterator that resumes exactly where it stopped.

VirusTotal's cursors mark page boundaries. vt-py hands out the next page's cursor even
when the caller stopped in the middle of a page, so resuming skips items. Here the
resume cursor of a mid-page stop names the page *and* the offset inside it, so
resuming neither skips nor repeats.

A server can also loop: a cursor that does not advance (the next page is the same page
again), or an empty page that still points further. The Paginator remembers every
cursor it followed and every item it handed out: a cursor seen before, or an empty page
with a cursor, ends the walk with :class:`~vttui.vt.errors.PagingError` once the items
that did arrive are yielded; an item already yielded is never yielded again.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import PagingError

_TOKEN_PREFIX = "vttui1:"


@dataclass(slots=True)
class Page:
    """One page of a list reply."""

    items: list[dict[str, Any]]
    cursor: str | None = None  # cursor of the next page; None means the last page
    count: int | None = None  # total the server reported, when it did
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return bool(self.cursor)

    @classmethod
    def from_reply(cls, body: Any) -> Page:
        body = body if isinstance(body, dict) else {}
        data = body.get("data")
        if isinstance(data, list):
            items = [item for item in data if isinstance(item, dict)]
        elif isinstance(data, dict):
            items = [data]
        else:
            items = []
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        cursor = meta.get("cursor")
        cursor = str(cursor) if cursor not in (None, "") else None
        count = meta.get("count")
        if isinstance(count, bool) or not isinstance(count, (int, float, str)):
            count = None
        else:
            try:
                count = int(count)
            except (TypeError, ValueError, OverflowError):
                count = None
        return cls(items, cursor, count, meta)


def encode_resume(page_cursor: str | None, offset: int, limit: int) -> str:
    raw = json.dumps({"c": page_cursor or "", "o": offset, "l": limit}, separators=(",", ":"))
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_resume(token: str | None) -> tuple[str | None, int, int | None]:
    """(page cursor, items to skip in that page, the limit the page was fetched with)."""
    if not token or not token.startswith(_TOKEN_PREFIX):
        return (token or None), 0, None
    body = token[len(_TOKEN_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        obj = json.loads(raw)
        return (obj.get("c") or None), max(0, int(obj.get("o", 0))), int(obj["l"]) if obj.get("l") else None
    except (ValueError, TypeError, KeyError):
        return token, 0, None


class Paginator:
    """Async iterator over the items of a paged list.

    ``cursor`` is, at any moment, the cursor to pass back to resume right after the last
    item yielded (an API cursor at page boundaries, a vttui token mid-page); it is None
    once the list is exhausted.
    """

    def __init__(
        self,
        fetch_page: Callable[[str | None, int], Awaitable[Page]],
        *,
        limit: int = 40,
        cursor: str | None = None,
        max_items: int | None = None,
    ) -> None:
        page_cursor, skip, token_limit = decode_resume(cursor)
        self._fetch = fetch_page
        self.limit = token_limit or limit
        self._next_cursor = page_cursor
        self._page_cursor: str | None = page_cursor
        self._skip = skip
        self._offset = 0
        self._buffer: deque[dict[str, Any]] = deque()
        self._exhausted = False
        self._max_items = max_items
        self.yielded = 0
        self.count: int | None = None
        self.pages = 0
        #: Items skipped because they had been yielded already (a server repeating itself).
        self.duplicates = 0
        self._followed: set[str] = {page_cursor} if page_cursor else set()
        self._seen: set[tuple[str, str]] = set()
        self._stop: PagingError | None = None

    def __aiter__(self) -> Paginator:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while True:
            if self._max_items is not None and self.yielded >= self._max_items:
                raise StopAsyncIteration
            while not self._buffer:
                if self._stop is not None:
                    raise self._stop
                if self._exhausted:
                    raise StopAsyncIteration
                await self._next_page()
            item = self._buffer.popleft()
            self._offset += 1
            key = _identity(item)
            if key is not None:
                if key in self._seen:
                    self.duplicates += 1
                    continue
                self._seen.add(key)
            self.yielded += 1
            return item

    async def _next_page(self) -> None:
        requested = self._next_cursor
        page = await self._fetch(requested, self.limit)
        self.pages += 1
        if page.count is not None:
            self.count = page.count
        self._page_cursor = requested
        self._offset = min(self._skip, len(page.items))
        self._buffer.extend(page.items[self._skip:])
        self._skip = 0
        nxt = page.cursor
        self._next_cursor = nxt
        if not nxt:
            self._exhausted = True
        elif nxt == requested or nxt in self._followed:
            self._exhausted = True  # nothing to resume: that cursor leads back here
            self._stop = PagingError(
                "VirusTotal sent a page cursor it had sent before (the list did not advance); "
                f"stopped after page {self.pages} so no item is repeated."
            )
        elif not page.items:
            self._stop = PagingError(
                "VirusTotal sent an empty page that still pointed to more; stopped there "
                "(the cursor to try again is kept)."
            )
        if nxt:
            self._followed.add(nxt)

    @property
    def done(self) -> bool:
        return self._exhausted and not self._buffer

    @property
    def stopped(self) -> PagingError | None:
        """Why the walk ended early, when the server looped or sent an empty page."""
        return self._stop

    @property
    def cursor(self) -> str | None:
        if self._buffer:
            return encode_resume(self._page_cursor, self._offset, self.limit)
        if self._skip:
            return encode_resume(self._next_cursor, self._skip, self.limit)
        if self._exhausted:
            return None
        return self._next_cursor

    async def collect(self) -> list[dict[str, Any]]:
        return [item async for item in self]


def _identity(item: dict[str, Any]) -> tuple[str, str] | None:
    """What makes an item the same item: its type and id, when it has an id."""
    ident = item.get("id")
    if isinstance(ident, (str, int)) and not isinstance(ident, bool) and ident != "":
        return (str(item.get("type") or ""), str(ident))
    return None

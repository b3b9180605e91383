"""In-memory response cache: LRU bounded by entries and bytes, with TTL, id aliases and
single-flight request sharing.

Quota is money: a public key gets 4 requests a minute, so anything already fetched in a
session is served from here, and concurrent identical requests share one network call.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FetchInfo:
    """When a reply left VirusTotal, and whether it came from the persistent store (an
    earlier run or another process) rather than from this process's own request."""

    fetched_at: float  # wall-clock epoch seconds
    from_store: bool = False

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


def describe_age(seconds: float) -> str:
    """'just now', '42 s', '3 min', '3 h', '2 days': how old a cached report is."""
    seconds = max(0.0, seconds)
    if seconds < 5:
        return "just now"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    evictions: int
    entries: int
    bytes: int
    max_entries: int
    max_bytes: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class _Entry:
    __slots__ = ("value", "size", "expires", "info")

    def __init__(self, value: Any, size: int, expires: float, info: FetchInfo | None) -> None:
        self.value = value
        self.size = size
        self.expires = expires
        self.info = info


class ResponseCache:
    """An LRU keyed by request, bounded by entry count and by (approximate) bytes.

    Values are treated as immutable: callers must not mutate what they get back.
    """

    def __init__(
        self,
        max_entries: int = 5000,
        max_bytes: int = 128 * 1024 * 1024,
        ttl: float = 6 * 3600,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("cache bounds must be positive")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: str) -> bool:
        entry = self._data.get(key)
        return entry is not None and entry.expires > self._clock()

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None:
            self.misses += 1
            return default
        if entry.expires <= self._clock():
            self._remove(key)
            self.misses += 1
            return default
        self._data.move_to_end(key)
        self.hits += 1
        return entry.value

    def peek(self, key: str, default: Any = None) -> Any:
        """Like get() but without touching recency or counters (for UI probes)."""
        entry = self._data.get(key)
        if entry is None or entry.expires <= self._clock():
            return default
        return entry.value

    def info(self, key: str) -> FetchInfo | None:
        """When the cached reply under ``key`` was fetched (None: not cached)."""
        entry = self._data.get(key)
        if entry is None or entry.expires <= self._clock():
            return None
        return entry.info

    def put(self, key: str, value: Any, size: int, ttl: float | None = None, *, info: FetchInfo | None = None) -> None:
        size = max(int(size), 1)
        if key in self._data:
            self._remove(key)
        if size > self.max_bytes:
            # Bigger than the whole cache: storing it would evict everything for nothing.
            return
        self._data[key] = _Entry(value, size, self._clock() + (self.ttl if ttl is None else ttl),
                                 info or FetchInfo(time.time()))
        self._bytes += size
        self._evict()

    def invalidate(self, key: str) -> bool:
        if key in self._data:
            self._remove(key)
            return True
        return False

    def invalidate_prefix(self, prefix: str) -> int:
        doomed = [k for k in self._data if k.startswith(prefix)]
        for k in doomed:
            self._remove(k)
        return len(doomed)

    def clear(self) -> None:
        self._data.clear()
        self._bytes = 0

    def stats(self) -> CacheStats:
        return CacheStats(
            self.hits, self.misses, self.evictions, len(self._data), self._bytes,
            self.max_entries, self.max_bytes,
        )

    def _remove(self, key: str) -> None:
        entry = self._data.pop(key)
        self._bytes -= entry.size

    def _evict(self) -> None:
        while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
            key, entry = self._data.popitem(last=False)
            self._bytes -= entry.size
            self.evictions += 1


class AliasTable:
    """Maps alternative ids to the canonical one (md5/sha1 -> sha256, url base64 -> url sha256).

    Bounded so a long session cannot grow it without limit; the oldest aliases go first.
    """

    def __init__(self, max_size: int = 100_000) -> None:
        self.max_size = max_size
        self._map: OrderedDict[tuple[str, str], str] = OrderedDict()
        #: When a list, every new alias is also appended here (for the persistent store).
        self.journal: list[tuple[str, str, str]] | None = None

    def add(self, collection: str, alias: str, canonical: str, *, journal: bool = True) -> None:
        if not alias or not canonical or alias == canonical:
            return
        if journal and self.journal is not None and self._map.get((collection, alias)) != canonical:
            self.journal.append((collection, alias, canonical))
        self._map[(collection, alias)] = canonical
        self._map.move_to_end((collection, alias))
        while len(self._map) > self.max_size:
            self._map.popitem(last=False)

    def resolve(self, collection: str, ident: str) -> str:
        return self._map.get((collection, ident), ident)

    def __len__(self) -> int:
        return len(self._map)


class SingleFlight(Generic[T]):
    """Concurrent calls with the same key share one in-flight call.

    The shared call runs as its own task: a caller that gives up (is cancelled) does not
    cancel it for the others; when every caller has given up, it is cancelled, so a
    lookup nobody wants any more does not spend quota.
    """

    def __init__(self) -> None:
        self._inflight: dict[Hashable, tuple[asyncio.Task[T], list[int]]] = {}
        self.shared = 0  # how many calls joined an existing flight

    def in_flight(self, key: Hashable) -> bool:
        return key in self._inflight

    async def run(self, key: Hashable, fn: Callable[[], Awaitable[T]]) -> T:
        flight = self._inflight.get(key)
        if flight is None:
            task = asyncio.ensure_future(fn())
            flight = (task, [0])
            self._inflight[key] = flight
            task.add_done_callback(functools.partial(self._done, key))
        else:
            self.shared += 1
        task, waiters = flight
        waiters[0] += 1
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done() and waiters[0] == 1:
                task.cancel()
            raise
        finally:
            waiters[0] -= 1

    def _done(self, key: Hashable, task: asyncio.Task[T]) -> None:
        flight = self._inflight.get(key)
        if flight is not None and flight[0] is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # mark retrieved: callers that left must not cause warnings

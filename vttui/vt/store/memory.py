"""The store in this process's memory: today's behaviour, nothing written to disk.

Also what the other stores fall back to when their file or server fails mid-session.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from . import ledger as L
from .base import Entry, Grant, LedgerState, Limits, Store, StoredReply, StoreStats


class MemoryStore(Store):
    kind = "memory"
    location = "this process"
    shared = False
    sync_reads = True

    def __init__(self, max_bytes: int = 256 * 1024 * 1024, *, clock: Callable[[], float] = time.time) -> None:
        self.max_bytes = max_bytes
        self.clock = clock
        self._replies: OrderedDict[str, StoredReply] = OrderedDict()
        self._bytes = 0
        self._aliases: dict[tuple[str, str], str] = {}
        self._meta: dict[str, str] = {}
        self._row = L.LedgerRow()
        self._locks: dict[str, tuple[str, float]] = {}
        self.hits = 0
        self.misses = 0

    # --- replies -----------------------------------------------------------------------

    def get_sync(self, key: str) -> StoredReply | None:
        reply = self._replies.get(key)
        if reply is not None and reply.expires_at <= self.clock():
            self._drop(key)
            reply = None
        if reply is None:
            self.misses += 1
            return None
        self._replies.move_to_end(key)
        self.hits += 1
        return reply

    async def get(self, key: str) -> StoredReply | None:
        return self.get_sync(key)

    async def put(self, entries: Sequence[Entry]) -> None:
        now = self.clock()
        for e in entries:
            if e.ttl <= 0 or len(e.body) > self.max_bytes:
                continue
            if not e.replace and e.key in self._replies and self._replies[e.key].expires_at > now:
                continue
            self._drop(e.key)
            self._replies[e.key] = StoredReply(e.body, e.fetched_at, now + e.ttl)
            self._bytes += len(e.body)
        while self._bytes > self.max_bytes and self._replies:
            key, reply = self._replies.popitem(last=False)
            self._bytes -= len(reply.body)

    def _drop(self, key: str) -> None:
        old = self._replies.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)

    async def invalidate(self, key: str, *, prefix: bool = False) -> int:
        doomed = [k for k in self._replies if k.startswith(key)] if prefix else [key] if key in self._replies else []
        for k in doomed:
            self._drop(k)
        return len(doomed)

    async def clear(self) -> int:
        count = len(self._replies)
        self._replies.clear()
        self._aliases.clear()
        self._bytes = 0
        return count

    async def stats(self) -> StoreStats:
        oldest = min((r.fetched_at for r in self._replies.values()), default=None)
        return StoreStats(self.kind, self.location, len(self._replies), self._bytes, self.max_bytes,
                          self.hits, self.misses, oldest, len(self._aliases))

    # --- aliases and facts -------------------------------------------------------------

    def resolve_sync(self, collection: str, ident: str) -> str | None:
        return self._aliases.get((collection, ident))

    async def resolve(self, collection: str, ident: str) -> str | None:
        return self.resolve_sync(collection, ident)

    async def add_aliases(self, items: Sequence[tuple[str, str, str]]) -> None:
        for collection, alias, canonical in items:
            if alias and canonical and alias != canonical:
                self._aliases[(collection, alias)] = canonical

    async def get_meta(self, name: str) -> str | None:
        return self._meta.get(name)

    async def set_meta(self, name: str, value: str) -> None:
        self._meta[name] = value

    # --- ledger ------------------------------------------------------------------------

    async def acquire(self, limits: Limits, ticket: int | None) -> Grant:
        return L.decide(self._row, self.clock(), limits, ticket)

    async def release(self, ticket: int) -> None:
        self._row.tickets.pop(ticket, None)

    async def refund(self, at: float) -> None:
        L.refund(self._row, self.clock(), at)

    def ledger_sync(self, window: float) -> LedgerState:
        now = self.clock()
        self._row.prune(now, window)
        return self._row.snapshot(now)

    async def ledger(self, window: float) -> LedgerState:
        return self.ledger_sync(window)

    async def adjust(self, *, block_for: float = 0.0, used_at_least: int | None = None) -> None:
        L.adjust(self._row, self.clock(), block_for, used_at_least)

    def seed(self, state: LedgerState) -> None:
        """Carry a ledger over from a store that failed (stamps, count, hold)."""
        self._row.day = state.day
        self._row.used = max(self._row.used, state.used_day)
        self._row.stamps = sorted(set(self._row.stamps) | set(state.stamps))
        self._row.blocked_until = max(self._row.blocked_until, state.blocked_until)

    # --- locks -------------------------------------------------------------------------

    async def lock(self, name: str, owner: str, ttl: float) -> bool:
        now = self.clock()
        held = self._locks.get(name)
        if held is not None and held[0] != owner and held[1] > now:
            return False
        self._locks[name] = (owner, now + ttl)
        return True

    async def unlock(self, name: str, owner: str) -> None:
        held = self._locks.get(name)
        if held is not None and held[0] == owner:
            del self._locks[name]

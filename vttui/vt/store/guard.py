"""Never a crash because of the cache: a store that fails is replaced for the session.

Redis unreachable (at start or mid-session) -> the local SQLite store; SQLite read-only,
full, damaged or locked too long -> memory. The switch is said once, in words, in
``notice`` (short, for the status line) and ``warnings`` (full sentences). A failed read
is a miss and a failed write is skipped: the reply the user is looking at is already in
hand and in the in-memory cache, so nothing on screen is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from .base import Entry, Grant, LedgerState, Limits, Store, StoredReply, StoreError, StoreStats
from .memory import MemoryStore

T = TypeVar("T")
log = logging.getLogger("vttui.store")

_SHORT = {
    "unreachable": "unreachable",
    "corrupt": "damaged",
    "foreign": "not ours",
    "read-only": "read-only",
    "full": "disk full",
    "locked": "locked too long",
    "unavailable": "failing",
}


class GuardedStore(Store):
    """Delegates to the active store; on a StoreError moves down the fallback chain."""

    def __init__(self, primary: Store, fallbacks: Sequence[Callable[[], Store]] = ()) -> None:
        self.active = primary
        self._fallbacks = list(fallbacks)
        self.notice: str | None = None
        self.warnings: list[str] = list(getattr(primary, "warnings", []))
        self._last_ledger: LedgerState | None = None
        self._carry: LedgerState | None = None  # the count to carry to a replacement store
        self._background: set[asyncio.Task[None]] = set()
        self._adopt(primary)

    def _adopt(self, store: Store) -> None:
        self.active = store
        self.kind, self.location = store.kind, store.location
        self.shared, self.sync_reads = store.shared, store.sync_reads

    def _degrade(self, failed: Store, error: StoreError) -> None:
        """Move to the next store that opens; memory is the last and always does."""
        if failed is not self.active:
            return  # another call already moved on
        log.warning("%s", error.message)
        self._retire(failed)
        while True:
            make = self._fallbacks.pop(0) if self._fallbacks else None
            if make is None:
                replacement: Store = MemoryStore()
            else:
                try:
                    replacement = make()
                except StoreError as exc:
                    log.warning("%s", exc.message)
                    continue
            break
        if isinstance(replacement, MemoryStore) and self._last_ledger is not None:
            replacement.seed(self._last_ledger)
        else:
            self._carry = self._last_ledger
        self.warnings.extend(getattr(replacement, "warnings", []))
        where = "in memory only" if replacement.kind == "memory" else f"local {replacement.kind}"
        self.notice = f"{failed.kind} {_SHORT.get(error.reason, error.reason)}: cache {where}"
        alone = " (other vttui processes no longer share it)." if replacement.kind == "memory" else "."
        self.warnings.append(f"{error.message} This session now keeps its cache {where}{alone}")
        self._adopt(replacement)

    def _retire(self, store: Store) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            with contextlib.suppress(Exception):
                store.close_sync()
            return
        task = loop.create_task(_quietly(store.close()))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _run(self, fn: Callable[[Store], Awaitable[T]], default: T, *, read: bool = False) -> T:
        for _ in range(4):
            store = self.active
            try:
                return await fn(store)
            except StoreError as exc:
                if read and exc.reason == "locked":
                    return default
                self._degrade(store, exc)
        return default

    def _run_sync(self, fn: Callable[[Store], T], default: T) -> T:
        store = self.active
        try:
            return fn(store)
        except StoreError as exc:
            if exc.reason != "locked":
                self._degrade(store, exc)
            return default

    # --- replies -----------------------------------------------------------------------

    async def get(self, key: str) -> StoredReply | None:
        return await self._run(lambda s: s.get(key), None, read=True)

    def get_sync(self, key: str) -> StoredReply | None:
        return self._run_sync(lambda s: s.get_sync(key), None)

    async def put(self, entries: Sequence[Entry]) -> None:
        await self._run(lambda s: s.put(entries), None)

    async def invalidate(self, key: str, *, prefix: bool = False) -> int:
        return await self._run(lambda s: s.invalidate(key, prefix=prefix), 0)

    async def clear(self) -> int:
        return await self._run(lambda s: s.clear(), 0)

    async def stats(self) -> StoreStats:
        return await self._run(lambda s: s.stats(), StoreStats(self.kind, self.location, 0, 0, 0, 0, 0, None))

    # --- aliases and facts -------------------------------------------------------------

    async def resolve(self, collection: str, ident: str) -> str | None:
        return await self._run(lambda s: s.resolve(collection, ident), None, read=True)

    def resolve_sync(self, collection: str, ident: str) -> str | None:
        return self._run_sync(lambda s: s.resolve_sync(collection, ident), None)

    async def add_aliases(self, items: Sequence[tuple[str, str, str]]) -> None:
        await self._run(lambda s: s.add_aliases(items), None)

    async def get_meta(self, name: str) -> str | None:
        return await self._run(lambda s: s.get_meta(name), None, read=True)

    async def set_meta(self, name: str, value: str) -> None:
        await self._run(lambda s: s.set_meta(name, value), None)

    # --- ledger ------------------------------------------------------------------------

    async def acquire(self, limits: Limits, ticket: int | None) -> Grant:
        async def run(store: Store) -> Grant:
            carry, self._carry = self._carry, None
            if carry is not None:  # what the failed store had counted today
                await store.adjust(used_at_least=carry.used_day)
            grant = await store.acquire(limits, ticket if store is self.active else None)
            self._last_ledger = grant.state
            return grant

        for _ in range(4):
            store = self.active
            try:
                return await run(store)
            except StoreError as exc:
                self._degrade(store, exc)
                ticket = None  # a ticket belongs to the store that issued it
        return await run(self.active)

    async def release(self, ticket: int) -> None:
        await self._run(lambda s: s.release(ticket), None)

    async def refund(self, at: float) -> None:
        await self._run(lambda s: s.refund(at), None)

    async def ledger(self, window: float) -> LedgerState:
        async def run(store: Store) -> LedgerState:
            state = await store.ledger(window)
            self._last_ledger = state
            return state

        for _ in range(4):
            store = self.active
            try:
                return await run(store)
            except StoreError as exc:
                self._degrade(store, exc)
        return await run(self.active)

    def ledger_sync(self, window: float) -> LedgerState | None:
        state = self._run_sync(lambda s: s.ledger_sync(window), None)
        if state is not None:
            self._last_ledger = state
        return state

    async def adjust(self, *, block_for: float = 0.0, used_at_least: int | None = None) -> None:
        await self._run(lambda s: s.adjust(block_for=block_for, used_at_least=used_at_least), None)

    # --- locks -------------------------------------------------------------------------

    async def lock(self, name: str, owner: str, ttl: float) -> bool:
        # A store that cannot lock cannot coordinate: go ahead (at worst one extra request).
        return await self._run(lambda s: s.lock(name, owner, ttl), True)

    async def unlock(self, name: str, owner: str) -> None:
        await self._run(lambda s: s.unlock(name, owner), None)

    # --- lifecycle ---------------------------------------------------------------------

    async def ping(self) -> None:
        await self._run(lambda s: s.ping(), None)

    async def close(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await _quietly(self.active.close())

    def close_sync(self) -> None:
        with contextlib.suppress(Exception):
            self.active.close_sync()


async def _quietly(closing: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await closing

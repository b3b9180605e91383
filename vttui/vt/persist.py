"""What the client asks of the persistent store: stored replies (fresh enough), saving new
ones with their kind's TTL, forgetting, and single-flight across processes.

Kept out of ``client.py`` so the client only gains a few calls: the memory cache stays in
front, this layer sits between it and the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from .store.base import Entry, Store, StoredReply
from .store.policy import StoreOptions, kind_of

T = TypeVar("T")
log = logging.getLogger("vttui.store")

#: A single-flight lock lives this long unless its holder renews it (every third of it):
#: a holder that dies (kill -9, a lost laptop lid) blocks the others this long at most.
LOCK_TTL = 15.0
#: How often a process waiting on another's fetch looks for the reply (grows to the max).
WAIT_FIRST = 0.02
WAIT_MAX = 0.25
#: ``forget`` floors kept (each ctrl+r adds one).
MAX_FLOORS = 1000


class Persistence:
    """The client's view of a :class:`~vttui.vt.store.base.Store`."""

    def __init__(self, store: Store, options: StoreOptions, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.store = store
        self.options = options
        self.clock = clock
        self._sleep = sleep
        #: Replies fetched before this are not served (``--refresh``: the whole run).
        self.fresh_after = 0.0
        self._floors: dict[tuple[str, bool], float] = {}  # (path, is prefix) -> not before
        self._background: set[asyncio.Task[None]] = set()

    # --- reading -----------------------------------------------------------------------

    def _floor(self, key: str) -> float:
        floor = self.fresh_after
        for (path, prefix), when in self._floors.items():
            if when > floor and (key.startswith(path) if prefix else key == path):
                floor = when
        return floor

    def _fresh(self, key: str, reply: StoredReply | None) -> StoredReply | None:
        if reply is None or reply.fetched_at < self._floor(key):
            return None
        return reply

    def load_sync(self, key: str) -> StoredReply | None:
        """The stored reply, synchronously, where the store can (SQLite); else None."""
        if not self.store.sync_reads or kind_of(key) is None:
            return None
        return self._fresh(key, self.store.get_sync(key))

    async def load(self, key: str) -> StoredReply | None:
        if kind_of(key) is None:
            return None
        return self._fresh(key, await self.store.get(key))

    def resolve_sync(self, collection: str, ident: str) -> str | None:
        return self.store.resolve_sync(collection, ident) if self.store.sync_reads else None

    async def resolve(self, collection: str, ident: str) -> str | None:
        return await self.store.resolve(collection, ident)

    # --- writing -----------------------------------------------------------------------

    def entry(self, key: str, body: bytes, fetched_at: float, *, replace: bool = True) -> Entry | None:
        kind = kind_of(key)
        if kind is None:
            return None
        ttl = self.options.ttl(kind)
        return Entry(key, body, fetched_at, ttl, kind, replace) if ttl > 0 else None

    async def save(self, entries: Sequence[Entry | None], aliases: Sequence[tuple[str, str, str]] = ()) -> None:
        """Store replies and aliases; a failure is logged, never raised (the view is in hand)."""
        try:
            kept = [e for e in entries if e is not None]
            if kept:
                await self.store.put(kept)
            if aliases:
                await self.store.add_aliases(aliases)
        except Exception:  # the guard handles store failures; anything else must not cost a view
            log.exception("could not save a reply to the store")

    def forget(self, path: str, *, prefix: bool = False) -> None:
        """Stop serving stored replies of ``path`` (with its queries; or every key starting
        with it) fetched before now: here at once, and for other processes by deleting them
        from the store in the background."""
        now = self.clock()
        floors = [(path, True)] if prefix else [(path, False), (path + "?", True)]
        for floor in floors:
            self._floors.pop(floor, None)
            self._floors[floor] = now
        while len(self._floors) > MAX_FLOORS:
            self._floors.pop(next(iter(self._floors)))

        async def drop() -> None:
            for key, is_prefix in floors:
                await self.store.invalidate(key, prefix=is_prefix)

        self.spawn(drop())

    def spawn(self, work: Awaitable[object]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if asyncio.iscoroutine(work):
                work.close()
            return
        task = loop.create_task(_quietly(work))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for background writes (before closing)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # --- single flight across processes ------------------------------------------------

    async def single_flight(self, name: str, reload: Callable[[], Awaitable[T | None]],
                            fetch: Callable[[], Awaitable[tuple[T, Awaitable[None] | None]]]) -> T:
        """Fetch under a cross-process lock; a process that finds it held waits for the
        reply to appear in the store (or for the lock to be free: the holder failed or died).

        ``fetch`` returns the reply and the work that stores it: the caller gets the reply
        at once, and the lock is released only once the reply is stored, so a waiter never
        finds the lock free and the store still empty."""
        if kind_of(name) is None:  # never stored: nothing another process could hand over
            result, save = await fetch()
            if save is not None:
                self.spawn(save)
            return result
        owner = secrets.token_hex(8)
        delay = WAIT_FIRST
        while True:
            if await self.store.lock(name, owner, LOCK_TTL):
                keeper: asyncio.Future[None] | None = None
                handed_over = False
                try:
                    found = await reload()
                    if found is not None:
                        return found
                    keeper = asyncio.ensure_future(self._keep(name, owner))
                    result, save = await fetch()
                    self.spawn(self._release_after(name, owner, keeper, save))
                    handed_over = True
                    return result
                finally:
                    if not handed_over:
                        if keeper is not None:
                            keeper.cancel()
                        await _quietly(self.store.unlock(name, owner))
            await self._sleep(delay)
            delay = min(delay * 2, WAIT_MAX)
            found = await reload()
            if found is not None:
                return found

    async def _release_after(self, name: str, owner: str, keeper: asyncio.Future[None],
                             save: Awaitable[None] | None) -> None:
        try:
            if save is not None:
                await save
        finally:
            keeper.cancel()
            await _quietly(self.store.unlock(name, owner))

    async def _keep(self, name: str, owner: str) -> None:
        """Renew the lock while the fetch runs (it may wait minutes for a quota slot)."""
        while True:
            await asyncio.sleep(LOCK_TTL / 3)
            await _quietly(self.store.lock(name, owner, LOCK_TTL))


async def _quietly(work: Awaitable[object]) -> None:
    with contextlib.suppress(Exception):
        await work

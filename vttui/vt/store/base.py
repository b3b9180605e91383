"""The store behind the cache and the rate limiter: one interface, three homes.

Why: a cache and a limiter that live in one process forget everything at exit, so every
restart spent the quota again, and two shells each believed they had 4 requests a minute.
A store keeps what must outlive a process where every vttui process of one key can see
it: replies with their fetch time, id aliases, the quota ledger and single-flight locks.
``memory`` is one process (today's behaviour), ``sqlite`` one machine, ``redis`` a team.

Every method works inside one *namespace*, a hash of the API key and the base URL, fixed
when the store is opened: keys of different accounts never mix and the key itself is
never written anywhere. Failures raise :class:`StoreError`; the caller (the guard in
:mod:`.guard`) decides to carry on with a humbler store, never to crash.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def namespace(api_key: str | None, base_url: str) -> str:
    """A short, stable, one-way name for (key, API): what stores file things under."""
    digest = hashlib.sha256(f"vttui-store\n{base_url.rstrip('/')}\n{api_key or ''}".encode()).hexdigest()
    return digest[:24]


class StoreError(Exception):
    """A store could not do its job. ``reason`` is one word the guard and the status
    line use: corrupt, foreign, read-only, full, locked, unreachable, unavailable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class StoredReply:
    """A reply as VirusTotal sent it (JSON bytes) and when it did."""

    body: bytes
    fetched_at: float  # wall-clock epoch seconds
    expires_at: float

    def json(self) -> dict[str, Any]:
        value = json.loads(self.body)
        if not isinstance(value, dict):
            raise ValueError("a stored reply is always a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class Entry:
    """One reply to store."""

    key: str
    body: bytes
    fetched_at: float
    ttl: float  # seconds from now
    kind: str
    #: False: keep a live reply already stored under ``key`` (an object seen in a list must
    #: not replace the fuller copy fetched on its own).
    replace: bool = True


@dataclass(frozen=True, slots=True)
class Limits:
    """What the limiter allows: ``window`` is the minute in seconds, safety margin included."""

    per_minute: int | None
    per_day: int | None
    window: float


@dataclass(frozen=True, slots=True)
class LedgerState:
    """The shared quota figures at ``now`` (the store's clock)."""

    now: float
    day: str  # UTC date the daily count belongs to
    used_day: int
    stamps: tuple[float, ...]  # requests granted inside the current window, oldest first
    blocked_until: float  # the server said "slow down" until then
    waiting: int  # requests queued for a slot, in every process


@dataclass(frozen=True, slots=True)
class Grant:
    """The ledger's answer to "may I send now?"."""

    granted: bool
    wait: float  # when not granted: seconds to sleep before asking again
    ticket: int | None  # the place in the queue to ask with next time
    day_spent: bool
    state: LedgerState


@dataclass(frozen=True, slots=True)
class StoreStats:
    kind: str
    location: str
    entries: int
    bytes: int
    max_bytes: int
    hits: int
    misses: int
    oldest: float | None  # fetch time of the oldest reply kept
    aliases: int = 0

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class Store(ABC):
    """Replies, aliases, the quota ledger and locks of one namespace."""

    #: "memory", "sqlite" or "redis"
    kind: str = "?"
    #: Where the data lives, safe to show (no password).
    location: str = ""
    #: Whether other processes see what this one writes.
    shared: bool = False
    #: Whether the ``*_sync`` methods answer from the store (SQLite, memory) or always
    #: return None (Redis: every answer is a network round trip).
    sync_reads: bool = False

    # --- replies -----------------------------------------------------------------------

    @abstractmethod
    async def get(self, key: str) -> StoredReply | None:
        """The reply stored under ``key`` if it has not expired (counts a hit or a miss)."""

    def get_sync(self, key: str) -> StoredReply | None:
        """Like :meth:`get`, synchronously, where that is cheap; None otherwise."""
        return None

    @abstractmethod
    async def put(self, entries: Sequence[Entry]) -> None:
        """Store replies (replacing older ones); evicts the least recently used past the bound."""

    @abstractmethod
    async def invalidate(self, key: str, *, prefix: bool = False) -> int:
        """Drop ``key`` (or every key starting with it); returns how many went."""

    @abstractmethod
    async def clear(self) -> int:
        """Drop every reply and alias of this namespace (the ledger stays: it is the truth
        about what was spent)."""

    @abstractmethod
    async def stats(self) -> StoreStats: ...

    # --- aliases -----------------------------------------------------------------------

    @abstractmethod
    async def resolve(self, collection: str, ident: str) -> str | None:
        """The canonical id ``ident`` is an alias of (md5 -> sha256), if known."""

    def resolve_sync(self, collection: str, ident: str) -> str | None:
        return None

    @abstractmethod
    async def add_aliases(self, items: Sequence[tuple[str, str, str]]) -> None:
        """Record (collection, alias, canonical) triples."""

    # --- small facts (the learned user id) ---------------------------------------------

    @abstractmethod
    async def get_meta(self, name: str) -> str | None: ...

    @abstractmethod
    async def set_meta(self, name: str, value: str) -> None: ...

    # --- the quota ledger --------------------------------------------------------------

    @abstractmethod
    async def acquire(self, limits: Limits, ticket: int | None) -> Grant:
        """Atomically: take a slot if ``ticket`` is at the head of the queue and the window
        and the day allow; otherwise queue (or keep) the ticket and say how long to wait."""

    @abstractmethod
    async def release(self, ticket: int) -> None:
        """Leave the queue without a slot (the request was given up)."""

    async def refund(self, at: float) -> None:  # noqa: B027 - optional: see below
        """Take back the slot granted at ``at`` (the store's clock, as in the grant's state):
        its request never reached the server. A store that cannot leaves it counted, which
        errs on the side of the quota."""

    @abstractmethod
    async def ledger(self, window: float) -> LedgerState: ...

    def ledger_sync(self, window: float) -> LedgerState | None:
        return None

    @abstractmethod
    async def adjust(self, *, block_for: float = 0.0, used_at_least: int | None = None) -> None:
        """Hold every process for ``block_for`` seconds (a 429), and/or raise today's count
        to at least ``used_at_least`` (the server's own figure)."""

    # --- locks (cross-process single-flight) -------------------------------------------

    @abstractmethod
    async def lock(self, name: str, owner: str, ttl: float) -> bool:
        """Take (or extend, if ``owner`` holds it) the lock ``name`` for ``ttl`` seconds.
        A lock past its expiry is free: a holder that died blocks nobody for longer."""

    @abstractmethod
    async def unlock(self, name: str, owner: str) -> None:
        """Release ``name`` if ``owner`` still holds it."""

    # --- lifecycle ---------------------------------------------------------------------

    async def ping(self) -> None:  # noqa: B027 - optional: only a remote store can be out of reach
        """Raise StoreError now if the store is out of reach (so start-up can say so)."""

    async def close(self) -> None:  # noqa: B027 - optional: memory has nothing to let go of
        """Flush what is pending and let go of files and connections."""

    def close_sync(self) -> None:  # noqa: B027 - optional, as close()
        """Best-effort close when no event loop is left (process exit)."""

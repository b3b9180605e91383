"""A quota-aware rate limiter shared by every request made with one API key.

A public key gets 4 requests a minute and 500 a day; going over costs a 429 and, worse,
a wasted day for an analyst. Requests wait here, first come first served, until the
sliding one-minute window has room. When the day's budget is spent locally the limiter
refuses at once with the reset time instead of making a request that would fail.

With a ``ledger`` (a shared store: SQLite on one machine, Redis for a team) the window,
the daily count and the queue live in the store, so every process of one key together
stays within the quota; see :mod:`vttui.vt.store.ledger` for the fairness rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import QuotaExceededError, next_utc_midnight

if TYPE_CHECKING:
    from .store.base import LedgerState, Store

WINDOW = 60.0
#: Extra seconds added to the window. A slot is counted when the request leaves, but the
#: server counts it when it arrives; without a margin a fast request can land inside the
#: server's minute of an earlier, slower one and get a 429.
MARGIN = 1.0

#: Tiers users can pick in the config; numbers from VirusTotal's public documentation.
TIERS: dict[str, tuple[int | None, int | None]] = {
    "public": (4, 500),
    "premium": (None, None),
}


@dataclass(frozen=True, slots=True)
class Slot:
    """One granted request, as the limiter counted it: handed back with
    :meth:`RateLimiter.refund` when the request never reached the server."""

    at: float  # the stamp in the minute window (the limiter's clock, or the store's)
    day: dt.date  # the UTC day it was counted in
    shared: bool  # counted in the shared ledger (else in this process)


@dataclass(frozen=True, slots=True)
class LimiterState:
    """A snapshot for the status line."""

    per_minute: int | None
    per_day: int | None
    left_minute: int | None  # None: unlimited
    left_day: int | None
    next_slot_in: float  # seconds until a request could go; 0 when one can go now
    waiting: int  # requests queued behind the limiter
    used_day: int
    resets_at: dt.datetime

    @property
    def holding(self) -> bool:
        return self.waiting > 0 and self.next_slot_in > 0


class RateLimiter:
    """Sliding-window limiter (per minute) plus a daily budget (resets 00:00 UTC).

    ``clock``, ``wall`` and ``sleep`` are injectable so tests run on a fake clock.
    """

    def __init__(
        self,
        per_minute: int | None = 4,
        per_day: int | None = 500,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        margin: float = MARGIN,
        window: float = WINDOW,
        ledger: Store | None = None,
    ) -> None:
        self.margin = margin
        #: Seconds counted as "a minute" (tests shrink it; the margin is added on top).
        self.window = window
        #: The shared store holding the window, the day's count and the queue (None: this
        #: process keeps its own count, as a bare library client does).
        self.ledger = ledger
        self._snapshot: LedgerState | None = None
        self._snapshot_at = 0.0
        self._pending: set[asyncio.Task[None]] = set()
        self.per_minute = per_minute if per_minute and per_minute > 0 else None
        self.per_day = per_day if per_day and per_day > 0 else None
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._stamps: deque[float] = deque()
        self._blocked_until = 0.0
        self._day = wall().date()
        self._used_day = 0
        self._lock = asyncio.Lock()  # asyncio.Lock wakes waiters in FIFO order: fairness
        self._waiting = 0
        self._listeners: list[Callable[[LimiterState], None]] = []
        self.granted = 0

    # --- observers -------------------------------------------------------------------

    def subscribe(self, listener: Callable[[LimiterState], None]) -> Callable[[], None]:
        """Call ``listener`` with a fresh snapshot whenever the state changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self) -> None:
        if not self._listeners:
            return
        state = self.state()
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a UI listener must never break networking
                listener(state)

    # --- accounting ------------------------------------------------------------------

    def _roll(self) -> float:
        now = self._clock()
        while self._stamps and self._stamps[0] <= now - self.window - self.margin:
            self._stamps.popleft()
        today = self._wall().date()
        if today != self._day:
            self._day = today
            self._used_day = 0
        return now

    def _wait_time(self, now: float) -> float:
        wait = max(0.0, self._blocked_until - now)
        if self.per_minute is not None and len(self._stamps) >= self.per_minute:
            oldest = self._stamps[len(self._stamps) - self.per_minute]
            wait = max(wait, oldest + self.window + self.margin - now)
        return wait

    def state(self) -> LimiterState:
        if self.ledger is not None:
            shared = self._shared_state()
            if shared is not None:
                return shared
        now = self._roll()
        left_minute = None if self.per_minute is None else max(0, self.per_minute - len(self._stamps))
        left_day = None if self.per_day is None else max(0, self.per_day - self._used_day)
        return LimiterState(
            self.per_minute, self.per_day, left_minute, left_day,
            self._wait_time(now), self._waiting, self._used_day,
            next_utc_midnight(self._wall()),
        )

    def _day_spent(self) -> bool:
        return self.per_day is not None and self._used_day >= self.per_day

    # --- the gate --------------------------------------------------------------------

    async def acquire(self) -> Slot:
        """Wait for a slot, in arrival order; raise QuotaExceededError when the day is spent.
        Returns the slot, to :meth:`refund` if the request is never delivered."""
        if self.ledger is not None:
            return await self._acquire_shared(self.ledger)
        self._waiting += 1
        self._notify()
        try:
            async with self._lock:
                while True:
                    now = self._roll()
                    if self._day_spent():
                        raise QuotaExceededError(resets_at=next_utc_midnight(self._wall()))
                    wait = self._wait_time(now)
                    if wait <= 0:
                        self._stamps.append(now)
                        self._used_day += 1
                        self.granted += 1
                        return Slot(now, self._day, False)
                    self._notify()
                    await self._sleep(wait)
        finally:
            self._waiting -= 1
            self._notify()

    async def refund(self, slot: Slot) -> None:
        """Give back a slot whose request never reached the server (connection refused,
        DNS failure, proxy refusal): it must not use up the minute or the day, or a
        reload after an outage would wait for quota that was never spent."""
        if slot.shared:
            if self.ledger is not None:
                with contextlib.suppress(Exception):  # at worst the slot stays counted
                    await self.ledger.refund(slot.at)
                    await self.refresh()
            return
        with contextlib.suppress(ValueError):
            self._stamps.remove(slot.at)
        if slot.day == self._day and self._used_day > 0:
            self._used_day -= 1
        self.granted = max(0, self.granted - 1)
        self._notify()

    def penalise(self, seconds: float) -> None:
        """The server said slow down (429): hold every request for ``seconds``."""
        now = self._clock()
        self._blocked_until = max(self._blocked_until, now + max(0.0, seconds))
        if self.ledger is not None:
            self._spawn(self.ledger.adjust(block_for=max(0.0, seconds)))
        self._notify()

    def mark_day_spent(self) -> None:
        """The server says the daily quota is spent: stop sending until 00:00 UTC."""
        if self.per_day is not None:
            self._used_day = max(self._used_day, self.per_day)
            if self.ledger is not None:
                self._spawn(self.ledger.adjust(used_at_least=self.per_day))
            self._notify()

    def sync_used_today(self, used: int) -> None:
        """Adopt the server's count of today's requests (from overall_quotas)."""
        self._roll()
        if self.ledger is not None:
            self._spawn(self.ledger.adjust(used_at_least=used))
        if used > self._used_day:
            self._used_day = used
            self._notify()

    # --- the shared ledger -----------------------------------------------------------

    async def _acquire_shared(self, ledger: Store) -> Slot:
        """Ask the ledger until it grants a slot; sleep as long as it says in between."""
        from .store.base import Limits

        limits = Limits(self.per_minute, self.per_day, self.window + self.margin)
        ticket: int | None = None
        granted = False
        self._waiting += 1
        self._notify()
        try:
            while True:
                hold = self._blocked_until - self._clock()
                if hold > 0:  # a 429 seen here, perhaps not yet written to the ledger
                    await self._sleep(hold)
                grant = await ledger.acquire(limits, ticket)
                self._remember(grant.state)
                if grant.granted:
                    granted = True
                    self.granted += 1
                    return Slot(grant.state.now, dt.date.fromisoformat(grant.state.day), True)
                if grant.day_spent:
                    raise QuotaExceededError(resets_at=next_utc_midnight(self._wall()))
                ticket = grant.ticket
                self._notify()
                await self._sleep(grant.wait)
        finally:
            if ticket is not None and not granted:
                with contextlib.suppress(Exception):
                    await ledger.release(ticket)
            self._waiting -= 1
            self._notify()

    def _remember(self, state: LedgerState) -> None:
        self._snapshot, self._snapshot_at = state, time.monotonic()
        self._used_day = state.used_day

    async def refresh(self) -> None:
        """Read the shared figures now (for stores without synchronous reads: Redis)."""
        if self.ledger is not None:
            self._remember(await self.ledger.ledger(self.window + self.margin))
            self._notify()

    def _shared_state(self) -> LimiterState | None:
        assert self.ledger is not None
        window = self.window + self.margin
        fresh = self.ledger.ledger_sync(window) if self.ledger.sync_reads else None
        if fresh is not None:
            self._remember(fresh)
        snap = self._snapshot
        if snap is None:
            return None
        now = snap.now + (time.monotonic() - self._snapshot_at)
        stamps = [t for t in snap.stamps if t > now - window]
        used = snap.used_day  # the ledger rolled the day when it took the snapshot
        wait = max(0.0, snap.blocked_until - now, self._blocked_until - self._clock())
        if self.per_minute is not None and len(stamps) >= self.per_minute:
            wait = max(wait, stamps[len(stamps) - self.per_minute] + window - now)
        left_minute = None if self.per_minute is None else max(0, self.per_minute - len(stamps))
        left_day = None if self.per_day is None else max(0, self.per_day - used)
        return LimiterState(self.per_minute, self.per_day, left_minute, left_day, wait,
                            max(self._waiting, snap.waiting), used, next_utc_midnight(self._wall()))

    def _spawn(self, work: Awaitable[None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if asyncio.iscoroutine(work):
                work.close()
            return
        task = loop.create_task(_quietly(work))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait until what was sent to the ledger in the background has landed."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def configure(self, per_minute: int | None, per_day: int | None) -> None:
        self.per_minute = per_minute if per_minute and per_minute > 0 else None
        self.per_day = per_day if per_day and per_day > 0 else None
        self._notify()


async def _quietly(work: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await work

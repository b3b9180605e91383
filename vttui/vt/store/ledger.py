"""The quota ledger's rule, as one pure function, so the memory and SQLite stores decide
exactly alike (Redis runs the same rule as a Lua script, see :mod:`.redis`).

Fairness: first come, first served across every process sharing the store. A request
that finds no free slot takes a numbered ticket; slots go to tickets in number order.
The k-th ticket in line may go as soon as k slots are free, so a burst is not
serialised behind one sleeper. A ticket not seen for ``TICKET_TTL`` seconds (its
process died) leaves the queue, so a dead process blocks others for that long at most.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field

from .base import Grant, LedgerState, Limits

#: A waiting ticket must ask again within this many seconds or it leaves the queue.
TICKET_TTL = 10.0
#: The longest a waiter sleeps between two looks (keeps its ticket alive).
MAX_SLEEP = TICKET_TTL / 3
#: How soon a ticket behind others looks again when a slot is free for the head.
POLL = 0.05
#: Beyond this many tickets ahead, a waiter just looks again later.
MAX_QUEUE_SIM = 1000
#: A refunded slot's stamp is found within this many seconds of the time it was granted
#: (Redis hands its clock back as text, rounded).
REFUND_TOLERANCE = 1e-3


def utc_day(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()


@dataclass(slots=True)
class LedgerRow:
    """The ledger of one namespace, as the memory and SQLite stores keep it."""

    day: str = ""
    used: int = 0
    blocked_until: float = 0.0
    next_ticket: int = 1
    stamps: list[float] = field(default_factory=list)
    tickets: dict[int, float] = field(default_factory=dict)  # ticket -> last seen

    def roll_day(self, now: float) -> None:
        today = utc_day(now)
        if today != self.day:
            self.day, self.used = today, 0

    def prune(self, now: float, window: float) -> None:
        cutoff = now - window
        self.stamps = sorted(t for t in self.stamps if t > cutoff)
        self.tickets = {t: seen for t, seen in self.tickets.items() if seen > now - TICKET_TTL}
        self.roll_day(now)

    def snapshot(self, now: float) -> LedgerState:
        return LedgerState(now, self.day, self.used, tuple(self.stamps), self.blocked_until, len(self.tickets))


def _wait_for(row: LedgerRow, now: float, limits: Limits, position: int) -> float:
    """Seconds until the ticket ``position`` places from the head could take a slot: the
    tickets ahead take the slots as they free, each slot freeing a window after its use."""
    wait = max(0.0, row.blocked_until - now)
    per = limits.per_minute
    if per is None or len(row.stamps) + position + 1 <= per:
        return wait  # a slot is free for it now
    if position > MAX_QUEUE_SIM:
        return max(wait, MAX_SLEEP)
    recent = row.stamps[-per:] if per > 0 else []
    free_at = [t + limits.window for t in recent] + [now] * (per - len(recent))
    heapq.heapify(free_at)
    when = now
    for _ in range(position + 1):
        when = max(heapq.heappop(free_at), now)
        heapq.heappush(free_at, when + limits.window)
    return max(wait, when - now)


def decide(row: LedgerRow, now: float, limits: Limits, ticket: int | None) -> Grant:
    """Grant a slot or queue ``ticket``; mutates ``row``."""
    row.prune(now, limits.window)
    if limits.per_day is not None and row.used >= limits.per_day:
        if ticket is not None:
            row.tickets.pop(ticket, None)
        return Grant(False, 0.0, None, True, row.snapshot(now))
    if ticket is None:
        ticket = row.next_ticket
        row.next_ticket += 1
    row.tickets[ticket] = now
    position = sum(1 for t in row.tickets if t < ticket)
    wait = _wait_for(row, now, limits, position)
    if wait <= 0:
        del row.tickets[ticket]
        if limits.per_minute is not None:
            row.stamps.append(now)
        row.used += 1
        return Grant(True, 0.0, None, False, row.snapshot(now))
    return Grant(False, min(max(wait, POLL), MAX_SLEEP), ticket, False, row.snapshot(now))


def refund(row: LedgerRow, now: float, at: float) -> None:
    """Take back the slot granted at ``at`` (its request never reached the server): its
    stamp leaves the minute window and, on the same UTC day, the day's count goes down."""
    row.roll_day(now)
    near = [t for t in row.stamps if abs(t - at) <= REFUND_TOLERANCE]
    if near:
        row.stamps.remove(min(near, key=lambda t: abs(t - at)))
    if row.day == utc_day(at) and row.used > 0:
        row.used -= 1


def adjust(row: LedgerRow, now: float, block_for: float, used_at_least: int | None) -> None:
    row.roll_day(now)
    if block_for > 0:
        row.blocked_until = max(row.blocked_until, now + block_for)
    if used_at_least is not None and used_at_least > row.used:
        row.used = used_at_least

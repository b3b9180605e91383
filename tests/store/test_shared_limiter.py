"""The rate limiter on a shared ledger: several processes (limiters with their own store
handles) together keep to one key's quota, first come first served; a 429 or a spent day
seen by one holds them all.

Mostly on a fake clock (the store's and the sleeps'); one check runs on the real clock
for a few seconds, reading the ledger's own grant times.
"""

from __future__ import annotations

import asyncio

import pytest

from vttui.vt.errors import QuotaExceededError
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.store.base import Grant, Store

from .conftest import FakeClock

SHARED = ("sqlite", "redis")


def limiter(store: Store, clock: FakeClock, per_minute: int | None = 4, per_day: int | None = 500, **kw) -> RateLimiter:
    return RateLimiter(per_minute, per_day, ledger=store, clock=clock, sleep=clock.sleep, **kw)


def most_in_any_window(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    return max((sum(1 for t in stamps if s <= t < s + window) for s in stamps), default=0)


async def test_processes_together_keep_to_the_minute(make_store, clock: FakeClock):
    if make_store.kind == "memory":
        a = b = make_store()  # one process, two users of its limiter's store
    else:
        a, b = make_store("key"), make_store("key")
    stamps: list[float] = []
    for store in {id(a): a, id(b): b}.values():
        spy(store, stamps)
    first, second = limiter(a, clock), limiter(b, clock)
    await asyncio.gather(*(lim.acquire() for lim in [first, second] * 5))
    assert len(stamps) == 10
    assert most_in_any_window(stamps, 61.0) == 4  # 4 a minute (plus the margin), never more
    await first.refresh()
    await second.refresh()
    assert first.state().used_day == second.state().used_day == 10


def spy(store: Store, stamps: list[float]) -> None:
    """Record the ledger's own time of every grant."""
    real = store.acquire

    async def acquire(limits, ticket) -> Grant:
        grant = await real(limits, ticket)
        if grant.granted:
            stamps.append(grant.state.stamps[-1] if grant.state.stamps else grant.state.now)
        return grant

    store.acquire = acquire  # type: ignore[method-assign]


async def test_first_come_first_served_across_processes(make_store):
    """Real time, a half-second "minute" of one request: the queue order is the order in
    which requests reached the ledger, whichever process they came from."""
    a = make_store("key", fake_clock=False)
    b = a if make_store.kind == "memory" else make_store("key", fake_clock=False)
    one = RateLimiter(1, None, ledger=a, window=0.5, margin=0.0)
    other = RateLimiter(1, None, ledger=b, window=0.5, margin=0.0)
    order: list[str] = []

    async def request(lim: RateLimiter, name: str) -> None:
        await lim.acquire()
        order.append(name)

    tasks = []
    for n, (lim, name) in enumerate([(one, "a1"), (one, "a2"), (one, "a3"), (other, "b1"), (one, "a4")]):
        tasks.append(asyncio.ensure_future(request(lim, name)))
        for _ in range(1000):  # until it holds its place in the queue (or was served)
            if len(order) + (await a.ledger(0.5)).waiting >= n + 1:
                break
            await asyncio.sleep(0.002)
    await asyncio.gather(*tasks)
    assert order == ["a1", "a2", "a3", "b1", "a4"]


async def test_a_spent_day_is_spent_for_every_process(make_store, clock: FakeClock):
    a = make_store("key")
    b = a if make_store.kind == "memory" else make_store("key")
    one, other = limiter(a, clock, per_day=3), limiter(b, clock, per_day=3)
    await one.acquire()
    await other.acquire()
    await one.acquire()
    with pytest.raises(QuotaExceededError):
        await other.acquire()


async def test_a_429_seen_by_one_process_holds_the_others(make_store, clock: FakeClock):
    a = make_store("key")
    b = a if make_store.kind == "memory" else make_store("key")
    one, other = limiter(a, clock), limiter(b, clock)
    one.penalise(30.0)
    await one.drain()
    start = clock.now
    await other.acquire()
    assert clock.now - start >= 30.0  # (fake time: the hold, not the machine's speed)
    assert other.state().left_minute == 3


async def test_the_server_count_and_a_spent_day_are_shared(make_store, clock: FakeClock):
    a = make_store("key")
    b = a if make_store.kind == "memory" else make_store("key")
    one, other = limiter(a, clock), limiter(b, clock)
    one.sync_used_today(120)
    await one.drain()
    await other.refresh()
    assert other.state().used_day == 120 and other.state().left_day == 380
    other.mark_day_spent()
    await other.drain()
    with pytest.raises(QuotaExceededError):
        await one.acquire()


@pytest.mark.parametrize("kind", SHARED)
async def test_on_the_real_clock_two_processes_keep_to_a_short_window(kind, tmp_path, request):
    """The honest check: real time, a 1-second "minute" with a 0.25 s margin, 2 a window."""
    from vttui.vt.store.redis import RedisStore
    from vttui.vt.store.sqlite import SQLiteStore

    def open_one() -> Store:
        if kind == "sqlite":
            return SQLiteStore(tmp_path / "cache", "real")
        return RedisStore(request.getfixturevalue("redis_url"), "real")

    a, b = open_one(), open_one()
    stamps: list[float] = []
    spy(a, stamps)
    spy(b, stamps)
    one = RateLimiter(2, None, ledger=a, window=1.0, margin=0.25)
    other = RateLimiter(2, None, ledger=b, window=1.0, margin=0.25)
    await asyncio.gather(*(lim.acquire() for lim in [one, other] * 3))
    assert len(stamps) == 6 and most_in_any_window(stamps, 1.25) == 2
    await a.close()
    await b.close()


async def test_a_refunded_slot_frees_the_window_for_every_process(make_store, clock: FakeClock):
    if make_store.kind == "memory":
        a = b = make_store()
    else:
        a, b = make_store("key"), make_store("key")
    first, second = limiter(a, clock), limiter(b, clock)
    slots = [await first.acquire() for _ in range(4)]
    for slot in slots:  # four connection attempts that never reached VirusTotal
        await first.refund(slot)
    before = clock.now
    for _ in range(4):
        await second.acquire()
    assert clock.now == before  # nobody waited for quota that was never spent
    await second.refresh()
    assert second.state().used_day == 4

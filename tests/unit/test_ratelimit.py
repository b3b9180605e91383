"""RateLimiter on a fake clock: window accounting, fairness, daily budget, penalties."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from vttui.vt.errors import QuotaExceededError
from vttui.vt.ratelimit import RateLimiter


class FakeTime:
    """A clock whose sleep advances time instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.wall_start = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> dt.datetime:
        return self.wall_start + dt.timedelta(seconds=self.now)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def make(per_minute=4, per_day=500, margin=0.0):
    t = FakeTime()
    return t, RateLimiter(per_minute, per_day, clock=t.clock, wall=t.wall, sleep=t.sleep, margin=margin)


async def test_four_per_minute_then_waits_for_the_window():
    t, limiter = make()
    for _ in range(4):
        await limiter.acquire()
    assert t.now == 0
    assert limiter.state().left_minute == 0
    assert limiter.state().next_slot_in == pytest.approx(60)
    await limiter.acquire()
    assert t.now == pytest.approx(60)
    assert limiter.state().used_day == 5


async def test_sliding_window_frees_slots_one_by_one():
    t, limiter = make(per_minute=2)
    await limiter.acquire()  # t=0
    t.now = 30
    await limiter.acquire()  # t=30
    await limiter.acquire()  # must wait until t=60 (first stamp leaves)
    assert t.now == pytest.approx(60)
    await limiter.acquire()  # then until t=90
    assert t.now == pytest.approx(90)


async def test_fifo_fairness_under_contention():
    t, limiter = make(per_minute=1)
    order: list[int] = []

    async def worker(i: int) -> None:
        await limiter.acquire()
        order.append(i)

    tasks = []
    for i in range(5):
        tasks.append(asyncio.create_task(worker(i)))
        await asyncio.sleep(0)  # arrival order 0..4
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert t.now == pytest.approx(240)
    assert limiter.granted == 5


async def test_waiting_count_and_holding_visible_to_listeners():
    t, limiter = make(per_minute=1)
    states = []
    limiter.subscribe(states.append)
    await limiter.acquire()
    await limiter.acquire()
    assert any(s.holding and s.waiting == 1 and s.next_slot_in > 0 for s in states)
    assert limiter.state().waiting == 0


async def test_daily_budget_refuses_with_reset_time_without_waiting():
    t, limiter = make(per_minute=None, per_day=3)
    for _ in range(3):
        await limiter.acquire()
    with pytest.raises(QuotaExceededError) as info:
        await limiter.acquire()
    assert info.value.resets_at == dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    assert "00:00 UTC" in info.value.message
    assert t.sleeps == []


async def test_day_rolls_over_at_midnight_utc():
    t, limiter = make(per_minute=None, per_day=1)
    await limiter.acquire()
    t.now += 12 * 3600  # 00:00 next day
    await limiter.acquire()
    assert limiter.state().used_day == 1


async def test_penalty_holds_requests():
    t, limiter = make(per_minute=None, per_day=None)
    limiter.penalise(30)
    await limiter.acquire()
    assert t.now == pytest.approx(30)


async def test_unlimited_tier_never_waits():
    t, limiter = make(per_minute=None, per_day=None)
    for _ in range(1000):
        await limiter.acquire()
    assert t.now == 0
    state = limiter.state()
    assert state.left_minute is None and state.left_day is None


async def test_cancelled_waiter_frees_its_place():
    t, limiter = make(per_minute=1)
    await limiter.acquire()
    blocked = asyncio.Event()

    async def never_wakes(seconds: float) -> None:
        blocked.set()
        await asyncio.Event().wait()

    limiter._sleep = never_wakes
    task = asyncio.create_task(limiter.acquire())
    await blocked.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert limiter.state().waiting == 0
    assert limiter.state().used_day == 1


def test_sync_used_today_adopts_server_count():
    t, limiter = make(per_minute=4, per_day=500)
    limiter.sync_used_today(120)
    assert limiter.state().left_day == 380
    limiter.sync_used_today(10)  # never goes backwards
    assert limiter.state().left_day == 380


async def test_default_margin_keeps_a_second_between_windows():
    t = FakeTime()
    limiter = RateLimiter(2, None, clock=t.clock, wall=t.wall, sleep=t.sleep)
    await limiter.acquire()
    await limiter.acquire()
    await limiter.acquire()  # the first slot frees at 60 s, plus the one-second margin
    assert t.now == pytest.approx(61)

"""Connection attempts that never reached the server (refused, no DNS, no proxy) spend
no quota: the limiter gets the slot back, so a reload after an outage goes at once."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import respx

from vttui.vt import errors as E
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter

BASE = "https://vt.test/api/v3"
KEY = "k" * 60 + "9z1X"
DOMAIN = {"data": {"type": "domain", "id": "x.test", "attributes": {}}}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.limiter_waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> dt.datetime:
        return dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=self.now)

    async def limiter_sleep(self, seconds: float) -> None:
        self.limiter_waits.append(seconds)
        self.now += seconds

    async def backoff_sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


def client_for(clock: Clock) -> VTClient:
    limiter = RateLimiter(4, 500, clock=clock.clock, wall=clock.wall, sleep=clock.limiter_sleep)
    return VTClient(KEY, base_url=BASE, limiter=limiter, sleep=clock.backoff_sleep, trust_env=False,
                    clock=clock.clock, deadline=10_000)


@respx.mock
@pytest.mark.parametrize("failure", [httpx.ConnectError("[Errno 111] Connection refused"),
                                     httpx.ConnectError("[Errno -2] Name or service not known"),
                                     httpx.ProxyError("407 Proxy Authentication Required")])
async def test_refused_connections_leave_the_minute_and_the_day_untouched(clock, failure):
    route = respx.get(f"{BASE}/domains/x.test").mock(side_effect=failure)
    async with client_for(clock) as client:
        for _ in range(3):  # three outages in a row, each with its retries
            with pytest.raises(E.VTError):
                await client.get_domain("x.test")
        attempts = route.call_count
        assert attempts >= 6  # more attempts than a public key's minute holds
        state = client.limiter.state()
        assert state.left_minute == 4 and state.used_day == 0 and state.next_slot_in == 0
        # the network is back: ctrl+r goes at once, it does not wait for quota it never spent
        route.mock(return_value=httpx.Response(200, json=DOMAIN))
        await client.get_domain("x.test")
    assert clock.limiter_waits == []
    assert client.limiter.state().used_day == 1


@respx.mock
async def test_a_request_that_reached_the_server_still_counts(clock):
    route = respx.get(f"{BASE}/domains/x.test").mock(side_effect=httpx.ReadError("reset by peer"))
    async with client_for(clock) as client:
        with pytest.raises(E.VTError):
            await client.get_domain("x.test")
        assert client.limiter.state().used_day == route.call_count  # sent: VirusTotal may have counted it


async def test_refund_gives_back_exactly_one_slot():
    clock = Clock()
    limiter = RateLimiter(4, 500, clock=clock.clock, wall=clock.wall, sleep=clock.limiter_sleep)
    slots = [await limiter.acquire() for _ in range(4)]
    assert limiter.state().left_minute == 0
    await limiter.refund(slots[1])
    state = limiter.state()
    assert state.left_minute == 1 and state.used_day == 3
    await limiter.acquire()  # the freed slot is taken without waiting
    assert clock.limiter_waits == []

"""ResponseCache (LRU by entries and bytes, TTL), AliasTable and SingleFlight."""

from __future__ import annotations

import asyncio

import pytest

from vttui.vt.cache import AliasTable, ResponseCache, SingleFlight


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_get_put_counts_hits_and_misses():
    cache = ResponseCache(max_entries=10, max_bytes=1000)
    assert cache.get("a") is None
    cache.put("a", {"x": 1}, 10)
    assert cache.get("a") == {"x": 1}
    assert cache.get("a") == {"x": 1}
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries, stats.bytes) == (2, 1, 1, 10)


def test_lru_eviction_by_entries_keeps_recently_used():
    cache = ResponseCache(max_entries=3, max_bytes=10_000)
    for key in "abc":
        cache.put(key, key, 1)
    cache.get("a")  # a becomes most recent; b is now the oldest
    cache.put("d", "d", 1)
    assert "b" not in cache
    assert all(k in cache for k in "acd")
    assert cache.stats().evictions == 1


def test_lru_eviction_by_bytes():
    cache = ResponseCache(max_entries=100, max_bytes=100)
    cache.put("a", "a", 40)
    cache.put("b", "b", 40)
    cache.put("c", "c", 40)  # 120 > 100: the oldest (a) goes
    assert "a" not in cache and "b" in cache and "c" in cache
    assert cache.bytes == 80
    cache.put("big", "x", 90)  # needs both b and c gone
    assert list(k for k in "bc" if k in cache) == []
    assert cache.bytes == 90


def test_entry_larger_than_cache_is_not_stored_and_evicts_nothing():
    cache = ResponseCache(max_entries=10, max_bytes=100)
    cache.put("a", "a", 50)
    cache.put("huge", "h", 500)
    assert "huge" not in cache and "a" in cache


def test_replacing_an_entry_updates_bytes():
    cache = ResponseCache(max_entries=10, max_bytes=100)
    cache.put("a", 1, 30)
    cache.put("a", 2, 50)
    assert cache.bytes == 50 and cache.get("a") == 2 and len(cache) == 1


def test_ttl_expiry_with_fake_clock():
    clock = FakeClock()
    cache = ResponseCache(max_entries=10, max_bytes=100, ttl=60, clock=clock)
    cache.put("a", 1, 1)
    cache.put("b", 2, 1, ttl=5)
    clock.now += 10
    assert cache.get("b") is None  # its own shorter ttl
    assert cache.get("a") == 1
    clock.now += 60
    assert cache.get("a") is None
    assert cache.bytes == 0


def test_invalidate_prefix():
    cache = ResponseCache()
    for key in ("/files/x", "/files/x/comments?limit=10", "/files/x/comments?cursor=a&limit=10", "/files/y"):
        cache.put(key, key, 1)
    assert cache.invalidate_prefix("/files/x/comments") == 2
    assert "/files/x" in cache and "/files/y" in cache


def test_peek_does_not_count_or_reorder():
    cache = ResponseCache(max_entries=2, max_bytes=100)
    cache.put("a", 1, 1)
    cache.put("b", 2, 1)
    assert cache.peek("a") == 1
    cache.put("c", 3, 1)  # a was peeked, not used: it is still the oldest
    assert "a" not in cache
    assert cache.stats().hits == 0


def test_alias_table_is_bounded():
    table = AliasTable(max_size=2)
    table.add("files", "md5", "sha256")
    table.add("files", "sha1", "sha256")
    table.add("files", "other", "sha256b")
    assert table.resolve("files", "md5") == "md5"  # evicted
    assert table.resolve("files", "sha1") == "sha256"
    assert table.resolve("urls", "sha1") == "sha1"


async def test_single_flight_shares_one_call():
    flights = SingleFlight()
    calls = 0
    gate = asyncio.Event()

    async def fetch():
        nonlocal calls
        calls += 1
        await gate.wait()
        return {"n": calls}

    tasks = [asyncio.create_task(flights.run("k", fetch)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*tasks)
    assert calls == 1
    assert all(r == {"n": 1} for r in results)
    assert flights.shared == 49
    assert not flights.in_flight("k")


async def test_single_flight_error_reaches_every_caller_and_next_call_retries():
    flights = SingleFlight()
    calls = 0

    async def boom():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        raise ValueError("nope")

    results = await asyncio.gather(*(flights.run("k", boom) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)
    assert calls == 1
    with pytest.raises(ValueError):
        await flights.run("k", boom)
    assert calls == 2


async def test_single_flight_survives_one_caller_cancelling():
    flights = SingleFlight()
    gate = asyncio.Event()

    async def fetch():
        await gate.wait()
        return 42

    first = asyncio.create_task(flights.run("k", fetch))
    second = asyncio.create_task(flights.run("k", fetch))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await second == 42
    assert first.cancelled()


async def test_single_flight_cancels_work_nobody_waits_for():
    flights = SingleFlight()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def fetch():
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    task = asyncio.create_task(flights.run("k", fetch))
    await started.wait()
    task.cancel()
    await asyncio.wait_for(cancelled.wait(), 5)
    assert not flights.in_flight("k")

"""One contract, three stores: memory, SQLite and a real Redis behave alike.

Replies keep their fetch time and expire with their TTL; the byte bound evicts the least
recently used; aliases, facts, the quota ledger (window, day, first-come-first-served
tickets, holds) and locks with owner and expiry work the same everywhere.
"""

from __future__ import annotations

import asyncio

import pytest

from vttui.vt.store import ledger as L
from vttui.vt.store.base import Entry, Limits

from .conftest import FakeClock

LIMITS = Limits(per_minute=4, per_day=500, window=61.0)


def entry(key: str, body: bytes = b'{"data": {}}', *, fetched: float = 1.0, ttl: float = 3600.0,
          kind: str = "objects", replace: bool = True) -> Entry:
    return Entry(key, body, fetched, ttl, kind, replace)


async def test_a_reply_comes_back_with_its_fetch_time(make_store, clock: FakeClock):
    store = make_store()
    assert await store.get("/files/abc") is None
    await store.put([entry("/files/abc", b'{"data": {"id": "abc"}}', fetched=clock.now - 3600)])
    reply = await store.get("/files/abc")
    assert reply is not None
    assert reply.json() == {"data": {"id": "abc"}}
    assert reply.fetched_at == pytest.approx(clock.now - 3600)
    assert reply.expires_at == pytest.approx(clock.now + 3600, abs=0.01)
    if store.sync_reads:
        assert store.get_sync("/files/abc") == reply
    else:
        assert store.get_sync("/files/abc") is None  # Redis: no synchronous path, by design


async def test_replies_expire_with_their_ttl(make_store, clock: FakeClock):
    store = make_store()
    await store.put([entry("/files/a", ttl=10), entry("/domains/b", ttl=100)])
    clock.now += 11
    assert await store.get("/files/a") is None
    assert await store.get("/domains/b") is not None
    await store.put([entry("/files/zero", ttl=0)])  # a TTL of 0 means: do not keep
    assert await store.get("/files/zero") is None


async def test_the_byte_bound_evicts_the_least_recently_used(make_store, clock: FakeClock):
    store = make_store(max_bytes=1000)
    body = b"x" * 300
    for key in ("/files/a", "/files/b", "/files/c"):
        await store.put([entry(key, body)])
        clock.now += 1
    assert await store.get("/files/a") is not None  # a is now the most recently used
    clock.now += 1
    await store.put([entry("/files/d", body)])
    present = {k for k in ("/files/a", "/files/b", "/files/c", "/files/d") if await store.get(k) is not None}
    assert present == {"/files/a", "/files/c", "/files/d"}
    stats = await store.stats()
    assert stats.bytes <= 1000 and stats.entries == 3
    await store.put([entry("/files/huge", b"y" * 2000)])  # bigger than the bound: not kept, nothing evicted
    assert await store.get("/files/huge") is None and (await store.stats()).entries == 3


async def test_a_listed_object_does_not_replace_the_stored_one(make_store):
    store = make_store()
    await store.put([entry("/files/a", b'{"full": true}')])
    listed = b'{"listed": true}'
    await store.put([entry("/files/a", listed, replace=False), entry("/files/b", listed, replace=False)])
    assert (await store.get("/files/a")).json() == {"full": True}
    assert (await store.get("/files/b")).json() == {"listed": True}


async def test_invalidate_one_key_or_a_prefix(make_store):
    store = make_store()
    keys = ["/domains/x.test", "/domains/x.test?relationships=a", "/domains/x.test/comments?limit=10",
            "/domains/x.test/votes?limit=10", "/domains/x.testing"]
    await store.put([entry(k) for k in keys])
    assert await store.invalidate("/domains/x.test/", prefix=True) == 2
    assert await store.invalidate("/domains/x.test") == 1
    assert await store.invalidate("/domains/nothing") == 0
    left = [k for k in keys if await store.get(k) is not None]
    assert left == ["/domains/x.test?relationships=a", "/domains/x.testing"]


async def test_clear_forgets_replies_and_aliases_but_not_the_ledger(make_store):
    store = make_store()
    await store.put([entry("/files/a"), entry("/urls/u")])
    await store.add_aliases([("files", "md5", "a")])
    assert (await store.acquire(LIMITS, None)).granted
    assert await store.clear() == 2
    assert await store.get("/files/a") is None and await store.resolve("files", "md5") is None
    assert (await store.ledger(LIMITS.window)).used_day == 1


async def test_aliases_and_facts(make_store):
    store = make_store()
    await store.add_aliases([("files", "md5x", "sha256x"), ("files", "sha1x", "sha256x"), ("urls", "b64", "urlsha"),
                             ("files", "same", "same")])
    assert await store.resolve("files", "md5x") == "sha256x"
    assert await store.resolve("files", "sha1x") == "sha256x"
    assert await store.resolve("urls", "b64") == "urlsha"
    assert await store.resolve("urls", "md5x") is None  # per collection
    assert await store.resolve("files", "same") is None  # an id is not its own alias
    if store.sync_reads:
        assert store.resolve_sync("files", "md5x") == "sha256x"
    assert await store.get_meta("user_id") is None
    await store.set_meta("user_id", "analyst")
    assert await store.get_meta("user_id") == "analyst"


async def test_stats_count_entries_hits_misses_and_the_oldest(make_store, clock: FakeClock):
    store = make_store()
    await store.put([entry("/files/a", b"1234", fetched=clock.now - 500),
                     entry("/files/b", b"12", fetched=clock.now - 100)])
    await store.add_aliases([("files", "m", "a")])
    await store.get("/files/a")
    await store.get("/files/a")
    await store.get("/files/none")
    stats = await store.stats()
    assert (stats.entries, stats.bytes, stats.hits, stats.misses, stats.aliases) == (2, 6, 2, 1, 1)
    assert stats.oldest == pytest.approx(clock.now - 500)
    assert stats.hit_rate == pytest.approx(2 / 3)
    assert stats.kind == make_store.kind and stats.location


async def test_namespaces_never_mix(make_store):
    a, b = make_store("key-a"), make_store("key-b")
    await a.put([entry("/files/x", b'"a"')])
    await a.add_aliases([("files", "m", "x")])
    assert await b.get("/files/x") is None and await b.resolve("files", "m") is None
    assert (await a.acquire(LIMITS, None)).granted
    assert (await b.ledger(LIMITS.window)).used_day == 0


# --- the ledger ---------------------------------------------------------------------------


async def test_the_window_allows_per_minute_then_says_how_long_to_wait(make_store, clock: FakeClock):
    store = make_store()
    start = clock.now
    for n in range(4):
        grant = await store.acquire(LIMITS, None)
        assert grant.granted and grant.state.used_day == n + 1
        clock.now += 1
    refused = await store.acquire(LIMITS, None)
    assert not refused.granted and refused.ticket is not None and not refused.day_spent
    assert refused.state.waiting == 1 and len(refused.state.stamps) == 4
    assert 0 < refused.wait <= L.MAX_SLEEP
    clock.now = start + LIMITS.window + 0.01  # the first stamp has left the window
    grant = await store.acquire(LIMITS, refused.ticket)
    assert grant.granted and grant.state.used_day == 5 and grant.state.waiting == 0


async def test_tickets_are_served_first_come_first_served(make_store, clock: FakeClock):
    store = make_store()
    for _ in range(4):
        assert (await store.acquire(LIMITS, None)).granted
    first = await store.acquire(LIMITS, None)
    second = await store.acquire(LIMITS, None)
    assert first.ticket is not None and second.ticket is not None and first.ticket < second.ticket
    clock.now += LIMITS.window + 0.01  # four slots free again
    # the later ticket asks first: one slot is its own (it is second in line, four are free)
    assert (await store.acquire(LIMITS, second.ticket)).granted
    assert (await store.acquire(LIMITS, first.ticket)).granted


async def keep_asking(store, clock: FakeClock, until: float, *tickets: int) -> None:
    """Waiting processes ask again every few seconds (which keeps their tickets alive)."""
    while clock.now + L.MAX_SLEEP < until:
        clock.now += L.MAX_SLEEP
        for ticket in tickets:
            assert not (await store.acquire(LIMITS, ticket)).granted
    clock.now = until


async def test_the_head_of_the_queue_goes_first_when_one_slot_frees(make_store, clock: FakeClock):
    store = make_store()
    start = clock.now
    assert (await store.acquire(LIMITS, None)).granted
    clock.now += 5
    for _ in range(3):
        assert (await store.acquire(LIMITS, None)).granted
    first = await store.acquire(LIMITS, None)
    second = await store.acquire(LIMITS, None)
    await keep_asking(store, clock, start + LIMITS.window + 0.01, first.ticket, second.ticket)  # one slot frees
    later = await store.acquire(LIMITS, second.ticket)
    assert not later.granted and later.wait >= L.POLL  # not its turn
    assert (await store.acquire(LIMITS, first.ticket)).granted
    assert not (await store.acquire(LIMITS, second.ticket)).granted  # the next slot frees 5 s later


async def test_a_waiter_is_told_when_its_turn_comes(make_store, clock: FakeClock):
    """Two a second: slots free one window after each use, and the tickets ahead take them
    in order, so the n-th waiter is told when its own slot frees (not to poll blindly)."""
    store = make_store()
    limits = Limits(per_minute=2, per_day=None, window=1.0)
    start = clock.now
    assert (await store.acquire(limits, None)).granted
    clock.now = start + 0.25
    assert (await store.acquire(limits, None)).granted
    clock.now = start + 0.3
    waits = [(await store.acquire(limits, None)).wait for _ in range(4)]
    # slots free at +1.0 and +1.25; used again by the first two waiters, they free at +2.0, +2.25
    assert waits == pytest.approx([0.7, 0.95, 1.7, 1.95], abs=0.001)


async def test_a_dead_ticket_leaves_the_queue(make_store, clock: FakeClock):
    store = make_store()
    start = clock.now
    for _ in range(4):
        assert (await store.acquire(LIMITS, None)).granted
    dead = await store.acquire(LIMITS, None)  # its process dies: it never asks again
    alive = await store.acquire(LIMITS, None)
    assert dead.ticket < alive.ticket
    await keep_asking(store, clock, start + LIMITS.window + 0.01, alive.ticket)
    assert (await store.ledger(LIMITS.window)).waiting == 1  # the dead one is gone
    assert (await store.acquire(LIMITS, alive.ticket)).granted


async def test_release_leaves_the_queue(make_store):
    store = make_store()
    for _ in range(4):
        await store.acquire(LIMITS, None)
    waiting = await store.acquire(LIMITS, None)
    await store.release(waiting.ticket)
    assert (await store.ledger(LIMITS.window)).waiting == 0


async def test_the_daily_budget_and_the_servers_count(make_store, clock: FakeClock):
    store = make_store()
    daily = Limits(None, 3, 61.0)
    for _ in range(2):
        assert (await store.acquire(daily, None)).granted
    await store.adjust(used_at_least=1)  # lower than ours: ignored
    assert (await store.ledger(61.0)).used_day == 2
    await store.adjust(used_at_least=3)  # the server counted more (another tool)
    spent = await store.acquire(daily, None)
    assert spent.day_spent and not spent.granted and spent.ticket is None
    clock.now += 86400  # the next UTC day
    fresh = await store.acquire(daily, None)
    assert fresh.granted and fresh.state.used_day == 1


async def test_a_hold_stops_everyone_for_its_length(make_store, clock: FakeClock):
    store = make_store()
    await store.adjust(block_for=30)
    held = await store.acquire(LIMITS, None)
    assert not held.granted and held.state.blocked_until == pytest.approx(clock.now + 30, abs=0.01)
    clock.now += 31
    assert (await store.acquire(LIMITS, held.ticket)).granted


async def test_unlimited_keys_are_counted_but_never_held(make_store):
    store = make_store()
    free = Limits(None, None, 61.0)
    for _ in range(50):
        assert (await store.acquire(free, None)).granted
    assert (await store.ledger(61.0)).used_day == 50


async def test_two_handles_on_one_store_share_the_ledger_and_the_cache(make_store):
    first, second = make_store("shared"), make_store("shared")
    for _ in range(3):
        assert (await first.acquire(LIMITS, None)).granted
    await first.put([entry("/files/a")])
    if make_store.kind == "memory":  # one process's store: another handle is another process
        assert not first.shared and (await second.ledger(LIMITS.window)).used_day == 0
        assert await second.get("/files/a") is None
        return
    assert first.shared and second.shared
    assert (await second.acquire(LIMITS, None)).granted
    assert not (await first.acquire(LIMITS, None)).granted
    assert (await second.get("/files/a")) is not None


# --- locks --------------------------------------------------------------------------------


async def test_a_lock_has_one_owner(make_store):
    store = make_store()
    assert await store.lock("/files/a", "p1", 10)
    assert not await store.lock("/files/a", "p2", 10)
    assert await store.lock("/files/a", "p1", 10)  # the owner renews it
    await store.unlock("/files/a", "p2")  # not the owner: nothing happens
    assert not await store.lock("/files/a", "p2", 10)
    await store.unlock("/files/a", "p1")
    assert await store.lock("/files/a", "p2", 10)
    assert await store.lock("/files/b", "p1", 10)  # other names are other locks


async def test_a_dead_holders_lock_expires(make_store, clock: FakeClock):
    store = make_store()
    assert await store.lock("/files/a", "dead", 0.3)
    assert not await store.lock("/files/a", "alive", 0.3)
    clock.now += 0.5
    if make_store.kind == "redis":
        await asyncio.sleep(0.5)  # Redis expires keys on its own clock
    assert await store.lock("/files/a", "alive", 10)


async def test_a_refund_takes_back_one_slot_and_its_count(make_store, clock: FakeClock):
    store = make_store()
    grants = []
    for _ in range(4):
        grants.append(await store.acquire(LIMITS, None))
        clock.now += 1
    waiting = await store.acquire(LIMITS, None)
    assert not waiting.granted
    await store.refund(grants[2].state.now)  # that request never reached the server
    state = await store.ledger(LIMITS.window)
    assert state.used_day == 3 and len(state.stamps) == 3
    clock.now += 0.01
    assert (await store.acquire(LIMITS, waiting.ticket)).granted  # the freed slot, at once


async def test_a_refund_from_yesterday_does_not_lower_today(make_store, clock: FakeClock):
    store = make_store()
    daily = Limits(None, 500, 61.0)
    old = await store.acquire(daily, None)
    clock.now += 86400
    assert (await store.acquire(daily, None)).granted
    await store.refund(old.state.now)
    assert (await store.ledger(61.0)).used_day == 1

"""Bulk triage against the in-process demo: rows, order, the cache first, stops, cancellation."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest

from vttui.config import Settings
from vttui.demo import NOT_FOUND_SHA256, TICKET_IOC_COUNT, DemoBackend, DemoTransport, demo_iocs, triage_ticket
from vttui.demo import catalogue as C
from vttui.runtime import make_client
from vttui.vt.client import VTClient
from vttui.vt.ioc import IOCType, classify, extract
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.triage import RowStatus, Triage, TriageRow

IOCS = demo_iocs()


@pytest.fixture
async def client():
    c = make_client(Settings(), demo=True)
    c.limiter = RateLimiter(None, None)
    yield c
    await c.aclose()


def test_rows_from_text_are_deduplicated_and_in_order():
    t = Triage.from_text(triage_ticket())
    assert len(t.rows) == TICKET_IOC_COUNT and [r.index for r in t.rows] == list(range(TICKET_IOC_COUNT))
    assert [r.ioc for r in t.rows] == extract(triage_ticket())
    assert all(r.status is RowStatus.PENDING and not r.finished for r in t.rows)
    again = Triage.from_iocs([classify("evil.com"), classify("EVIL.com"), classify("u-" + "a" * 64 + "-1")])
    assert [r.value for r in again.rows] == ["evil.com"]  # duplicates once, analysis ids never
    assert Triage.from_text("").rows == [] and Triage.from_text("no indicators here, e.g. 3.2.1").rows == []


async def test_every_row_is_answered_once(client):
    t = Triage.from_text(triage_ticket())
    seen = [row async for row in t.run(client)]
    assert sorted(r.index for r in seen) == list(range(TICKET_IOC_COUNT))
    by_value = {r.value: r for r in t.rows}
    detected = by_value[IOCS["detected_file"]]
    assert detected.status is RowStatus.DONE and detected.ratio == "58/72" and detected.severity == "malicious"
    assert detected.reputation == -87 and detected.first_seen is not None and "peexe" in detected.tags
    md5 = next(r for r in t.rows if r.ioc.type is IOCType.MD5)
    assert md5.object_id == IOCS["dropped_dll"] and md5.ref.id == IOCS["dropped_dll"]  # opens the sha256
    c2ip = by_value[C.C2_IP]
    assert (c2ip.asn, c2ip.as_owner, c2ip.country) == (64501, "Nordvale Hosting B.V.", "NL")
    unknown = by_value[NOT_FOUND_SHA256]
    assert unknown.status is RowStatus.NOT_FOUND and "no record" in unknown.message
    assert by_value["never-seen-before.example"].status is RowStatus.NOT_FOUND
    assert by_value[C.CDN].severity == "clean" and by_value[C.CDN].ratio == "0/91"
    assert t.counts()[RowStatus.DONE] == TICKET_IOC_COUNT - 2 and t.requests == TICKET_IOC_COUNT
    assert all(not r.cached for r in t.rows)
    d = detected.as_dict()
    assert d["ratio"] == "58/72" and d["first_seen"].endswith("Z") and d["type"] == "sha256"


async def test_cached_rows_come_first_and_cost_nothing(client):
    await client.get_file(IOCS["dropped_dll"])  # md5 in the ticket: cached under its sha256
    await client.get_ip(C.SINKHOLE)
    await client.get_domain(C.C2)
    before = client.stats.requests
    t = Triage.from_text(triage_ticket())
    run = t.run(client)
    first = [await anext(run) for _ in range(3)]
    assert client.stats.requests == before  # three answers, no request yet
    assert all(r.cached for r in first)
    assert {r.ioc.type for r in first} == {IOCType.MD5, IOCType.IPV4, IOCType.DOMAIN}
    rest = [r async for r in run]
    assert len(rest) == TICKET_IOC_COUNT - 3 and not any(r.cached for r in rest)
    assert t.requests == TICKET_IOC_COUNT - 3
    # The C2 domain resolves to the sinkhole, whose report was cached: its network is known for free.
    c2 = next(r for r in t.rows if r.value == C.C2)
    assert c2.asn == 64510 and c2.country == "US"
    # A second run over the same text is all cache.
    again = Triage.from_text(triage_ticket())
    answered = [r async for r in again.run(client)]
    assert again.requests == 0 and len(answered) == TICKET_IOC_COUNT
    assert all(r.cached for r in answered)  # not-found ones too: a 404 is believed for a while


class _Refusing(httpx.AsyncBaseTransport):
    """Answers every lookup with a daily-quota 429 after ``allow`` successes."""

    def __init__(self, inner: httpx.AsyncBaseTransport, allow: int, code: str = "QuotaExceededError") -> None:
        self.inner, self.allow, self.code, self.calls = inner, allow, code, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls > self.allow:
            return httpx.Response(429, json={"error": {"code": self.code, "message": "Quota exceeded"}})
        return await self.inner.handle_async_request(request)


async def test_a_spent_daily_quota_stops_the_run():
    transport = _Refusing(DemoTransport(DemoBackend(base_url="https://demo.vttui.invalid/api/v3")), allow=2)
    client = VTClient("k" * 64, base_url="https://demo.vttui.invalid/api/v3", transport=transport,
                      limiter=RateLimiter(None, 3))
    try:
        t = Triage.from_text(triage_ticket())
        rows = [r async for r in t.run(client, concurrency=1)]
    finally:
        await client.aclose()
    assert len(rows) == TICKET_IOC_COUNT
    counts = t.counts()
    assert counts[RowStatus.DONE] == 2 and counts[RowStatus.SKIPPED] == TICKET_IOC_COUNT - 2
    assert all("quota" in r.message.lower() for r in t.rows if r.status is RowStatus.SKIPPED)
    assert transport.calls <= 4  # it stopped asking


async def test_a_refused_key_stops_and_errors_do_not(client):
    bad = make_client(Settings(), demo=True)
    bad.api_key = DemoBackend.REJECTED_API_KEY
    try:
        t = Triage.from_text(triage_ticket())
        await t.collect(bad)
        assert {r.status for r in t.rows} == {RowStatus.SKIPPED}
        assert bad.stats.requests <= 4 and "rejected" in t.rows[0].message
    finally:
        await bad.aclose()


async def test_stopping_early_cancels_the_lookups(client):
    gate = asyncio.Event()
    real = client.get_object

    async def slow(ref, **kw):
        await gate.wait()
        return await real(ref, **kw)

    client.get_object = slow  # type: ignore[method-assign]
    t = Triage.from_text(triage_ticket())
    async with contextlib.aclosing(t.run(client)) as run:
        task = asyncio.ensure_future(anext(run))
        await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert client.stats.requests == 0 and all(r.status is RowStatus.PENDING for r in t.rows)


def test_row_defaults_and_ratio():
    row = TriageRow(0, classify("evil.com"))
    assert row.ratio == "" and row.kind == "domain" and row.ref.type == "domain"
    assert TriageRow(0, classify("evil.com"), malicious=0, total=0).ratio == ""
    assert TriageRow(0, classify("evil.com"), malicious=0, total=91).ratio == "0/91"

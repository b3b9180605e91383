"""Issue 15 end to end over a real socket: bulk triage within a per-minute quota (never a
429, cached answers at once), Intelligence search on public and premium keys, collections,
behaviour and ATT&CK trees; and every new field hostile, exported validly."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from tests.support.faults import chain, quota, record
from tests.support.hostile import PAYLOADS, hostile_middleware
from vttui.demo import DEMO_PREMIUM_KEY, TICKET_IOC_COUNT, demo_iocs, triage_ticket
from vttui.demo import catalogue as C
from vttui.export.intel_export import render_behaviour, render_collection, render_search
from vttui.export.triage_export import render_triage
from vttui.vt.models import BehaviourSummary, MitreTrees
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.refs import ObjectRef
from vttui.vt.triage import RowStatus, Triage

from .conftest import FakeTime

pytestmark = pytest.mark.e2e

IOCS = demo_iocs()


class PatientTime(FakeTime):
    """A fake clock whose minutes pass only once the requests already sent have reached the
    server, as when a minute really passes (a jump of the fake clock while a request is
    still on its way would make the server count it in the wrong minute)."""

    def __init__(self, landed: Callable[[], bool]) -> None:
        super().__init__()
        self.landed = landed

    async def sleep(self, seconds: float) -> None:
        for _ in range(1000):  # polls real time only while requests are in flight
            if self.landed():
                break
            await asyncio.sleep(0.005)
        await super().sleep(seconds)


def weaponised(text: str) -> bool:
    return any(payload in text for payload in PAYLOADS)


def public_tier(cli) -> None:
    """The CLI with a public key's allowance: 4 requests a minute (on the fake clock)."""
    (cli.config_dir / "config.toml").write_text('[quota]\ntier = "public"\n\n[network]\ntimeout = 2.0\n')


def test_triage_within_a_per_minute_quota_never_gets_a_429(cli, serve, tmp_path):
    cli.time = PatientTime(lambda: not cli.clients or limit.allowed + limit.refused >= cli.clients[-1].limiter.granted)
    limit = quota(4, clock=cli.time.clock)  # the server's minute is the client's minute
    server = serve(limit)
    public_tier(cli)
    cli.point_at(server)
    ticket = tmp_path / "ticket.txt"
    ticket.write_text(triage_ticket())
    result = cli.run("triage", str(ticket), "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert len(rows) == TICKET_IOC_COUNT and {r["status"] for r in rows} == {"done", "not found"}
    assert limit.refused == 0 and limit.allowed == TICKET_IOC_COUNT  # paced, never refused
    assert cli.time.now - 1000 >= 120  # 12 lookups at 4 a minute: two minutes of waiting
    assert "Traceback" not in result.err and f"{TICKET_IOC_COUNT} indicators" in result.err


async def test_cached_rows_arrive_at_once_the_rest_within_the_quota(serve, clients):
    time = PatientTime(lambda: limit.allowed + limit.refused >= client.limiter.granted)
    limit = quota(4, clock=time.clock)
    recorder = record()
    server = serve(chain(recorder, limit))
    client = clients(server)
    client.limiter = RateLimiter(4, 500, clock=time.clock, sleep=time.sleep)
    await client.get_domain(C.C2)
    await client.get_ip(C.C2_IP)
    await client.get_file(IOCS["detected_file"])
    sent, started = client.stats.requests, time.now
    assert len(recorder.exchanges) == sent == 3
    triage = Triage.from_text(triage_ticket())
    updates = []
    async for row in triage.run(client):
        updates.append((row, client.stats.requests, time.now))
    first = updates[:3]
    assert all(row.cached for row, _, _ in first) and all(n == sent and t == started for _, n, t in first)
    assert {row.value for row, _, _ in first} == {C.C2, C.C2_IP, IOCS["detected_file"]}
    assert not any(row.cached for row, _, _ in updates[3:])
    assert len(updates) == TICKET_IOC_COUNT and limit.refused == 0
    assert len(recorder.exchanges) - sent == TICKET_IOC_COUNT - 3 == triage.requests
    assert triage.counts()[RowStatus.NOT_FOUND] == 2


def test_search_on_a_public_key_costs_one_request(cli, serve):
    recorder = record()
    server = serve(recorder)
    cli.point_at(server)
    result = cli.run("search", "type:peexe", "p:5+")
    assert result.code == 4 and result.out == ""
    assert result.err_lines == ["vttui: error: Intelligence search needs a premium key; this VirusTotal key is "
                                "not allowed to search (it answered 403). Nothing else is affected."]
    assert recorder.targets() == ["/intelligence/search?query=type%3Apeexe+p%3A5%2B&limit=10"]


def test_search_and_collection_on_a_premium_key(cli, server):
    cli.point_at(server, key=DEMO_PREMIUM_KEY)
    result = cli.run("search", IOCS["search_query"], "--all", "--format", "csv")
    assert result.code == 0, result.err
    ids = [r["id"] for r in csv.DictReader(io.StringIO(result.out))]
    assert IOCS["detected_file"] in ids and len(ids) == len(set(ids)) and "next cursor" not in result.err
    result = cli.run("collection", IOCS["collection"], "--iocs", "ip_addresses", "--format", "xml")
    assert result.code == 0, result.err
    root = ET.fromstring(result.out)
    assert [o.get("id") for o in root] == [IOCS["collection"], *C.COLLECTION["ip_addresses"]]


async def test_behaviour_and_trees_over_the_socket(server, clients, tmp_path):
    client = clients(server)
    ref = ObjectRef("file", IOCS["behaviour_file"])
    summary = BehaviourSummary.from_summary(await client.behaviour_summary(ref), ref.id)
    trees = MitreTrees(await client.behaviour_mitre_trees(ref))
    reports = [r async for r in client.iter_behaviours(ref)]
    assert summary.ids_alerts and trees.sandboxes == ["CAPE Sandbox", "Zenbox"] and len(reports) == 3
    before = client.stats.requests
    assert await client.behaviour_mitre_trees(ref) == trees.raw and client.stats.requests == before  # cached
    zenbox = next(r for r in reports if r["attributes"]["sandbox_name"] == "Zenbox")
    path = await client.download_pcap(zenbox["id"], tmp_path / "z.pcap")
    assert path.read_bytes()[:4] == b"\xd4\xc3\xb2\xa1"  # a pcap, little-endian magic


async def test_hostile_server_every_new_field_exports_validly(serve, clients):
    server = serve(hostile_middleware())
    client = clients(server, key=DEMO_PREMIUM_KEY)
    ref = ObjectRef("file", IOCS["behaviour_file"])
    summary = await client.behaviour_summary(ref)
    trees = await client.behaviour_mitre_trees(ref)
    sandboxes = [r async for r in client.iter_behaviours(ref)]
    view = BehaviourSummary.from_summary(summary, ref.id)
    # The payloads arrived in every new kind of field.
    assert view.commands and all(weaponised(c) for c in view.commands)
    assert view.registry_keys_set and all(weaponised(r.value) for r in view.registry_keys_set)
    headers = [v for c in view.http_conversations for _k, v in c.request_headers]
    assert headers and all(weaponised(v) for v in headers)
    assert all(weaponised(node.name) for node in view.process_tree)
    hits = (await client.search("type:peexe", limit=5)).items
    coll = await client.get_collection(IOCS["collection"])
    assert weaponised(coll["attributes"]["description"])
    iocs = {"domains": (await client.collection_items(IOCS["collection"], "domains")).items}
    triage = Triage.from_text(triage_ticket())
    await triage.collect(client)
    for fmt in ("json", "xml", "csv", "markdown", "raw"):
        outputs = [render_behaviour(summary, fmt, sha256=ref.id, trees=trees, sandboxes=sandboxes),
                   render_search(hits, fmt), render_collection(coll, fmt, iocs=iocs), render_triage(triage, fmt)]
        for text in outputs:
            assert "\x1b" not in text and "\x00" not in text
            if fmt in ("json", "raw"):
                json.loads(text)
            elif fmt == "xml":
                ET.fromstring(text.encode("utf-8"))
            elif fmt == "csv":
                rows = list(csv.reader(io.StringIO(text)))
                assert all(len(r) == len(rows[0]) for r in rows)

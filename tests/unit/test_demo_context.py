"""The demo's issue-15 data through the real httpx stack: behaviour and ATT&CK trees,
Intelligence search (premium only), collections, threat actors, references, URL context,
the triage ticket; everything coherent with the rest of the scenario."""

from __future__ import annotations

import httpx
import pytest

from tests.unit.test_demo_router import BASE, get_json, walk
from vttui.demo import (
    DEMO_PREMIUM_KEY,
    NOT_FOUND_SHA256,
    TICKET_IOC_COUNT,
    DemoBackend,
    DemoTransport,
    demo_iocs,
    triage_ticket,
    url_sha256,
)
from vttui.demo import catalogue as C
from vttui.vt.ioc import IOCType, extract
from vttui.vt.models import BehaviourSummary, MitreTrees, SandboxReport, wrap
from vttui.vt.refs import COLLECTION_OF_TYPE

IOCS = demo_iocs()
PUBLIC = DemoBackend.DEMO_API_KEY


@pytest.fixture
def backend() -> DemoBackend:
    return DemoBackend()


def _client(backend: DemoBackend, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=DemoTransport(backend), base_url=BASE, headers={"x-apikey": key})


@pytest.fixture
async def client(backend: DemoBackend):
    async with _client(backend, PUBLIC) as c:
        yield c


@pytest.fixture
async def premium(backend: DemoBackend):
    async with _client(backend, DEMO_PREMIUM_KEY) as c:
        yield c


# --- behaviour ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["behaviour_file", "macro_document"])
async def test_behaviour_agrees_with_the_file_relationships(client, key):
    sha = IOCS[key]
    summary = BehaviourSummary.from_summary((await get_json(client, f"/files/{sha}/behaviour_summary"))["data"], sha)
    assert summary.has_content and summary.sigma_hits and summary.ids_alerts and summary.attack_techniques

    async def ids(rel: str) -> set[str]:
        return {d["id"] for d in (await walk(client, f"/files/{sha}/relationships/{rel}"))[0]}

    contacted = await ids("contacted_domains") | await ids("contacted_ips")
    # Every host and address the sandbox saw pivots to an object the file's relations list.
    network = {p.ref.id for p in summary.pivots if p.ref is not None and p.ref.type in ("domain", "ip_address")}
    assert network and network <= contacted
    dropped = {f.sha256.ref.id for f in summary.files_dropped if f.sha256.ref}
    assert dropped == await ids("dropped_files")
    for alert in summary.ids_alerts:  # IDS alerts name hosts the file contacted
        assert {p.ref.id for p in alert.targets if p.ref and p.ref.type != "url"} <= contacted


async def test_sandboxes_their_verdicts_and_pcaps(client):
    sha = IOCS["behaviour_file"]
    reports = [wrap(d) for d in (await get_json(client, f"/files/{sha}/behaviours"))["data"]]
    assert all(isinstance(r, SandboxReport) and r.file_sha256 == sha for r in reports)
    by_name = {r.sandbox_name: r for r in reports}
    assert by_name.keys() == {name for name, _, _ in C.BEHAVIOURS["detected_file"]}
    assert by_name["Zenbox"].verdict == "malicious" and by_name["VirusTotal Jujubox"].verdict == ""
    for report in reports:
        r = await client.get(f"/file_behaviours/{report.id}/pcap")
        assert (r.status_code == 200) is report.has_pcap
    doc = [wrap(d) for d in (await get_json(client, f"/files/{IOCS['macro_document']}/behaviours"))["data"]]
    assert {r.sandbox_name: r.verdict for r in doc} == {"Zenbox": "malicious", "VirusTotal Observer": "suspicious"}
    pcap = (await client.get(f"/file_behaviours/{IOCS['macro_document']}_Zenbox/pcap")).content
    assert b"GET /raw/7Hq2xk" in pcap and b"\x0apaste-drop" in pcap


async def test_mitre_trees_follow_the_sandbox_reports(client):
    sha = IOCS["behaviour_file"]
    body = await get_json(client, f"/files/{sha}/behaviour_mitre_trees")
    assert body["links"]["self"].endswith(f"/files/{sha}/behaviour_mitre_trees")
    assert body["data"]["VirusTotal Jujubox"] is None  # a sandbox that matched nothing
    trees = MitreTrees(body)
    assert trees.sandboxes == ["CAPE Sandbox", "Zenbox"]
    summary = BehaviourSummary.from_summary((await get_json(client, f"/files/{sha}/behaviour_summary"))["data"])
    assert {t.id for t in trees.techniques} == {a.technique for a in summary.attack_techniques}
    cape = {t.id for tactic in trees.by_sandbox["CAPE Sandbox"] for t in tactic.techniques}
    zen = {t.id for tactic in trees.by_sandbox["Zenbox"] for t in tactic.techniques}
    assert cape < zen  # CAPE reports only the high and medium ones
    persistence = next(t for t in trees.tactics if t.id == "TA0003")
    assert persistence.name == "Persistence" and persistence.severity == "high"
    empty = await get_json(client, f"/files/{IOCS['clean_pdf']}/behaviour_mitre_trees")
    assert empty["data"] == {} and MitreTrees(empty).is_empty
    assert (await client.get(f"/files/{NOT_FOUND_SHA256}/behaviour_mitre_trees")).status_code == 404


# --- Intelligence search ------------------------------------------------------------------------


async def test_search_is_premium(client, backend):
    r = await client.get("/intelligence/search", params={"query": "type:peexe"})
    assert r.status_code == 403
    assert r.json() == {"error": {"code": "ForbiddenError",
                                  "message": "You are not authorized to perform the requested operation"}}


async def test_search_pages_through_every_hit_once(premium):
    query = IOCS["search_query"]
    first = await get_json(premium, "/intelligence/search", params={"query": query, "limit": 7})
    total = first["meta"]["total_hits"]
    assert total > 7 and first["meta"]["cursor"] and first["meta"]["days_back"] == 90
    assert "positives" in first["meta"]["allowed_orders"] and first["links"]["next"]
    seen = [d["id"] for d in first["data"]]
    cursor = first["meta"]["cursor"]
    while cursor:
        page = await get_json(premium, "/intelligence/search", params={"query": query, "limit": 7, "cursor": cursor})
        seen += [d["id"] for d in page["data"]]
        cursor = page["meta"].get("cursor")
    assert len(seen) == len(set(seen)) == total
    for d in first["data"]:
        attrs = d["attributes"]
        assert d["type"] == "file" and attrs["type_tag"] == "peexe"
        assert attrs["last_analysis_stats"]["malicious"] >= 5 and attrs["first_submission_date"] >= 1782864000
    assert IOCS["detected_file"] in seen and IOCS["clean_file"] not in seen  # 0 detections
    # Cursors are bound to their query.
    other = await premium.get("/intelligence/search", params={"query": "type:pedll", "cursor": first["meta"]["cursor"]})
    assert other.status_code == 400


@pytest.mark.parametrize(("query", "expect"), [
    ("entity:domain update-relay", lambda ids: C.C2 in ids and all("update-relay" in i for i in ids)),
    ("entity:ip tag:sinkhole", lambda ids: ids == [C.SINKHOLE]),
    ("entity:url p:10+", lambda ids: set(ids) == {url_sha256(C.U_PHISH), url_sha256(C.U_GATE)}),
    ('"invoice_viewer"', lambda ids: ids == [IOCS["detected_file"]]),
    ("type:pdf", lambda ids: ids == [IOCS["clean_pdf"]]),
    ("p:0 size:300KB+", lambda ids: set(ids) == {IOCS["clean_file"]}),
    # Generated vexbot samples match too: the two catalogue ones with 40+ detections must be there,
    # the dropped script (31 detections) must not.
    ("vexbot p:40+ fs:30d+", lambda ids: {IOCS["detected_file"], IOCS["dropped_dll"]} <= set(ids)
     and IOCS["script_file"] not in ids),
    ("nothing-matches-this", lambda ids: ids == []),
])
async def test_search_query_language(premium, query, expect):
    body = await get_json(premium, "/intelligence/search", params={"query": query, "limit": 300})
    ids = [d["id"] for d in body["data"]]
    assert expect(ids), ids
    assert body["meta"]["total_hits"] == len(ids) and "cursor" not in body["meta"]
    if query.startswith("vexbot"):
        for d in body["data"]:
            attrs = d["attributes"]
            label = attrs["popular_threat_classification"]["suggested_threat_label"]
            assert "vexbot" in label and attrs["last_analysis_stats"]["malicious"] >= 40
            assert attrs["first_submission_date"] >= 1786009287 - 30 * 86400


@pytest.mark.parametrize("params", [{"query": "foo:bar"}, {"query": ""}, {"query": "entity:planet"},
                                    {"query": "p:many"}, {"query": "fs:yesterday+"}, {"query": "x", "limit": 301},
                                    {"query": "x", "order": "colour-"}, {"query": '"unbalanced'}])
async def test_search_errors_are_400(premium, params):
    r = await premium.get("/intelligence/search", params=params)
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidArgumentError"


async def test_search_descriptors_and_order(premium):
    body = await get_json(premium, "/intelligence/search",
                          params={"query": "type:peexe", "descriptors_only": "true", "order": "size+", "limit": 300})
    assert all(set(d) == {"type", "id"} for d in body["data"])
    full = await get_json(premium, "/intelligence/search",
                          params={"query": "type:peexe", "order": "size+", "limit": 300})
    sizes = [d["attributes"]["size"] for d in full["data"]]
    assert sizes == sorted(sizes) and [d["id"] for d in full["data"]] == [d["id"] for d in body["data"]]


# --- collections, threat actors, references -------------------------------------------------------


async def test_collection_and_its_iocs(client):
    cid = IOCS["collection"]
    coll = wrap((await get_json(client, f"/collections/{cid}"))["data"])
    assert coll.type == "collection" and coll.title == C.COLLECTION["name"]
    for rel, _label, count in coll.ioc_counts:
        items, pages = await walk(client, f"/collections/{cid}/{rel}", limit=2)
        assert len(items) == count == len(C.COLLECTION[rel]) and pages == (count + 1) // 2
        assert all(i["attributes"] for i in items)  # full objects
        # ...and each IoC names the collection back.
        for item in items:
            back = await get_json(client, f"/{COLLECTION_OF_TYPE[item['type']]}/{item['id']}/relationships/collections")
            assert [d["id"] for d in back["data"]] == [cid]
    actors = await get_json(client, f"/collections/{cid}/threat_actors")
    assert [a["id"] for a in actors["data"]] == [IOCS["threat_actor"]]
    embedded = await get_json(client, f"/collections/{cid}", params={"relationships": "files,references"})
    assert embedded["data"]["relationships"]["files"]["meta"]["count"] == 5
    assert (await client.get("/collections/nope")).status_code == 404
    assert (await client.get(f"/collections/{cid}/resolutions")).status_code == 400


async def test_threat_actor_by_id_name_or_alias(client):
    actor = wrap((await get_json(client, f"/threat_actors/{IOCS['threat_actor']}"))["data"])
    assert actor.title == "Copper Quill" and "CQ-17" in actor.aliases and actor.targeted_industries
    for name in ("Copper Quill", "ledger moth"):
        assert (await get_json(client, f"/threat_actors/{name}"))["data"]["id"] == IOCS["threat_actor"]
    linked = await get_json(client, f"/domains/{C.C2}/related_threat_actors")
    assert [d["id"] for d in linked["data"]] == [IOCS["threat_actor"]]


async def test_references_are_premium_relationships(client, premium):
    path = f"/files/{IOCS['detected_file']}/related_references"
    assert (await client.get(path)).status_code == 403
    refs = await get_json(premium, path)
    assert [wrap(d).title for d in refs["data"]] == [C.REFERENCE["title"]]
    reference = await get_json(client, f"/references/{IOCS['reference']}")
    assert reference["data"]["attributes"]["url"] == C.REFERENCE["url"]
    # Premium relationships without demo data are empty for a premium key, not an error.
    assert (await get_json(premium, f"/files/{IOCS['detected_file']}/similar_files"))["data"] == []


# --- URL and certificate context ----------------------------------------------------------------


async def test_url_body_points_at_a_demo_file_and_trackers(client):
    paste = wrap((await get_json(client, f"/urls/{url_sha256(C.U_PASTE)}"))["data"])
    assert paste.body_ref is not None and paste.body_ref.id == IOCS["script_file"]
    assert (await client.get(f"/files/{paste.body_ref.id}")).status_code == 200
    phish = wrap((await get_json(client, f"/urls/{url_sha256(C.U_PHISH)}"))["data"])
    assert [p.ref is not None for p in phish.redirection_pivots] == [True, True, True]
    assert phish.final_url_pivot.text.startswith("https://portal.") and phish.trackers and phish.cookies
    assert all(p.ref is not None for p in phish.tracker_pivots)
    assert "set-cookie" in phish.response_headers and phish.network_location_ref.id == C.PHISH


async def test_certificate_names_pivot(client):
    domain = wrap((await get_json(client, f"/domains/{C.C2}"))["data"])
    assert [p.ref.id for p in domain.ssl_cert.san_pivots if p.ref] == [C.C2]
    cdn = wrap((await get_json(client, f"/domains/{C.CDN}"))["data"])
    names = [p.ref.id for p in cdn.ssl_cert.san_pivots if p.ref]
    # the wildcard leads to the name under it
    assert names == ["cdnfast.example", "cdnfast.example", "static.cdnfast.example", "cdnfast-assets.example"]
    assert any(p.ref and p.ref.type == "ip_address" for p in cdn.dns_pivots)


# --- the ticket ---------------------------------------------------------------------------------


def test_triage_ticket_holds_the_scenario():
    found = extract(triage_ticket())
    assert len(found) == TICKET_IOC_COUNT
    values = {i.value for i in found}
    assert {IOCS["detected_file"], C.C2, C.C2_IP, C.SINKHOLE, NOT_FOUND_SHA256, C.U_PHISH} <= values
    assert sum(i.value == C.C2 for i in found) == 1  # defanged and plain: one indicator
    kinds = {i.type for i in found}
    assert {IOCType.MD5, IOCType.SHA1, IOCType.SHA256, IOCType.URL, IOCType.DOMAIN, IOCType.IPV4, IOCType.IPV6} <= kinds
    assert not any(v.endswith((".zip", ".txt", ".docm", ".exe")) for v in values)

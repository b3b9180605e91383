"""Views for issue 15: behaviour, MITRE trees, sandbox reports, collections, threat actors,
and the pivots of URL, domain and certificate reports. Real samples, hostile copies, junk."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.hostile import hostilize, wrong_types
from tests.unit.test_samples import load, touch_all
from vttui.vt.ioc import classify
from vttui.vt.models import (
    URL,
    BehaviourSummary,
    Collection,
    Domain,
    IPAddress,
    MitreTrees,
    Pivot,
    Reference,
    SandboxReport,
    ThreatActor,
    pivot,
    pivot_ref,
    severity_of,
    wrap,
)
from vttui.vt.refs import ObjectRef

SUMMARY = "vt3_behavior_summary"
SANDBOX = "vt3_behavior_ms_sysinternals"


def _tree(technique: str, severity: str, description: str, tactic: str = "TA0005") -> dict:
    return {"tactics": [{
        "id": tactic, "name": {"TA0005": "Defense Evasion", "TA0003": "Persistence"}.get(tactic, tactic),
        "description": "The adversary is trying...", "link": f"https://attack.mitre.org/tactics/{tactic}/",
        "techniques": [{"id": technique, "name": "Hidden Files and Directories", "description": "Adversaries may...",
                        "link": "https://attack.mitre.org/techniques/T1564/001/",
                        "signatures": [{"severity": severity, "description": description}]}],
    }]}  # fmt: skip


MITRE_REPLY = {
    "data": {
        "VirusTotal Observer": None,
        "Zenbox": _tree("T1564.001", "INFO", "Creates hidden files"),
        "CAPE Sandbox": {"tactics": [*_tree("T1564.001", "HIGH", "Sets the hidden attribute")["tactics"],
                                     *_tree("T1547.001", "MEDIUM", "Run key", tactic="TA0003")["tactics"]]},
    },
    "links": {"self": "https://www.virustotal.com/api/v3/files/x/behaviour_mitre_trees"},
}


# --- behaviour summary on a real sample ---------------------------------------------------


def test_behaviour_summary_sections_of_a_real_reply() -> None:
    raw = load(SUMMARY)
    b = BehaviourSummary.from_summary(raw, "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b")
    assert b.has_content and b.id.startswith("03bd9a94")
    assert b.verdicts == ["MALWARE"] and b.verdict_labels == ["NetMiner"] and b.verdict_confidence == 50
    assert len(b.processes_created) == len(raw["processes_created"])
    assert b.commands == raw["command_executions"]
    assert {r.key for r in b.registry_keys_set} == {d["key"] for d in raw["registry_keys_set"]}
    assert b.mutexes_created == raw["mutexes_created"]
    # Dropped files pivot to their SHA-256; lookups to the host and its addresses.
    assert [f.sha256.ref for f in b.files_dropped] == [
        ObjectRef("file", d["sha256"]) if d.get("sha256") else None for d in raw["files_dropped"]]
    assert any(f.sha256.ref is None for f in b.files_dropped) and any(f.sha256.ref for f in b.files_dropped)
    first = b.dns_lookups[0]
    assert first.host == Pivot("sanctam.net", ObjectRef("domain", "sanctam.net"))
    assert [p.ref for p in first.resolved] == [ObjectRef("ip_address", "185.65.135.234")]
    conv = b.http_conversations[0]
    assert conv.method == "CONNECT" and conv.url.ref == classify(raw["http_conversations"][0]["url"]).ref
    assert b.ip_traffic[0].port == 58899 and b.ip_traffic[0].protocol == "TCP"
    # 2021 replies give techniques as a dict: every signature of every technique is read.
    expected = sum(len(v) for v in raw["attack_techniques"].values())
    assert len(b.attack_techniques) == expected
    ranks = ["critical", "high", "medium", "low", "info", "unknown"]
    order = [ranks.index(a.severity) for a in b.attack_techniques]
    assert order == sorted(order)
    # The process tree keeps its shape.
    assert b.process_tree and all(node.pid for node in b.process_tree)
    # Every pivot's target is what its text classifies as; each object once in pivot_refs.
    assert all(p.ref == classify(p.text).ref for p in b.pivots if p.ref is not None)
    assert len(b.pivot_refs) == len(set(b.pivot_refs)) and ObjectRef("domain", "bitbucket.org") in b.pivot_refs


def test_whole_reply_and_empty_summary() -> None:
    raw = load(SUMMARY)
    assert BehaviourSummary.from_summary({"data": raw}).commands == raw["command_executions"]
    empty = BehaviourSummary.from_summary({})
    assert not empty.has_content and empty.pivots == [] and empty.process_tree == []
    assert not BehaviourSummary.from_summary({"verdicts": [], "tags": []}).has_content


def test_sandbox_report_from_a_real_behaviour_object() -> None:
    obj = load(SANDBOX)
    view = wrap(obj)
    assert isinstance(view, SandboxReport)
    assert view.sandbox_name == "Microsoft Sysinternals" and view.title == "Microsoft Sysinternals"
    assert view.file_sha256 == obj["id"].split("_")[0] and view.when is not None
    assert view.has_pcap is False and view.verdict == ""
    assert view.commands == obj["attributes"]["command_executions"]


@pytest.mark.parametrize(("verdicts", "expected"), [
    (["MALWARE", "TROJAN"], "malicious"), (["SUSPICIOUS"], "suspicious"), (["CLEAN"], "harmless"),
    (["UNKNOWN_VERDICT"], ""), ("MALWARE", "malicious"), (7, ""),
])
def test_sandbox_verdict(verdicts: Any, expected: str) -> None:
    assert SandboxReport({"type": "file_behaviour", "attributes": {"verdicts": verdicts}}).verdict == expected


@pytest.mark.parametrize("flag", [True, "true", 1, None, "yes"])
def test_only_a_literal_true_offers_a_pcap(flag: Any) -> None:
    assert SandboxReport({"attributes": {"has_pcap": flag}}).has_pcap is (flag is True)


def test_current_technique_list_sigma_and_ids() -> None:
    b = BehaviourSummary.from_summary({
        "mitre_attack_techniques": [
            {"id": "T1016", "signature_description": "Looks up its IP", "severity": "IMPACT_SEVERITY_LOW"},
            {"id": "T1055", "signature_description": "Injects", "severity": "IMPACT_SEVERITY_HIGH"},
            {"signature_description": "no id: dropped"}, "junk",
        ],
        "sigma_analysis_results": [{"rule_title": "Run key", "rule_level": "medium", "rule_source": "Sigma"},
                                   {"rule_title": "Critical", "rule_level": "critical"}, {"rule_level": "high"}],
        "ids_alerts": [{"rule_msg": "ET MALWARE beacon", "alert_severity": "high", "rule_category": "Trojan",
                        "alert_context": {"dest_ip": "198.51.100.23", "dest_port": 80, "hostname": "api.evil.test",
                                          "url": "http://api.evil.test/gate.php"}},
                       {"rule_msg": "list context", "alert_context": [{"dest_ip": "not an ip"}]}],
    })  # fmt: skip
    assert [(a.technique, a.severity) for a in b.attack_techniques] == [("T1055", "high"), ("T1016", "low")]
    assert [(s.title, s.level) for s in b.sigma_hits] == [("Critical", "critical"), ("Run key", "medium")]
    alert = b.ids_alerts[0]
    assert alert.message == "ET MALWARE beacon" and alert.category == "Trojan"
    assert [p.ref for p in alert.targets] == [
        classify("http://api.evil.test/gate.php").ref, ObjectRef("domain", "api.evil.test"),
        ObjectRef("ip_address", "198.51.100.23")]
    assert b.ids_alerts[1].targets == (Pivot("not an ip"),)
    assert b.ids_alerts[1].severity == "unknown"


def test_hostile_summary_is_shown_but_weaponised_hosts_do_not_pivot() -> None:
    raw = load(SUMMARY)
    before = copy.deepcopy(raw)
    b = BehaviourSummary.from_summary(hostilize(raw))
    touch_all(b, items=5)
    # Hashes keep their shape (the hostile mode leaves sha256 alone) and still pivot...
    pivoting = [f.sha256.ref is not None for f in b.files_dropped]
    assert pivoting == [bool(d.get("sha256")) for d in before["files_dropped"]]
    # ...while hostnames and commands carry payloads: shown in full, never a pivot.
    assert b.dns_lookups and all(lookup.host.ref is None for lookup in b.dns_lookups)
    pairs = zip(b.dns_lookups, before["dns_lookups"], strict=True)
    assert all(lookup.host.text.startswith(orig["hostname"]) for lookup, orig in pairs)
    assert any("\x1b]52" in c for c in b.commands) and any("[@click" in r.value for r in b.registry_keys_set)
    assert raw == before  # the view never changes what it wraps


def test_wrong_types_everywhere() -> None:
    summary = wrong_types({"data": {"type": "x", "attributes": load(SUMMARY)}})["data"]["attributes"]
    touch_all(BehaviourSummary.from_summary(summary))
    deep = {"processes_tree": [{"name": "a", "children": [{"name": "b", "children": "junk"}]}]}
    node = {"name": "n"}
    for _ in range(200):
        node = {"name": "n", "children": [node]}
    deep_view = BehaviourSummary.from_summary({"processes_tree": [node]})
    depth, level = 0, deep_view.process_tree
    while level:
        depth, level = depth + 1, list(level[0].children)
    assert depth == 32  # a hostile reply cannot nest forever
    assert BehaviourSummary.from_summary(deep).process_tree[0].children[0].children == ()


# --- MITRE trees -----------------------------------------------------------------------------


def test_mitre_trees_merge_sandboxes() -> None:
    trees = MitreTrees(MITRE_REPLY)
    assert trees.sandboxes == ["Zenbox", "CAPE Sandbox"]  # the null sandbox found nothing
    assert [t.id for t in trees.tactics] == ["TA0003", "TA0005"]  # kill-chain order
    evasion = trees.tactics[1]
    (hidden,) = evasion.techniques
    assert hidden.id == "T1564.001" and hidden.sandboxes == ("Zenbox", "CAPE Sandbox")
    assert hidden.severity == "high" and len(hidden.signatures) == 2 and evasion.severity == "high"
    assert [t.id for t in trees.techniques] == ["T1564.001", "T1547.001"]
    assert [t.id for t in trees.by_sandbox["Zenbox"]] == ["TA0005"]
    assert MitreTrees(MITRE_REPLY["data"]).tactics == trees.tactics  # data alone reads the same
    unknown = MitreTrees({"S": {"tactics": [{"id": "TX9"}, {"id": "TA0040"}, {"id": "TA0001"}]}})
    assert [t.id for t in unknown.tactics] == []  # tactics without techniques are not worth a line
    odd = MitreTrees({"S": {"tactics": [{"id": i, "techniques": [{"id": "T1"}]} for i in ("TX9", "TA0040", "TA0001")]}})
    assert [t.id for t in odd.tactics] == ["TA0001", "TA0040", "TX9"]


@pytest.mark.parametrize("junk", [None, "x", [], {"data": None}, {"Zenbox": "x"}, {"Zenbox": {"tactics": [5, {}]}},
                                  {5: {"tactics": []}},
                                  {"S": {"tactics": [{"id": "TA1", "techniques": [{"signatures": 3}]}]}}])
def test_mitre_trees_tolerate_junk(junk: Any) -> None:
    trees = MitreTrees(junk)
    assert trees.techniques == [] and all(not t.techniques for t in trees.tactics)


def test_hostile_mitre_tree() -> None:
    trees = MitreTrees(hostilize(copy.deepcopy(MITRE_REPLY)))
    # ids are structural (kept); severities carry payloads, so nothing claims to be severe
    assert sorted(t.id for t in trees.techniques) == ["T1547.001", "T1564.001"]
    assert {t.severity for t in trees.techniques} == {"unknown"}
    assert all("[@click" in t.name or "\x1b" in t.name or "\u202e" in t.name or "|" in t.name or "nul" in t.name
               for t in trees.techniques)


@pytest.mark.parametrize(("raw", "expected"), [
    ("INFO", "info"), ("IMPACT_SEVERITY_HIGH", "high"), ("SIGNATURE_SEVERITY_MEDIUM", "medium"),
    ("SEVERITY_HIGH", "high"), (" low ", "low"), ("critical", "critical"), ("informational", "info"),
    ("whatever", "unknown"), (None, "unknown"), (3, "unknown"),
])
def test_severity_of(raw: Any, expected: str) -> None:
    assert severity_of(raw) == expected


# --- collections, threat actors, references ---------------------------------------------------


def test_collection_and_threat_actor_shapes() -> None:
    c = wrap({"type": "collection", "id": "abc", "attributes": {
        "name": "Vexbot", "description": "line\nbreak", "tags": ["loader"], "files_count": 2, "domains_count": "3",
        "urls_count": -1, "targeted_industries_tree": [{"industry_group": "Finance"}, {"industry": "Banking"}],
        "targeted_regions": ["DE", "DE", 5], "source_region": {"country": "RU"}, "creation_date": 1786009287,
    }})  # fmt: skip
    assert isinstance(c, Collection) and c.title == "Vexbot" and c.tags == ["loader"]
    assert c.ioc_counts == [("files", "Files", 2), ("domains", "Domains", 3), ("urls", "URLs", None),
                            ("ip_addresses", "IP addresses", None)]
    assert c.ioc_total == 5 and c.targeted_industries == ["Finance", "Banking"]
    assert c.targeted_regions == ["DE", "5"] and c.source_region == "RU" and c.creation_date is not None
    actor = wrap({"type": "threat_actor", "id": "uuid", "attributes": {
        "name": "APT Example", "aliases": ["Example Crew", None], "targeted_industries": ["finance"],
        "recent_activity_summary": [1, "2", -3, "x"], "recent_activity_relative_change": "0.5",
        "first_seen_date": "1700000000", "sponsor_region": "XX"}})
    assert isinstance(actor, ThreatActor) and actor.title == "APT Example" and actor.aliases == ["Example Crew"]
    assert actor.recent_activity == [1, 2, 0] and actor.recent_activity_change == 0.5
    assert actor.first_seen_date is not None and actor.sponsor_region == "XX"
    ref = wrap({"type": "reference", "id": "r",
                "attributes": {"url": "https://blog.example/x", "source": {"name": "Blog"}}})
    assert isinstance(ref, Reference) and ref.title == "https://blog.example/x" and ref.source == "Blog"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4), max_leaves=12)
_KEYS = ["processes_tree", "files_dropped", "registry_keys_set", "dns_lookups", "http_conversations", "ip_traffic",
         "mitre_attack_techniques", "attack_techniques", "sigma_analysis_results", "ids_alerts", "verdicts",
         "command_executions", "has_pcap", "targeted_industries", "targeted_regions_hierarchy", "aliases",
         "files_count", "recent_activity_summary", "source_region", "tactics"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attributes=st.dictionaries(st.sampled_from(_KEYS), _json, max_size=8), anything=_json)
def test_random_json_never_breaks_the_new_views(attributes: dict, anything: Any) -> None:
    for view in (BehaviourSummary.from_summary(attributes), SandboxReport({"attributes": attributes}),
                 Collection({"attributes": attributes}), ThreatActor({"attributes": attributes}),
                 Reference({"attributes": attributes}), BehaviourSummary.from_summary(anything)):
        touch_all(view)
    for data in (attributes, anything, {"S": attributes}, {"S": {"tactics": [attributes]}}):
        trees = MitreTrees(data)
        assert isinstance(trees.tactics, list) and isinstance(trees.techniques, list)


# --- pivots of URL, domain, IP and certificate reports ------------------------------------------


def test_url_pivots_on_a_real_report() -> None:
    u = wrap(load("urls__aHR0cDovL3d3dy5nb29nbGUuY29t")["data"])
    assert isinstance(u, URL)
    assert u.final_url_pivot.ref == classify(u.final_url).ref
    assert [p.text for p in u.redirection_pivots] == u.redirection_chain and all(p.ref for p in u.redirection_pivots)
    assert u.body_ref == ObjectRef("file", u.content_sha256)
    assert u.network_location_ref == ObjectRef("domain", "www.google.com")
    assert len(u.outgoing_link_pivots) == len(u.outgoing_links)


def test_url_pivot_edge_cases() -> None:
    u = URL({"type": "url", "id": "x", "attributes": {
        "url": "http://user@[2001:db8::1]:8080/x", "last_http_response_content_sha256": "not a hash",
        "trackers": {"GTM": [{"id": "GTM-1", "url": "https://tags.example.com/gtm.js"},
                             {"id": "GTM-2", "url": "junk"}]},
        "redirection_chain": ["javascript:alert(1)", "http://ok.example.com/"]}})
    assert u.network_location_ref == ObjectRef("ip_address", "2001:db8::1") and u.body_ref is None
    assert [p.ref is not None for p in u.tracker_pivots] == [True, False]
    assert [p.ref is not None for p in u.redirection_pivots] == [False, True]
    embedded = URL({"attributes": {"url": "http://a.example.com/"},
                    "relationships": {"network_location": {"data": {"type": "domain", "id": "a.example.com"}}}})
    assert embedded.network_location_ref == ObjectRef("domain", "a.example.com")
    assert URL({"attributes": {"url": "no scheme"}}).network_location_ref is None


def test_domain_dns_and_certificate_pivots_on_a_real_report() -> None:
    d = wrap(load("domain__www.virustotal.com__api__v3__domains__google.com")["data"])
    assert isinstance(d, Domain) and len(d.dns_pivots) == len(d.dns_records)
    for (rtype, value, _ttl), p in zip(d.dns_records, d.dns_pivots, strict=True):
        assert p.text == value
        if rtype == "A":
            assert p.ref == ObjectRef("ip_address", value)
        if rtype == "TXT":
            assert p.ref is None
    sans = d.ssl_cert.san_pivots
    assert sans[0] == Pivot("*.google.com", ObjectRef("domain", "google.com"))
    ip = wrap(load("ip_addresses__8.8.8.8")["data"])
    assert isinstance(ip, IPAddress) and ip.network == "8.8.8.0/24"
    assert Pivot("dns.google", ObjectRef("domain", "dns.google")) in ip.ssl_cert.san_pivots


@pytest.mark.parametrize(("text", "types", "expected"), [
    ("api.evil.test", ("domain",), ObjectRef("domain", "api.evil.test")),
    ("API.Evil.Test.", ("domain",), ObjectRef("domain", "api.evil.test")),
    ("198.51.100.23", ("domain", "ip_address"), ObjectRef("ip_address", "198.51.100.23")),
    ("198.51.100.23", ("domain",), None),
    ("a" * 64, ("file",), ObjectRef("file", "a" * 64)),
    ("a" * 63, ("file",), None),
    ("u-" + "a" * 64 + "-1", (), None),  # an analysis id never pivots
    ("C:\\Windows\\explorer.exe", ("domain", "ip_address"), None),
    ("evil.test[/] [@click=app.quit]", ("domain",), None),
    ("x" * 5000, (), None),
    (None, (), None),
])
def test_pivot_ref(text: Any, types: tuple[str, ...], expected: ObjectRef | None) -> None:
    assert pivot_ref(text, *types) == expected
    assert pivot(text, *types).pivotable is (expected is not None)


def test_paths_of_hostile_ids_never_crash() -> None:
    assert ObjectRef("ip_address", "1.2.3.4\ud800x").path == "/ip_addresses/1.2.3.4%3Fx"
    embedded = URL({"attributes": {"url": "http://a.example.com/"},
                    "relationships": {"network_location": {"data": {"type": "domain", "id": "a.example.com\ud800"}}}})
    assert embedded.network_location_ref is None  # an id that is not a valid name leads nowhere

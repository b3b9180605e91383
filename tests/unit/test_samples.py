"""Every real VirusTotal reply in vt-samples goes through the models without raising.

Also home of :func:`touch_all`, which calls every public accessor of a view (found by
introspection, so new accessors are covered without editing the tests) and checks each
value against the accessor's return annotation. test_models.py reuses it.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import types
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vttui.vt import models
from vttui.vt.models import (
    URL,
    Analysis,
    AnalysisStats,
    Comment,
    Domain,
    EngineResult,
    File,
    FileBehaviour,
    IPAddress,
    Resolution,
    SandboxVerdict,
    Vote,
    VTObject,
    Whois,
    parse_reply,
    wrap,
)
from vttui.vt.models.fields import Field
from vttui.vt.refs import ObjectRef

# --- Locating the samples ----------------------------------------------------------------


def samples_dir() -> Path:
    """The 58 real replies: VTTUI_SAMPLES_DIR, else the copy in tests/fixtures (with its
    SOURCES.md and licences), else ../shared/vt-samples beside the project."""
    override = os.environ.get("VTTUI_SAMPLES_DIR")
    if override:
        return Path(override)
    bundled = Path(__file__).resolve().parents[1] / "fixtures" / "vt-samples"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2].parent / "shared" / "vt-samples"


def sample_files() -> list[Path]:
    root = samples_dir()
    return sorted(root.rglob("*.json")) if root.is_dir() else []


@functools.cache
def load_body(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load(fragment: str) -> Any:
    """The body of the one sample whose path contains ``fragment`` (a fresh copy)."""
    matches = [p for p in sample_files() if fragment in str(p)]
    assert len(matches) == 1, f"{fragment!r} matched {len(matches)} samples"
    return json.loads(matches[0].read_text(encoding="utf-8"))


def views_of(body: Any) -> list[VTObject]:
    """The views a reply holds; bodies that are not replies are wrapped as they are."""
    parsed = parse_reply(body)
    if parsed is None:
        return [wrap(body)]
    return parsed if isinstance(parsed, list) else [parsed]


# --- Touching every accessor ------------------------------------------------------------

_INT64 = 2**63


_SPECIAL = (bool, int, float, datetime)


@functools.cache
def _parts(hint: Any) -> tuple[Any, tuple]:
    return typing.get_origin(hint), typing.get_args(hint)


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` matches a (simple) type annotation, checking list/dict items."""
    if hint is Any:
        return True
    if hint is type(None) or hint is None:
        return value is None
    origin, args = _parts(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is list:
        if not isinstance(value, list):
            return False
        item = args[0]
        if isinstance(item, type) and item not in _SPECIAL:  # fast path for plain classes
            return all(isinstance(v, item) for v in value)
        return all(conforms(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items()
        )
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(v, args[0]) for v in value)
        return len(value) == len(args) and all(conforms(v, a) for v, a in zip(value, args, strict=True))
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if hint is datetime:
        return isinstance(value, datetime) and value.tzinfo is UTC
    if origin is not None:
        return isinstance(value, origin)
    return isinstance(value, hint)


@functools.cache
def _return_hint(func: Any) -> Any:
    """The return annotation, resolved in the module that defines ``func``."""
    return typing.get_type_hints(func).get("return", Any)


def _arguments_for(view: VTObject, name: str) -> list[tuple]:
    """Argument sets to call method ``name`` with. Unknown methods fail the test."""
    rel_names = [*view.relationship_names, "nope", "", "x.y"]
    table: dict[str, list[tuple]] = {
        "attr": [("",), ("nope",), ("a.b.c",), (("a", "b"),), ("names.0",), ("pe_info.sections.0.name",)],
        "relationship_descriptors": [(n,) for n in rel_names],
        "relationship_cursor": [(n,) for n in rel_names],
        "relationship_next_link": [(n,) for n in rel_names],
        "other_side": [
            (ObjectRef("domain", "example.com"),),
            (ObjectRef("ip_address", "1.2.3.4"),),
            (ObjectRef("file", "abc"),),
            ("1.2.3.4",),
            (None,),
            (view,),
        ],
        "is_expired": [(), (datetime(2000, 1, 1, tzinfo=UTC),), ("garbage",)],
    }
    assert name in table, f"public method {type(view).__name__}.{name} has no test arguments: add it"
    return table[name]


_VALUE_TYPES = (VTObject, AnalysisStats, EngineResult, SandboxVerdict)


def _touch_value(value: Any, depth: int, items: int | None) -> None:
    """Touch what an accessor returned: nested views and value objects too."""
    if depth >= 2:
        return
    if isinstance(value, _VALUE_TYPES):
        touch_all(value, depth + 1, items=items)
    elif isinstance(value, list):
        for item in value[:items]:
            _touch_value(item, depth, items)


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, str, Any, Any, int], ...]:
    """(name, kind, function, return hint, arity) of each public accessor of ``cls``."""
    plan = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        static = inspect.getattr_static(cls, name)
        if isinstance(static, property):
            plan.append((name, "property", static.fget, _return_hint(static.fget), 0))
        elif isinstance(static, Field):
            # A declared field: its value has the type its coercion returns.
            coerce = type(static).coerce
            plan.append((name, "property", coerce, _return_hint(coerce), 0))
        elif isinstance(static, functools.cached_property):
            plan.append((name, "property", static.func, _return_hint(static.func), 0))
        elif isinstance(static, classmethod):
            params = list(inspect.signature(static.__func__).parameters.values())[1:]
            arity = sum(
                p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params
            )
            plan.append((name, "classmethod", static.__func__, _return_hint(static.__func__), arity))
        elif inspect.isfunction(static):
            plan.append((name, "method", static, _return_hint(static), 0))
        # anything else: plain class attributes (dataclass defaults, constants)
    return tuple(plan)


_JUNK_ARGS = ({"data": "x"}, None, [], "x", 7, {"a": {}})


def touch_all(view: Any, depth: int = 0, *, items: int | None = None) -> dict[str, Any]:
    """Call every public accessor of ``view``; assert each value has its annotated type.

    ``items`` caps how many items of each returned list are touched in turn (their
    types are always checked); None touches them all.
    """
    cls = type(view)
    values: dict[str, Any] = {}
    for name, kind, _func, hint, arity in _plan(cls):
        if kind == "property":
            value = getattr(view, name)
            assert conforms(value, hint), f"{cls.__name__}.{name} -> {value!r:.300}, not {hint}"
            values[name] = value
            _touch_value(value, depth, items)
        elif kind == "classmethod":
            # Constructors: feed them the object itself and junk, in every position.
            for arg in (getattr(view, "raw", {}), *_JUNK_ARGS):
                result = getattr(view, name)(*([arg] * arity))
                assert conforms(result, hint), f"{cls.__name__}.{name}({arg!r}) -> {result!r:.300}"
                if depth == 0:
                    _touch_value(result, depth + 1, items)
        elif name == "to_dict":
            values[name] = getattr(view, name)()
        else:
            for args in _arguments_for(view, name):
                result = getattr(view, name)(*args)
                assert conforms(result, hint), f"{cls.__name__}.{name}{args!r} -> {result!r:.300}, not {hint}"
                _touch_value(result, depth, items)
    return values


# --- Every sample -----------------------------------------------------------------------

SAMPLES = sample_files()


def test_samples_are_there() -> None:
    """A missing directory must fail loudly, not pass with nothing to test."""
    assert samples_dir().is_dir(), f"no samples at {samples_dir()} (set VTTUI_SAMPLES_DIR)"
    assert len(SAMPLES) >= 58


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name[-60:] for p in SAMPLES])
def test_every_accessor_of_every_sample(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    before = json.dumps(body, sort_keys=True)
    views = views_of(body)
    for view in views:
        values = touch_all(view)
        assert isinstance(values["stats"], AnalysisStats)
        assert isinstance(values["engine_results"], list)
        assert isinstance(values["id"], str)
    # wrap() must cope with whatever the reply is, envelope included.
    touch_all(wrap(body))
    # Views never mutate what they wrap (the cache shares these dicts).
    assert json.dumps(body, sort_keys=True) == before


def test_views_share_the_dict_instead_of_copying() -> None:
    body = load("files__99017f6eebbac24f351415dd410d522d")
    view = parse_reply(body)
    assert view.raw is body["data"]
    assert view.attributes is body["data"]["attributes"]


def test_every_object_sample_gets_the_view_of_its_type() -> None:
    seen: set[str] = set()
    for path in SAMPLES:
        for view in views_of(load_body(path)):
            expected = models.VIEW_OF_TYPE.get(view.type, VTObject)
            assert type(view) is expected
            seen.add(view.type)
    assert {"file", "url", "domain", "ip_address", "analysis", "comment", "vote", "resolution", "whois"} <= seen


# --- Known values ----------------------------------------------------------------------


def test_themains_file() -> None:
    body = load("files__99017f6eebbac24f351415dd410d522d")
    f = parse_reply(body)
    assert isinstance(f, File)
    assert f.id == f.sha256 == "52d3df0ed60c46f336c131bf2ca454f73bafdc4b04dfa2aea80746f5ba9e6d1c"
    assert f.md5 == "99017f6eebbac24f351415dd410d522d"
    assert f.ref == ObjectRef("file", f.sha256)
    assert f.stats == AnalysisStats(malicious=59, undetected=13, type_unsupported=4, failure=1)
    assert f.stats.total == 72 and f.stats.engines == 77
    assert f.stats.ratio_text == "59/72"
    assert f.severity == "malicious"
    assert f.meaningful_name == f.title == "nuevo4.exe"
    assert f.size == 28672
    assert f.threat_label == "trojan.hosts2/qhost"
    assert f.threat_categories == [("trojan", 24), ("banker", 3), ("hacktool", 2)]
    assert f.threat_families[0] == ("hosts2", 6)
    assert f.votes == (10, 54)
    assert f.packers == {"PEiD": "Microsoft Visual Basic v5.0/v6.0"}
    assert f.imphash == "66c305d6ea9a3d978b9cf0354edb398e"
    assert f.pe_timestamp == datetime.fromtimestamp(1270596357, UTC)
    assert f.pe_entry_point == 4252
    assert [s["name"] for s in f.pe_sections] == [".text", ".data", ".rsrc"]
    assert f.pe_sections[1]["chi2"] == -1.0 and f.pe_sections[0]["entropy"] == 3.94
    [(library, functions)] = f.pe_imports
    assert library == "MSVBVM60.DLL" and len(functions) == 15 and "ProcCallEngine" in functions
    assert f.trid[0] == ("Win32 Executable Microsoft Visual Basic 6", 86.6)
    assert f.signature["original_name"] == "nuevo4.exe" and f.signature["product"] == "Sin AV"
    assert f.first_submission_date == datetime.fromtimestamp(1270892099, UTC)
    assert f.times_submitted == 65
    assert f.sandbox_verdicts[0].sandbox == "SecneurX" and f.sandbox_verdicts[0].category == "harmless"
    assert f.detect_it_easy == ["Compiler: Microsoft Visual Basic (6.0)", "Linker: Microsoft Linker (6.0)"]
    assert f.exiftool == {}  # exiftool is null in this reply


def test_themains_file_engine_results_are_sorted_and_complete() -> None:
    body = load("files__99017f6eebbac24f351415dd410d522d")
    f = parse_reply(body)
    raw = body["data"]["attributes"]["last_analysis_results"]
    results = f.engine_results
    assert len(results) == len(raw)
    assert {r.engine for r in results} == set(raw)
    assert sum(r.detected for r in results) == 59 == len(f.detections)
    # 18 engines say nothing (result null), as the samples' notes state.
    assert sum(r.result is None for r in results) == 18
    ranks = [r.severity_rank for r in results]
    assert ranks == sorted(ranks) and ranks[0] == 0
    malicious = [r.engine for r in results if r.category == "malicious"]
    assert malicious == sorted(malicious, key=str.casefold)
    bkav = next(r for r in results if r.engine == "Bkav")
    assert bkav.result == "W32.AIDetectMalware" and bkav.engine_version == "2.0.0.1"
    assert bkav.update_date == datetime(2025, 3, 16, tzinfo=UTC)


def test_google_domain() -> None:
    d = parse_reply(load("domains__google.com.json"))
    assert isinstance(d, Domain)
    assert d.id == d.title == "google.com"
    assert len(d.dns_records) == 32
    assert d.dns_records[0] == ("A", "142.251.183.139", 132)
    assert {t for t, _, _ in d.dns_records} == {"A", "AAAA", "NS", "MX", "TXT", "SOA", "CAA"}
    assert d.registrar == "MarkMonitor Inc."
    assert d.creation_date == datetime(1997, 9, 15, 7, 0, tzinfo=UTC)
    assert d.reputation == 718
    assert d.stats.malicious == 1 and d.stats.total == 91
    assert len(d.engine_results) == 91
    [hit] = d.detections
    assert hit.engine == "Fortra" and hit.result == "phishing"
    assert d.engine_results[0] is hit  # the one detection sorts first
    assert d.categories["alphaMountain.ai"] == "Search Engines/Portals (alphaMountain.ai)"
    assert d.popularity_ranks[-1] == ("Cloudflare Radar", 200)
    assert ("Majestic", 1) in d.popularity_ranks
    cert = d.ssl_cert
    assert cert.subject_cn == "*.google.com"
    assert cert.issuer["CN"] == "WR2"
    assert cert.issuer_text == "CN=WR2, O=Google Trust Services, C=US"
    assert cert.not_after == datetime(2026, 10, 28, 20, 42, 13, tzinfo=UTC)
    assert cert.not_before == datetime(2026, 8, 5, 20, 42, 14, tzinfo=UTC)
    assert cert.thumbprint_sha256 == "04a2fd09af5fa48731acc8122a13f3c5ad278f5b968f501cba4510a39dc82042"
    assert "*.google.com" in cert.sans
    assert d.ssl_cert.is_expired(datetime(2027, 1, 1, tzinfo=UTC)) is True
    assert d.ssl_cert.is_expired(datetime(2026, 9, 1, tzinfo=UTC)) is False
    assert d.whois.startswith("Creation Date: 1997-09-15")
    assert d.jarm == "27d40d40d29d40d1dc42d43d00041ded961c16c68658e95145597cf992c36c"


def test_eight_eight_eight_eight() -> None:
    ip = parse_reply(load("ip_addresses__8.8.8.8.json"))
    assert isinstance(ip, IPAddress)
    assert ip.asn == 15169
    assert ip.as_owner == "Google LLC"
    assert (ip.country, ip.continent, ip.network) == ("US", "NA", "8.8.8.0/24")
    assert ip.regional_internet_registry == "ARIN"
    assert ip.tags == ["suspicious-udp"]
    assert ip.reputation == 557
    assert ip.votes == (290, 59)
    assert ip.ssl_cert.subject_cn == "dns.google"
    assert "8.8.4.4" in ip.ssl_cert.sans
    assert ip.crowdsourced_context[0]["source"] == "ArcSight Threat Intelligence"
    assert ip.severity == "clean"


def test_google_url() -> None:
    u = parse_reply(load("urls__aHR0cDovL3d3dy5nb29nbGUuY29t"))
    assert isinstance(u, URL)
    assert u.id == "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf"
    assert u.url == u.title == "http://www.google.com/"
    assert u.final_url == "https://www.google.com/"
    assert u.page_title == "Google"
    assert u.status == 200
    assert u.content_length == 227150
    assert u.content_type == "text/html; charset=UTF-8"
    assert u.redirection_chain == ["http://www.google.com/", "https://www.google.com/"]
    assert u.html_meta == {"referrer": ["origin"]}
    assert u.reputation == 5912
    assert len(u.engine_results) == 92
    # URL engines carry no version fields at all.
    assert all(r.engine_version is None and r.engine_update is None for r in u.engine_results)


def test_example_com_url_has_negative_reputation() -> None:
    u = parse_reply(load("VirusTotal_Client_URL___get__1_1_1"))
    assert u.url == "http://example.com/"
    assert u.reputation == -58
    assert u.categories == {} and u.trackers == []


def test_old_objects_without_last_analysis() -> None:
    d = parse_reply(load("VirusTotal_Client_Domain___get__1_1_1"))
    assert d.id == "github.com"
    assert d.stats == AnalysisStats() and d.stats.severity == "unknown"
    assert d.engine_results == [] and d.last_analysis_date is None
    assert d.popularity_ranks[0] == ("Majestic", 29)
    ip = parse_reply(load("VirusTotal_Client_IPAddress___get__1_1_1"))
    assert (ip.id, ip.asn, ip.as_owner) == ("1.1.1.1", 13335, "Cloudflare, Inc.")
    assert ip.stats.is_empty


def test_trimmed_ip_keeps_its_stats() -> None:
    ip = parse_reply(load("VirusTotalV3__TestData__ip.json"))
    assert ip.id == "23.129.64.215" and ip.asn == 396507
    assert ip.stats.engines == 87 and len(ip.engine_results) == 3
    assert ip.severity == "malicious"


def test_analysis_reply_keeps_meta() -> None:
    body = load("VirusTotal_Client_Analysis___get__1_1_1")
    a = parse_reply(body)
    assert isinstance(a, Analysis)
    assert a.status == "completed" and a.completed
    assert a.stats.harmless == 64 and a.stats.undetected == 7
    assert len(a.engine_results) == 71
    url_id = "2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067"
    assert a.item_ref == ObjectRef("url", url_id)
    assert Analysis.from_reply(body).item_ref == ObjectRef("url", url_id)
    assert a.date == datetime.fromtimestamp(1569484202, UTC)


def test_upload_and_analyse_replies() -> None:
    upload = parse_reply(load("VirusTotal_Client_File___upload__1_2_1"))
    assert isinstance(upload, Analysis) and not upload.completed and upload.status == ""
    # The upload's analysis id is base64("<md5>:<timestamp>"): it names the file.
    assert upload.item_ref == ObjectRef("file", "ba4e34dd4bde67b221362d54c4baf070")
    numeric = parse_reply(load("VirusTotal_Client_File___analyse__1_3_1"))
    assert numeric.id == "1571524923" and numeric.item_ref is None
    url = parse_reply(load("VirusTotal_Client_URL___analyse__1_5_1"))
    assert url.item_ref == ObjectRef("url", "2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067")


def test_lists_of_comments_votes_resolutions_whois() -> None:
    comments = parse_reply(load("google.com__comments"))
    assert len(comments) == 10 and all(isinstance(c, Comment) for c in comments)
    assert comments[0].text == "HELLO WORLD" and comments[0].votes == (0, 0, 0)
    votes = parse_reply(load("VirusTotal_Client_File___votes__1_1_1"))
    assert [v.value for v in votes] == [-1, 1, 1, 7, 1, 1, 1, -7, 1, 1]
    assert all(isinstance(v, Vote) for v in votes) and votes[0].verdict == "malicious"
    vote = parse_reply(load("VirusTotal_Client_File___add_vote__1_6_1"))
    assert vote.verdict == "harmless"
    resolutions = parse_reply(load("with_relationships__resolutions__1_3_7_1"))
    assert len(resolutions) == 10 and all(isinstance(r, Resolution) for r in resolutions)
    first = resolutions[0]
    assert (first.ip_address, first.host_name) == ("140.82.114.3", "github.com")
    assert first.other_side(ObjectRef("domain", "github.com")) == ObjectRef("ip_address", "140.82.114.3")
    whois = parse_reply(load("historical_whois"))
    assert len(whois) == 3 and isinstance(whois[0], Whois)
    assert whois[0].registrar_name == "MarkMonitor Inc."
    assert whois[0].title == "MarkMonitor Inc. 2019-05-13"


def test_passive_dns_of_an_ip() -> None:
    resolutions = parse_reply(load("passive_dns_ip"))
    r = resolutions[0]
    assert r.other_side(ObjectRef("ip_address", "8.8.8.8")) == ObjectRef("domain", "franttini.com.ua")
    assert r.ip_stats.malicious == 1 and r.host_stats.harmless == 64


def test_empty_null_and_string_data() -> None:
    assert parse_reply(load("Domain__with_relationships__siblings")) == []
    assert parse_reply(load("IPAddress___comments__1_2_1")) == []
    assert parse_reply(load("File___download_url")) is None
    assert parse_reply(load("Graph__with_relationships__group")) is None
    assert parse_reply(load("notfound")) is None


def test_bare_objects_without_the_envelope() -> None:
    f = parse_reply(load("msticpy/tests__testdata__vt3_file_1.json"))
    assert isinstance(f, File) and f.title == "itami.exe" and f.stats.malicious == 40
    u = parse_reply(load("vt3_url_0"))
    assert isinstance(u, URL) and u.url == "http://218.54.47.77/"  # from context_attributes
    b = parse_reply(load("vt3_behavior_ms_sysinternals"))
    assert isinstance(b, FileBehaviour) and b.title == "Microsoft Sysinternals"
    assert parse_reply(load("vt3_behavior_summary")) is None  # attributes only: not an object


def test_embedded_relationship_descriptors() -> None:
    feed = parse_reply(load("v3_feed_example"))
    assert len(feed.relationship_descriptors("contacted_ips")) == 13
    assert feed.relationship_descriptors("contacted_urls") == []
    assert feed.relationship_descriptors("embedded_domains") == [ObjectRef("domain", "purl.org")]
    assert feed.relationship_cursor("contacted_ips") is None
    # The demisto sample is the relationships object alone.
    ip = IPAddress({"type": "ip_address", "id": "1.1.1.1", "relationships": load("TestData__relationships.json")})
    refs = ip.relationship_descriptors("communicating_files")
    assert refs[0] == ObjectRef("file", "1471f53e5391f8a06171ffe21dec0d6d27b0201e28e66455030609b7a7ba955e")
    assert len(refs) == 2
    assert ip.relationship_cursor("communicating_files") == "STIwCi4="
    assert "cursor=STIwCi4%3D" in ip.relationship_next_link("referrer_files")


def test_quirky_files() -> None:
    sig = parse_reply(load("signature_info_complex"))
    assert sig.signature["verified"] == "A certificate was explicitly revoked by its issuer."
    assert sig.signature["signers"] == "CyberLink Corp.; DigiCert SHA2 Assured ID Code Signing CA; DigiCert"
    assert sig.signature["signing_date"] == "06:48 AM 08/24/2022"
    assert models.as_datetime(sig.signature["signing_date"]) == datetime(2022, 8, 24, 6, 48, tzinfo=UTC)
    iso = parse_reply(load("iso_file"))
    assert iso.stats.confirmed_timeout == 15
    assert sum(r.category == "confirmed-timeout" for r in iso.engine_results) == 15
    apk = parse_reply(load("android_apk"))
    assert apk.names == [] and apk.meaningful_name == "" and apk.title == apk.sha256 == apk.id
    word = parse_reply(load("worddoc"))
    assert "\ufffd" in word.title and "\ufffd" in word.magic
    bomb = parse_reply(load("zip_bomb"))
    assert bomb.attr("bundle_info.uncompressed_size") == 3.3356434083164046e21
    assert models.as_int(bomb.attr("bundle_info.uncompressed_size")) is None
    big = parse_reply(load("too_many_feature_values"))
    assert len(big.pe_exports) == 14035
    crowd = parse_reply(load("handlersV3__crowdsourced"))
    assert crowd.stats.malicious == 54
    assert [v.sandbox for v in crowd.sandbox_verdicts] == ["CAPE Sandbox", "Zenbox"]
    assert crowd.sandbox_verdicts[1].confidence == 100
    assert len(crowd.sigma_rules) == 2 and len(crowd.crowdsourced_yara) == 6
    assert crowd.crowdsourced_yara[0]["rule_name"] == "Agenttesla_type2"
    assert len(crowd.crowdsourced_ids) == 4
    assert crowd.crowdsourced_ids[0]["rule_msg"] == "(http_inspect) invalid status line"
    assert crowd.threat_label == "trojan.orcusrat/msil"
    assert models.as_datetime(crowd.exiftool["TimeStamp"]) == datetime(2023, 7, 7, 14, 52, 2, tzinfo=UTC)
    benign = parse_reply(load("Win32DLL_multipurpose"))
    assert benign.severity == "clean" and all(r.result is None for r in benign.engine_results)


def test_sanitised_domain_keeps_invalid_values() -> None:
    d = parse_reply(load("vt_test_domain"))
    assert d.id == "tawuhoju.com"
    assert ("A", "66.0.543.66", 60) in d.dns_records
    assert d.last_analysis_date is None and d.stats.engines == 93 and len(d.engine_results) == 92

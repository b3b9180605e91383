"""Coercion helpers and the views under hostile, quirky and wrong-typed input."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_samples import load, touch_all
from vttui.vt.models import (
    URL,
    VIEW_OF_TYPE,
    Analysis,
    AnalysisStats,
    Comment,
    Domain,
    EngineResult,
    File,
    IPAddress,
    Resolution,
    SSLCert,
    Vote,
    VTObject,
    Whois,
    as_datetime,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    get_path,
    parse_reply,
    wrap,
)
from vttui.vt.models.fields import Date, FirstDate, Int, Str, StrDict, StrList
from vttui.vt.refs import ObjectRef

BAD_VALUES: list[Any] = [None, "x", -1, 1e308, [], {}]

# --- Coercion helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        ("12", 12),
        (" 12 ", 12),
        ("-3", -3),
        ("+4", 4),
        (12.0, 12),
        (12.9, 12),
        ("12.0", 12),
        ("1e3", 1000),
        (-1, -1),
        (0, 0),
        (True, None),
        (False, None),
        (None, None),
        ("", None),
        ("x", None),
        ("12abc", None),
        ("0x10", None),
        ("1_000", None),  # int() would accept it; VirusTotal never means it
        ("١٢", None),  # Arabic-Indic digits: int() accepts them, we do not
        (1e308, None),
        (3.3356434083164046e21, None),
        (float("nan"), None),
        (float("inf"), None),
        ("nan", None),
        ("inf", None),
        (2**63 - 1, 2**63 - 1),
        (2**63, None),
        (-(2**63), -(2**63)),
        (10**30, None),
        ("9" * 30, None),
        ("9" * 5000, None),
        ([], None),
        ({}, None),
        ([1], None),
        (b"12", None),
    ],
)
def test_as_int(value: Any, expected: int | None) -> None:
    assert as_int(value) == expected
    result = as_int(value)
    assert result is None or (type(result) is int)


def test_as_int_default() -> None:
    assert as_int("x", 0) == 0
    assert as_int(None, 5) == 5
    assert as_int("7", 5) == 7


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1.0),
        (1.5, 1.5),
        ("86.6", 86.6),
        (" .5 ", 0.5),
        ("-1.0", -1.0),
        ("1e3", 1000.0),
        (1e308, 1e308),
        (10**400, None),  # float() overflows
        ("1e999", None),
        (float("nan"), None),
        (float("-inf"), None),
        ("NaN", None),
        (True, None),
        (None, None),
        ("", None),
        ("1.2.3", None),
        ({}, None),
        ([1.0], None),
    ],
)
def test_as_float(value: Any, expected: float | None) -> None:
    assert as_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", "abc"),
        ("", ""),
        (None, ""),
        (12, "12"),
        (-1, "-1"),
        (12.0, "12"),
        (12.5, "12.5"),
        (1e308, "1e+308"),
        (float("nan"), ""),
        (True, "true"),
        (False, "false"),
        (b"caf\xc3\xa9", "café"),
        (b"\xff", "\ufffd"),
        ([], ""),
        (["a"], ""),  # containers never become their repr
        ({"a": 1}, ""),
        (object(), ""),
    ],
)
def test_as_str(value: Any, expected: str) -> None:
    assert as_str(value) == expected


def test_as_str_default() -> None:
    assert as_str(None, "n/a") == "n/a"
    assert as_str([], "n/a") == "n/a"
    assert as_str("", "n/a") == ""  # an empty string is a string


def test_as_list_and_as_dict_do_not_copy() -> None:
    items = [1, 2]
    mapping = {"a": 1}
    assert as_list(items) is items
    assert as_dict(mapping) is mapping
    assert as_list((1, 2)) == [1, 2]
    for junk in (None, "ab", 1, {"a": 1}, 1.5):
        assert as_list(junk) == []
    for junk in (None, "ab", 1, [("a", 1)], 1.5):
        assert as_dict(junk) == {}
    # Fresh empties: mutating one must not leak into the next call.
    as_dict(None)["x"] = 1
    assert as_dict(None) == {}


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, _utc(1970, 1, 1)),
        (1270596357, _utc(2010, 4, 6, 23, 25, 57)),
        (1270596357.0, _utc(2010, 4, 6, 23, 25, 57)),
        ("1270596357", _utc(2010, 4, 6, 23, 25, 57)),
        (" 1719540280 ", _utc(2024, 6, 28, 2, 4, 40)),
        (1270596357000, _utc(2010, 4, 6, 23, 25, 57)),  # milliseconds
        ("1270596357000", _utc(2010, 4, 6, 23, 25, 57)),
        (-86400, _utc(1969, 12, 31)),
        ("2021-01-01 00:00:00", _utc(2021, 1, 1)),
        ("2021-01-01T00:00:00Z", _utc(2021, 1, 1)),
        ("2021-01-01T02:00:00+02:00", _utc(2021, 1, 1)),
        ("1997-09-15T07:00:00+0000", _utc(1997, 9, 15, 7)),
        ("2021-01-01", _utc(2021, 1, 1)),
        ("2026-10-28 20:42:13", _utc(2026, 10, 28, 20, 42, 13)),
        ("06:48 AM 08/24/2022", _utc(2022, 8, 24, 6, 48)),
        ("11:59 PM 03/14/2033", _utc(2033, 3, 14, 23, 59)),
        ("2018:08:06 08:56:17+00:00", _utc(2018, 8, 6, 8, 56, 17)),
        ("Wed, 19 Aug 2026 15:33:50 GMT", _utc(2026, 8, 19, 15, 33, 50)),
        (datetime(2021, 1, 1), _utc(2021, 1, 1)),
        (datetime(2021, 1, 1, 1, tzinfo=UTC) + timedelta(), _utc(2021, 1, 1, 1)),
        (None, None),
        (True, None),
        ("", None),
        ("x", None),
        ("yesterday", None),
        ("2021-13-45", None),
        ("0001-01-01T00:00:00+01:00", None),  # would overflow when moved to UTC
        ("0001-01-01", None),
        (1e308, None),
        (-1e308, None),
        (10**30, None),
        (float("nan"), None),
        (float("inf"), None),
        ("9" * 500, None),
        ([], None),
        ({}, None),
        ([1270596357], None),
    ],
)
def test_as_datetime(value: Any, expected: datetime | None) -> None:
    result = as_datetime(value)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


def test_as_datetime_converts_other_zones_to_utc() -> None:
    result = as_datetime("2021-06-01T12:00:00-05:00")
    assert result == _utc(2021, 6, 1, 17) and result.tzinfo is UTC and result.hour == 17


def test_get_path() -> None:
    d = {"a": {"b": {"c": 3}}, "l": [{"x": 1}, "y"], "n": None, "Dr.Web": {"v": 1}, "z": 0}
    assert get_path(d, "a.b.c") == 3
    assert get_path(d, "a.b") == {"c": 3}
    assert get_path(d, "a.x.c", "dflt") == "dflt"
    assert get_path(d, "a.b.c.d") is None  # walking into an int
    assert get_path(d, "l.0.x") == 1
    assert get_path(d, "l.1") == "y"
    assert get_path(d, "l.5") is None
    assert get_path(d, "l.-1") is None  # text segments are never negative indexes
    assert get_path(d, ("l", -1)) == "y"
    assert get_path(d, "l.x") is None
    assert get_path(d, "n", "dflt") == "dflt"  # null counts as absent
    assert get_path(d, "z", "dflt") == 0  # falsy values are values
    assert get_path(d, ("Dr.Web", "v")) == 1
    assert get_path(d, "Dr.Web.v") is None
    assert get_path(d, ("a", ["unhashable"])) is None
    for junk in (None, "abc", 5, [], 1.5):
        assert get_path(junk, "a.b", "dflt") == "dflt"


# --- Stats and engine results ----------------------------------------------------------


def test_stats_map_hyphenated_and_ignore_unknown_keys() -> None:
    stats = AnalysisStats.from_dict(
        {
            "malicious": 3,
            "suspicious": "2",
            "undetected": 10.0,
            "harmless": 5,
            "timeout": 1,
            "confirmed-timeout": 4,
            "type-unsupported": 6,
            "failure": 7,
            "new-category": 99,
            5: 5,
            "Malicious ": 0,
        }
    )
    assert stats == AnalysisStats(3, 2, 10, 5, 1, 4, 6, 7)
    assert stats.total == 20 and stats.flagged == 5 and stats.engines == 38
    assert stats.ratio_text == "3/20"
    assert stats.to_dict()["confirmed-timeout"] == 4 and stats.to_dict()["type-unsupported"] == 6
    assert AnalysisStats.from_dict(stats.to_dict()) == stats


@pytest.mark.parametrize(
    "junk",
    [None, "x", [], -1, 1e308]
    + [{"malicious": v} for v in (None, "x", -5, 1e308, True)],
)
def test_stats_of_junk_are_zero(junk: Any) -> None:
    stats = AnalysisStats.from_dict(junk)
    assert stats == AnalysisStats()
    assert stats.severity == "unknown" and stats.ratio_text == "0/0" and stats.is_empty


@pytest.mark.parametrize(
    ("counts", "severity"),
    [
        ({"malicious": 1, "harmless": 70}, "malicious"),
        ({"malicious": 1, "suspicious": 5}, "malicious"),
        ({"suspicious": 1, "undetected": 70}, "suspicious"),
        ({"undetected": 70}, "clean"),
        ({"harmless": 1}, "clean"),
        ({"type-unsupported": 10, "timeout": 3}, "unknown"),  # nobody gave a verdict
        ({}, "unknown"),
    ],
)
def test_stats_severity(counts: dict, severity: str) -> None:
    assert AnalysisStats.from_dict(counts).severity == severity


def test_engine_results_sorted_and_tolerant() -> None:
    obj = File(
        {
            "type": "file",
            "id": "abc",
            "attributes": {
                "last_analysis_results": {
                    "zeta": {"category": "undetected", "result": None},
                    "Dr.Web": {"category": "malicious", "result": "Trojan.X", "engine_version": 7},
                    "AICC (MONITORAPP)": {"category": "suspicious", "result": 5},
                    "alpha Mountain.ai": {"category": "MALICIOUS", "result": ""},
                    "Beta": {"category": "type-unsupported"},
                    "junk-string": "malicious",
                    "junk-list": ["malicious"],
                    "empty": {},
                    "": {"category": "malicious", "engine_name": "NamedInside"},
                }
            },
        }
    )
    got = [(r.engine, r.category) for r in obj.engine_results]
    assert got == [
        ("alpha Mountain.ai", "malicious"),
        ("Dr.Web", "malicious"),
        ("NamedInside", "malicious"),
        ("AICC (MONITORAPP)", "suspicious"),
        ("Beta", "type-unsupported"),
        ("zeta", "undetected"),
    ]
    by_name = {r.engine: r for r in obj.engine_results}
    assert by_name["Dr.Web"].engine_version == "7"
    assert by_name["AICC (MONITORAPP)"].result == "5" and by_name["AICC (MONITORAPP)"].detected
    assert by_name["alpha Mountain.ai"].result is None and by_name["alpha Mountain.ai"].verdict == "malicious"
    assert not by_name["Beta"].detected
    assert [r.engine for r in obj.detections] == ["alpha Mountain.ai", "Dr.Web", "NamedInside", "AICC (MONITORAPP)"]
    # A dotted engine name is reachable through a tuple path.
    assert obj.attr(("last_analysis_results", "Dr.Web", "result")) == "Trojan.X"


def test_engine_results_given_as_a_list() -> None:
    results = [{"engine_name": "B", "category": "harmless"}, {"engine_name": "A", "category": "harmless"}, "junk", None]
    obj = VTObject({"attributes": {"last_analysis_results": results}})
    assert [r.engine for r in obj.engine_results] == ["A", "B"]


@pytest.mark.parametrize(
    ("update", "expected"),
    [("20250316", _utc(2025, 3, 16)), ("20251399", None), ("1719797435", None), (None, None), ("", None)],
)
def test_engine_update_date(update: str | None, expected: datetime | None) -> None:
    assert EngineResult("e", "undetected", engine_update=update).update_date == expected


# --- The base view ---------------------------------------------------------------------


@pytest.mark.parametrize("junk", [None, "x", 5, [], [{"type": "file"}], 1.5, b"x"])
def test_non_dict_data_is_an_empty_object(junk: Any) -> None:
    view = wrap(junk)
    assert type(view) is VTObject
    assert view.raw == {} and view.id == "" and view.type == "" and view.is_empty
    assert view.stats == AnalysisStats() and view.engine_results == [] and view.title == ""
    touch_all(view)


@pytest.mark.parametrize(
    ("raw_id", "expected"),
    [(1571524923, "1571524923"), ("abc", "abc"), (None, ""), ({"x": 1}, ""), ([1], ""), (1.0, "1"), (True, "true")],
)
def test_ids_are_always_strings(raw_id: Any, expected: str) -> None:
    assert wrap({"type": "analysis", "id": raw_id}).id == expected


def test_construction_is_lazy() -> None:
    """Wrapping must not read the dict: views are made by the thousand for big lists."""

    class Spy(dict):
        reads = 0

        def get(self, *a: Any) -> Any:
            Spy.reads += 1
            return super().get(*a)

        def __getitem__(self, k: Any) -> Any:
            Spy.reads += 1
            return super().__getitem__(k)

    data = Spy(type="file", id="x", attributes={"names": ["a"]})
    view = File(data)
    assert Spy.reads == 0
    assert view.title == "a" and Spy.reads > 0


def test_titles_are_one_line() -> None:
    f = File({"type": "file", "id": "h", "attributes": {"meaningful_name": "evil\nname\r\n\twith  lines"}})
    assert f.title == "evil name with lines"
    c = Comment({"type": "comment", "id": "c", "attributes": {"text": "line one\nline two " + "x" * 500}})
    assert "\n" not in c.title and len(c.title) <= 120
    assert File({"type": "file", "id": "h", "attributes": {"names": [None, 5, "second"]}}).title == "5"
    assert File({"type": "file", "id": "h", "attributes": {"names": "solo.exe"}}).names == ["solo.exe"]


def test_tags_votes_reputation_tolerate_junk() -> None:
    v = VTObject({"attributes": {
        "tags": ["a", None, 3, ["x"], {"y": 1}, ""],
        "total_votes": {"harmless": "4", "malicious": -2},
        "reputation": "-58",
    }})  # fmt: skip
    assert v.tags == ["a", "3"]
    assert v.votes == (4, 0)
    assert v.reputation == -58
    assert VTObject({"attributes": {"reputation": -1}}).reputation == -1
    assert VTObject({"attributes": {"reputation": 1e308}}).reputation is None


def test_dates_given_as_strings() -> None:
    f = File({"type": "file", "id": "h", "attributes": {
        "last_analysis_date": "1719540280",
        "first_submission_date": "2021-01-01 00:00:00",
        "last_submission_date": "garbage",
        "pe_info": {"timestamp": "1270596357000"},
    }})  # fmt: skip
    assert f.last_analysis_date == _utc(2024, 6, 28, 2, 4, 40)
    assert f.first_submission_date == f.first_seen == _utc(2021, 1, 1)
    assert f.last_submission_date is None
    assert f.pe_timestamp == _utc(2010, 4, 6, 23, 25, 57)


def test_relationship_shapes() -> None:
    obj = VTObject({
        "type": "file",
        "id": "x",
        "relationships": {
            "list": {
                "data": [
                    {"type": "domain", "id": "a.com"}, {"type": "ip_address", "id": 1}, None, "junk",
                    {"type": "domain"}, {"id": "x"}, {"type": 5, "id": "y"},
                ],
                "meta": {"cursor": "C1"},
            },
            "single": {"data": {"type": "ip_address", "id": "1.2.3.4"}, "meta": {"cursor": 42}},
            "null": {"data": None, "meta": None},
            "text": {"data": "oops", "meta": "oops"},
            "junk": "oops",
            "links": {"data": [], "links": {"next": "https://next", "self": None}},
        },
    })  # fmt: skip
    assert obj.relationship_descriptors("list") == [ObjectRef("domain", "a.com"), ObjectRef("ip_address", "1")]
    assert obj.relationship_cursor("list") == "C1"
    assert obj.relationship_descriptors("single") == [ObjectRef("ip_address", "1.2.3.4")]
    assert obj.relationship_cursor("single") == "42"
    for name in ("null", "text", "junk", "missing"):
        assert obj.relationship_descriptors(name) == []
        assert obj.relationship_cursor(name) is None
    assert obj.relationship_next_link("links") == "https://next"
    assert obj.relationship_descriptors(None) == []  # type: ignore[arg-type]
    assert set(obj.relationship_names) == {"list", "single", "null", "text", "junk", "links"}
    for junk in (None, [], "x", 5):
        bad = VTObject({"relationships": junk})
        assert bad.relationship_names == [] and bad.relationship_descriptors("list") == []


# --- Subclasses ------------------------------------------------------------------------


def test_resolution_other_side() -> None:
    attrs = {"ip_address": "1.2.3.4", "host_name": "Example.com"}
    r = Resolution({"type": "resolution", "id": "1.2.3.4example.com", "attributes": attrs})
    ip, domain = ObjectRef("ip_address", "1.2.3.4"), ObjectRef("domain", "Example.com")
    assert r.other_side(ObjectRef("domain", "example.com")) == ip
    assert r.other_side(ObjectRef("ip_address", "1.2.3.4")) == domain
    assert r.other_side(Domain({"type": "domain", "id": "example.com"})) == ip
    assert r.other_side(IPAddress({"type": "ip_address", "id": "1.2.3.4"})) == domain
    # Without a usable type, the id decides.
    assert r.other_side("1.2.3.4") == domain
    assert r.other_side("example.com.") == ip
    assert r.other_side("elsewhere.org") is None
    assert r.other_side(None) is None
    assert r.other_side(ObjectRef("file", "abc")) is None
    assert r.ip_ref == ip and r.domain_ref == domain
    one_sided = Resolution({"type": "resolution", "attributes": {"ip_address": "1.2.3.4", "host_name": None}})
    assert one_sided.other_side(ObjectRef("ip_address", "1.2.3.4")) is None
    assert one_sided.other_side(ObjectRef("domain", "x.com")) == ip
    stats = Resolution(
        {"attributes": {"ip_address_last_analysis_stats": {"malicious": "3"}, "host_name_last_analysis_stats": "x"}}
    )
    assert stats.ip_stats.malicious == 3 and stats.host_stats == AnalysisStats()


@pytest.mark.parametrize(
    ("status", "completed"),
    [
        ("queued", False), ("in-progress", False), ("completed", True), ("COMPLETED", True),
        (None, False), (5, False), ("", False), (["completed"], False),
    ],  # fmt: skip
)
def test_analysis_status(status: Any, completed: bool) -> None:
    a = Analysis({"type": "analysis", "id": "x", "attributes": {"status": status}})
    assert a.completed is completed
    assert isinstance(a.status, str)


def test_analysis_status_of_upload_and_analyse_samples() -> None:
    for fragment in ("File___upload__1_2_1", "File___analyse__1_3_1", "URL___analyse__1_5_1"):
        a = parse_reply(load(fragment))
        assert isinstance(a, Analysis)
        assert a.status == "" and not a.completed
        assert a.stats.is_empty and a.engine_results == []
    done = Analysis.from_reply(load("VirusTotal_Client_Analysis___get__1_1_1"))
    assert done.status == "completed" and done.completed and done.meta["url_info"]["url"] == "http://example.com/"


def test_analysis_item_ref_sources() -> None:
    via_relationship = Analysis(
        {"type": "analysis", "id": "x", "relationships": {"item": {"data": {"type": "file", "id": "abc"}}}}
    )
    assert via_relationship.item_ref == ObjectRef("file", "abc")
    file_meta = Analysis.from_reply(
        {"data": {"type": "analysis", "id": "NjU="}, "meta": {"file_info": {"sha256": "f" * 64}}}
    )
    assert file_meta.item_ref == ObjectRef("file", "f" * 64)
    url_meta = Analysis.from_reply({
        "data": {"type": "analysis", "id": "u-" + "a" * 64 + "-1"},
        "meta": {"file_info": {"sha256": "f" * 64}, "url_info": {"id": "b" * 64}},
    })  # fmt: skip
    assert url_meta.item_ref == ObjectRef("url", "b" * 64)  # the URL, not the page's content hash
    url_from_id = Analysis({"type": "analysis", "id": "u-" + "A" * 64 + "-1571525812"})
    assert url_from_id.item_ref == ObjectRef("url", "a" * 64)
    for junk_id in ("", "!!!", "bm90IGFuIG1kNQ==", "x" * 5000, 12):
        assert Analysis({"type": "analysis", "id": junk_id}).item_ref is None
    junk_meta = Analysis.from_reply(
        {"data": {"type": "analysis", "id": "z"}, "meta": {"file_info": "x", "url_info": {"id": {}}}}
    )
    assert junk_meta.item_ref is None
    assert Analysis.from_reply("junk").item_ref is None and Analysis.from_reply(None).id == ""


def test_comment_and_vote() -> None:
    c = Comment({"type": "comment", "id": "c", "attributes": {
        "text": "<b>hi</b>",
        "html": "<script>",
        "votes": {"positive": "2", "negative": None, "abuse": -1},
        "date": "1566728853",
    }})  # fmt: skip
    assert c.votes == (2, 0, 0)
    assert c.text == "<b>hi</b>" and c.title == "<b>hi</b>"
    assert c.date == datetime.fromtimestamp(1566728853, UTC)
    v = Vote({"type": "vote", "id": "v", "attributes": {"verdict": "Malicious", "value": "-7", "date": None}})
    assert (v.verdict, v.value, v.date) == ("malicious", -7, None)


def test_file_accessors_with_quirky_shapes() -> None:
    f = File({"type": "file", "id": "id256", "attributes": {
        "size": "-5",
        "trid": [{"file_type": "A", "probability": "12.5"}, {"file_type": "", "probability": 1}, "junk",
                 {"file_type": "B"}],
        "pe_info": {
            "sections": [{"name": ".text", "entropy": "7", "raw_size": 1e308}, None, "x"],
            "import_list": {"not": "a list"},
            "exports": ["a", None, 3],
        },
        "signature_info": {
            "signers": "A; ;B;", "verified": True, "signing date": "06:48 AM 08/24/2022",
            "x509": [{}], "file version": 1.0,
        },
        "popular_threat_classification": {"popular_threat_category": [
            {"value": "trojan", "count": "3"}, {"value": None, "count": 1}, {"value": "x", "count": "many"},
        ]},
        "sandbox_verdicts": {"S": {"category": "malicious", "malware_classification": "RAT", "confidence": "90"},
                             "T": "junk"},
        "exiftool": {"A": "1", "B": {"nested": 1}, "C": 2},
        "crowdsourced_yara_results": [{"rule_name": "R", "author": ["x"]}, {"rule_name": None}],
        "sigma_analysis_summary": {"src1": {"high": 1, "low": "2"}, "src2": {"high": 3}, "src3": "junk"},
    }})  # fmt: skip
    assert f.size is None
    assert f.sha256 == "id256"
    assert f.trid == [("A", 12.5), ("B", None)]
    assert f.pe_sections == [{
        "name": ".text", "virtual_address": None, "virtual_size": None, "raw_size": None,
        "entropy": 7.0, "md5": "", "chi2": None, "flags": "",
    }]  # fmt: skip
    assert f.pe_imports == [] and f.pe_exports == ["a", "3"]
    assert f.signature == {
        "signers": "A; ;B;",
        "verified": "true",
        "signing_date": "06:48 AM 08/24/2022",
        "file_version": "1",
    }
    assert f.threat_categories == [("trojan", 3), ("x", 0)]
    [verdict] = f.sandbox_verdicts
    assert verdict.sandbox == "S" and verdict.classifications == ("RAT",) and verdict.confidence == 90
    assert f.exiftool == {"A": "1", "C": "2"}
    assert f.crowdsourced_yara == [
        {"rule_name": "R", "ruleset_name": "", "ruleset_id": "", "author": "", "source": "", "description": ""}
    ]


def test_url_headers_and_trackers() -> None:
    u = URL({"type": "url", "id": "u", "attributes": {
        "last_http_response_headers": {"Content-Type": "text/html", "Set-Cookie": ["a=1", "b=2"], "X-Null": None},
        "trackers": {"Google Analytics": [{"id": "UA-1", "url": "https://t", "timestamp": 1}], "Bad": "junk"},
        "last_http_response_code": "404",
        "html_meta": {"description": "one", "keywords": ["a", "b"], "junk": {}},
        "title": "Page\ntitle",
    }})  # fmt: skip
    assert u.content_type == "text/html"
    assert u.response_headers["Set-Cookie"] == "a=1, b=2" and u.response_headers["X-Null"] == ""
    assert u.trackers == [("Google Analytics", "UA-1", "https://t")]
    assert u.status == 404
    assert u.html_meta == {"description": ["one"], "keywords": ["a", "b"], "junk": []}
    assert u.title == "u" and u.page_title == "Page\ntitle"


def test_domain_records_and_certificate_junk() -> None:
    d = Domain({"type": "domain", "id": "ex.com", "attributes": {
        "last_dns_records": [
            {"type": "A", "value": "1.2.3.4", "ttl": "60"}, {"type": "MX"}, {}, "junk",
            {"type": "TXT", "value": "v", "ttl": 1e308},
        ],
        "popularity_ranks": {"B": {"rank": "2"}, "A": {"rank": 2}, "C": {"rank": None}, "D": "junk"},
        "last_https_certificate": {
            "subject": {"CN": ["x"], "O": "Org"},
            "validity": {"not_after": "junk"},
            "extensions": {"subject_alternative_name": "only.one"},
        },
    }})  # fmt: skip
    assert d.dns_records == [("A", "1.2.3.4", 60), ("MX", "", None), ("TXT", "v", None)]
    assert d.popularity_ranks == [("A", 2), ("B", 2)]
    assert d.ssl_cert.subject_cn == "" and d.ssl_cert.subject == {"O": "Org"}
    assert d.ssl_cert.not_after is None and d.ssl_cert.is_expired() is None
    assert d.ssl_cert.sans == ["only.one"]
    assert SSLCert.from_attributes("junk").subject == {}


def test_ip_asn_must_be_a_number() -> None:
    assert IPAddress({"attributes": {"asn": "15169"}}).asn == 15169
    assert IPAddress({"attributes": {"asn": "AS15169"}}).asn is None
    assert IPAddress({"attributes": {"asn": -1}}).asn is None


def test_whois_view() -> None:
    attrs = {"whois_map": {"Registrar": "R", "Bad": ["x"], "Num": 3}, "last_updated": "1557755914"}
    w = Whois({"type": "whois", "id": "w", "attributes": attrs})
    assert w.title == "2019-05-13"
    named = Whois({"type": "whois", "id": "w", "attributes": {
        "registrar_name": "Reg\nistrar", "last_updated": "junk", "first_seen_date": 1570061726,
    }})  # fmt: skip
    assert named.title == "Reg istrar 2019-10-03"
    assert Whois({"type": "whois", "id": "w", "attributes": {"registrar_name": ["x"]}}).title == "w"


@pytest.mark.parametrize(
    "body",
    [
        None, "x", 5, [], {}, {"data": None}, {"data": "https://signed"}, {"data": 5},
        {"error": {"code": "NotFoundError"}}, {"type": 5, "id": "x"}, {"type": "", "id": "x"},
    ],  # fmt: skip
)
def test_parse_reply_of_non_objects_is_none(body: Any) -> None:
    assert parse_reply(body) is None


def test_parse_reply_shapes() -> None:
    items = [{"type": "file", "id": "a"}, None, "x", 5, {"type": "weird", "id": 7}]
    listed = parse_reply({"data": items, "meta": {"cursor": "c"}})
    assert [type(v) for v in listed] == [File, VTObject]
    assert listed[1].id == "7" and listed[1].meta == {}  # a list's meta is not any item's
    single = parse_reply({"data": {"type": "analysis", "id": 1}, "meta": {"x": 1}, "links": {"self": None}})
    assert isinstance(single, Analysis) and single.meta == {"x": 1} and single.id == "1"
    assert isinstance(parse_reply({"type": "url", "id": "u", "attributes": {}}), URL)
    assert parse_reply({"data": []}) == []
    assert type(wrap({"type": "resolution"})) is Resolution
    assert type(wrap({"type": ["file"]})) is VTObject


# --- Hostile attributes ----------------------------------------------------------------

#: Samples whose views get every attribute replaced by junk, one at a time.
HOSTILE_SAMPLES = [
    "files__99017f6eebbac24f351415dd410d522d",
    "handlersV3__crowdsourced",
    "signature_info_complex",
    "domains__google.com.json",
    "ip_addresses__8.8.8.8.json",
    "urls__aHR0cDovL3d3dy5nb29nbGUuY29t",
    "VirusTotal_Client_Analysis___get__1_1_1",
    "google.com__comments",
    "File___votes__1_1_1",
    "passive_dns_ip",
    "historical_whois",
    "v3_feed_example",
]


def _first_object(fragment: str, *, trim: bool = False) -> tuple[dict, dict]:
    """(object dict, reply meta) of the first object in a sample.

    ``trim`` keeps 5 engine results: each corrupted copy re-parses them all, and the
    full lists are covered by test_samples.py already.
    """
    body = load(fragment)
    data = body.get("data", body) if isinstance(body, dict) else body
    obj = data[0] if isinstance(data, list) else data
    if trim and isinstance(obj.get("attributes"), dict):
        attrs = dict(obj["attributes"])
        for key in ("last_analysis_results", "results"):
            if isinstance(attrs.get(key), dict):
                attrs[key] = dict(list(attrs[key].items())[:5])
        obj = {**obj, "attributes": attrs}
    return obj, (body.get("meta") if isinstance(body, dict) and isinstance(data, dict) else None)


def _replaced(obj: Any, path: tuple, value: Any) -> Any:
    """A copy of ``obj`` with ``path`` set to ``value``: only the dicts/lists on the path are copied."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    new = dict(obj) if isinstance(obj, dict) else list(obj)
    new[head] = _replaced(obj.get(head) if isinstance(obj, dict) else obj[head], rest, value)
    return new


def _paths(obj: Any, depth: int, prefix: tuple = ()) -> Iterator[tuple]:
    """Paths into ``obj`` to corrupt: every key near the top, a few deeper down."""
    if depth == 0:
        return
    if isinstance(obj, dict):
        keys = list(obj)
        if len(prefix) >= 2:
            keys = keys[:3]  # deep levels: a sample of keys keeps this fast
        for k in keys:
            yield (*prefix, k)
            yield from _paths(obj[k], depth - 1, (*prefix, k))
    elif isinstance(obj, list) and obj:
        yield (*prefix, 0)
        yield from _paths(obj[0], depth - 1, (*prefix, 0))


def _hostile_variants(obj: dict) -> Iterator[tuple[tuple, Any, dict]]:
    """Copies of ``obj`` with one value corrupted.

    Each attribute (and each top-level key) gets every bad value; deeper values get
    one of them in rotation, which covers every kind across paths at a sixth the cost.
    """
    deep = 0
    for path in _paths(obj, 4):
        if path[0] not in ("attributes", "relationships", "context_attributes"):
            continue
        if len(path) <= 2:
            bads = BAD_VALUES
        else:
            bads = [BAD_VALUES[deep % len(BAD_VALUES)]]
            deep += 1
        for bad in bads:
            yield path, bad, _replaced(obj, path, bad)
    for key in ("type", "id", "attributes", "relationships", "links", "context_attributes"):
        for bad in BAD_VALUES:
            yield (key,), bad, _replaced(obj, (key,), bad)


@pytest.mark.parametrize("fragment", HOSTILE_SAMPLES)
def test_every_attribute_replaced_by_junk(fragment: str) -> None:
    obj, meta = _first_object(fragment, trim=True)
    before = json.dumps(obj, sort_keys=True)
    count = 0
    for path, bad, variant in _hostile_variants(obj):
        try:
            view = wrap(variant, meta=meta)
            touch_all(view, items=3)
        except AssertionError as e:
            raise AssertionError(f"{path} = {bad!r}: {e}") from None
        count += 1
    assert count >= len(BAD_VALUES) * (len(obj["attributes"]) + 6)
    assert json.dumps(obj, sort_keys=True) == before  # corrupting copies left the sample alone


@pytest.mark.parametrize("bad", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("fragment", HOSTILE_SAMPLES)
def test_all_attributes_wrong_at_once(fragment: str, bad: Any) -> None:
    obj, meta = _first_object(fragment, trim=True)
    attrs = {k: bad for k in obj.get("attributes", {})}
    view = wrap({**obj, "attributes": attrs}, meta=meta)
    values = touch_all(view)
    assert view.stats == AnalysisStats() and view.engine_results == []
    assert view.id == obj["id"]
    for name, value in values.items():
        if name in ("pe_sections", "pe_imports", "trid", "dns_records", "detections", "sandbox_verdicts"):
            assert value == [], name
        if name in ("tags", "names", "redirection_chain", "outgoing_links") and name in attrs:
            # A lone string where a list of strings belongs is read as a one-item list.
            assert value == (["x"] if bad == "x" else []), name
        numeric = ("size", "asn", "reputation", "times_submitted", "status", "content_length")
        if name in numeric and not isinstance(view, Analysis):
            # -1 is a legitimate reputation; size/asn reject negatives; 1e308 is out of range.
            assert value in (None, -1), (name, value)


def test_missing_last_analysis_fields() -> None:
    obj, _ = _first_object("files__99017f6eebbac24f351415dd410d522d")
    attrs = {k: v for k, v in obj["attributes"].items() if not k.startswith("last_analysis")}
    f = File({**obj, "attributes": attrs})
    assert f.stats.is_empty and f.engine_results == [] and f.last_analysis_date is None
    assert f.severity == "unknown" and f.detections == []
    assert f.title == "nuevo4.exe"


def test_introspection_sees_the_accessors() -> None:
    """Guard the guard: touch_all must really be calling the accessors."""
    obj, _ = _first_object("files__99017f6eebbac24f351415dd410d522d")
    values = touch_all(File(obj))
    for name in ("stats", "engine_results", "pe_sections", "signature", "title", "ref", "md5", "trid", "exiftool"):
        assert name in values
    assert values["md5"] == "99017f6eebbac24f351415dd410d522d"
    with pytest.raises(AssertionError):
        touch_all(_BrokenView({}))
    with pytest.raises(AssertionError):
        touch_all(_BrokenFieldView({"attributes": {"lies": "x"}}))


class _BrokenView(VTObject):
    @property
    def lies(self) -> int:
        return "not an int"  # type: ignore[return-value]


class _LyingInt(Int):
    def coerce(self, raw: Any) -> int | None:
        return "not an int"  # type: ignore[return-value]


class _BrokenFieldView(VTObject):
    lies = _LyingInt()


# --- Field descriptors -----------------------------------------------------------------


class _Fields(VTObject):
    name = Str()
    renamed = Str("other_key")
    nested = Str(path="a.b")
    dotted = Str(path=("Dr.Web", "result"))
    count = Int()
    size = Int(minimum=0)
    when = Date()
    nested_when = Date(path="validity.not_after")
    first = FirstDate("x", "y", "z")
    items = StrList()
    mapping = StrDict()


def test_fields_read_their_key_or_path() -> None:
    view = _Fields({"attributes": {
        "name": "n", "other_key": 5, "renamed": "ignored", "a": {"b": "deep"}, "Dr.Web": {"result": "Trojan"},
        "count": "-3", "size": "-3", "when": "1270596357", "validity": {"not_after": "2026-10-28 20:42:13"},
        "x": "junk", "y": 1270596357000, "z": 0, "items": ["a", None, 2], "mapping": {"k": 1, "bad": [1]},
    }})  # fmt: skip
    assert view.name == "n" and view.renamed == "5" and view.nested == "deep" and view.dotted == "Trojan"
    assert view.count == -3 and view.size is None  # below the minimum
    assert view.when == _utc(2010, 4, 6, 23, 25, 57)
    assert view.nested_when == _utc(2026, 10, 28, 20, 42, 13)
    assert view.first == _utc(2010, 4, 6, 23, 25, 57)  # "x" is junk: the next usable one wins
    assert view.items == ["a", "2"] and view.mapping == {"k": "1"}


@pytest.mark.parametrize("junk", BAD_VALUES + [True, {"a": "b"}, ["x"]])
def test_fields_tolerate_junk_everywhere(junk: Any) -> None:
    attrs = {k: junk for k in ("name", "other_key", "a", "count", "size", "when", "validity", "x", "y", "z")}
    for view in (_Fields({"attributes": attrs}), _Fields({"attributes": junk}), _Fields(junk)):
        values = touch_all(view)
        assert isinstance(values["name"], str) and isinstance(values["items"], list)
        assert values["size"] is None or values["size"] >= 0


def test_fields_are_read_only_and_visible_on_the_class() -> None:
    view = _Fields({"attributes": {"name": "n"}})
    with pytest.raises(AttributeError, match="read-only"):
        view.name = "x"  # type: ignore[misc]
    assert view.name == "n"
    assert isinstance(_Fields.name, Str) and repr(_Fields.nested) == "Str(path='a.b')"
    assert File.md5.name == "md5"
    with pytest.raises(TypeError):
        Str("k", path="a.b")
    with pytest.raises(TypeError):
        FirstDate()


# --- Random JSON -----------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_ATTRIBUTE_KEYS = sorted({
    "last_analysis_results", "last_analysis_stats", "stats", "results", "status", "names", "meaningful_name",
    "size", "pe_info", "signature_info", "trid", "sandbox_verdicts", "popular_threat_classification",
    "last_dns_records", "last_https_certificate", "popularity_ranks", "categories", "asn", "total_votes",
    "tags", "reputation", "ip_address", "host_name", "votes", "text", "whois_map", "exiftool",
    "last_http_response_headers", "trackers", "html_meta", "redirection_chain", "date", "value",
    "sigma_analysis_summary", "sigma_analysis_stats", "crowdsourced_yara_results", "detectiteasy",
})  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    type_=st.sampled_from([*VIEW_OF_TYPE, "x"]),
    attributes=st.dictionaries(st.sampled_from(_ATTRIBUTE_KEYS), _json, max_size=8),
    raw_id=_json,
    relationships=_json,
)
def test_random_json_never_breaks_a_view(type_: str, attributes: dict, raw_id: Any, relationships: Any) -> None:
    view = wrap({"type": type_, "id": raw_id, "attributes": attributes, "relationships": relationships})
    touch_all(view)
    assert isinstance(view.id, str)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_helpers_never_raise(value: Any) -> None:
    i = as_int(value)
    assert i is None or (type(i) is int and -(2**63) <= i < 2**63)
    f = as_float(value)
    assert f is None or math.isfinite(f)
    assert isinstance(as_str(value), str)
    d = as_datetime(value)
    assert d is None or d.tzinfo is UTC
    get_path(value, "a.0.b")
    AnalysisStats.from_dict(value)
    parse_reply(value)
    parse_reply({"data": value})

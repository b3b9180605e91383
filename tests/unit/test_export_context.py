"""Exports of behaviour, search hits, collections and the triage table: every format, valid
with the demo data and with hostile data (XML parses, CSV is formula-safe, Markdown tables
stay tables, no escape sequence survives), and --defang where it applies."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tests.support.hostile import hostilize
from vttui.config import Settings
from vttui.demo import catalogue as C
from vttui.demo import demo_iocs, triage_ticket
from vttui.export import FORMATS, render
from vttui.export.behaviour_sections import behaviour_sections
from vttui.export.intel_export import SEARCH_FORMATS, render_behaviour, render_collection, render_search
from vttui.export.triage_export import TRIAGE_FORMATS, DefangNotSupportedError, render_triage, text_table
from vttui.runtime import make_client
from vttui.vt.ioc import IOCType, classify, extract
from vttui.vt.models import BehaviourSummary, MitreTrees, SandboxReport
from vttui.vt.refs import ObjectRef
from vttui.vt.triage import RowStatus, Triage, TriageRow

IOCS = demo_iocs()
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    """Everything the exports need, fetched once from the in-process demo (premium key)."""
    import asyncio

    async def fetch() -> dict[str, Any]:
        client = make_client(Settings(tier="premium"), demo=True)
        try:
            ref = ObjectRef("file", IOCS["behaviour_file"])
            triage = Triage.from_text(triage_ticket())
            await triage.collect(client)
            return {
                "summary": await client.behaviour_summary(ref),
                "trees": await client.behaviour_mitre_trees(ref),
                "sandboxes": (await client.behaviours(ref)).items,
                "hits": (await client.search("type:peexe p:5+", limit=20)).items,
                "collection": await client.get_collection(IOCS["collection"]),
                "iocs": {rel: (await client.collection_items(IOCS["collection"], rel)).items
                         for rel in ("files", "domains", "urls", "ip_addresses")},
                "rows": triage.rows,
            }
        finally:
            await client.aclose()

    return asyncio.run(fetch())


def check_valid(text: str, fmt: str) -> None:
    """The output is a valid document of its format, whatever the data held."""
    assert "\x1b" not in text and "\x9b" not in text and "\x00" not in text
    if fmt in ("json", "raw"):
        json.loads(text)
    elif fmt == "xml":
        ET.fromstring(text.encode("utf-8"))
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and all(len(r) == len(rows[0]) for r in rows)
        # A cell a spreadsheet would run is a number we wrote, never text from VirusTotal.
        assert not any(cell.startswith(_FORMULA) and not re.fullmatch(r"-?[0-9]+", cell)
                       for row in rows[1:] for cell in row)
    elif fmt == "markdown":
        for line in text.splitlines():
            if line.startswith("|"):
                assert line.endswith("|"), line[:200]
        tables = re.findall(r"((?:^\|.*\|$\n?)+)", text, re.MULTILINE)
        for table in tables:
            widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table.splitlines()}
            assert len(widths) == 1, table[:300]
    elif fmt == "table":  # no control, format (bidi) or surrogate characters reach the terminal
        assert not [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs")]


def _hostile_behaviour(demo: dict[str, Any]) -> dict[str, Any]:
    return {"summary": hostilize(demo["summary"]), "trees": hostilize(demo["trees"]),
            "sandboxes": [hostilize(s) for s in demo["sandboxes"]]}


@pytest.mark.parametrize("hostile", [False, True], ids=["demo", "hostile"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_behaviour_in_every_format(demo, fmt, hostile):
    data = _hostile_behaviour(demo) if hostile else demo
    text = render_behaviour(data["summary"], fmt, sha256=IOCS["behaviour_file"], trees=data["trees"],
                            sandboxes=data["sandboxes"])
    check_valid(text, fmt)
    if not hostile and fmt == "markdown":
        for heading in ("## Sandboxes (3)", "## MITRE ATT\\&CK", "## Processes", "## DNS lookups", "## IDS alerts",
                        "## Sigma rules", "## Registry", "## HTTP conversations"):
            assert heading in text
        assert "T1547.001" in text and "Persistence (TA0003)" in text
    if not hostile and fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        pivots = {(r["pivot_type"], r["pivot_id"]) for r in rows if r["pivot_type"]}
        assert ("domain", C.C2) in pivots and ("ip_address", C.C2_IP) in pivots
        assert ("file_behaviour", f"{IOCS['behaviour_file']}_Zenbox") in pivots
    if fmt in ("json", "raw"):
        body = json.loads(text)
        assert body["id"] == IOCS["behaviour_file"] and len(body["sandboxes"]) == 3


def test_behaviour_sections_carry_pivots(demo):
    summary = BehaviourSummary.from_summary(demo["summary"], IOCS["behaviour_file"])
    sections = behaviour_sections(summary, MitreTrees(demo["trees"]), [SandboxReport(s) for s in demo["sandboxes"]])
    by_key = {s.key: s for s in sections}
    dns = by_key["dns"].tables[0]
    assert [dns.ref(i) for i in range(len(dns.rows))] == [lookup.host.ref for lookup in summary.dns_lookups]
    boxes = by_key["sandboxes"].tables[0]
    assert [r[4] for r in boxes.rows] == ["yes", "yes", "no"] and boxes.ref(0).type == "file_behaviour"
    assert by_key["mitre"].title.startswith("MITRE ATT&CK (8")
    # Without a tree, the summary's own techniques are listed.
    assert behaviour_sections(summary)[1].key == "mitre"
    assert behaviour_sections(BehaviourSummary.from_summary({})) == []


@pytest.mark.parametrize("hostile", [False, True], ids=["demo", "hostile"])
@pytest.mark.parametrize("fmt", SEARCH_FORMATS)
def test_search_hits_in_every_format(demo, fmt, hostile):
    hits = [hostilize(h) for h in demo["hits"]] if hostile else demo["hits"]
    text = render_search(hits, fmt, query="type:peexe p:5+ [/]", total=50)
    check_valid(text, fmt)
    if not hostile and fmt == "table":
        lines = text.splitlines()
        assert len(lines) == 21 and IOCS["detected_file"] in text  # a SHA-256 fits whole
    if not hostile and fmt == "markdown":
        assert "# Search results (20 of 50)" in text and "type:peexe p:5\\+ \\[/\\]" in text


@pytest.mark.parametrize("with_iocs", [False, True], ids=["object", "with-iocs"])
@pytest.mark.parametrize("hostile", [False, True], ids=["demo", "hostile"])
@pytest.mark.parametrize("fmt", ("table", *FORMATS))
def test_collection_in_every_format(demo, fmt, hostile, with_iocs):
    coll = hostilize(demo["collection"]) if hostile else demo["collection"]
    iocs = {k: [hostilize(i) for i in v] if hostile else v for k, v in demo["iocs"].items()} if with_iocs else None
    text = render_collection(coll, fmt, iocs=iocs)
    check_valid(text, fmt)
    if not hostile and fmt == "markdown":
        assert C.COLLECTION["name"] in text and ("## Files (5)" in text) is with_iocs
    if with_iocs and fmt == "csv":
        assert len(list(csv.reader(io.StringIO(text)))) == 1 + sum(len(v) for v in demo["iocs"].values())


@pytest.mark.parametrize("fmt", TRIAGE_FORMATS)
def test_triage_in_every_format(demo, fmt):
    text = render_triage(demo["rows"], fmt)
    check_valid(text, fmt)
    if fmt == "json":
        rows = json.loads(text)
        assert [r["ioc"] for r in rows] == [r.value for r in demo["rows"]]
        assert {r["status"] for r in rows} == {"done", "not found"}
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        c2 = next(r for r in rows if r["ioc"] == C.C2_IP)
        assert (c2["ratio"], c2["asn"], c2["country"], c2["verdict"]) == ("9/91", "64501", "NL", "malicious")
    if fmt == "markdown":
        flagged = sum(r.severity in ("malicious", "suspicious") for r in demo["rows"])
        assert flagged == 8  # the two CDN indicators are clean
        assert text.startswith(f"# Triage (12 indicators, {flagged} flagged, 2 not found)")


def test_triage_with_hostile_values():
    nasty = hostilize({"v": ["=cmd|' /C calc'!A0", "owner", "tag"]})["v"]
    row = TriageRow(0, classify("evil.com"), status=RowStatus.ERROR, as_owner=nasty[1], tags=(nasty[2], "-x"),
                    message=nasty[0], country="+1")
    for fmt in TRIAGE_FORMATS:
        check_valid(render_triage([row], fmt), fmt)


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_defang_disarms_every_indicator(demo, fmt):
    outputs = [render_triage(demo["rows"], fmt, defang=True),
               render_search(demo["hits"], fmt, defang=True) if fmt != "csv" else "",
               render_behaviour(demo["summary"], fmt if fmt != "table" else "markdown", trees=demo["trees"],
                                defang=True),
               render_collection(demo["collection"], fmt, iocs=demo["iocs"], defang=True)]
    for text in outputs:
        # (Markdown escapes the brackets: "evil\\[.\\]com" shows as evil[.]com.)
        live = [i for i in extract(text) if i.type in (IOCType.URL, IOCType.DOMAIN, IOCType.IPV4)
                and "[" not in i.original and "hxxp" not in i.original.lower()]
        assert live == [], live[:3]
    hashes = [r.value for r in demo["rows"] if r.ioc.type in (IOCType.SHA256, IOCType.MD5, IOCType.SHA1)]
    assert all(h in outputs[0] for h in hashes)  # hashes untouched


def test_defang_is_refused_where_it_would_change_data(demo):
    for fmt in ("json", "xml", "raw"):
        with pytest.raises(DefangNotSupportedError):
            render_triage(demo["rows"], fmt, defang=True)
        with pytest.raises(DefangNotSupportedError):
            render(demo["collection"], fmt, defang=True)
    markdown = render(demo["collection"], "markdown", defang=True)
    assert "api.update-relay[.]test" in markdown and "api.update-relay.test" not in markdown
    assert DefangNotSupportedError().exit_code == 2


def test_text_table_cuts_and_pads():
    text = text_table(["A", "B"], [["x" * 100, "\x1b[31mred\x07"], ["y"]], max_cell=(10, 20))
    lines = text.splitlines()
    assert lines[1].startswith("x" * 9 + "…") and "\x1b" not in text and len(lines) == 3
    assert text_table(["Only"], []) == "Only\n"

"""Trail exports list exactly the visits and pivots made, safely, in four formats."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
from markdown_it import MarkdownIt

from tests.unit.test_export_data import NASTY
from vttui.export.trail import Trail
from vttui.export.trail_export import TRAIL_FORMATS, TrailFormatError, export_trail, trail_data
from vttui.vt.errors import ErrorKind
from vttui.vt.models import wrap
from vttui.vt.refs import ObjectRef

FILE = ObjectRef("file", "f" * 64)
DOMAIN = ObjectRef("domain", "evil.test")
IP = ObjectRef("ip_address", "198.51.100.7")
URL = ObjectRef("url", "u" * 64)


def via(source: ObjectRef, rel: str):
    return SimpleNamespace(source=source, relationship=rel)


def built_trail() -> Trail:
    """file -> domain (contacted_domains) -> ip (resolutions) -> back to file's domain again."""
    t = Trail()
    t.started = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    t.visit(FILE, title="dropper.exe")
    t.loaded(SimpleNamespace(ref=FILE), wrap({"type": "file", "id": FILE.id, "attributes": {
        "meaningful_name": "dropper.exe", "last_analysis_stats": {"malicious": 40, "undetected": 20},
        "popular_threat_classification": {"suggested_threat_label": "trojan.agent"}}}))
    t.visit(DOMAIN, via=via(FILE, "contacted_domains"))
    t.loaded(SimpleNamespace(ref=DOMAIN), wrap({"type": "domain", "id": DOMAIN.id, "attributes": {
        "last_analysis_stats": {"suspicious": 1, "harmless": 60}}}))
    t.visit(IP, via=via(DOMAIN, "resolutions"))
    t.visit(DOMAIN, via=via(FILE, "contacted_domains"))  # the same pivot made twice
    t.visit(URL, via=via(IP, NASTY), title=NASTY)  # hostile relationship and title
    return t


PIVOTS = [
    (FILE, "contacted_domains", DOMAIN),
    (DOMAIN, "resolutions", IP),
    (FILE, "contacted_domains", DOMAIN),
    (IP, NASTY, URL),
]


def test_json_lists_exactly_the_visits_and_pivots():
    data = json.loads(export_trail(built_trail(), "json"))
    assert set(data) == set(trail_data(Trail())) == {"started", "visits", "pivots"}
    assert data["started"] == "2024-05-01T12:00:00Z"
    assert [(v["type"], v["id"]) for v in data["visits"]] == [(r.type, r.id) for r in (FILE, DOMAIN, IP, URL)]
    file_visit = data["visits"][0]
    assert file_visit["verdict"] == "malicious" and file_visit["ratio"] == "40/60"
    assert file_visit["threat_label"] == "trojan.agent" and file_visit["loaded"] is True
    assert data["visits"][2]["loaded"] is False
    got = [
        ((p["from"]["type"], p["from"]["id"]), p["relationship"], (p["to"]["type"], p["to"]["id"]))
        for p in data["pivots"]
    ]
    assert got == [
        ((s.type, s.id), r.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd"), (d.type, d.id))
        for s, r, d in PIVOTS
    ]


def test_markdown_lists_every_pivot_in_order_and_stays_a_table():
    text = export_trail(built_trail(), "markdown")
    assert text.startswith("# Investigation trail\n")
    assert "4 objects visited, 4 pivots" in text
    pivots = text.split("## Pivots")[1]
    lines = [line for line in pivots.splitlines() if line.startswith("| ") and not line.startswith("| No.")]
    assert len(lines) == 4
    assert "contacted\\_domains" in lines[0] and "domain evil.test" in lines[0] and f"file {FILE.id}" in lines[0]
    assert "resolutions" in lines[1]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    kinds = {t.type for t in tokens} | {c.type for t in tokens if t.type == "inline" for c in t.children or []}
    assert not kinds & {"html_inline", "html_block", "link_open", "em_open", "image"}
    rows = sum(1 for t in tokens if t.type == "tr_open")
    assert rows == (1 + 4) + (1 + 4)  # visits and pivots tables, headers included


def test_dot_has_one_edge_per_distinct_pivot_and_escapes_labels():
    text = export_trail(built_trail(), "dot")
    assert text.startswith("digraph trail {") and text.rstrip().endswith("}")
    edges = re.findall(r"^  (n\d+) -> (n\d+) \[label=\"(.*)\"\];$", text, re.M)
    assert [(a, b) for a, b, _ in edges] == [("n0", "n1"), ("n1", "n2"), ("n2", "n3")]
    assert edges[0][2] == "contacted_domains" and edges[1][2] == "resolutions"
    # the hostile relationship cannot end its string early: every quote inside is escaped
    hostile = edges[2][2]
    assert re.search(r'(?<!\\)"', hostile.replace("\\\\", "")) is None
    assert "\x1b" not in text and "\n  n" in text
    assert 'fillcolor="#f4cccc"' in text  # the malicious file


def test_mermaid_edges_and_escaping():
    text = export_trail(built_trail(), "mermaid")
    assert text.startswith("flowchart LR\n")
    edges = re.findall(r"^  (n\d+) -->\|\"([^\"]*)\"\| (n\d+)$", text, re.M)
    assert [(a, b) for a, _, b in edges] == [("n0", "n1"), ("n1", "n2"), ("n2", "n3")]
    assert edges[0][1] == "contacted_domains"
    for _, label, _ in edges:
        assert not set(label) & set('"<>|`')
    nodes = re.findall(r'^  (n\d+)\["([^"]*)"\]$', text, re.M)
    assert [n for n, _ in nodes] == ["n0", "n1", "n2", "n3"]
    assert "malicious 40/60" in nodes[0][1] and "dropper.exe" in nodes[0][1]
    assert "class n0 malicious" in text


def test_pivot_to_an_object_never_visited_still_draws():
    t = Trail()
    t.pivots.append(type(built_trail().pivots[0])(FILE, "bundled_files", IP, dt.datetime.now(dt.UTC)))
    assert "n0 -> n1" in export_trail(t, "dot")
    assert "n0 -->|" in export_trail(t, "mermaid")


def test_empty_trail():
    t = Trail()
    for fmt in TRAIL_FORMATS:
        assert export_trail(t, fmt)
    assert "No pivots yet." in export_trail(t, "markdown")
    assert json.loads(export_trail(t, "json"))["pivots"] == []


def test_unknown_format():
    with pytest.raises(TrailFormatError) as err:
        export_trail(Trail(), "pdf")
    assert err.value.kind is ErrorKind.INVALID and "mermaid" in err.value.message

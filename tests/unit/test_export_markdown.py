"""Markdown export: hostile strings cannot break tables or headings, nor add links or HTML.

Checked with a real CommonMark + GFM-tables parser (markdown-it-py, which Textual
already brings), not by eye.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from tests.unit.test_export_data import NASTY, hostile_domain, hostile_file, hostile_objects, sample_objects
from vttui.export import render, render_batch
from vttui.export.markdown import fenced, md, object_markdown

PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def tokens(text: str):
    return PARSER.parse(text)


def inline_children(text: str):
    for tok in tokens(text):
        if tok.type == "inline":
            yield from tok.children or []


def table_shapes(text: str) -> list[tuple[int, list[int]]]:
    """(header cells, [cells per body row]) for each table."""
    shapes = []
    header = 0
    rows: list[int] = []
    cells = 0
    section = None
    for tok in tokens(text):
        if tok.type == "table_open":
            header, rows = 0, []
        elif tok.type in ("thead_open", "tbody_open"):
            section = tok.type
        elif tok.type == "tr_open":
            cells = 0
        elif tok.type in ("th_open", "td_open"):
            cells += 1
        elif tok.type == "tr_close":
            if section == "thead_open":
                header = cells
            else:
                rows.append(cells)
        elif tok.type == "table_close":
            shapes.append((header, rows))
    return shapes


def source_tables(text: str) -> list[list[str]]:
    """The table blocks as written (runs of lines starting with '|')."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def assert_safe(text: str) -> None:
    toks = tokens(text)
    kinds = {t.type for t in toks} | {c.type for c in inline_children(text)}
    assert not kinds & {"html_block", "html_inline", "link_open", "image", "em_open", "s_open"}, kinds
    strong = [c for c in inline_children(text) if c.type == "strong_open"]
    assert len(strong) <= text.count("**Verdict:"), "only the verdict line is bold"
    # every table keeps its shape: as many parsed tables as written ones, each row as wide as its header
    shapes = table_shapes(text)
    written = source_tables(text)
    assert len(shapes) == len(written)
    for (header, rows), block in zip(shapes, written, strict=True):
        assert header > 0 and all(n == header for n in rows)
        assert len(rows) == len(block) - 2  # header and delimiter lines
    # headings are single lines and start where we put them
    headings = [t for t in toks if t.type == "heading_open"]
    assert len(headings) == sum(1 for line in text.splitlines() if line.startswith("#"))
    assert "\x1b" not in text and "\x00" not in text


@pytest.mark.parametrize("index", range(len(hostile_objects())))
def test_hostile_object_keeps_structure(index):
    obj = hostile_objects()[index]
    for template in (None, "essential", "detections"):
        assert_safe(render(obj, "markdown", template=template))


def test_hostile_page_and_batch_keep_structure():
    assert_safe(render(hostile_objects(), "markdown", relationship=NASTY, source=NASTY))
    assert_safe(render_batch(hostile_objects(), "markdown"))


@pytest.mark.parametrize("name, obj", sample_objects()[:40], ids=[n[:60] for n, _ in sample_objects()[:40]])
def test_real_samples_render_and_keep_structure(name, obj):
    assert_safe(render(obj, "markdown"))


def test_escaped_text_reads_back_as_the_original_line():
    text = "a|b `c` *d* _e_ [f](g) <h> #i &amp; \\j ~k~ $l$ @m"
    line = f"| {md(text)} |\n|---|\n"
    cell = [t for t in tokens(line) if t.type == "inline"][0]
    rendered = "".join(c.content for c in cell.children if c.type == "text")
    assert rendered == text


def test_report_content_on_a_real_file():
    obj = next(o for n, o in sample_objects() if "dotnet_binary" in n)
    text = object_markdown(obj)
    assert text.startswith("# File: clist.exe\n")
    assert "**Verdict: MALICIOUS** (4 of 69 engines flagged it malicious)" in text
    # one total everywhere (issue 14: it said "4 of 74" here and "4 of 69" above and in the TUI)
    assert "## Detections (4 of 69 engines flagged it; 5 could not scan it)" in text
    detections = text.split("## Detections")[1].split("\n## ")[0]
    assert "| Bkav | malicious | W32.AIDetectNet.01 |" in detections
    assert "undetected" not in detections  # only flagged engines
    for heading in ("## Hashes", "## File", "## Portable Executable"):
        assert heading in text


def test_detections_only_flagged_engines_and_relationships_seen():
    text = render(hostile_file(), "markdown")
    detections = text.split("## Detections")[1].split("\n## ")[0]
    assert "Clean Engine" not in detections
    assert "Sangfor Engine Zero" in detections
    rels = text.split("## Relationships seen")[1]
    assert "contacted\\_domains" in rels and "more items exist" in rels


def test_whois_fence_cannot_be_closed_by_content():
    block = fenced("x\n```\n````\ny")
    assert block[0] == "`````text" and block[-1] == "`````"
    domain = hostile_domain()
    domain["attributes"]["whois"] = "Registrar: x\n```\n````\n## not a heading\nlast line"
    text = render(domain, "markdown")
    fences = [t for t in tokens(text) if t.type == "fence"]
    assert len(fences) == 1 and fences[0].content.endswith("````\n## not a heading\nlast line\n")


def test_page_table_lists_every_item():
    items = [o for n, o in sample_objects() if "communicating_files" in n]
    assert items
    text = render(items, "markdown", relationship="communicating_files", source="domain example.com")
    assert text.startswith(f"# Related objects: communicating\\_files ({len(items)})")
    (header, rows), = table_shapes(text)
    assert header == 7 and len(rows) == len(items)
    for item in items:
        assert item["id"] in text


def test_template_trims_the_report():
    obj = next(o for n, o in sample_objects() if "dotnet_binary" in n)
    text = render(obj, "markdown", template="essential")
    assert "## Detections" in text and "| Engine |" in text  # who flagged it is essential
    assert "## Portable Executable" not in text
    assert "## Hashes" in text

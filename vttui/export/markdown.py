"""Markdown export: a readable report for a ticket.

A report has a title, a verdict line, a summary table, the detections table (engines
that flagged it), the type-specific sections shared with the TUI's Details tab
(:func:`vttui.export.sections.sections_for`) and the relationships the object carried.

Every string from VirusTotal is hostile: it is cleaned (no controls, no newlines) and
every character Markdown gives meaning to inline (``\\ ` * _ { } [ ] < > # + ! | ~
& $ @``) is backslash-escaped, so a name cannot end a table row, open a link, start
HTML, emphasise text, or ping anyone (parentheses need nothing once brackets are
escaped). Free text (whois) goes in a fenced block whose
fence is longer than any backtick run inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..vt.models import VTObject, as_int, as_str, wrap
from ..vt.refs import REPORT_TYPES, TYPE_LABELS
from ..vt.relationships import get_relationship
from ..vt.sanitize import clean_line, clean_text
from .sections import Section, Table, fmt_date, sections_for

MAX_CELL = 300
MAX_TEXT = 20000
MAX_DESCRIPTORS = 50
MAX_GENERIC_ROWS = 100
SEPARATOR = "\n\n---\n\n"

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~&$@])")


def md(value: Any, max_len: int | None = MAX_CELL) -> str:
    """One line of untrusted text, safe in a table cell, a heading or a paragraph."""
    return _SPECIAL.sub(r"\\\1", clean_line(value, max_len))


def _row(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(md(c) for c in cells) + " |"


def table(columns: list[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    """A GFM table; every cell escaped."""
    lines = [_row(columns), "|" + "|".join("---" for _ in columns) + "|"]
    lines += [_row(r) for r in rows]
    return lines


def fenced(text: Any) -> list[str]:
    """A code block that no content can close early."""
    body = clean_text(text, MAX_TEXT).rstrip("\n")
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", body, fence]


# --- one object -------------------------------------------------------------------------


def _verdict_line(view: VTObject) -> str:
    stats = view.stats
    if stats.is_empty:
        return "**Verdict: NO VERDICT** (no engine results in this report)"
    verdict = stats.severity.upper()
    detail = f"{stats.malicious} of {stats.total} engines flagged it malicious"
    if stats.suspicious:
        detail += f", {stats.suspicious} suspicious"
    return f"**Verdict: {verdict}** ({detail})"


def _summary_rows(view: VTObject) -> list[tuple[str, Any]]:
    harmless, malicious = view.votes
    pairs: list[tuple[str, Any]] = [
        ("Type", TYPE_LABELS.get(view.type, view.type)),
        ("ID", view.id),
    ]
    if view.title and view.title != view.id:
        pairs.append(("Name", view.title))
    if not view.stats.is_empty:
        pairs.append(("Detection ratio", view.stats.ratio_text))
    pairs += [
        ("Reputation", view.reputation),
        ("Community votes", f"{harmless} harmless, {malicious} malicious" if harmless or malicious else ""),
        ("Threat label", getattr(view, "threat_label", "")),
        ("First seen", fmt_date(view.first_seen)),
        ("Last analysed", fmt_date(view.last_analysis_date)),
        ("Tags", ", ".join(view.tags)),
    ]
    return [(k, v) for k, v in pairs if v not in (None, "")]


def _detections(view: VTObject) -> list[str]:
    results = view.engine_results
    flagged = view.detections
    if not results:
        if not view.stats.is_empty:
            return ["## Detections", "", "The per-engine results are not part of this report (see the ratio above)."]
        return ["## Detections", "", "No engine results in this report."]
    total = view.engines_answered  # the same total the TUI shows ("61 of 68"), not every row
    silent = len(results) - total
    could_not = f"; {silent} could not scan it" if silent > 0 else ""
    if not flagged:
        return [f"## Detections (none of {total} engines{could_not})", "", "No engine flagged it."]
    rows = [
        [r.engine, r.category, r.result or "", r.method, r.engine_version or "", r.engine_update or ""] for r in flagged
    ]
    return [f"## Detections ({len(flagged)} of {total} engines flagged it{could_not})", ""] + table(
        ["Engine", "Category", "Result", "Method", "Engine version", "Engine update"], rows
    )


def _table_lines(t: Table) -> list[str]:
    lines = table(t.columns, t.rows)
    if t.more:
        lines += ["", f"… {t.more} more rows not shown."]
    return lines


def _section(section: Section) -> list[str]:
    lines = [f"## {md(section.title)}"]
    if section.rows:
        lines += [""] + table(["Field", "Value"], [[r.label, r.value] for r in section.rows])
    for t in section.tables:
        if t.rows:
            lines += [""] + _table_lines(t)
    if section.text:
        lines += [""] + fenced(section.text)
    return lines


def _generic(view: VTObject) -> list[str]:
    """Plain fields for objects without sections of their own (analyses, comments...)."""
    rows = []
    skip = {"results", "stats", "last_analysis_results", "last_analysis_stats"}
    for key, value in view.attributes.items():
        if key in skip or isinstance(value, dict):
            continue
        if isinstance(value, list):
            if not all(isinstance(v, (str, int, float)) for v in value):
                continue
            value = ", ".join(as_str(v) for v in value[:50])
        rows.append([key, value])
        if len(rows) >= MAX_GENERIC_ROWS:
            break
    if not rows:
        return []
    return ["## Attributes", ""] + table(["Field", "Value"], rows)


def _relationships(view: VTObject) -> list[str]:
    names = view.relationship_names
    if not names:
        return []
    rows = []
    notes = []
    for name in names:
        refs = view.relationship_descriptors(name)
        rel = get_relationship(view.type, name)
        label = f"{name} ({rel.description})" if rel else name
        for ref in refs[:MAX_DESCRIPTORS]:
            rows.append([label, TYPE_LABELS.get(ref.type, ref.type), ref.id])
        if not refs:
            rows.append([label, "", "(none)"])
        extra = len(refs) - MAX_DESCRIPTORS
        if extra > 0 or view.relationship_cursor(name):
            notes.append(f"{md(name)}: more items exist than are listed here.")
    lines = ["## Relationships seen", ""] + table(["Relationship", "Type", "Related object"], rows)
    if notes:
        lines += [""] + notes
    return lines


def object_markdown(obj: Any) -> str:
    """The report for one object dict (or view)."""
    view = obj if isinstance(obj, VTObject) else wrap(obj)
    label = TYPE_LABELS.get(view.type, view.type) or "Object"
    title = view.title or view.id or "(no id)"
    lines = [f"# {md(label[:1].upper() + label[1:])}: {md(title)}", "", _verdict_line(view), ""]
    lines += table(["Field", "Value"], _summary_rows(view))
    lines += [""] + _detections(view)
    sections = sections_for(view)
    for section in sections:
        lines += [""] + _section(section)
    if not sections and view.type not in REPORT_TYPES:
        generic = _generic(view)
        if generic:
            lines += [""] + generic
    rels = _relationships(view)
    if rels:
        lines += [""] + rels
    return "\n".join(lines) + "\n"


def batch_markdown(objects: Iterable[Any]) -> str:
    """Several reports in one document, separated by rules."""
    return SEPARATOR.join(object_markdown(o).rstrip("\n") for o in objects) + "\n"


# --- a relationship page ----------------------------------------------------------------


def _page_row(index: int, view: VTObject) -> list[Any]:
    stats = view.stats
    detail = ""
    attrs = view.attributes
    if view.type == "ip_address":
        detail = " ".join(p for p in (as_str(attrs.get("as_owner")), as_str(attrs.get("country"))) if p)
    elif view.type == "domain":
        detail = as_str(attrs.get("registrar"))
    elif view.type == "file":
        size = as_int(attrs.get("size"))
        detail = f"{size:,} bytes" if size is not None else ""
    name = view.title if view.title != view.id else ""
    return [
        index, TYPE_LABELS.get(view.type, view.type), view.id, name,
        "" if stats.is_empty else stats.severity, "" if stats.is_empty else stats.ratio_text, detail,
    ]


PAGE_COLUMNS = ["No.", "Type", "ID", "Name", "Verdict", "Ratio", "Details"]


def page_head_lines(relationship: str | None, source: str | None) -> list[str]:
    """The heading of a list written as it arrives (its count is not known yet)."""
    lines = [f"# Related objects: {md(relationship)}" if relationship else "# Objects", ""]
    if source:
        lines += [f"Related to: {md(source)}", ""]
    return lines + table(PAGE_COLUMNS, [])


def page_row_line(index: int, item: Any) -> str:
    """One table row of a list written as it arrives."""
    return _row(_page_row(index, item if isinstance(item, VTObject) else wrap(item)))


def page_markdown(items: Iterable[Any], *, relationship: str | None = None, source: str | None = None) -> str:
    """A table of related objects (one page of a relationship, or all of it)."""
    views = [i if isinstance(i, VTObject) else wrap(i) for i in items]
    heading = f"# Related objects: {md(relationship)}" if relationship else "# Objects"
    lines = [f"{heading} ({len(views)})", ""]
    if source:
        lines += [f"Related to: {md(source)}", ""]
    if not views:
        return "\n".join(lines + ["No items."]) + "\n"
    lines += table(PAGE_COLUMNS, (_page_row(i + 1, v) for i, v in enumerate(views)))
    return "\n".join(lines) + "\n"

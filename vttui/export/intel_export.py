"""Exports of a file's behaviour, a collection with its IoCs, and Intelligence search hits.

Every format stays valid whatever the data holds (the writers of :mod:`.json_out`,
:mod:`.xml_out`, :mod:`.markdown` and :mod:`.csv_out` do the escaping). ``defang``
disarms the indicators of Markdown, CSV and text tables; JSON, XML and raw stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..vt.ioc import defang_text
from ..vt.models import BehaviourSummary, MitreTrees, SandboxReport, VTObject, as_int, as_str, wrap
from ..vt.refs import TYPE_LABELS
from .behaviour_sections import behaviour_sections
from .sections import Section, fmt_date, sections_for
from .triage_export import DefangNotSupportedError, text_table

__all__ = ["HIT_COLUMNS", "SEARCH_FORMATS", "hit_cells", "render_behaviour", "render_collection", "render_search",
           "section_rows"]

#: Search results and collection IoCs also print as a plain table (the CLI's default).
SEARCH_FORMATS = ("table", "json", "markdown", "xml", "raw", "csv")


def _check(fmt: str, defang: bool, formats: Sequence[str]) -> None:
    from . import UnknownFormatError

    if fmt not in formats:
        raise UnknownFormatError(fmt)
    if defang and fmt not in ("table", "markdown", "csv"):
        raise DefangNotSupportedError()


def _disarm(text: str, defang: bool) -> str:
    return defang_text(text) if defang else text


def section_rows(sections: Iterable[Section]) -> list[list[Any]]:
    """Sections as flat rows ``[section, item, detail, pivot type, pivot id]`` (for CSV)."""
    out: list[list[Any]] = []
    for section in sections:
        for row in section.rows:
            ref = row.ref
            out.append([section.title, row.label, row.value, ref.type if ref else "", ref.id if ref else ""])
        for table in section.tables:
            for i, cells in enumerate(table.rows):
                ref = table.ref(i)
                detail = " | ".join(f"{c}: {v}" for c, v in zip(table.columns[1:], cells[1:], strict=False) if v)
                item = cells[0] if cells else ""
                out.append([section.title, item, detail, ref.type if ref else "", ref.id if ref else ""])
        if section.text:
            out.append([section.title, "text", section.text, "", ""])
    return out


def _csv(sections: Iterable[Section]) -> str:
    from . import csv_out

    return csv_out._write(["section", "item", "detail", "pivot_type", "pivot_id"], section_rows(sections))


# --- behaviour ---------------------------------------------------------------------------


def render_behaviour(
    summary: Mapping[str, Any] | BehaviourSummary,
    fmt: str,
    *,
    sha256: str = "",
    trees: Mapping[str, Any] | MitreTrees | None = None,
    sandboxes: Sequence[Mapping[str, Any] | SandboxReport] = (),
    defang: bool = False,
) -> str:
    """A file's behaviour (summary, ATT&CK trees, sandbox reports) as text in ``fmt``."""
    from . import FORMATS, json_out, markdown, xml_out

    _check(fmt, defang, FORMATS)
    view = summary if isinstance(summary, BehaviourSummary) else BehaviourSummary.from_summary(summary, sha256)
    tree_view = trees if isinstance(trees, MitreTrees) else MitreTrees(trees) if trees is not None else None
    reports = [r if isinstance(r, SandboxReport) else SandboxReport(r) for r in sandboxes]
    sha = view.id or sha256
    raw = {"type": "behaviour_summary", "id": sha, "attributes": view.attributes,
           "mitre_trees": tree_view.raw if tree_view is not None else None, "sandboxes": [r.raw for r in reports]}
    if fmt == "raw":
        return json_out.dump_raw(raw) + "\n"
    if fmt == "json":
        return json_out.dumps(raw) + "\n"
    if fmt == "xml":
        attrs = dict(view.attributes)
        if tree_view is not None:
            attrs["mitre_trees"] = tree_view.raw
        return xml_out.to_xml([{"type": "behaviour_summary", "id": sha, "attributes": attrs},
                               *(r.raw for r in reports)], kind="behaviour")
    sections = behaviour_sections(view, tree_view, reports)
    if fmt == "csv":
        return _disarm(_csv(sections), defang)
    lines = [f"# Behaviour: {markdown.md(sha or 'file')}", ""]
    if not sections:
        lines.append("No sandbox has run this file.")
    for section in sections:
        lines += markdown._section(section) + [""]
    return _disarm("\n".join(lines).rstrip("\n") + "\n", defang)


# --- search hits and IoC lists ---------------------------------------------------------------


def hit_cells(view: VTObject) -> list[Any]:
    """One search hit (or listed IoC) as the cells of :data:`HIT_COLUMNS`: type, ratio, name,
    id, first seen, size and tags (raw text: each renderer escapes it its own way)."""
    stats = view.stats
    attrs = view.attributes
    size = as_int(attrs.get("size"))
    detail = f"{size:,} bytes" if size is not None else ""
    if view.type == "ip_address":
        detail = " ".join(p for p in (as_str(attrs.get("as_owner")), as_str(attrs.get("country"))) if p)
    tags = ", ".join(view.tags[:8])
    return [TYPE_LABELS.get(view.type, view.type), "" if stats.is_empty else stats.ratio_text,
            view.title if view.title != view.id else "", view.id, fmt_date(view.first_seen)[:10],
            "; ".join(p for p in (detail, tags) if p)]


HIT_COLUMNS = ["Type", "Ratio", "Name", "ID", "First seen", "Size / tags"]
HIT_WIDTHS = (8, 7, 40, 64, 10, 50)


def render_search(items: Sequence[dict[str, Any]], fmt: str, *, query: str = "", total: int | None = None,
                  defang: bool = False) -> str:
    """Search hits (or any list of objects) one row each; ``table`` is for terminals."""
    from . import render

    _check(fmt, defang, SEARCH_FORMATS)
    if fmt == "table":
        return _disarm(text_table(HIT_COLUMNS, (hit_cells(wrap(i)) for i in items), max_cell=HIT_WIDTHS), defang)
    if fmt == "markdown":
        from . import markdown

        count = f"{len(items)} of {total}" if total is not None and total > len(items) else str(len(items))
        lines = [f"# Search results ({markdown.md(count)})", ""]
        if query:
            lines += [f"Query: {markdown.md(query)}", ""]
        lines += markdown.table(HIT_COLUMNS, (hit_cells(wrap(i)) for i in items)) if items else ["No results."]
        return _disarm("\n".join(lines) + "\n", defang)
    return _disarm(render(list(items), fmt, source=f"search: {query}" if query else None), defang)


def render_collection(collection: dict[str, Any], fmt: str, *,
                      iocs: Mapping[str, Sequence[dict[str, Any]]] | None = None, defang: bool = False) -> str:
    """A collection's report, and the IoCs fetched with it (by relationship) when given."""
    from . import FORMATS, csv_out, json_out, markdown, xml_out

    _check(fmt, defang, ("table", *FORMATS))
    view = wrap(collection)
    lists = {rel: list(items) for rel, items in (iocs or {}).items()}
    every = [item for items in lists.values() for item in items]
    if fmt == "raw":
        body = {"data": collection, "iocs": lists} if iocs is not None else {"data": collection}
        return json_out.dump_raw(body) + "\n"
    if fmt == "json":
        return json_out.dumps({"collection": collection, "iocs": lists} if iocs is not None else collection) + "\n"
    if fmt == "xml":
        return xml_out.to_xml([collection, *every], kind="collection")
    if fmt == "table":
        if iocs is not None:
            return _disarm(text_table(HIT_COLUMNS, (hit_cells(wrap(i)) for i in every), max_cell=HIT_WIDTHS), defang)
        rows = [[r.label, r.value] for s in sections_for(view) for r in s.rows]
        return _disarm(text_table(["Field", "Value"], [["ID", view.id], *rows], max_cell=(24, 100)), defang)
    if fmt == "csv":
        if iocs is not None:
            return _disarm(csv_out.page_csv(every), defang)
        return _disarm(_csv(sections_for(view)), defang)
    lines = [markdown.object_markdown(view).rstrip("\n")]
    for rel, items in lists.items():
        label = rel.replace("_", " ")
        lines += ["", f"## {markdown.md(label[:1].upper() + label[1:])} ({len(items)})", ""]
        lines += markdown.table(HIT_COLUMNS, (hit_cells(wrap(i)) for i in items)) if items else ["None listed."]
    return _disarm("\n".join(lines) + "\n", defang)

"""The triage table in every format, and plain aligned tables for terminals.

One row per indicator, in input order: IOC, type, verdict, ratio, reputation, first
seen, ASN/owner/country, tags, and why a row has no answer. ``defang`` disarms the IOC
column (and every indicator in Markdown, CSV and the text table) for tickets and chats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..vt.errors import ErrorKind, VTError
from ..vt.ioc import defang as defang_one
from ..vt.ioc import defang_text
from ..vt.sanitize import clean_line
from ..vt.triage import RowStatus, Triage, TriageRow

__all__ = ["TRIAGE_COLUMNS", "TRIAGE_FORMATS", "DefangNotSupportedError", "render_triage", "text_table"]

TRIAGE_FORMATS = ("table", "json", "markdown", "xml", "raw", "csv")
TRIAGE_COLUMNS = ["ioc", "type", "verdict", "ratio", "reputation", "first_seen", "asn", "as_owner", "country",
                  "tags", "status", "message"]
#: Widest a text-table cell gets (the rest is cut with an ellipsis).
MAX_TEXT_CELL = 60
#: Per column of the triage text table: a SHA-256 and most URLs fit whole.
TABLE_WIDTHS = (100, 8, 10, 7, 5, 10, 6, 30, 7, 40, 9)


class DefangNotSupportedError(VTError):
    kind = ErrorKind.INVALID
    default_message = "--defang applies to Markdown, CSV and table output (JSON, XML and raw stay exact)."


def text_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, max_cell: int | Sequence[int] = MAX_TEXT_CELL
) -> str:
    """Columns padded to their widest cell, one line per row; every cell one clean line,
    cut at ``max_cell`` characters (one limit, or one per column)."""
    limits = [max_cell] * len(columns) if isinstance(max_cell, int) else list(max_cell)
    limits += [MAX_TEXT_CELL] * (len(columns) - len(limits))
    head = [clean_line(c, limits[i]) for i, c in enumerate(columns)]
    body = [[clean_line("" if c is None else c, limits[i] if i < len(limits) else MAX_TEXT_CELL)
             for i, c in enumerate(row)] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in body if i < len(r))]) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    for row in body:
        cells = [*row, *[""] * (len(widths) - len(row))]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def _cells(row: TriageRow, defang: bool) -> list[Any]:
    d = row.as_dict()
    return [
        defang_one(row.ioc) if defang else row.value, row.kind, row.severity if row.finished else "", row.ratio,
        d["reputation"], d["first_seen"] or "", d["asn"] if d["asn"] is not None else "", row.as_owner, row.country,
        ", ".join(row.tags), row.status.value, row.message,
    ]


def _summary(rows: Sequence[TriageRow]) -> str:
    counts = {status: sum(r.status is status for r in rows) for status in RowStatus}
    flagged = sum(1 for r in rows if r.severity in ("malicious", "suspicious"))
    parts = [f"{len(rows)} indicators", f"{flagged} flagged"]
    parts += [f"{n} {status.value}" for status, n in counts.items() if n and status is not RowStatus.DONE]
    return ", ".join(parts)


def render_triage(triage: Triage | Sequence[TriageRow], fmt: str, *, defang: bool = False) -> str:
    """The triage table as text in ``fmt`` (one of :data:`TRIAGE_FORMATS`)."""
    from . import UnknownFormatError, csv_out, json_out, markdown, xml_out

    rows = list(triage.rows if isinstance(triage, Triage) else triage)
    if fmt not in TRIAGE_FORMATS:
        raise UnknownFormatError(fmt)
    if defang and fmt not in ("table", "markdown", "csv"):
        raise DefangNotSupportedError()
    if fmt == "table":
        cells = [_cells(r, defang)[:11] for r in rows]
        for c in cells:
            c[5] = str(c[5])[:10]  # the date is enough on a terminal
        text = text_table(["IOC", "Type", "Verdict", "Ratio", "Rep", "First seen", "ASN", "Owner", "Country", "Tags",
                           "Status"], cells, max_cell=TABLE_WIDTHS)
        return defang_text(text) if defang else text
    if fmt == "json":
        return json_out.dumps([r.as_dict() for r in rows], dates=False) + "\n"
    if fmt == "raw":
        return json_out.dump_raw([r.as_dict() for r in rows]) + "\n"
    if fmt == "xml":
        objects = [{"type": "triage_row", "id": r.value, "attributes": r.as_dict()} for r in rows]
        return xml_out.to_xml(objects, kind="triage")
    if fmt == "csv":
        text = csv_out._write(TRIAGE_COLUMNS, (_cells(r, defang) for r in rows))
        return defang_text(text) if defang else text
    lines = [f"# Triage ({markdown.md(_summary(rows))})", ""]
    if rows:
        lines += markdown.table(["IOC", "Type", "Verdict", "Ratio", "Reputation", "First seen", "ASN", "Owner",
                                 "Country", "Tags", "Status"], (_cells(r, defang)[:11] for r in rows))
        notes = [f"- {markdown.md(_cells(r, defang)[0])}: {markdown.md(r.message)}" for r in rows if r.message]
        if notes:
            lines += ["", "Notes:", "", *notes]
    else:
        lines.append("No indicators found.")
    text = "\n".join(lines) + "\n"
    return defang_text(text) if defang else text

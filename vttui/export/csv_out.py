"""CSV export: the detections of an object, or one row per item of a relationship list.

Cells are single lines (controls and escapes removed). Text cells that a spreadsheet
would take for a formula (starting with ``= + - @``, a tab or a CR) get a leading
apostrophe; numbers we write ourselves are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ..vt.models import VTObject, as_dict, as_int, as_str, wrap
from ..vt.sanitize import clean_line
from .json_out import iso_date

DETECTION_COLUMNS = ["engine", "category", "result", "method", "version", "update"]
OBJECT_COLUMNS = ["object_type", "object_id"]
PAGE_BASE = ["id", "type", "malicious", "suspicious", "harmless", "undetected"]
#: Extra columns per item type, in the order they appear when several types mix.
PAGE_EXTRA: dict[str, list[str]] = {
    "file": ["meaningful_name", "size", "type_description"],
    "url": ["url"],
    "domain": ["registrar"],
    "ip_address": ["as_owner", "country"],
    "resolution": ["host_name", "ip_address", "date"],
}
MAX_CELL = 2000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str | int:
    """A cell value: ints as they are, text cleaned and defused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raw = as_str(value)
    if raw.startswith(_FORMULA):
        return "'" + clean_line(raw, MAX_CELL)
    text = clean_line(raw, MAX_CELL)
    return "'" + text if text.startswith(_FORMULA) else text


def _write(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buf.getvalue()


def _detection_row(r) -> list[Any]:
    return [r.engine, r.category, r.result or "", r.method, r.engine_version or "", r.engine_update or ""]


def detections_csv(obj: Any, *, flagged_only: bool = False) -> str:
    """Every engine's answer for one object (only the flagged ones if asked)."""
    view = obj if isinstance(obj, VTObject) else wrap(obj)
    results = view.detections if flagged_only else view.engine_results
    return _write(DETECTION_COLUMNS, (_detection_row(r) for r in results))


def batch_detections_csv(objects: Iterable[Any], *, flagged_only: bool = False) -> str:
    """Detections of several objects in one table, each row naming its object."""
    def rows():
        for obj in objects:
            view = obj if isinstance(obj, VTObject) else wrap(obj)
            results = view.detections if flagged_only else view.engine_results
            for r in results:
                yield [view.type, view.id, *_detection_row(r)]

    return _write(OBJECT_COLUMNS + DETECTION_COLUMNS, rows())


def _extra(view: VTObject, column: str) -> Any:
    attrs = view.attributes
    if column == "meaningful_name":
        return as_str(attrs.get("meaningful_name"))
    if column == "size":
        size = as_int(attrs.get("size"))
        return size if size is not None else ""
    if column == "date":
        return iso_date(attrs.get("date")) or ""
    return as_str(attrs.get(column))


def page_columns(views: list[VTObject]) -> list[str]:
    return columns_for_types(v.type for v in views)


def page_row(view: VTObject, columns: list[str]) -> list[Any]:
    """One related object as a row of ``columns`` (see :func:`page_columns`)."""
    stats = as_dict(view.attributes.get(getattr(view, "_STATS_KEY", "last_analysis_stats")))
    values: dict[str, Any] = {"id": view.id, "type": view.type}
    for key in ("malicious", "suspicious", "harmless", "undetected"):
        n = as_int(stats.get(key))
        values[key] = n if n is not None else ""
    for col in columns[len(PAGE_BASE):]:
        values[col] = _extra(view, col)
    return [values[c] for c in columns]


def columns_for_types(types: Iterable[str]) -> list[str]:
    """The page columns for items of ``types`` (a list written as it arrives decides up front)."""
    wanted = set(types)
    columns = list(PAGE_BASE)
    for item_type, extra in PAGE_EXTRA.items():
        if item_type in wanted:
            columns += [c for c in extra if c not in columns]
    return columns


def csv_lines(header: list[str] | None, rows: Iterable[list[Any]]) -> str:
    """CSV text for ``rows`` (cells made safe), preceded by ``header`` when given."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return buf.getvalue()


def page_csv(items: Iterable[Any]) -> str:
    """One row per related object: id, type, verdict counts and a few type-specific facts."""
    views = [i if isinstance(i, VTObject) else wrap(i) for i in items]
    columns = page_columns(views)
    return _write(columns, (page_row(v, columns) for v in views))

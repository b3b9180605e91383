"""CSV export: the detections of an object, or one row per item of a relationship list.

Cells are single lines (controls and escapes removed). Text cells that a spreadsheet
would take for a formula (starting with ``= + - @``, a tab or a CR) get a leading
apostrophe; numbers we write ourselves are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from ..vt.models import EngineResult, VTObject, as_dict, as_int, as_str, wrap
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
    "resolution": ["host_name", "ip_address", "date", "host_malicious", "host_harmless", "ip_malicious",
                   "ip_harmless"],
}
_COUNTS = ("malicious", "suspicious", "harmless", "undetected")
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


def _detection_row(r: EngineResult) -> list[Any]:
    return [r.engine, r.category, r.result or "", r.method, r.engine_version or "", r.engine_update or ""]


def detections_csv(obj: Any, *, flagged_only: bool = False) -> str:
    """Every engine's answer for one object (only the flagged ones if asked), with the
    same ``object_type``/``object_id`` columns as several objects have: a script reads
    one IOC's CSV and a batch's alike."""
    return batch_detections_csv([obj], flagged_only=flagged_only)


def batch_detections_csv(objects: Iterable[Any], *, flagged_only: bool = False) -> str:
    """Detections of several objects in one table, each row naming its object."""
    def rows() -> Iterator[list[Any]]:
        for obj in objects:
            view = obj if isinstance(obj, VTObject) else wrap(obj)
            results = view.detections if flagged_only else view.engine_results
            for r in results:
                yield [view.type, view.id, *_detection_row(r)]

    return _write(OBJECT_COLUMNS + DETECTION_COLUMNS, rows())


def _resolution_stats(view: VTObject, source_type: str | None) -> dict[str, Any]:
    """A resolution's verdict counts are those of its other side: the IP when listed from a
    domain, the host name when listed from an IP (the IP when the source is not known)."""
    side = "host_name" if source_type == "ip_address" else "ip_address"
    return as_dict(view.attributes.get(f"{side}_last_analysis_stats"))


def _extra(view: VTObject, column: str) -> Any:
    attrs = view.attributes
    if column.startswith(("host_", "ip_")) and column.endswith(("_malicious", "_harmless")):
        side, _, count = column.rpartition("_")
        n = as_int(as_dict(attrs.get(f"{'host_name' if side == 'host' else 'ip_address'}_last_analysis_stats"))
                   .get(count))
        return n if n is not None else ""
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


def page_row(view: VTObject, columns: list[str], source_type: str | None = None) -> list[Any]:
    """One related object as a row of ``columns`` (see :func:`page_columns`); ``source_type``
    is the type of the object the list belongs to (it decides a resolution's counts)."""
    if view.type == "resolution":
        stats = _resolution_stats(view, source_type)
    else:
        stats = as_dict(view.attributes.get(getattr(view, "_STATS_KEY", "last_analysis_stats")))
    values: dict[str, Any] = {"id": view.id, "type": view.type}
    for key in _COUNTS:
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


def page_csv(items: Iterable[Any], source_type: str | None = None) -> str:
    """One row per related object: id, type, verdict counts and a few type-specific facts."""
    views = [i if isinstance(i, VTObject) else wrap(i) for i in items]
    columns = page_columns(views)
    return _write(columns, (page_row(v, columns, source_type) for v in views))

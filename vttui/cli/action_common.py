"""What the action commands (:mod:`.submit`, :mod:`.community`, :mod:`.account`,
:mod:`.pcap`) share: their argument helpers and how they print reports and analyses.

Results go to stdout (text, or JSON with ``--format json``); strings from VirusTotal are
cleaned before they are printed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime
from typing import Any

from ..vt import errors as E
from ..vt.ioc import IOC, IOCType, classify
from ..vt.models import Analysis, AnalysisStats, File, wrap
from ..vt.refs import REPORT_TYPES, TYPE_LABELS, ObjectRef
from ..vt.samples import (
    human_size,
)
from ..vt.sanitize import clean_line

_ANALYSIS_ID = re.compile(r"[A-Za-z0-9_=+:.-]{1,256}")


# --- shared argument helpers ---------------------------------------------------------


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def add_format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=["text", "json"], default="text", help="output format (default text)")


def add_yes_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", "-y", action="store_true",
                   help="do not ask for confirmation (needed when stdin is not a terminal)")


def add_wait_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wait", action="store_true", help="poll until the analysis completes, then print the report")
    p.add_argument("--timeout", type=positive_float, default=600.0, metavar="S",
                   help="with --wait: give up after S seconds (default 600)")


def add_paging_args(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--limit", "-n", type=positive_int, default=10, metavar="N", help=f"show N {what} (default 10)")
    p.add_argument("--all", action="store_true", help=f"walk every page and show all {what}")
    p.add_argument("--cursor", help="resume from the cursor a previous run printed")


def add_output_dir_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="directory to save into (default: here)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file of the same name")


# --- shared output helpers -----------------------------------------------------------


def emit_json(data: Any) -> None:
    """One JSON document on stdout; lone surrogates fall back to \\u escapes (still valid)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def echo(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def date_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


def stats_text(stats: AnalysisStats) -> str:
    if stats.is_empty:
        return "no engine results yet"
    parts = [f"{stats.malicious} malicious", f"{stats.suspicious} suspicious",
             f"{stats.undetected} undetected", f"{stats.harmless} harmless"]
    return f"{', '.join(parts)} ({stats.ratio_text} engines flag it malicious)"


def ref_label(ref: ObjectRef) -> str:
    return f"{TYPE_LABELS.get(ref.type, ref.type)} {clean_line(ref.id, 120)}"


def print_rows(rows: list[tuple[str, str]]) -> None:
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        echo(f"{key:<{width}}  {value}")


def print_summary(data: dict[str, Any]) -> None:
    """A few lines about a report: what it is and what the engines and people think."""
    obj = wrap(data)
    rows: list[tuple[str, str]] = [(TYPE_LABELS.get(obj.type, obj.type or "object"), clean_line(obj.id, 200))]
    if isinstance(obj, File):
        if obj.meaningful_name:
            rows.append(("name", clean_line(obj.meaningful_name, 200)))
        kind = obj.type_description
        size = obj.size
        if kind or size is not None:
            shown_size = f"({human_size(size)})" if size is not None else ""
            rows.append(("type", clean_line(" ".join(x for x in (kind, shown_size) if x), 200)))
    elif obj.type == "url":
        rows.append(("url", clean_line(obj.title, 300)))
    rows.append(("detections", stats_text(obj.stats)))
    harmless, malicious = obj.votes
    reputation = obj.reputation
    rows.append(("community", f"reputation {reputation if reputation is not None else '-'}, "
                              f"votes {harmless} harmless / {malicious} malicious"))
    rows.append(("last analysis", date_text(obj.last_analysis_date)))
    if obj.tags:
        rows.append(("tags", clean_line(", ".join(obj.tags[:30]), 300)))
    print_rows(rows)


def print_analysis(body: dict[str, Any]) -> None:
    analysis = Analysis.from_reply(body)
    item = analysis.item_ref
    rows = [("analysis", clean_line(analysis.id, 200)), ("status", clean_line(analysis.status or "unknown", 40))]
    if item is not None:
        rows.append(("item", ref_label(item)))
    rows.append(("date", date_text(analysis.date)))
    rows.append(("engines", stats_text(analysis.stats)))
    print_rows(rows)


def valid_analysis_id(text: str) -> bool:
    """Safe to put in ``/analyses/{id}``: no slashes, queries or dot segments."""
    return bool(_ANALYSIS_ID.fullmatch(text)) and text.strip(".") != ""


def describe(ioc: IOC) -> str:
    """How to name an indicator to a person: URLs as the URL, not their API id."""
    if ioc.type is IOCType.URL:
        return f"URL {clean_line(ioc.value, 300)}"
    return ref_label(ioc.ref)


def report_ioc(text: str, verb: str) -> IOC:
    """A file, URL, domain or IP; anything else is refused before any request."""
    ioc = classify(text)
    if ioc.object_type not in REPORT_TYPES:
        raise E.InvalidIOCError(f"Only files, URLs, domains and IP addresses can be {verb}; this is an {ioc.label}.")
    return ioc

"""Acting on VirusTotal from the shell: submit, re-analyse, comment, vote, download, quota.

Every write asks first (``prompt.require``; scripts pass ``--yes``) and says what will
be shared. Results go to stdout (text, or JSON with ``--format json``); notes, progress
and errors go to stderr. Strings from VirusTotal are cleaned before they are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.ioc import IOC, IOCType, classify, try_classify
from ..vt.models import Analysis, AnalysisStats, Comment, File, Vote, as_int, wrap
from ..vt.paging import Paginator
from ..vt.refs import REPORT_TYPES, TYPE_LABELS, ObjectRef
from ..vt.samples import (
    find_known_file,
    human_size,
    plan_upload,
    save_pcap,
    url_question,
    validate_behaviour_id,
)
from ..vt.sanitize import clean_comment, clean_line, clean_text
from ..vt.validate import ref_problem
from . import output, prompt
from .registry import command
from .walk import MAX_ITEMS, bounded, report_stop, walk

#: First pause between analysis polls (seconds); doubles up to POLL_MAX_DELAY.
POLL_FIRST_DELAY = 5.0
POLL_MAX_DELAY = 60.0
_ANALYSIS_ID = re.compile(r"[A-Za-z0-9_=+:.-]{1,256}")


# --- shared argument helpers ---------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=["text", "json"], default="text", help="output format (default text)")


def _yes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", "-y", action="store_true",
                   help="do not ask for confirmation (needed when stdin is not a terminal)")


def _wait_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wait", action="store_true", help="poll until the analysis completes, then print the report")
    p.add_argument("--timeout", type=_positive_float, default=600.0, metavar="S",
                   help="with --wait: give up after S seconds (default 600)")


def _paging_args(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--limit", "-n", type=_positive_int, default=10, metavar="N", help=f"show N {what} (default 10)")
    p.add_argument("--all", action="store_true", help=f"walk every page and show all {what}")
    p.add_argument("--cursor", help="resume from the cursor a previous run printed")


def _output_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="directory to save into (default: here)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file of the same name")


# --- shared output helpers -----------------------------------------------------------


def _emit_json(data: Any) -> None:
    """One JSON document on stdout; lone surrogates fall back to \\u escapes (still valid)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def _line(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


def _stats_text(stats: AnalysisStats) -> str:
    if stats.is_empty:
        return "no engine results yet"
    parts = [f"{stats.malicious} malicious", f"{stats.suspicious} suspicious",
             f"{stats.undetected} undetected", f"{stats.harmless} harmless"]
    return f"{', '.join(parts)} ({stats.ratio_text} engines flag it malicious)"


def _label(ref: ObjectRef) -> str:
    return f"{TYPE_LABELS.get(ref.type, ref.type)} {clean_line(ref.id, 120)}"


def _print_rows(rows: list[tuple[str, str]]) -> None:
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        _line(f"{key:<{width}}  {value}")


def _print_summary(data: dict[str, Any]) -> None:
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
    rows.append(("detections", _stats_text(obj.stats)))
    harmless, malicious = obj.votes
    reputation = obj.reputation
    rows.append(("community", f"reputation {reputation if reputation is not None else '-'}, "
                              f"votes {harmless} harmless / {malicious} malicious"))
    rows.append(("last analysis", _date(obj.last_analysis_date)))
    if obj.tags:
        rows.append(("tags", clean_line(", ".join(obj.tags[:30]), 300)))
    _print_rows(rows)


def _print_analysis(body: dict[str, Any]) -> None:
    analysis = Analysis.from_reply(body)
    item = analysis.item_ref
    rows = [("analysis", clean_line(analysis.id, 200)), ("status", clean_line(analysis.status or "unknown", 40))]
    if item is not None:
        rows.append(("item", _label(item)))
    rows.append(("date", _date(analysis.date)))
    rows.append(("engines", _stats_text(analysis.stats)))
    _print_rows(rows)


def _valid_analysis_id(text: str) -> bool:
    """Safe to put in ``/analyses/{id}``: no slashes, queries or dot segments."""
    return bool(_ANALYSIS_ID.fullmatch(text)) and text.strip(".") != ""


def _describe(ioc: IOC) -> str:
    """How to name an indicator to a person: URLs as the URL, not their API id."""
    if ioc.type is IOCType.URL:
        return f"URL {clean_line(ioc.value, 300)}"
    return _label(ioc.ref)


def _report_ioc(text: str, verb: str) -> IOC:
    """A file, URL, domain or IP; anything else is refused before any request."""
    ioc = classify(text)
    if ioc.object_type not in REPORT_TYPES:
        raise E.InvalidIOCError(f"Only files, URLs, domains and IP addresses can be {verb}; this is an {ioc.label}.")
    return ioc


# --- analyses ------------------------------------------------------------------------


async def _wait(client: VTClient, analysis_id: str, timeout: float) -> dict[str, Any]:
    bar = output.Progress("analysis")

    def update(body: dict[str, Any]) -> None:
        analysis = Analysis.from_reply(body)
        bar.step(f"{clean_line(analysis.status or 'pending', 40)}; {_stats_text(analysis.stats)}")

    try:
        return await client.wait_for_analysis(analysis_id, timeout=timeout, first_delay=POLL_FIRST_DELAY,
                                              max_delay=POLL_MAX_DELAY, on_update=update)
    finally:
        bar.finish()


async def _fresh_report(client: VTClient, body: dict[str, Any], fallback: ObjectRef | None) -> dict[str, Any] | None:
    """The report of what a completed analysis was about (the client dropped the stale one)."""
    ref = Analysis.from_reply(body).item_ref or fallback
    if ref is None or ref.type not in ("file", "url"):
        return None
    why = ref_problem(ref)
    if why is not None:  # the analysis names its item; VirusTotal's word is checked first
        output.warn(f"the analysis names an item vttui cannot open ({why}); its report was not fetched")
        return None
    try:
        return await client.get_object(ref)
    except E.NotFoundError:
        output.warn("VirusTotal has not published the new report yet; look it up again in a minute.")
        return None


async def _after_submit(args: argparse.Namespace, client: VTClient, descriptor: dict[str, Any],
                        item: ObjectRef | None) -> int:
    """Print the analysis id, or with --wait the outcome and the fresh report."""
    raw_id = descriptor.get("id")
    analysis_id = raw_id if isinstance(raw_id, str) else ""
    if not _valid_analysis_id(analysis_id):  # it goes into a path: VirusTotal's word is not enough
        raise E.MalformedResponseError(
            "VirusTotal accepted the submission but answered with an analysis id vttui cannot use."
        )
    if not args.wait:
        if args.format == "json":
            _emit_json({"submitted": True, "item": _ref_json(item), "analysis_id": analysis_id,
                        "analysis": descriptor, "report": None})
        else:
            _line(analysis_id)
            output.warn(f"submitted; follow it with: vttui analysis {analysis_id} --wait")
        return 0
    body = await _wait(client, analysis_id, args.timeout)
    report = await _fresh_report(client, body, item)
    if args.format == "json":
        _emit_json({"submitted": True, "item": _ref_json(Analysis.from_reply(body).item_ref or item),
                    "analysis_id": analysis_id, "analysis": body.get("data"), "meta": body.get("meta"),
                    "report": report})
        return 0
    _print_analysis(body)
    if report is not None:
        _line()
        _print_summary(report)
    return 0


def _ref_json(ref: ObjectRef | None) -> dict[str, str] | None:
    return {"type": ref.type, "id": ref.id} if ref is not None else None


def _submit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="PATH|URL",
                   help="a file to upload, a folder (every file in it: only those VirusTotal does not know are "
                        "uploaded, after one confirmation) or a URL to scan")
    p.add_argument("--recursive", "-r", action="store_true", help="with a folder: its subfolders too")
    p.add_argument("--force", action="store_true", help="upload even if VirusTotal already has the file")
    p.add_argument("--archive-password", metavar="P",
                   help="password VirusTotal should use to open the uploaded (encrypted) archive")
    _wait_args(p)
    _yes(p)
    _format(p)


@command("submit", "upload a file or submit a URL for analysis (shared with the community)")(_submit_args)
async def submit(args: argparse.Namespace, client: VTClient) -> int:
    path = Path(args.target).expanduser()
    if path.is_dir():
        from .bulk import submit_directory

        return await submit_directory(args, client, path)
    if path.exists():
        return await _submit_file(args, client, path)
    ioc = try_classify(args.target)
    if ioc is not None and ioc.type is IOCType.URL:
        prompt.require(url_question(ioc.value), yes_flag=args.yes)
        descriptor = await client.scan_url(ioc.value)
        return await _after_submit(args, client, descriptor, ioc.ref)
    if ioc is None or any(sep in args.target for sep in ("/", "\\")) or args.target.startswith((".", "~")):
        raise E.InvalidArgumentError(f"No such file: {clean_line(args.target, 200)}.")
    raise E.InvalidIOCError(
        f"submit takes a file or a URL; that is a {ioc.label} (for a URL, give it with http:// or https://)."
    )


async def _submit_file(args: argparse.Namespace, client: VTClient, path: Path) -> int:
    bar = output.Progress("hashing")
    try:
        plan = await plan_upload(path, progress=bar)
    finally:
        bar.finish()
    item = ObjectRef("file", plan.digest.sha256)
    if not args.force:
        known = await find_known_file(client, plan.digest.sha256)
        if known is not None:
            output.warn("VirusTotal already has this file; showing its report (use --force to upload it again).")
            if args.format == "json":
                _emit_json({"submitted": False, "item": _ref_json(item), "analysis_id": None,
                            "analysis": None, "report": known})
            else:
                _print_summary(known)
            return 0
    prompt.require(plan.question, yes_flag=args.yes)
    bar = output.Progress("uploading")
    try:
        descriptor = await client.upload_file(plan.path, progress=bar, password=args.archive_password)
    finally:
        bar.finish()
    return await _after_submit(args, client, descriptor, item)


def _reanalyse_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ioc", metavar="IOC", help="a file hash or a URL")
    _wait_args(p)
    _yes(p)
    _format(p)


@command("reanalyse", "ask VirusTotal to analyse a file or URL again")(_reanalyse_args)
async def reanalyse(args: argparse.Namespace, client: VTClient) -> int:
    ioc = classify(args.ioc)
    if ioc.object_type not in ("file", "url"):
        raise E.InvalidIOCError(f"Only files and URLs can be re-analysed; this is a {ioc.label}.")
    prompt.require(
        f"Ask VirusTotal to analyse {_describe(ioc)} again? "
        "The request is recorded on VirusTotal and counts against your quota.",
        yes_flag=args.yes,
    )
    descriptor = await client.reanalyse(ioc.ref)
    return await _after_submit(args, client, descriptor, ioc.ref)


def _analysis_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("analysis_id", metavar="ID", help="an analysis id (as printed by submit or reanalyse)")
    _wait_args(p)
    _format(p)


@command("analysis", "show an analysis (its status and engine counts)")(_analysis_args)
async def analysis(args: argparse.Namespace, client: VTClient) -> int:
    ident = args.analysis_id.strip()
    if not _valid_analysis_id(ident):
        raise E.InvalidIOCError(f"Not an analysis id: {clean_line(ident, 80)!r}.")
    body = await (_wait(client, ident, args.timeout) if args.wait else client.get_analysis(ident))
    if args.format == "json":
        _emit_json(body)
    else:
        _print_analysis(body)
    return 0


# --- comments and votes --------------------------------------------------------------


def _read_stdin_text() -> str:
    raw = getattr(sys.stdin, "buffer", None)
    try:
        return raw.read().decode("utf-8") if raw is not None else sys.stdin.read()
    except UnicodeDecodeError:
        raise E.InvalidArgumentError("The comment on stdin is not UTF-8 text.") from None


def _comment_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP")
    p.add_argument("text", metavar="TEXT", help="the comment; - reads it from stdin (then --yes is needed)")
    _yes(p)
    _format(p)


@command("comment", "post a public comment on a file, URL, domain or IP")(_comment_args)
async def comment(args: argparse.Namespace, client: VTClient) -> int:
    ioc = _report_ioc(args.ioc, "commented on")
    if args.text == "-":
        if not args.yes:
            raise prompt.ConfirmationRequiredError(
                "reading the comment from stdin needs --yes (stdin cannot also answer the question)"
            )
        text = _read_stdin_text()
    else:
        text = args.text
    cleaned = clean_comment(text)
    if not cleaned:
        raise E.InvalidArgumentError("A comment cannot be empty.")
    removed = cleaned != text.strip().replace("\r\n", "\n")
    if removed:
        output.warn("the comment held control characters or escape sequences; they were removed "
                    "(what is posted is exactly what is shown)")
    text = cleaned
    prompt.require(
        f"Comments are public: everyone on VirusTotal can read them, with your user name. "
        f"Post this comment ({len(text)} characters: \"{clean_line(text, 60)}\") on {_describe(ioc)}?",
        yes_flag=args.yes,
    )
    data = await client.add_comment(ioc.ref, text)
    if args.format == "json":
        _emit_json(data)
    else:
        _line(
            f"comment posted on {_describe(ioc)}" + (f": {clean_line(data.get('id'), 200)}" if data.get("id") else "")
        )
    return 0


def _vote_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP")
    p.add_argument("verdict", choices=["malicious", "harmless"], help="your verdict")
    _yes(p)
    _format(p)


@command("vote", "vote a file, URL, domain or IP malicious or harmless (public, one vote each)")(_vote_args)
async def vote(args: argparse.Namespace, client: VTClient) -> int:
    ioc = _report_ioc(args.ioc, "voted on")
    prompt.require(
        f"Votes are public and VirusTotal keeps one per user. Vote {_describe(ioc)} {args.verdict}?",
        yes_flag=args.yes,
    )
    data = await client.add_vote(ioc.ref, args.verdict)
    if args.format == "json":
        _emit_json(data)
    else:
        _line(f"voted {args.verdict} on {_describe(ioc)}")
    return 0


def _list_args(what: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP")
        _paging_args(p, what)
        _format(p)

    return add


def _json_text(value: Any, pad: str) -> str:
    """``value`` as indented JSON; lone surrogates fall back to \\u escapes (still valid)."""
    from ..export.json_out import escape_terminal_unsafe  # only when printing JSON

    text = json.dumps(value, indent=2, ensure_ascii=False)
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = json.dumps(value, indent=2, ensure_ascii=True)
    text = escape_terminal_unsafe(text)  # bidi overrides and C1 controls as \u escapes: same data
    return "\n".join(pad + line for line in text.split("\n"))


async def _list(args: argparse.Namespace, make: Callable[..., Paginator], printer: Callable[[dict[str, Any]], None],
                what: str) -> int:
    """Items printed as they arrive; JSON as ``{"data": [...], "meta": {...}}``, closed
    validly even when a page fails (then ``meta.cursor`` is where to resume)."""
    limit = bounded(args.limit, "--limit")
    page_size = 40 if args.all else min(limit, 40)
    pager = make(limit=page_size, cursor=args.cursor or None, max_items=MAX_ITEMS if args.all else limit)
    count = 0

    def take(item: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        if args.format == "json":
            head = '{\n  "data": [\n' if count == 1 else ",\n"
            sys.stdout.write(head + _json_text(item, "    "))
        else:
            printer(item)
        sys.stdout.flush()

    error = None
    ended = False
    try:
        error = await walk(pager, take, what)
        ended = True
    finally:
        more = pager.cursor if (error is not None or not args.all or count >= MAX_ITEMS) else None
        if args.format == "json" and (count or (ended and error is None)):
            meta = {"count": pager.count, "cursor": more, "complete": error is None and more is None}
            head = "\n  ]" if count else '{\n  "data": []'
            sys.stdout.write(head + ',\n  "meta": ' + _json_text(meta, "  ").lstrip() + "\n}\n")
            sys.stdout.flush()
    if error is not None:
        return report_stop(error, pager, count, what)
    if args.format != "json" and not count:
        output.warn("none yet")
    if more:
        if args.all:
            output.warn(f"stopped at {MAX_ITEMS:,} {what}, the most one run fetches; more remain")
        output.warn(f"next cursor: {clean_line(more, 500)}")
    return 0


def _print_comment(item: dict[str, Any]) -> None:
    c = Comment(item)
    positive, negative, abuse = c.votes
    head = f"{_date(c.date)}  +{positive} -{negative}" + (f" abuse {abuse}" if abuse else "")
    if c.tags:
        head += "  " + clean_line(" ".join(f"#{t}" for t in c.tags[:20]), 300)
    _line(head)
    for text_line in clean_text(c.text, 20_000).splitlines() or [""]:
        _line(f"    {text_line}")
    _line()


def _print_vote(item: dict[str, Any]) -> None:
    v = Vote(item)
    value = v.value
    _line(f"{_date(v.date)}  {clean_line(v.verdict or '?', 20):<9}" + (f"  value {value}" if value is not None else ""))


@command("comments", "list the community comments on a file, URL, domain or IP")(_list_args("comments"))
async def comments(args: argparse.Namespace, client: VTClient) -> int:
    ref = _report_ioc(args.ioc, "commented on").ref
    return await _list(args, lambda **kw: client.iter_comments(ref, **kw), _print_comment, "comments")


@command("votes", "list the community votes on a file, URL, domain or IP")(_list_args("votes"))
async def votes(args: argparse.Namespace, client: VTClient) -> int:
    ref = _report_ioc(args.ioc, "voted on").ref
    return await _list(args, lambda **kw: client.iter_votes(ref, **kw), _print_vote, "votes")


# --- downloads -----------------------------------------------------------------------


def _saved(args: argparse.Namespace, path: Path, extra: dict[str, Any]) -> None:
    path = Path(os.path.abspath(path))  # scripts get a path that works from anywhere
    if args.format == "json":
        _emit_json({"path": str(path), **extra, "bytes": path.stat().st_size})
    else:
        _line(str(path))


def _pcap_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("behaviour_id", metavar="BEHAVIOUR_ID", help="sandbox report id: <sha256>_<sandbox name>")
    _output_dir(p)
    _format(p)


@command("pcap", "download the network capture of a sandbox report")(_pcap_args)
async def pcap(args: argparse.Namespace, client: VTClient) -> int:
    ident = validate_behaviour_id(args.behaviour_id)
    bar = output.Progress("downloading")
    try:
        path = await save_pcap(client, ident, args.output, overwrite=args.overwrite, progress=bar)
    finally:
        bar.finish()
    _saved(args, path, {"behaviour_id": ident})
    return 0


# --- quota ---------------------------------------------------------------------------

_QUOTA_ORDER = ("api_requests_hourly", "api_requests_daily", "api_requests_monthly")


def _quota_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    names = [k for k in _QUOTA_ORDER if k in data] + sorted(
        k for k in data if isinstance(k, str) and k not in _QUOTA_ORDER
    )
    rows = []
    for name in names:
        entry = _as_dict(data.get(name))
        user = _as_dict(entry.get("user"))
        group = _as_dict(entry.get("group"))
        rows.append({
            "name": name,
            "used": as_int(user.get("used")), "allowed": as_int(user.get("allowed")),
            "group_used": as_int(group.get("used")), "group_allowed": as_int(group.get("allowed")),
        })
    return rows


def _limiter_json(client: VTClient) -> dict[str, Any]:
    s = client.limiter.state()
    return {"per_minute": s.per_minute, "per_day": s.per_day, "left_minute": s.left_minute,
            "left_day": s.left_day, "used_day": s.used_day, "resets_at": s.resets_at.isoformat()}


def _remember_user_id(uid: str, api_key: str | None) -> None:
    """Save a learned user id (tied to the key) so later runs never put the key in a URL."""
    from ..config import load_settings, save_user_id

    try:
        settings = load_settings()
        if api_key is None or settings.api_key != api_key:
            return
        path = save_user_id(uid, settings.config_file, api_key=api_key)
    except E.ConfigError as exc:
        output.warn(f"could not save your VirusTotal user id: {exc.message}")
        return
    output.warn(f"saved your VirusTotal user id ({clean_line(uid, 64)}) in {path}: "
                "the quota is looked up by it from now on, without the key in the URL")


def _quota_args(p: argparse.ArgumentParser) -> None:
    _format(p)


@command("quota", "show the API key's quotas (hourly, daily, monthly) and the local rate limit")(_quota_args)
async def quota(args: argparse.Namespace, client: VTClient) -> int:
    # the server's count of today goes into the shared ledger (and a user id learned on the
    # way is kept: later checks leave the key out of URLs)
    data = await client.reconcile_quota()
    if client.learned_user_id:
        _remember_user_id(client.learned_user_id, client.api_key)
    rows = _quota_rows(data)
    limiter = _limiter_json(client)
    from ..config import mask_key

    key = {"shown": mask_key(client.api_key), "source": client.key_source}
    if args.format == "json":
        _emit_json({"quotas": data, "limiter": limiter, "api_key": key})
        return 0

    def num(v: int | None) -> str:
        return "-" if v is None else f"{v:,}"

    table = [("quota", "used", "allowed", "group used", "group allowed")]
    table += [(clean_line(r["name"].replace("_", " "), 60), num(r["used"]), num(r["allowed"]),
               num(r["group_used"]), num(r["group_allowed"])) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        _line(
            f"{row[0]:<{widths[0]}}" + "".join(f"  {cell:>{w}}" for cell, w in zip(row[1:], widths[1:], strict=False))
        )
    state = client.limiter.state()
    minute = f"{state.per_minute} requests a minute" if state.per_minute else "no per-minute limit"
    scope = "shared by every vttui process of this key" if client.store is not None else "in this run"
    day = (f"{state.per_day} a day ({state.left_day} left, {scope}; resets {state.resets_at:%H:%M} UTC)"
           if state.per_day else "no daily limit")
    _line()
    _line(f"local rate limit: {minute}, {day}")
    _line(f"API key {key['shown']}" + (f" from {key['source']}" if key["source"] else ""))
    return 0


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

"""Submitting to VirusTotal from the shell: submit (files, URLs), reanalyse, analysis.

Every submission asks first (``prompt.require``; scripts pass ``--yes``) and says what
will be shared; ``--wait`` polls the analysis and prints the fresh report.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.ioc import IOCType, classify, try_classify
from ..vt.models import Analysis
from ..vt.refs import ObjectRef
from ..vt.samples import (
    find_known_file,
    plan_upload,
    url_question,
)
from ..vt.sanitize import clean_line
from ..vt.validate import ref_problem
from . import output, prompt
from .action_common import (
    add_format_arg,
    add_wait_args,
    add_yes_arg,
    describe,
    echo,
    emit_json,
    print_analysis,
    print_summary,
    stats_text,
    valid_analysis_id,
)
from .registry import command

#: First pause between analysis polls (seconds); doubles up to POLL_MAX_DELAY.
POLL_FIRST_DELAY = 5.0
POLL_MAX_DELAY = 60.0

# --- analyses ------------------------------------------------------------------------


async def _wait(client: VTClient, analysis_id: str, timeout: float) -> dict[str, Any]:
    bar = output.Progress("analysis")

    def update(body: dict[str, Any]) -> None:
        analysis = Analysis.from_reply(body)
        bar.step(f"{clean_line(analysis.status or 'pending', 40)}; {stats_text(analysis.stats)}")

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
    if not valid_analysis_id(analysis_id):  # it goes into a path: VirusTotal's word is not enough
        raise E.MalformedResponseError(
            "VirusTotal accepted the submission but answered with an analysis id vttui cannot use."
        )
    if not args.wait:
        if args.format == "json":
            emit_json({"submitted": True, "item": _ref_json(item), "analysis_id": analysis_id,
                        "analysis": descriptor, "report": None})
        else:
            echo(analysis_id)
            output.warn(f"submitted; follow it with: vttui analysis {analysis_id} --wait")
        return 0
    body = await _wait(client, analysis_id, args.timeout)
    report = await _fresh_report(client, body, item)
    if args.format == "json":
        emit_json({"submitted": True, "item": _ref_json(Analysis.from_reply(body).item_ref or item),
                    "analysis_id": analysis_id, "analysis": body.get("data"), "meta": body.get("meta"),
                    "report": report})
        return 0
    print_analysis(body)
    if report is not None:
        echo()
        print_summary(report)
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
    add_wait_args(p)
    add_yes_arg(p)
    add_format_arg(p)


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
                emit_json({"submitted": False, "item": _ref_json(item), "analysis_id": None,
                            "analysis": None, "report": known})
            else:
                print_summary(known)
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
    add_wait_args(p)
    add_yes_arg(p)
    add_format_arg(p)


@command("reanalyse", "ask VirusTotal to analyse a file or URL again")(_reanalyse_args)
async def reanalyse(args: argparse.Namespace, client: VTClient) -> int:
    ioc = classify(args.ioc)
    if ioc.object_type not in ("file", "url"):
        raise E.InvalidIOCError(f"Only files and URLs can be re-analysed; this is a {ioc.label}.")
    prompt.require(
        f"Ask VirusTotal to analyse {describe(ioc)} again? "
        "The request is recorded on VirusTotal and counts against your quota.",
        yes_flag=args.yes,
    )
    descriptor = await client.reanalyse(ioc.ref)
    return await _after_submit(args, client, descriptor, ioc.ref)


def _analysis_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("analysis_id", metavar="ID", help="an analysis id (as printed by submit or reanalyse)")
    add_wait_args(p)
    add_format_arg(p)


@command("analysis", "show an analysis (its status and engine counts)")(_analysis_args)
async def analysis(args: argparse.Namespace, client: VTClient) -> int:
    ident = args.analysis_id.strip()
    if not valid_analysis_id(ident):
        raise E.InvalidIOCError(f"Not an analysis id: {clean_line(ident, 80)!r}.")
    body = await (_wait(client, ident, args.timeout) if args.wait else client.get_analysis(ident))
    if args.format == "json":
        emit_json(body)
    else:
        print_analysis(body)
    return 0

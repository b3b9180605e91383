"""`vttui extract FILE|-` and `vttui triage FILE|-`: the indicators of any text.

``extract`` lists the indicators found (refanged, or defanged with ``--defang``); it
needs no key and spends no quota. ``triage`` looks each one up, within the quota, and
prints one row per indicator (table, CSV, JSON, Markdown, XML or raw); progress goes to
stderr. Not found is an answer, not an error: the row says so and the exit code stays 0.
A spent quota or a refused key stops the run: the rows answered so far are printed, the
others say why, and the exit code is the error's.
"""

from __future__ import annotations

import argparse
import sys

from ..export.triage_export import TRIAGE_FORMATS, render_triage
from ..vt.client import VTClient
from ..vt.errors import InvalidArgumentError
from ..vt.ioc import defang, extract
from ..vt.triage import RowStatus, Triage
from . import output
from .lookup import emit, output_file_args
from .registry import command

#: Bigger inputs are refused: a paste, a ticket or a log excerpt is far smaller.
MAX_INPUT = 32 * 1024 * 1024
EXTRACT_FORMATS = ("text", "json", "csv")


def read_text(source: str) -> str:
    """The text of FILE, or of stdin for ``-`` (undecodable bytes replaced, never an error)."""
    try:
        if source == "-" and hasattr(sys.stdin, "buffer"):
            data = sys.stdin.buffer.read(MAX_INPUT + 1)
        elif source == "-":  # a text stream (tests, embedding)
            data = sys.stdin.read(MAX_INPUT + 1).encode("utf-8", "replace")
        else:
            with open(source, "rb") as fh:
                data = fh.read(MAX_INPUT + 1)
    except OSError as exc:
        raise InvalidArgumentError(f"Cannot read {source}: {exc.strerror or exc}.") from None
    if len(data) > MAX_INPUT:
        raise InvalidArgumentError(f"{source} is larger than {MAX_INPUT // 2**20} MB; split it first.")
    return data.decode("utf-8", "replace")


def _source(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="FILE", help="a file of any text (ticket, e-mail, log); '-' reads stdin")


# --- extract ---------------------------------------------------------------------------------


def _extract_args(p: argparse.ArgumentParser) -> None:
    _source(p)
    p.add_argument("--defang", action="store_true", help="print them defanged (hxxp://evil[.]com), for tickets")
    p.add_argument("--format", "-f", choices=EXTRACT_FORMATS, default="text",
                   help="text (one a line, default), json or csv (with each one's type)")
    output_file_args(p)


@command("extract", "list the indicators in a text (no key needed, no quota spent)")(_extract_args)
async def extract_command(args: argparse.Namespace, _client: object) -> int:
    from ..export import json_out
    from ..export.csv_out import _write

    found = extract(read_text(args.source))
    values = [defang(i) if args.defang else i.value for i in found]
    if args.format == "json":
        text = json_out.dumps([{"ioc": v, "type": i.type.value} for v, i in zip(values, found, strict=True)],
                              dates=False) + "\n"
    elif args.format == "csv":
        text = _write(["ioc", "type"], ([v, i.type.value] for v, i in zip(values, found, strict=True)))
    else:
        text = "".join(f"{v}\n" for v in values)
    emit(text, args, None)
    if not found:
        output.warn("no indicators found")
    return 0


extract_command.offline = True  # type: ignore[attr-defined]


# --- triage ------------------------------------------------------------------------------------


def _triage_args(p: argparse.ArgumentParser) -> None:
    _source(p)
    p.add_argument("--format", "-f", choices=TRIAGE_FORMATS, default="table", help="output format (default table)")
    p.add_argument("--defang", action="store_true", help="defang the indicators (table, Markdown and CSV)")
    output_file_args(p)


@command("triage", "look up every indicator in a text, one row each (verdict, reputation, network)")(_triage_args)
async def triage_command(args: argparse.Namespace, client: VTClient) -> int:
    render_triage([], args.format, defang=args.defang)  # a bad combination fails before any request
    triage = Triage.from_text(read_text(args.source))
    total = len(triage.rows)
    bar = output.Progress("triage")
    done = cached = 0
    async for row in triage.run(client):
        done += 1
        cached += row.cached
        bar.step(f"{done}/{total} ({cached} from the cache)")
    bar.finish()
    emit(render_triage(triage, args.format, defang=args.defang), args, client)
    counts = triage.counts()
    parts = [f"{counts[s]} {s.value}" for s in RowStatus if counts[s]]
    output.warn(f"{total} indicators: {', '.join(parts) or 'none found'}; "
                f"{triage.requests} requests, {cached} answered from the cache")
    if triage.stopped is not None:
        output.error(f"stopped: {triage.stopped.message}")
        return triage.stopped.exit_code
    return 0

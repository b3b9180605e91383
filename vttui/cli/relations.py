"""`vttui relations IOC RELATIONSHIP`: the objects related to one object, page by page.

``--limit N`` prints N items (default 10; pages of up to 40 are fetched as needed).
When more remain, the cursor to continue from is printed on stderr as
``next cursor: X``; pass it back with ``--cursor X``. ``--all`` walks every page up to
``--max`` items (default 1000). No run fetches more than ``walk.MAX_ITEMS``. Output
formats as for ``vttui lookup``; JSON and raw give an array of the related objects.

Items are written as they arrive (see :mod:`vttui.export.stream`). When a page fails,
or the server's cursor loops, what arrived stays written (JSON closed validly; with
``-o FILE`` the file holds it), the reason and the resume cursor go to stderr, and the
exit code is the error's (6 for network and server trouble).
"""

from __future__ import annotations

import argparse
import sys

from ..export import FORMATS, get_template, redact
from ..export.files import PartialFile
from ..export.stream import ListWriter
from ..vt.client import MAX_PAGE_LIMIT, VTClient
from ..vt.errors import InvalidArgumentError
from ..vt.ioc import IOCType, classify
from ..vt.refs import TYPE_LABELS
from ..vt.relationships import Relationship, get_relationship, relationships_for
from . import output
from .lookup import output_file_args
from .registry import command
from .walk import WalkProgress, bounded, print_cursor, report_stop, walk

DEFAULT_LIMIT = 10
DEFAULT_MAX = 1000


def check_relationship(object_type: str, name: str) -> Relationship:
    """The catalogue entry, or InvalidArgumentError listing the valid names for the type."""
    rel = get_relationship(object_type, name)
    if rel is None:
        valid = ", ".join(r.name for r in relationships_for(object_type))
        label = TYPE_LABELS.get(object_type, object_type)
        raise InvalidArgumentError(f"{name!r} is not a relationship of a {label}; valid: {valid}.")
    return rel


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP (defanged is fine)")
    p.add_argument(
        "relationship", metavar="RELATIONSHIP", help="e.g. contacted_domains (see `vttui relationship-types`)"
    )
    p.add_argument(
        "--limit", "-n", type=_positive, default=DEFAULT_LIMIT, help=f"items to print (default {DEFAULT_LIMIT})"
    )
    p.add_argument("--cursor", "-c", metavar="CURSOR", help="continue from a cursor printed earlier")
    p.add_argument("--all", "-a", action="store_true", help="walk every page (up to --max items)")
    p.add_argument(
        "--max", type=_positive, default=DEFAULT_MAX, help=f"stop --all after this many items (default {DEFAULT_MAX})"
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="json", help="output format (default json)")
    p.add_argument("--template", "-t", metavar="NAME", help="trim each item's fields with a template")
    output_file_args(p)
    p.add_argument("--refresh", action="store_true", help="fetch fresh pages: ignore what earlier runs cached")
    p.add_argument("--progress", action="store_true",
                   help="progress lines on stderr even when it is not a terminal (on a terminal it is always shown)")


@command("relations", "list the objects related to one (contacted domains, resolutions...)")(_args)
async def relations(args: argparse.Namespace, client: VTClient) -> int:
    template = get_template(args.template)
    ioc = classify(args.ioc)
    if ioc.type is IOCType.ANALYSIS:
        raise InvalidArgumentError("Analyses have no relationships; look up the file or URL instead.")
    rel = check_relationship(ioc.object_type, args.relationship)
    limit, most = bounded(args.limit, "--limit"), bounded(args.max, "--max")
    wanted = most if args.all else limit
    page_size = MAX_PAGE_LIMIT if args.all else min(limit, MAX_PAGE_LIMIT)
    pages = client.iter_related(ioc.ref, rel.name, limit=page_size, cursor=args.cursor, max_items=wanted)
    sink = PartialFile(args.output, overwrite=args.force) if args.output else None
    key = client.api_key

    def write(text: str) -> None:
        text = redact(text, key)
        if sink is not None:
            sink.write(text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()

    writer = ListWriter(args.format, write, template=template, relationship=rel.name, targets=rel.targets,
                        source_type=ioc.object_type,
                        source=f"{TYPE_LABELS.get(ioc.object_type, ioc.object_type)} {ioc.display}")
    progress = WalkProgress(rel.name, pages, client.limiter, most=wanted, force=args.progress)
    error = None
    ended = False
    try:
        async with progress.running():
            error = await walk(pages, writer.add, "items", progress)
        ended = True
    finally:
        if writer.count == 0 and (error is not None or not ended):
            if sink is not None:  # nothing arrived: no output at all, as before any request
                sink.discard()
        else:
            writer.close(note=error.message if error is not None else None)
            if sink is not None:
                path = sink.commit()
                output.warn(f"wrote {sink.bytes:,} bytes to {path}")
    if error is not None:
        return report_stop(error, pages, writer.count, "items")

    cursor = pages.cursor
    if cursor:
        if args.all:
            output.warn(f"stopped after {writer.count} items (--max {most}); more remain")
        print_cursor(cursor)
    elif rel.cap is not None and writer.count >= rel.cap:
        output.warn(f"VirusTotal lists at most {rel.cap} {rel.name}; there may be more (capped, not the end)")
    return 0

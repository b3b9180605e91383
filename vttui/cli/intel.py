"""`vttui search QUERY` (VirusTotal Intelligence) and `vttui collection ID`.

Search is premium: a public key gets "Intelligence search needs a premium key" and exit
code 4 after one request at most. ``--limit N`` prints N hits (default 10); when more
remain, the cursor to continue from is printed on stderr as ``next cursor: X`` (pass it
back with ``--cursor X``); ``--all`` walks every page up to ``--max`` hits.

``collection ID`` prints the collection (one request); ``--iocs`` adds its IoC lists
(files, domains, urls, ip_addresses; each a request per page of up to 40).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..export.intel_export import SEARCH_FORMATS, render_collection, render_search
from ..vt.client import MAX_PAGE_LIMIT, VTClient
from ..vt.errors import InvalidArgumentError
from ..vt.models import COLLECTION_IOC_RELATIONSHIPS
from ..vt.sanitize import clean_line
from . import output
from .lookup import emit, output_file_args
from .registry import command
from .relations import DEFAULT_LIMIT, DEFAULT_MAX, _positive

IOC_KINDS = tuple(rel for rel, _label, _key in COLLECTION_IOC_RELATIONSHIPS)


def _paging(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--limit", "-n", type=_positive, default=DEFAULT_LIMIT,
                   help=f"{what} to print (default {DEFAULT_LIMIT})")
    p.add_argument("--cursor", "-c", metavar="CURSOR", help="continue from a cursor printed earlier")
    p.add_argument("--all", "-a", action="store_true", help="walk every page (up to --max)")
    p.add_argument("--max", type=_positive, default=DEFAULT_MAX,
                   help=f"stop --all after this many (default {DEFAULT_MAX})")


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=SEARCH_FORMATS, default="table", help="output format (default table)")
    p.add_argument("--defang", action="store_true", help="defang URLs, domains and IPs (table, Markdown, CSV)")
    output_file_args(p)


def _next_cursor(cursor: str | None, shown: int, args: argparse.Namespace, label: str = "") -> None:
    if not cursor:
        return
    if args.all:
        output.warn(f"stopped after {shown} (--max {args.max}); more remain")
    print(f"next cursor{' for ' + label if label else ''}: {clean_line(cursor)}", file=sys.stderr, flush=True)


# --- search ----------------------------------------------------------------------------------


def _search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="+", metavar="QUERY",
                   help="a VirusTotal Intelligence query, e.g. 'type:peexe p:5+ fs:2026-07-01+' (words are joined)")
    _paging(p, "hits")
    p.add_argument("--order", metavar="FIELD[+-]", help="sort order VirusTotal allows, e.g. positives- or size+")
    _format(p)


@command("search", "search VirusTotal Intelligence (premium keys), one row per hit")(_search_args)
async def search(args: argparse.Namespace, client: VTClient) -> int:
    query = " ".join(args.query).strip()
    render_search([], args.format, defang=args.defang)  # a bad combination fails before any request
    wanted = args.max if args.all else args.limit
    page_size = MAX_PAGE_LIMIT if args.all else min(args.limit, MAX_PAGE_LIMIT)
    hits = client.iter_search(query, limit=page_size, cursor=args.cursor, max_items=wanted, order=args.order)
    items: list[dict[str, Any]] = []
    bar = output.Progress("search")
    async for item in hits:
        items.append(item)
        bar.step(f"{len(items)} hits")
    bar.finish()
    emit(render_search(items, args.format, query=query, total=hits.count, defang=args.defang), args, client)
    total = f" of {hits.count}" if hits.count is not None else ""
    output.warn(f"{len(items)}{total} hits")
    _next_cursor(hits.cursor, len(items), args)
    return 0


# --- collection -----------------------------------------------------------------------------------


def _collection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("collection_id", metavar="ID", help="the collection's id (as in its VirusTotal link)")
    p.add_argument("--iocs", nargs="*", choices=IOC_KINDS, metavar="KIND",
                   help=f"also list its IoCs: all, or some of {', '.join(IOC_KINDS)}")
    _paging(p, "IoCs of each kind")
    _format(p)


@command("collection", "show a collection (an IoC list) and, with --iocs, its files, domains, URLs and IPs")(
    _collection_args)
async def collection(args: argparse.Namespace, client: VTClient) -> int:
    render_collection({}, args.format, defang=args.defang)  # a bad combination fails before any request
    kinds = None if args.iocs is None else (list(dict.fromkeys(args.iocs)) or list(IOC_KINDS))
    if args.cursor and (kinds is None or len(kinds) != 1):
        raise InvalidArgumentError("--cursor continues one list: give exactly one kind, e.g. --iocs files.")
    data = await client.get_collection(args.collection_id)
    lists: dict[str, list[dict[str, Any]]] | None = None
    cursors: dict[str, str | None] = {}
    if kinds is not None:
        lists = {}
        wanted = args.max if args.all else args.limit
        page_size = MAX_PAGE_LIMIT if args.all else min(args.limit, MAX_PAGE_LIMIT)
        for kind in kinds:
            pages = client.iter_collection_items(args.collection_id, kind, limit=page_size, cursor=args.cursor,
                                                 max_items=wanted)
            lists[kind] = [item async for item in pages]
            cursors[kind] = pages.cursor
    emit(render_collection(data, args.format, iocs=lists, defang=args.defang), args, client)
    for kind, cursor in cursors.items():
        _next_cursor(cursor, len((lists or {}).get(kind, [])), args, kind if len(cursors) > 1 else "")
    return 0

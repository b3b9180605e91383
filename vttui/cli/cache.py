"""`vttui cache stats` and `vttui cache clear [IOC]`: what the persistent cache holds, and
forgetting it (all of it, or one indicator's reports, pages, comments and votes).

The cache belongs to one API key (its namespace is a hash of the key): these commands
see the current key's replies only. The quota ledger is never cleared: it is the record
of what was spent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

from ..vt.cache import describe_age
from ..vt.client import VTClient
from ..vt.ioc import IOCType, classify
from ..vt.sanitize import clean_line
from . import output
from .registry import command


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _mb(size: float) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("stats", "clear"), help="stats: what is cached; clear: forget it")
    p.add_argument("ioc", nargs="?", metavar="IOC", help="with clear: forget only this indicator")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default text)")


@command("cache", "show what the persistent cache holds (stats), or forget it (clear [IOC])")(_args)
async def cache(args: argparse.Namespace, client: VTClient) -> int:
    if args.action == "stats":
        if args.ioc:
            output.error("`vttui cache stats` takes no IOC (`vttui cache clear IOC` forgets one).")
            return 2
        return await _stats(args, client)
    return await _clear(args, client)


async def _stats(args: argparse.Namespace, client: VTClient) -> int:
    store = client.store
    options = getattr(client.persist, "options", None)
    if store is None:
        note = "nothing is kept between runs (cache.store = memory, VTTUI_STORE or --no-store)"
        data: dict[str, Any] = {"kind": "memory", "location": "this process", "entries": 0, "bytes": 0, "note": note}
    else:
        s = await store.stats()
        data = {"kind": s.kind, "location": s.location, "chosen_by": getattr(options, "source", None),
                "entries": s.entries, "aliases": s.aliases, "bytes": s.bytes, "max_bytes": s.max_bytes,
                "hits": s.hits, "misses": s.misses, "hit_rate": round(s.hit_rate, 4),
                "oldest": _iso(s.oldest), "notice": client.store_notice}
    if args.format == "json":
        _out(json.dumps(data, indent=2))
        return 0
    if store is None:
        _out(f"store     memory: {data['note']}")
        return 0
    _out(f"store     {data['kind']}  {clean_line(str(data['location']))}"
         + (f"  (chosen by {data['chosen_by']})" if data.get("chosen_by") else ""))
    if data["notice"]:
        _out(f"note      {clean_line(str(data['notice']))}")
    _out(f"entries   {data['entries']:,} replies, {data['aliases']:,} id aliases")
    _out(f"size      {_mb(data['bytes'])} of {_mb(data['max_bytes'])}")
    total = data["hits"] + data["misses"]
    rate = f"{data['hit_rate']:.0%}" if total else "-"
    _out(f"hit rate  {rate} ({data['hits']:,} hits, {data['misses']:,} misses, all runs of this key)")
    oldest = s.oldest
    _out("oldest    " + (f"fetched {data['oldest']} ({describe_age(time.time() - oldest)} ago)" if oldest else "-"))
    return 0


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _clear(args: argparse.Namespace, client: VTClient) -> int:
    store = client.store
    if store is None:
        _out("Nothing to clear: this run keeps its cache in memory only.")
        return 0
    if not args.ioc:
        count = await store.clear()
        _out(f"Cleared {count:,} cached replies from {clean_line(store.location)}.")
        return 0
    ioc = classify(args.ioc)  # an InvalidIOCError exits 2 with one clear line
    path = f"/analyses/{ioc.value}" if ioc.type is IOCType.ANALYSIS else ioc.ref.path
    parts = path.split("/")
    if parts[1] in ("files", "urls"):
        canonical = await store.resolve(parts[1], parts[2])
        if canonical:
            path = f"/{parts[1]}/{canonical}"
    count = await store.invalidate(path)
    count += await store.invalidate(path + "?", prefix=True)
    count += await store.invalidate(path + "/", prefix=True)
    _out(f"Cleared {count:,} cached replies about {clean_line(ioc.display, 100)}.")
    return 0

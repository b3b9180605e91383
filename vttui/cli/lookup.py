"""`vttui lookup IOC`: print an object's report."""

from __future__ import annotations

import argparse
import json
import sys

from ..vt.client import VTClient
from ..vt.ioc import classify
from .commands import command


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("iocs", nargs="+", metavar="IOC", help="hash, URL, domain or IP (defanged is fine)")
    p.add_argument("--format", "-f", choices=["json"], default="json", help="output format (default json)")


@command("lookup", "look up hashes, URLs, domains or IPs and print their reports")(_args)
async def lookup(args: argparse.Namespace, client: VTClient) -> int:
    iocs = [classify(text) for text in args.iocs]  # garbage is refused before any request
    for ioc in iocs:
        data = await client.lookup(ioc)
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0

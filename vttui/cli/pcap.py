"""``vttui pcap``: save a sandbox run's network capture (premium keys)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..vt.client import VTClient
from ..vt.samples import (
    save_pcap,
    validate_behaviour_id,
)
from . import output
from .action_common import (
    add_format_arg,
    add_output_dir_args,
    echo,
    emit_json,
)
from .registry import command

# --- downloads -----------------------------------------------------------------------


def _saved(args: argparse.Namespace, path: Path, extra: dict[str, Any]) -> None:
    path = Path(os.path.abspath(path))  # scripts get a path that works from anywhere
    if args.format == "json":
        emit_json({"path": str(path), **extra, "bytes": path.stat().st_size})
    else:
        echo(str(path))


def _pcap_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("behaviour_id", metavar="BEHAVIOUR_ID", help="sandbox report id: <sha256>_<sandbox name>")
    add_output_dir_args(p)
    add_format_arg(p)


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

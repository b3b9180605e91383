"""Argument parsing for the headless CLI: every registered subcommand, and running one."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any, TextIO

from .. import __version__
from ..config import KEY_OPTION, check_api_key, load_settings
from ..export.files import refuse_existing
from ..runtime import make_client
from ..vt.client import VTClient
from . import output
from .registry import COMMANDS, PARSER_BUILDER, Handler, command

__all__ = ["COMMANDS", "Handler", "build_parser", "command", "open_client", "run_command"]

#: Commands that build their own clients from the environment (the service and its workers).
SERVICE_COMMANDS = frozenset({"serve", "mcp"})

USAGE = """\
vttui [IOC] [--demo] [--no-store] [-k KEY]    start the terminal UI (opening IOC)
       vttui COMMAND [options] ...                  run a headless command (below)"""

KEY_HELP = ("API key for this run (wins over VT_API_KEY, the config file and ~/.vt.toml); "
            "it shows in the process list, so prefer VT_API_KEY on shared machines")

EPILOG = """\
exit codes:
  0 ok, 1 unexpected error, 2 invalid input, 3 not found,
  4 authentication/forbidden, 5 quota or rate limit, 6 network or server,
  7 conflict (already exists), 130 interrupted

Run `vttui` with no command to start the terminal UI (`vttui IOC` opens IOC at once).
"""


def build_parser() -> argparse.ArgumentParser:
    _load_commands()
    parser = argparse.ArgumentParser(
        prog="vttui",
        usage=USAGE,
        description="VirusTotal from the terminal: a keyboard-first TUI and a headless CLI.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vttui {__version__}")
    parser.add_argument("--demo", action="store_true", help="use the bundled offline demo data (nothing is sent)")
    parser.add_argument("--no-store", action="store_true",
                        help="keep nothing beyond this run (cache and quota count in memory only)")
    parser.add_argument("-k", "--apikey", metavar="KEY", help=KEY_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", prog="vttui")
    for name, (help_text, add_args, _handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        # SUPPRESS: a subcommand's default must not undo `vttui -k KEY lookup ...`
        p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                       help="use the bundled offline demo data")
        p.add_argument("--no-store", action="store_true", default=argparse.SUPPRESS,
                       help="keep nothing beyond this run (cache and quota count in memory only)")
        p.add_argument("-k", "--apikey", metavar="KEY", default=argparse.SUPPRESS, help=KEY_HELP)
        add_args(p)
    return parser


PARSER_BUILDER[:] = [build_parser]


def _load_commands() -> None:
    from . import (  # noqa: F401  (each registers itself)  # noqa: F401  (search, collection; triage, extract)  # noqa: F401  (download of several hashes, submit DIR; shell completion)
        actions,  # noqa: F401  (submit, comment, vote, quota, ...)
        bulk,
        cache,  # noqa: F401  (cache stats, cache clear)
        completion,
        intel,
        lookup,
        meta,
        relations,
        serve,  # noqa: F401  (serve, mcp)
        triage,
    )


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace) -> AsyncIterator[VTClient]:
    demo = getattr(args, "demo", False)
    settings = load_settings(api_key=getattr(args, "apikey", None))
    for warning in settings.warnings:
        output.warn(warning)
    if settings.key_warning and not demo:  # the demo brings its own key
        output.warn(settings.key_warning)
    if getattr(args, "no_store", False):
        settings = replace(settings, store=settings.store.memory_only("--no-store"))
    client = make_client(settings, demo=demo)
    if getattr(args, "refresh", False):
        client.refresh_all()
    told = 0
    try:
        await client.prepare()  # a store out of reach falls back here, and says so below
        told = _store_warnings(client, told)
        yield client
    finally:
        _store_warnings(client, told)
        await client.aclose()


def _store_warnings(client: VTClient, already: int) -> int:
    """Say (once) what happened to the store: a file moved aside, a fallback."""
    warnings = list(getattr(client.store, "warnings", []))
    for warning in warnings[already:]:
        output.warn(warning)
    return len(warnings)


class _Redacting:
    """stdout/stderr for the length of a command: the API key never gets out, whatever a
    server echoes or a user pasted into a comment."""

    def __init__(self, stream: TextIO, secret: str) -> None:
        self._stream = stream
        self._secret = secret
        self._mask = "***" + secret[-4:]

    def write(self, text: str) -> int:
        self._stream.write(text.replace(self._secret, self._mask))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _redacted_output(secret: str | None) -> Iterator[None]:
    if not secret or len(secret) < 8:
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Redacting(sys.stdout, secret), _Redacting(sys.stderr, secret)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


async def run_command(args: argparse.Namespace) -> int:
    _help, _add, handler = COMMANDS[args.command]
    if getattr(args, "output_is_file", False) and args.output:
        refuse_existing(args.output, args.force)  # before any request: a refused export costs no quota
    if getattr(handler, "offline", False):
        if args.command in SERVICE_COMMANDS and getattr(args, "apikey", None):
            # The service (and its worker processes) read their settings from the
            # environment: -k reaches them as VT_API_KEY, checked by the same rule first.
            os.environ["VT_API_KEY"] = check_api_key(args.apikey.strip(), KEY_OPTION)
        return await handler(args, None)  # type: ignore[arg-type]
    async with open_client(args) as client:
        with _redacted_output(client.api_key):
            return await handler(args, client)

"""The `vttui` command: the TUI by default, headless subcommands for scripts.

    vttui [IOC] [--demo]          start the terminal UI (optionally opening IOC)
    vttui lookup IOC... [...]     print reports (see `vttui --help`)

Exit codes (documented in the README): 0 ok, 1 unexpected error, 2 invalid input,
3 not found, 4 authentication/forbidden, 5 quota or rate limit, 6 network or server,
7 conflict (already exists), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..vt.errors import EXIT_CODES, ErrorKind, VTError
from . import output

#: Subcommand names, known without importing them (the TUI starts faster that way).
COMMAND_NAMES = frozenset({
    "lookup", "relations", "templates", "relationship-types", "submit", "reanalyse", "analysis",
    "comment", "comments", "vote", "votes", "download", "pcap", "quota", "cache",
    "triage", "extract", "search", "collection", "serve", "mcp",
})

EXIT_OK = 0
EXIT_INTERNAL = 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        output.error("interrupted")
        return EXIT_CODES[ErrorKind.CANCELLED]
    except BrokenPipeError:
        # `vttui lookup ... | head`: the reader left; that is not an error.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK


def _main(argv: list[str]) -> int:
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in COMMAND_NAMES or any(a in ("-h", "--help", "--version") for a in argv[:1]):
        import asyncio

        from .commands import build_parser, run_command

        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_OK
        try:
            return asyncio.run(run_command(args))
        except VTError as exc:
            return output.report_error(exc)
        except Exception as exc:  # last resort: one line, no traceback
            if os.environ.get("VTTUI_DEBUG"):
                raise
            output.error(f"unexpected {type(exc).__name__}: {exc} (set VTTUI_DEBUG=1 for details)")
            return EXIT_INTERNAL
    return _run_tui(argv)


def _run_tui(argv: list[str]) -> int:
    import argparse

    tui = argparse.ArgumentParser(prog="vttui", add_help=False)
    tui.add_argument("ioc", nargs="?")
    tui.add_argument("--demo", action="store_true")
    tui.add_argument("--no-store", action="store_true")
    args, unknown = tui.parse_known_args(argv)
    if unknown:
        output.error(f"unrecognised arguments: {' '.join(unknown)} (see vttui --help)")
        return EXIT_CODES[ErrorKind.INVALID]
    from .launch import run_app

    return run_app(ioc=args.ioc, demo=args.demo, no_store=args.no_store)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

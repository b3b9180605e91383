"""The `vttui` command: the TUI by default, headless subcommands for scripts.

    vttui [IOC] [--demo] [--no-store] [-k KEY]   the terminal UI (optionally opening IOC)
    vttui COMMAND ...                            headless commands (see `vttui --help`)

Exit codes (documented in the README): 0 ok, 1 unexpected error, 2 invalid input,
3 not found, 4 authentication/forbidden, 5 quota or rate limit, 6 network or server,
7 conflict (already exists), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
from collections.abc import Sequence

from ..vt.errors import EXIT_CODES, ErrorKind, VTError
from . import output

#: Subcommand names, known without importing them (the TUI starts faster that way).
COMMAND_NAMES = frozenset({
    "lookup", "relations", "templates", "relationship-types", "submit", "reanalyse", "analysis",
    "comment", "comments", "vote", "votes", "download", "pcap", "quota", "cache",
    "triage", "extract", "search", "collection", "completion", "serve", "mcp",
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
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stdout from now on: never closed)
        return EXIT_OK


#: Options of the TUI and of every command that take a value (skipped when looking for
#: the command word: in ``vttui -k KEY lookup X`` the command is "lookup", not KEY).
VALUE_OPTIONS = frozenset({"-k", "--apikey"})
_WORD = re.compile(r"[a-z][a-z0-9-]*")


def first_word(argv: Sequence[str]) -> str | None:
    """The first positional argument: a command name, an IOC for the TUI, or a typo."""
    skip = False
    for n, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            return argv[n + 1] if n + 1 < len(argv) else None
        if arg in VALUE_OPTIONS:
            skip = True
            continue
        if arg.startswith("-") and arg != "-":
            continue
        return arg
    return None


def suggest_command(word: str) -> str | None:
    """The command ``word`` is most likely a typo of (difflib), if any is close."""
    close = difflib.get_close_matches(word, sorted(COMMAND_NAMES), n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_command(word: str) -> str | None:
    """The error for a first word that is neither a command nor an indicator (a typo such
    as ``lokup``), or None when the TUI should open with it (an IOC, or something the
    search bar explains better, such as a defanged name)."""
    if word in COMMAND_NAMES or not _WORD.fullmatch(word):
        return None
    from ..vt.ioc import try_classify

    if try_classify(word) is not None:
        return None
    close = suggest_command(word)
    if close:
        return f"unknown command {word!r}; did you mean {close}? (vttui --help lists the commands)"
    return (f"unknown command {word!r}, and not a hash, URL, domain or IP to open in the terminal UI "
            "(vttui --help lists the commands)")


def _main(argv: list[str]) -> int:
    first = first_word(argv)
    options = argv[: argv.index("--")] if "--" in argv else argv
    asked = [a for a in options if a in ("-h", "--help", "--version")]
    if first in COMMAND_NAMES or asked:
        import asyncio

        from .commands import build_parser, run_command

        parser = build_parser()
        if first not in COMMAND_NAMES:  # `vttui --demo --help`: the TUI's options plus help is help
            argv = asked[:1]
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
    if first is not None:
        problem = unknown_command(first)
        if problem is not None and (suggest_command(first) or _has_terminal()):
            # Without a close command and without a terminal (cron, a pipe), the TUI's own
            # "needs a terminal" says more about what went wrong.
            output.error(problem)
            return EXIT_CODES[ErrorKind.INVALID]
    return _run_tui(argv)


def _has_terminal() -> bool:
    from .launch import terminal_problem

    return terminal_problem() is None


def _run_tui(argv: list[str]) -> int:
    import argparse

    tui = argparse.ArgumentParser(prog="vttui", add_help=False)
    tui.add_argument("ioc", nargs="?")
    tui.add_argument("--demo", action="store_true")
    tui.add_argument("--no-store", action="store_true")
    tui.add_argument("-k", "--apikey", default=None)
    args, unknown = tui.parse_known_args(argv)
    if unknown:
        output.error(f"unrecognised arguments: {' '.join(unknown)} (see vttui --help)")
        return EXIT_CODES[ErrorKind.INVALID]
    from .launch import run_app

    return run_app(ioc=args.ioc, demo=args.demo, no_store=args.no_store, api_key=args.apikey)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

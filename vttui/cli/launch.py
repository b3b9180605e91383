"""Start the terminal UI from the command line: settings first, plain errors, exit codes.

The CLI owns the process (arguments, stderr, exit codes); the TUI package knows nothing of
it, so the app can also be embedded or driven by tests without a command line around it.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TextIO

from ..config import crash_log_path, load_settings
from ..vt.errors import EXIT_CODES, ConfigError, ErrorKind, VTError
from . import output

NO_TERMINAL = (
    "the terminal UI needs a terminal, and {what} not one (cron, a pipe or a redirect?); nothing was started. "
    "For scripts use the headless commands: vttui lookup IOC, vttui triage FILE, vttui relations IOC REL "
    "(vttui --help lists them all)."
)


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError, AttributeError):  # closed or odd streams are no terminal
        return False


def terminal_problem(stdin: TextIO | None = None, stdout: TextIO | None = None) -> str | None:
    """Why the TUI cannot run here (no terminal on stdin or stdout), or None.

    Without this, `vttui x < /dev/null > out` wrote escape sequences into ``out`` and
    spun on the closed input until killed."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    bad = [name for name, stream in (("stdin", stdin), ("stdout", stdout)) if not _is_terminal(stream)]
    if not bad:
        return None
    return NO_TERMINAL.format(what=" and ".join(bad) + (" are" if len(bad) > 1 else " is"))


def run_app(*, ioc: str | None = None, demo: bool = False, no_store: bool = False, api_key: str | None = None) -> int:
    """Entry point of `vttui [IOC] [--demo] [--no-store] [-k KEY]`."""
    problem = terminal_problem()
    if problem is not None:  # checked first: nothing may reach a stdout that is a file or a pipe
        output.error(problem)
        return EXIT_CODES[ErrorKind.INVALID]
    try:
        settings = load_settings(api_key=api_key)
    except ConfigError as exc:
        output.error(exc.message)
        return exc.exit_code
    if no_store:  # nothing kept beyond this run: cache and quota count in memory
        settings = replace(settings, store=settings.store.memory_only("--no-store"))
    for warning in settings.warnings:
        output.warn(warning)
    if settings.key_warning and not demo:
        output.warn(settings.key_warning)
    from ..tui.app import VTApp  # the TUI's imports cost ~100 ms: only when it starts

    app = VTApp(settings=settings, demo=demo, ioc=ioc, freeze_heap=True)
    try:
        app.run()
    except VTError as exc:
        output.error(exc.message)
        return exc.exit_code
    if app.crashes and not app.return_code:
        output.error(f"vttui stopped after an unexpected error; details are in {crash_log_path()}")
        return 1
    return app.return_code or 0

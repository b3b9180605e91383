"""Start the terminal UI from the command line: settings first, plain errors, exit codes.

The CLI owns the process (arguments, stderr, exit codes); the TUI package knows nothing of
it, so the app can also be embedded or driven by tests without a command line around it.
"""

from __future__ import annotations

from dataclasses import replace

from ..config import crash_log_path, load_settings
from ..vt.errors import ConfigError, VTError
from . import output


def run_app(*, ioc: str | None = None, demo: bool = False, no_store: bool = False) -> int:
    """Entry point of `vttui [IOC] [--demo] [--no-store]`."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        output.error(exc.message)
        return exc.exit_code
    if no_store:  # nothing kept beyond this run: cache and quota count in memory
        settings = replace(settings, store=settings.store.memory_only("--no-store"))
    for warning in settings.warnings:
        output.warn(warning)
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

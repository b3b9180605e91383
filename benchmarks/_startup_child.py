"""Startup probe, run as a script by the ``startup`` benchmark (never imported).

``python _startup_child.py vttui|minimal`` under a pseudo-terminal: starts the app the
way a user would (``vttui --demo`` through the CLI's ``main``, or a bare Textual app with
one Input), and as soon as an Input has focus and the first frame has been painted,
writes the elapsed times since ``VTTUI_BENCH_T0`` (the parent's clock just before it
spawned this process) to fd ``VTTUI_BENCH_FD`` as JSON, and exits the app.
"""

import json
import os
import sys
import time

T_BOOT = time.time()  # the interpreter is up: nothing but site has been imported yet
# sys.path[0] is this script's directory; make it the repository root instead so that
# nothing in benchmarks can shadow a module, and vttui imports from a checkout too.
sys.path[0] = os.environ.get("VTTUI_BENCH_ROOT", sys.path[0])
T0 = float(os.environ["VTTUI_BENCH_T0"])
FD = int(os.environ["VTTUI_BENCH_FD"])
WHICH = sys.argv[1] if len(sys.argv) > 1 else "minimal"

# Both apps import these; importing them first only lets the hook below be installed.
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Input  # noqa: E402

if WHICH == "vttui":
    # What `vttui --demo` imports before the app runs (main() would import them anyway).
    from vttui.cli import main  # noqa: E402
    from vttui.tui import app as _vttui_app  # noqa: E402, F401

T_IMPORTS = time.time()
_reported = False


def _report(app: App) -> None:
    global _reported
    if _reported:
        return
    _reported = True
    now = time.time()
    payload = {"ready": now - T0, "boot": T_BOOT - T0, "imports": T_IMPORTS - T0,
               "focused": type(app.focused).__name__}
    os.write(FD, (json.dumps(payload) + "\n").encode())
    os.close(FD)
    app.exit()


_original_ready = App._ready


async def _ready(self: App) -> None:
    await _original_ready(self)

    def check() -> None:
        if isinstance(self.focused, Input):
            _report(self)
        else:
            self.set_timer(0.001, lambda: self.call_after_refresh(check))

    self.call_after_refresh(check)


App._ready = _ready  # type: ignore[method-assign]


class Minimal(App):
    """The baseline: the smallest Textual app with a search bar."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search")


if WHICH == "vttui":
    sys.exit(main(["--demo"]))
else:
    Minimal().run()

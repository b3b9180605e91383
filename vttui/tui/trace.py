"""Phase marks for the real-terminal benchmark (off unless ``VTTUI_TRACE`` names a file).

The benchmark runs the installed ``vttui`` in a pseudo-terminal, so it cannot look
inside the process. With ``VTTUI_TRACE=/path`` the app appends ``<monotonic seconds>
<name>`` lines at the points that matter for "enter to Detections rows": the request
sent, its reply parsed, the view built, each frame written. ``time.monotonic`` is one
clock for every process on the machine (Linux), so the benchmark can line the marks up
with the moment it pressed enter and the moment the frame reached the terminal.
"""

from __future__ import annotations

import os
import time
from typing import Any

_PATH = os.environ.get("VTTUI_TRACE") or None


def enabled() -> bool:
    return _PATH is not None


def mark(name: str) -> None:
    """Note that ``name`` happened now (one short line; nothing when tracing is off)."""
    if _PATH is None:
        return
    try:
        with open(_PATH, "a", encoding="utf-8") as fh:
            fh.write(f"{time.monotonic():.6f} {name}\n")
    except OSError:
        pass


def watch_frames(app: Any) -> None:
    """Mark every frame the app writes to the terminal (wraps Textual's private
    ``_display``; shape checked by tests/tui/test_textual_fixes.py)."""
    if _PATH is None:
        return
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None and not app._batch_count:
            mark("frame")

    app._display = display

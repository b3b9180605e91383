"""Terminal output for the headless CLI: one clear line per error, progress on stderr.

Results go to stdout; everything for the person (errors, progress, prompts) goes to
stderr, so `vttui lookup X --format json | jq` always gets clean JSON.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..vt.errors import VTError
from ..vt.sanitize import clean_line


def error(message: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    print(f"vttui: error: {clean_line(message)}", file=stream, flush=True)


def warn(message: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    print(f"vttui: {clean_line(message)}", file=stream, flush=True)


def report_error(exc: VTError) -> int:
    error(exc.message)
    return exc.exit_code


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and (total is None or done < total):
            return
        self._last = now
        speed = done / max(now - self.started, 1e-6)
        if total:
            frac = min(1.0, done / total)
            bar = "#" * int(frac * 30)
            text = f"\r{self.label} [{bar:<30}] {frac:6.1%} {_size(done)}/{_size(total)} {_size(speed)}/s"
        else:
            text = f"\r{self.label} {_size(done)} {_size(speed)}/s"
        self.stream.write(text)
        self.stream.flush()

    def step(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"\r{self.label} {text}\x1b[K")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"

"""Helpers for Pilot tests: read what is on the screen, drive the demo app."""

from __future__ import annotations

import contextlib
import html
import re
from weakref import WeakKeyDictionary

from rich.cells import cell_len

from vttui.config import Settings
from vttui.demo import DemoBackend
from vttui.tui.app import VTApp

_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)


def screen_text(app, svg: str | None = None) -> str:
    """The terminal's visible text, line by line, as a user would read it.

    Read from Textual's public ``export_screenshot`` (SVG): each run of text carries its
    ``x`` and its ``textLength``, so the width of a cell comes from the export itself
    (``textLength`` over the run's width in cells), not from a constant."""
    svg = svg if svg is not None else app.export_screenshot()
    runs = []
    for x, length, line, content in _TEXT.findall(svg):
        text = html.unescape(content).replace("\xa0", " ")
        if text != "\n":
            runs.append((float(x), float(length), int(line), text))
    widths = sorted(length / cell_len(text) for _x, length, _line, text in runs if cell_len(text))
    cell = widths[len(widths) // 2] if widths else 1.0
    lines: dict[int, dict[int, str]] = {}
    for x, _length, line, text in runs:
        lines.setdefault(line, {})[round(x / cell)] = text
    out = []
    for n in range(max(lines, default=-1) + 1):
        row = ""
        for col, text in sorted(lines.get(n, {}).items()):
            row = row.ljust(col) + text
        out.append(row.rstrip())
    return "\n".join(out)


def demo_app(**kw) -> tuple[VTApp, DemoBackend]:
    backend = DemoBackend()
    app = VTApp(settings=Settings(), demo=True, backend=backend, clipboard=False, strict=True, **kw)
    spy_clipboard(app)
    return app, backend


_COPIED: WeakKeyDictionary[VTApp, list[str]] = WeakKeyDictionary()


def spy_clipboard(app: VTApp) -> list[str]:
    """Record what ``app`` puts on the clipboard (through Textual's public
    ``copy_to_clipboard``, the OSC 52 path every copy takes); read it with ``copied``."""
    texts: list[str] = []
    real = app.copy_to_clipboard

    def copy(text: str) -> None:
        texts.append(text)
        real(text)

    app.copy_to_clipboard = copy  # type: ignore[method-assign]
    _COPIED[app] = texts
    return texts


def copied(app: VTApp) -> list[str]:
    """Everything copied so far, oldest first (the app must come from ``demo_app`` or
    have had ``spy_clipboard`` installed)."""
    return _COPIED[app]


#: Workers that live as long as their widget (DirectoryTree's loader): never "complete".
LONG_LIVED = {"_loader"}


async def wait_for(pilot, predicate, seconds: float = 30.0) -> None:
    """Poll the app until ``predicate`` holds (a generous bound: the machine may be busy)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


async def settle(pilot) -> None:
    """Let workers finish and the screen repaint."""
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        pending = [w for w in app.workers if w.group not in LONG_LIVED and not w.is_finished]
        if not pending:  # (an empty list would mean "wait for every worker")
            continue
        with contextlib.suppress(WorkerCancelled):  # a dialog closed under its worker: what the test did
            await app.workers.wait_for_complete(pending)
    await pilot.pause()


async def search(pilot, text: str) -> None:
    await pilot.press("slash")
    search_bar = pilot.app.screen.query_one("SearchBar")
    search_bar.value = text
    await pilot.press("enter")
    await settle(pilot)

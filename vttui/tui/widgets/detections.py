"""The Detections tab: every engine's verdict, worst first, filterable."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from ...vt.models import EngineResult, VTObject
from .. import text as T
from .table import ReportTable


class DetectionsTable(ReportTable):
    BINDINGS = [
        Binding("d", "toggle_detected", "Detected only", id="detections.toggle_detected"),
        Binding("f", "filter", "Filter", id="detections.filter"),
    ]

    def action_toggle_detected(self) -> None:
        self._pane().toggle_detected()

    def action_filter(self) -> None:
        self._pane().query_one(Input).focus()

    def _pane(self) -> DetectionsPane:
        return self.query_ancestor(DetectionsPane)

    def copy_target(self) -> tuple[str, str] | None:
        """The engine's label for the row under the cursor (its name if it has none)."""
        pane = self._pane()
        rows = pane.visible_results()
        row = self.cursor_row
        if not (0 <= row < len(rows)):
            return None
        result = rows[row]
        if result.result:
            return f"{result.engine} result", result.result
        return "engine", result.engine


class FilterInput(Input):
    """Enter keeps the filter (the summary line says it is on); esc clears it."""

    BINDINGS = [
        Binding("escape", "clear_and_leave", "Clear filter", show=False, id="detections.clear_and_leave"),
        Binding("enter", "leave", "Keep filter", show=False, id="detections.leave"),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.cursor_blink = False

    def on_unmount(self) -> None:
        # Textual's Input subscribes to a screen signal with a callback that holds the
        # widget, and its blink timer outlives it: both kept every closed report view
        # in memory. Let go of them with the widget. (``_blink_timer`` is private: checked
        # by tests/tui/test_textual_fixes.py.)
        with contextlib.suppress(Exception):
            self.screen.text_selection_started_signal.unsubscribe(self)
        timer = getattr(self, "_blink_timer", None)
        if timer is not None:
            timer.stop()

    def action_leave(self) -> None:
        self.query_ancestor(DetectionsPane).query_one(DetectionsTable).focus()

    def action_clear_and_leave(self) -> None:
        self.value = ""
        self.action_leave()


class DetectionsPane(Vertical):
    """A summary line, a filter box and the table of engine results."""

    DEFAULT_CSS = """
    DetectionsPane { height: 1fr; }
    DetectionsPane > Horizontal { height: 1; }
    DetectionsPane .summary { width: 1fr; height: 1; padding: 0 1; }
    DetectionsPane FilterInput { width: 30; height: 1; border: none; padding: 0 1; background: $boost; }
    DetectionsPane FilterInput:focus { border: none; background: $primary 30%; }
    DetectionsPane DetectionsTable { height: 1fr; }
    """

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.results: list[EngineResult] = []
        self.detected_only = False
        self.filter_text = ""
        self._obj: VTObject | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("", classes="summary")
            yield FilterInput(placeholder="f: filter engines", classes="filter")
        table = DetectionsTable(cursor_type="row", zebra_stripes=True)
        # Narrowed (with an ellipsis) only when the window cannot show every column
        # whole; never below these, so a verdict and a date always stay readable.
        table.add_column("Engine", key="engine", min_width=12)
        table.add_column("Category", key="category", min_width=10)
        table.add_column("Result", key="result", min_width=16)
        table.add_column("Version", key="version", min_width=7)
        table.add_column("Updated", key="update", min_width=10)
        table.cut_first = ("version",)  # the engine's version matters least
        yield table

    def show(self, obj: VTObject) -> None:
        self._obj = obj
        self.results = obj.engine_results
        self._render_rows()

    def toggle_detected(self, *, quiet: bool = False) -> None:
        self.detected_only = not self.detected_only
        self._render_rows()
        if not quiet:
            self.app.notify(
                "Showing engines that flagged it only" if self.detected_only else "Showing every engine",
                timeout=2,
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip().lower()
        self._render_rows()

    def visible_results(self) -> list[EngineResult]:
        rows = self.results
        if self.detected_only:
            rows = [r for r in rows if r.detected]
        if self.filter_text:
            needle = self.filter_text
            rows = [
                r for r in rows
                if needle in r.engine.lower() or needle in (r.result or "").lower() or needle in r.category
            ]
        return rows

    def _render_rows(self) -> None:
        table = self.query_one(DetectionsTable)
        table.clear()
        rows = self.visible_results()
        # Whole values: the table cuts a column (with an ellipsis) only when the window
        # is too narrow for every column (widgets/table.py).
        link = None
        if T.links_on(self.app) and self._obj is not None:
            from ...vt.weblinks import web_url

            link = web_url(self._obj.ref, "detection")
        table.add_rows(
            (
                T.linked(T.safe(r.engine, "bold" if r.detected else ""), link),
                T.category(r.category),
                T.safe(r.result or "–", "red" if r.category == "malicious" else "dark_orange" if r.detected else "dim"),
                T.safe(r.engine_version or "–", "dim"),
                Text(_update_text(r), style="dim"),
            )
            for r in rows
        )
        self._update_summary(len(rows))

    def _update_summary(self, shown: int) -> None:
        summary = self.query_one(".summary", Static)
        obj = self._obj
        if obj is None:
            summary.update("")
            return
        if not self.results:
            summary.update(Text("No engine results: VirusTotal has not analysed this yet.", style="dim italic"))
            return
        stats = obj.stats
        flagged = sum(1 for r in self.results if r.detected)
        answered = stats.total or len(self.results)
        text = Text()
        hints = []
        if self.detected_only:
            hints.append("detected only")
        if self.filter_text:
            hints.append(f"filter: {self.filter_text}")
        if hints:
            text.append(f"[{' · '.join(hints)}: {shown} shown] ", style="bold italic cyan")
        text.append(f"{flagged}", style="bold red" if flagged else "bold green")
        text.append(f" of {answered} engines flagged it")
        if stats.suspicious:
            text.append(f" ({stats.suspicious} suspicious)", style="dim")
        silent = len(self.results) - answered
        if silent > 0 and not hints:
            text.append(f"; {silent} could not scan it", style="dim")
        summary.update(text)


def _update_text(result: EngineResult) -> str:
    """The engine's update date. VirusTotal sends it as ``YYYYMMDD`` text: formatted
    directly, as ``strptime`` on every row cost ~10 ms of the first frame; anything else
    goes through the model's parsing."""
    raw = (result.engine_update or "").strip()
    if len(raw) == 8 and raw.isascii() and raw.isdigit():
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
        except ValueError:
            return "–"  # what the model makes of an impossible date
    return T.date_str(result.update_date, with_time=False)

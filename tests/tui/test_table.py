"""ReportTable's fast cell rendering gives exactly what DataTable's own pipeline gives."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from vttui.tui.widgets.table import ReportTable, _simple, fit_widths

CELLS = [
    Text("alibabacloud", style="bold"),
    Text("malicious", style="red"),
    Text(""),
    Text("[/]  [@click=app.quit]x[/]"),
    Text("Trojan:Win32/Vexbot.A!ml and a very long tail that gets cropped", style="dark_orange"),
    Text("日本語のラベル名前"),  # wide characters, cropped mid-character in the narrow column
    Text("emoji 🦠🦠🦠 label"),
    Text.assemble(("Gen:", "bold"), ("Variant", "italic red"), (".Vexbot", "")),
    Text("  spaces  around  "),
]


class TableApp(App):
    def compose(self) -> ComposeResult:
        table = ReportTable()
        table.add_column("auto")
        table.add_column("narrow", width=7)
        table.add_column("wide", width=30)
        for cell in CELLS:
            table.add_row(cell.copy(), cell.copy(), cell.copy())
        yield table


def _normal(lines: list[list[Segment]]) -> list[list[tuple]]:
    """Same output on screen: drop empty segments and merge neighbours of one style."""
    out = []
    for line in lines:
        merged = Segment.simplify(seg for seg in line if seg.text)
        out.append([(seg.text, seg.style) for seg in merged])
    return out


@pytest.mark.asyncio
async def test_fast_cells_match_datatable_pipeline():
    app = TableApp()
    async with app.run_test(size=(140, 20)) as pilot:  # wide enough: no column is cut
        table = app.query_one(ReportTable)
        await pilot.pause()
        assert table.row_count == len(CELLS)
        base = table.rich_style
        checked = 0
        for row in range(table.row_count):
            for column, col in enumerate(table.ordered_columns):
                width = col.get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    table._cell_render_cache.clear()
                    fast = table._render_cell(row, column, base, width, cursor, hover)
                    table._cell_render_cache.clear()
                    slow = DataTable._render_cell(table, row, column, base, width, cursor, hover)
                    assert _normal(fast) == _normal(slow), (row, column, cursor, hover)
                    assert sum(seg.cell_length for seg in fast[0]) == width
                    checked += 1
        assert checked == len(CELLS) * 3 * 3


def test_only_one_line_left_justified_text_takes_the_fast_path():
    assert _simple(Text("x"))
    assert not _simple("a plain str")
    assert not _simple(Text("two\nlines"))
    assert not _simple(Text("tab\there"))
    assert not _simple(Text("x", justify="right"))
    assert not _simple(Text("x", overflow="ellipsis"))


@pytest.mark.asyncio
async def test_cells_are_rendered_again_when_column_widths_change():
    app = TableApp()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(ReportTable)
        await pilot.pause()
        before = table._update_count
        table.add_row(Text("a much longer engine name than any other"), Text("x"), Text("y"))
        await pilot.pause()
        await pilot.pause()
        assert table._update_count > before
        line = table.render_line(1)  # first body row, after the header
        assert "alibabacloud" in line.text
        assert table.ordered_columns[0].get_render_width(table) >= len("a much longer engine name than any other")


# --- columns fitted to the window ---------------------------------------------------------

LONG = "Trojan:Win32/Vexbot.A!ml and a very long tail"


class Report(App):
    """A table as the report views use it: auto-width columns, rows added after mount."""

    def __init__(self, rows: int = 30) -> None:
        super().__init__()
        self.n = rows

    def compose(self) -> ComposeResult:
        table = ReportTable(cursor_type="row")
        table.add_column("Engine", key="engine")
        table.add_column("Category", key="category", min_width=10)
        table.add_column("Result", key="result")
        table.add_column("Updated", key="date")
        yield table

    def fill(self) -> None:
        self.query_one(ReportTable).add_rows(
            (Text(f"Engine number {i}"), Text("malicious"), Text(LONG if i == 0 else f"Gen:Variant.{i}"),
             Text("2026-08-06"))
            for i in range(self.n)
        )


def _row_text(table: ReportTable, y: int) -> str:
    return table.render_line(y).text


def test_fit_widths_cuts_the_widest_first_and_never_below_a_minimum():
    assert fit_widths([10, 20, 30], [3, 3, 3], 100) == [10, 20, 30]  # all fit: natural
    widths = fit_widths([10, 20, 30], [3, 3, 3], 45)
    assert sum(widths) == 45 and widths[0] == 10 and widths[1] <= widths[2] <= 30
    assert fit_widths([10, 20, 30], [8, 12, 12], 20) == [8, 12, 12]  # too narrow: minimums
    assert fit_widths([5, 40], [5, 6], 30) == [5, 25]
    # the least important column gives up its cells first, down to its minimum
    assert fit_widths([10, 20, 30], [3, 3, 3], 55, first=[0]) == [5, 20, 30]
    assert fit_widths([10, 20, 30], [8, 3, 3], 50, first=[0]) == [8, 20, 22]


@pytest.mark.asyncio
async def test_the_first_frame_after_rows_are_added_has_their_widths():
    """Rows added and drawn before the table's queue goes idle: no label-wide columns."""
    app = Report()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(ReportTable)
        app.fill()
        line = _row_text(table, 1)  # drawn at once, before any idle or resize event
        assert "Engine number 0" in line and LONG in line and "malicious" in line, line
        assert "2026-08-06" in line


@pytest.mark.asyncio
async def test_a_narrow_window_cuts_the_widest_column_with_an_ellipsis_and_a_resize_refits():
    app = Report()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(ReportTable)
        app.fill()
        await pilot.pause()
        assert LONG in _row_text(table, 1)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        line = _row_text(table, 1)
        assert "…" in line and LONG not in line, line
        assert "malicious" in line and "2026-08-06" in line  # the short columns stay whole
        header = _row_text(table, 0)
        assert all(label in header for label in ("Engine", "Category", "Result", "Updated")), header
        assert table.virtual_size.width <= table.size.width  # cut to fit, not scrolled
        await pilot.resize_terminal(120, 20)
        await pilot.pause()
        assert LONG in _row_text(table, 1) and "…" not in _row_text(table, 1)


@pytest.mark.asyncio
async def test_a_resize_that_leaves_the_columns_alone_keeps_the_rendered_cells():
    app = Report()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(ReportTable)
        app.fill()
        await pilot.pause()
        before = table._update_count
        await pilot.resize_terminal(120, 30)  # taller only
        await pilot.pause()
        assert table._update_count == before
        await pilot.resize_terminal(50, 30)  # narrower than the columns: refitted
        await pilot.pause()
        assert table._update_count > before


@pytest.mark.parametrize("raw", ["20260806", "20260231", "20261301", "2026086", "abcdefgh", "", None, " 20250101 "])
def test_detections_dates_read_as_the_model_reads_them(raw):
    from vttui.tui import text as T
    from vttui.tui.widgets.detections import _update_text
    from vttui.vt.models import EngineResult

    result = EngineResult.from_entry("Engine", {"category": "undetected", "engine_update": raw})
    assert _update_text(result) == T.date_str(result.update_date, with_time=False)

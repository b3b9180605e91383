"""ReportTable's fast cell rendering gives exactly what DataTable's own pipeline gives."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from vttui.tui.widgets.table import ReportTable, _simple

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
    async with app.run_test(size=(100, 20)) as pilot:
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

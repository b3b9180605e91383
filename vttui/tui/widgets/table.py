"""A DataTable that paints a screenful of one-line rows quickly.

Textual's DataTable renders every cell through Rich's whole pipeline (``Styled`` around
``Padding`` around the ``Text``, then ``console.render_lines``): ~0.2-0.5 ms per cell on a
small machine, so a 30-row report of five columns costs 50-100 ms before its first frame.
The tables here hold one line of plain ``Text`` per cell, for which the same segments can
be built directly (render the text, crop or pad it to the column, add the padding, apply
the row's styles). Anything else (headers, wrapped or multi-line cells, other justifying)
goes through DataTable's own code. ``tests/tui/test_table.py`` checks both give the same
segments.

It also keeps its rendered cells when only its height or visible width changes: DataTable
forgets them on every resize, although its column widths never depend on the widget's
size. A report view is laid out once hidden and once shown, so every cell used to be
rendered twice.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widgets import DataTable

#: Overflow modes for which cropping to the column is exactly what Rich would do.
_CROPPING = (None, "fold", "crop")
_LEFT = (None, "default", "left")


class ReportTable(DataTable):
    _cells_width: int | None = None

    def _on_resize(self, event: events.Resize) -> None:
        # DataTable bumps its update count here, which throws away every rendered cell.
        # Only a change in the columns' total width (the virtual width) calls for that.
        width = event.virtual_size.width
        if width == self._cells_width:
            event.prevent_default()
        self._cells_width = width

    def _render_cell(self, row_index, column_index, base_style, width, cursor=False, hover=False):
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        row = self.rows.get(row_key)
        cell = self._get_row_renderables(row_index)[1][column_index] if row is not None and row.height == 1 else None
        if not _simple(cell):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        pad = self.cell_padding
        inner = max(0, width - 2 * pad)
        console = self.app.console
        if cell.spans:
            text = list(cell.render(console))
        else:  # Text.render leaves out the base style when there are no spans
            text = [Segment(cell.plain, console.get_style(cell.style) if cell.style else None)]
        line = Segment.adjust_line_length(text, inner, style=Style.null())
        if pad:
            line = [Segment(" " * pad, Style.null()), *line, Segment(" " * pad, Style.null())]
        lines = [list(Segment.apply_style(line, style=pre_style, post_style=post_style))]
        self._cell_render_cache[cache_key] = lines
        return lines


def _simple(cell: object) -> bool:
    """One line of Text that Rich would only crop or pad: the fast path gives the same."""
    return (
        isinstance(cell, Text)
        and cell.justify in _LEFT
        and cell.overflow in _CROPPING
        and "\n" not in cell.plain
        and "\t" not in cell.plain
    )

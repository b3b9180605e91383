"""A DataTable whose columns fit the window, drawn right on the first frame, painted fast.

Column widths. DataTable measures new rows when its message queue next goes idle and
keys its render caches on an update count that measuring does not change, so a frame
drawn in between (the first report of a fresh start, while keys or mouse events keep
the queue busy) kept columns as wide as their labels: ``Acroni  maliciou  EICAR-``.
Here rows are measured as they are added, and again before any line is drawn; the
widths then come from the content and the window's real width: a column is narrowed
only when the window cannot show every column whole, the widest first, and its cells
end with an ellipsis. Whenever the fitted widths change, every cached cell, row and
line is thrown away (the update count moves); when they do not (a resize that leaves
the columns alone, a report shown again), the rendered cells are kept.

Private Textual API: ``_render_cell``, ``_update_dimensions`` and ``_on_resize`` are
overridden and DataTable's bookkeeping is read (listed in docs/textual-private.md; their
shape is checked by tests/tui/test_textual_fixes.py, and Textual is pinned exactly).

Painting. Textual's DataTable renders every cell through Rich's whole pipeline
(``Styled`` around ``Padding`` around the ``Text``, then ``console.render_lines``):
~0.2-0.5 ms per cell on a small machine. Cells here hold one line of plain ``Text``, for
which the same segments are built directly (render the text, crop or pad it to the
column, add the padding, apply the row's styles). Anything else (headers, wrapped or
multi-line cells, other justifying) goes through DataTable's own code.
``tests/tui/test_table.py`` checks both give the same segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any, TypeGuard

from rich.measure import measure_renderables
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import Column, ColumnKey, Row, RowKey

#: Overflow modes for which cropping to the column is exactly what Rich would do.
_CROPPING = (None, "fold", "crop")
_LEFT = (None, "default", "left")


class FittedColumn(Column):
    """A column drawn at the width its table fitted it to (its natural width until then)."""

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        fitted: dict[ColumnKey, int] | None = getattr(data_table, "_fitted", None)
        width = fitted.get(self.key) if fitted else None
        if width is None:
            return super().get_render_width(data_table)
        return 2 * data_table.cell_padding + width


def fit_widths(natural: Sequence[int], minimum: Sequence[int], available: int,
               first: Sequence[int] = ()) -> list[int]:
    """Column widths (without padding) that fit ``available`` cells.

    Every column gets its natural width if they all fit. Otherwise the columns listed
    in ``first`` (indexes, the least important) give up cells first, down to their
    minimum; then the widest are cut, down to a common cap (never below a column's
    minimum), and the cells left over go, one each, to the columns still cut, widest first.
    """
    widths = list(natural)
    floor = [min(m, n) for m, n in zip(minimum, widths, strict=True)]
    excess = sum(widths) - available
    for index in first:
        if excess <= 0:
            return widths
        give = min(excess, widths[index] - floor[index])
        widths[index] -= give
        excess -= give
    if excess <= 0:
        return widths
    if sum(floor) >= available:
        return floor
    low, high = 0, max(widths)
    while low < high:  # the largest cap that fits
        mid = (low + high + 1) // 2
        if sum(min(w, max(mid, f)) for w, f in zip(widths, floor, strict=True)) <= available:
            low = mid
        else:
            high = mid - 1
    capped = [min(w, max(low, f)) for w, f in zip(widths, floor, strict=True)]
    spare = available - sum(capped)
    for index in sorted(range(len(capped)), key=lambda i: -widths[i]):
        if spare <= 0:
            break
        if capped[index] < widths[index]:
            capped[index] += 1
            spare -= 1
    return capped


class ReportTable(DataTable[Any]):
    """One-line rows of ``Text``; columns fitted to the window (see the module docstring)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        #: Width each auto-width column is drawn at now (without padding).
        self._fitted: dict[ColumnKey, int] = {}
        self._fitted_for: tuple[int, tuple[int, ...]] | None = None
        self._label_widths: dict[ColumnKey, int] = {}
        #: Narrowest a column may be cut to (by column key); its label's width by default.
        self.min_widths: dict[str, int] = {}
        #: Keys of the columns to cut first when not all fit (the least important).
        self.cut_first: tuple[str, ...] = ()

    # --- columns -------------------------------------------------------------------------

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None,
                   default: Any = None, min_width: int | None = None) -> ColumnKey:
        column_key = super().add_column(label, width=width, key=key, default=default)
        column = self.columns[column_key]
        self.columns[column_key] = FittedColumn(column.key, column.label, column.width,
                                                column.content_width, column.auto_width)
        self._label_widths[column_key] = column.content_width
        if min_width is not None and key is not None:
            self.min_widths[key] = min_width
        return column_key

    def add_rows(self, rows: Iterable[Iterable[Any]]) -> list[RowKey]:
        """Add one-line rows in one go (DataTable's ``add_row`` does per row what is
        needed once: revalidate the cursor, bump the update count, check idle), then
        measure them, so the layout that follows already knows the table's size."""
        columns = self.ordered_columns
        start = self.row_count
        keys: list[RowKey] = []
        for index, row in enumerate(rows, start):
            cells = tuple(row)
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            key = RowKey()
            self._row_locations[key] = index
            self._data[key] = {column.key: cell for column, cell in zip_longest(columns, cells)}
            self.rows[key] = Row(key, 1)
            self._new_rows.add(key)
            keys.append(key)
        if keys:
            self._require_update_dimensions = True
            self.cursor_coordinate = self.cursor_coordinate
            if start == 0 and columns and self.show_cursor and self.cursor_type != "none":
                self._highlight_cursor()  # a row to put the cursor on, where there was none
            self._update_count += 1
            self.check_idle()
        self._measure_now()
        return keys

    def _measure_now(self) -> None:
        """Do at once what DataTable leaves for its next idle moment."""
        if self._updated_cells:
            cells = self._updated_cells.copy()
            self._updated_cells.clear()
            self._update_column_widths(cells)
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        rows = [self.rows.get(key) for key in new_rows]
        if any(row is not None and (row.auto_height or row.label is not None) for row in rows):
            super()._update_dimensions(new_rows)
        else:  # one-line rows: the natural widths, measured as DataTable does, faster
            columns = self.ordered_columns
            console = self.app.console
            for key in new_rows:
                index = self._row_locations.get(key)
                if index is None:
                    continue
                for column, cell in zip(columns, self._get_row_renderables(index).cells, strict=False):
                    width = cell.cell_len if _simple(cell) else measure_renderables(
                        console, console.options, [cell]).maximum
                    if width > column.content_width:
                        column.content_width = width
        self._fit(force=True)

    def _available(self) -> int | None:
        """Cells the columns can use: the table's width less a vertical scrollbar and the
        padding (None before the table has a size)."""
        width = self.size.width
        if width <= 0:
            return None
        overflow = self.styles.overflow_y
        header = self.header_height if self.show_header else 0
        if overflow == "scroll" or (overflow == "auto" and self._total_row_height + header > self.size.height):
            width -= self.styles.scrollbar_size_vertical
        return width - 2 * self.cell_padding * len(self.columns) - self._row_label_column_width

    def _fit(self, *, force: bool = False) -> None:
        """Fit the columns to the width there is; redraw everything if that changed them."""
        columns = self.ordered_columns
        natural = tuple(c.content_width if c.auto_width else c.width for c in columns)
        available = self._available()
        key = (-1 if available is None else available, natural)
        if key == self._fitted_for and not force:
            return
        self._fitted_for = key
        if available is None:
            widths = list(natural)
        else:
            minimum = [
                n if not c.auto_width
                else max(self._label_widths.get(c.key, 0), self.min_widths.get(c.key.value or "", 0))
                for c, n in zip(columns, natural, strict=True)
            ]
            order = [c.key.value for c in columns]
            first = [order.index(key) for key in self.cut_first if key in order]
            widths = fit_widths(natural, minimum, available, first)
        fitted = {c.key: w for c, w in zip(columns, widths, strict=True) if c.auto_width}
        if fitted != self._fitted:
            self._fitted = fitted
            self._update_count += 1  # every cached cell, row and line has the old widths
            self.refresh()
        header = self.header_height if self.show_header else 0
        total = sum(c.get_render_width(self) for c in columns) + self._row_label_column_width
        self.virtual_size = Size(total, self._total_row_height + header)

    def _on_resize(self, event: events.Resize) -> None:
        # DataTable forgets every rendered cell on a resize. Here only a change in the
        # fitted widths does (in _fit): a resize that leaves the columns alone keeps them.
        event.prevent_default()
        self._fit()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Never draw with stale widths: rows added since are measured, and the columns
        # refitted if the width there is changed (a scrollbar came, the window resized).
        self._measure_now()
        self._fit()
        # DataTable looks up its own and its components' styles again for every line
        # (each a walk up the DOM): a third of the time of drawing a screenful. They
        # cannot change while one paint is drawn, so look them up once per paint.
        self._paint_styles = {}
        self._paint_base = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._paint_styles = None

    _paint_styles: dict[tuple[str, ...], Any] | None = None
    _paint_base: Style | None = None

    def get_component_styles(self, *names: str) -> Any:
        cache = self._paint_styles
        if cache is None:
            return super().get_component_styles(*names)
        styles = cache.get(names)
        if styles is None:
            styles = cache[names] = _PaintStyles(super().get_component_styles(*names))
        return styles

    def render_line(self, y: int) -> Strip:
        if self._paint_styles is None or self._paint_base is None:
            return super().render_line(y)
        # DataTable.render_line, with the paint's base style instead of a fresh lookup
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        fixed_rows_height = 0
        for row_index in range(self.fixed_rows):
            row_key = self._row_locations.get_key(row_index)
            if row_key is not None:
                fixed_rows_height += self.get_row_height(row_key)
        if self.show_header:
            fixed_rows_height += self.get_row_height(self._header_row_key)
        if y >= fixed_rows_height:
            y += scroll_y
        return self._render_line(y, scroll_x, scroll_x + width, self._paint_base)

    # --- cells ---------------------------------------------------------------------------

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        row_key = self._row_locations.get_key(row_index) if row_index >= 0 else None
        column_key = self._column_locations.get_key(column_index) if column_index >= 0 else None
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
            width,  # (one more than Textual's key: a column's fitted width is part of the cell)
        )
        cached = self._cell_render_cache.get(cache_key)  # type: ignore[arg-type]
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
        if cell.cell_len > inner and self.columns[column_key].auto_width:
            cell = cell.copy()  # a column narrowed to fit the window: say it is cut
            cell.truncate(inner, overflow="ellipsis")
        console = self.app.console
        if cell.spans:
            text = list(cell.render(console))
        else:  # Text.render leaves out the base style when there are no spans
            text = [Segment(cell.plain, console.get_style(cell.style) if cell.style else None)]
        line = Segment.adjust_line_length(text, inner, style=Style.null())
        if pad:
            line = [Segment(" " * pad, Style.null()), *line, Segment(" " * pad, Style.null())]
        lines = [list(Segment.apply_style(line, style=pre_style, post_style=post_style))]
        self._cell_render_cache[cache_key] = lines  # type: ignore[arg-type]
        return lines


class _PaintStyles:
    """A component's styles for one paint: ``rich_style`` (a walk up the DOM) computed
    once; anything else read from Textual's object."""

    def __init__(self, styles: Any) -> None:
        self._styles = styles
        self._rich_style: Style | None = None

    @property
    def rich_style(self) -> Style:
        if self._rich_style is None:
            self._rich_style = self._styles.rich_style
        return self._rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


def _simple(cell: object) -> TypeGuard[Text]:
    """One line of Text that Rich would only crop or pad: the fast path gives the same."""
    return (
        isinstance(cell, Text)
        and cell.justify in _LEFT
        and cell.overflow in _CROPPING
        and "\n" not in cell.plain
        and "\t" not in cell.plain
    )

"""A list of related objects written as its pages arrive, valid whenever it stops.

``relations --all`` may walk dozens of pages; the one that fails must not cost the
ones that arrived. Each item is written the moment it comes (CSV and Markdown rows,
JSON array elements, XML objects) and :meth:`ListWriter.close` always ends the document
validly (the JSON array and the XML root are closed), so a run that stops half way
leaves a file or a pipe that parses and holds everything fetched.

Shapes match :func:`vttui.export.render` for a list, except what cannot be known
up front: the Markdown heading carries no count (a last line gives it) and the XML
root has no ``count`` attribute. CSV columns come from the relationship's target
types and the first item's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..vt.models import wrap
from ..vt.sanitize import clean_line
from . import FORMATS, UnknownFormatError, apply_template, get_template
from .templates import Template

Write = Callable[[str], None]


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line else line for line in text.split("\n"))


class ListWriter:
    """Writes ``fmt`` through ``write`` item by item. Use :meth:`add`, then :meth:`close`."""

    def __init__(
        self,
        fmt: str,
        write: Write,
        *,
        template: Template | str | None = None,
        relationship: str | None = None,
        source: str | None = None,
        targets: Sequence[str] = (),
        source_type: str | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise UnknownFormatError(fmt)
        from . import csv_out, json_out, markdown, xml_out  # only when exporting

        self._csv, self._json, self._md, self._xml = csv_out, json_out, markdown, xml_out
        self.fmt = fmt
        self._write = write
        self._template = None if fmt == "raw" else get_template(template)
        self._relationship = relationship
        self._source = source
        self._targets = tuple(targets)
        self._source_type = source_type
        self._columns: list[str] | None = None
        self.count = 0
        self.closed = False
        self._opened = False

    def _open(self) -> None:
        """The document's start, written with the first item (or at close): a run that
        fails before any item arrives writes nothing at all."""
        if self._opened:
            return
        self._opened = True
        if self.fmt in ("json", "raw"):
            self._write("[")
        elif self.fmt == "markdown":
            self._write("\n".join(self._md.page_head_lines(self._relationship, self._source)) + "\n")
        elif self.fmt == "xml":
            self._write(self._xml.root_open(relationship=self._relationship, source=self._source))

    def add(self, item: dict[str, Any]) -> None:
        """Write one item now."""
        if self.closed:
            raise ValueError("the list is closed")
        self._open()
        self.count += 1
        if self.fmt == "raw":
            self._write(("\n" if self.count == 1 else ",\n") + _indent(self._json.dump_raw(item), "  "))
            return
        obj = apply_template(item, self._template)
        if self.fmt == "json":
            self._write(("\n" if self.count == 1 else ",\n") + _indent(self._json.dumps(obj), "  "))
        elif self.fmt == "markdown":
            self._write(self._md.page_row_line(self.count, obj) + "\n")
        elif self.fmt == "xml":
            self._write(self._xml.object_xml(obj))
        else:
            view = wrap(obj)
            header = None
            if self._columns is None:
                self._columns = self._csv.columns_for_types((*self._targets, view.type))
                header = self._columns
            self._write(self._csv.csv_lines(header, [self._csv.page_row(view, self._columns, self._source_type)]))

    def close(self, *, note: str | None = None) -> None:
        """End the document validly. ``note`` (why it stopped early) goes where the format
        has room for it: a Markdown line, an XML comment; JSON and CSV stay pure data."""
        if self.closed:
            return
        self._open()
        self.closed = True
        if self.fmt in ("json", "raw"):
            self._write("\n]\n" if self.count else "]\n")
        elif self.fmt == "markdown":
            tail = "No items." if not self.count else f"{self.count} item{'s' if self.count != 1 else ''}."
            if note:
                tail += f" Incomplete: {self._md.md(note, 500)}"
            self._write("\n" + tail + "\n")
        elif self.fmt == "xml":
            if note:
                text = self._xml.xml_text(clean_line(note, 500)).replace("--", "- -")
                self._write(f"  <!-- incomplete: {text} -->\n")
            self._write(self._xml.root_close())
        elif self._columns is None:  # CSV with no rows still gets its header
            self._columns = self._csv.columns_for_types(self._targets)
            self._write(self._csv.csv_lines(self._columns, []))

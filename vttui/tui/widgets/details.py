"""The Details tab: type-aware sections, then a lazy tree of the remaining raw attributes.

A single Tree rather than many tables: arrows move over every field, space folds a
section, `y` copies the value under the cursor. Big lists (14,000 exports) are only
expanded on demand, a chunk at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...export.sections import Section, sections_for, uncovered_attributes
from ...vt.models import VTObject
from ...vt.refs import REPORT_TYPES, TYPE_LABELS, ObjectRef
from .. import text as T
from .treekeys import FoldKeys, open_pivot

CHUNK = 200  # children added per expansion of a big list or dict
MAX_WHOIS_LINES = 400  # lines of a record added at once (the rest on enter: it is all there)


def _pivot_mark(ref: ObjectRef | None) -> Text:
    if ref is None or ref.type not in REPORT_TYPES:
        return Text()
    return Text(f"  ↵ {TYPE_LABELS.get(ref.type, ref.type)}", style="dim cyan")


@dataclass(slots=True)
class Field:
    label: str
    value: str
    #: Where enter goes when the value names an object (a final URL, a body hash, a SAN...).
    ref: ObjectRef | None = None


@dataclass(slots=True)
class MoreLines:
    """The rest of a long record (whois), added a chunk at a time."""

    lines: list[str]
    title: str
    offset: int


@dataclass(slots=True)
class Raw:
    """A raw attribute value; children are built when it is first expanded."""

    key: str
    value: Any
    offset: int = 0  # children built so far (for big lists)


@dataclass(slots=True)
class MoreRaw:
    parent: TreeNode[Any]


def _scalar_text(value: Any) -> Text:
    if value is None:
        return Text("null", style="dim italic")
    if isinstance(value, bool):
        return Text(str(value).lower(), style="magenta")
    if isinstance(value, (int, float)):
        return Text(repr(value), style="cyan")
    return T.safe(value, "green")


def _summary(value: Any) -> Text:
    if isinstance(value, dict):
        return Text(f"{{{len(value)} keys}}", style="dim")
    if isinstance(value, list):
        return Text(f"[{len(value)} items]", style="dim")
    return _scalar_text(value)


class DetailsTree(FoldKeys):
    BINDINGS = [
        Binding("space", "toggle_node", "Fold", show=False, id="details.toggle_node"),
        Binding("right", "expand_here", "Expand", show=False, id="details.expand_here"),
        Binding("left", "collapse_here", "Collapse", show=False, id="details.collapse_here"),
        Binding("enter", "activate", "Open/expand", show=False, id="details.activate"),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(Text("Details"), **kw)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.built = False
        self.owner: ObjectRef | None = None

    def show(self, obj: VTObject) -> None:
        self.clear()
        self.owner = obj.ref
        sections = sections_for(obj)
        for section in sections:
            self._add_section(section, obj)
        rest = uncovered_attributes(obj, sections)
        raw = self.root.add(
            Text.assemble(("Other attributes", "bold"), (f"  {len(rest)} more fields, as VirusTotal sent them", "dim")),
            Raw("attributes", rest),
        )
        raw.allow_expand = bool(rest)
        if not sections and rest:
            raw.expand()
        self.root.expand()
        self.built = True

    def _add_section(self, section: Section, obj: VTObject | None = None) -> None:
        node = self.root.add(Text(section.title, style="bold underline"), Field(section.title, ""), expand=True)
        width = max((len(r.label) for r in section.rows), default=0)
        for row in section.rows:
            label = Text(f"{row.label:<{width}}  ", style="dim")
            label.append_text(T.safe(row.value, max_len=T.MAX_LINE))
            label.append_text(_pivot_mark(row.ref))
            if section.key == "certificate" and row.label == "Alternative names" and obj is not None:
                self._add_names(node, label, row.value, obj)
                continue
            node.add_leaf(label, Field(row.label, row.value, row.ref))
        for table in section.tables:
            widths = [
                min(48, max([len(c)] + [len(T.plain(r[i] if i < len(r) else "", 48)) for r in table.rows]))
                for i, c in enumerate(table.columns)
            ]
            header = Text("  ".join(f"{c:<{w}}" for c, w in zip(table.columns, widths, strict=True)), style="bold dim")
            # long tables start folded so the sections after them stay in view
            short = len(table.rows) <= 12
            if len(table.columns) == 1:
                header = Text(f"{table.columns[0]} ({len(table.rows) + table.more})", style="bold dim")
            if len(table.columns) == 1 and short:
                parent = node
            else:
                parent = node.add(header, Field(" | ".join(table.columns), ""), expand=short)
            for index, cells in enumerate(table.rows):
                line = Text()
                for i, w in enumerate(widths):
                    cell = T.plain(cells[i] if i < len(cells) else "", 48 if i < len(widths) - 1 else T.MAX_LINE)
                    line.append(f"{cell:<{w}}" if i < len(widths) - 1 else cell)
                    line.append("  ")
                ref = table.ref(index)
                line.append_text(_pivot_mark(ref))
                if ref is not None:  # y copies what enter opens (a DNS record's value, not its TTL)
                    cell = next((c for c in cells if c.lower() == ref.id.lower()), ref.id)
                    parent.add_leaf(line, Field(TYPE_LABELS.get(ref.type, ref.type), cell, ref))
                else:
                    parent.add_leaf(line, Field(table.columns[-1], cells[-1] if cells else ""))
            if table.more:
                parent.add_leaf(
                    Text(f"… {table.more} more (see Other attributes / export)", style="dim italic"), Field("", "")
                )
        if section.text:
            block = T.safe_block(section.text)
            lines = block.plain.splitlines()
            text_node = node.add(
                Text(f"{section.title} record ({len(lines)} lines)", style="dim"),
                Field(section.title, section.text),
                expand=len(lines) <= 40,
            )
            self._add_lines(text_node, MoreLines(lines, section.title, 0))

    def _add_lines(self, node: TreeNode[Any], data: MoreLines, more: TreeNode[Any] | None = None) -> None:
        """A record in full, MAX_WHOIS_LINES lines at a time (enter on the last adds more)."""
        kwargs = {"before": more} if more is not None else {}
        end = min(len(data.lines), data.offset + MAX_WHOIS_LINES)
        for line in data.lines[data.offset:end]:
            node.add_leaf(Text(T.plain(line)), Field(data.title, line), **kwargs)
        data.offset = end
        if more is not None:
            more.remove()
        if end < len(data.lines):
            node.add_leaf(Text(f"▸ {len(data.lines) - end} more lines (enter; y on the record copies it whole)",
                               style="bold cyan"), data)

    def _add_names(self, node: TreeNode[Any], label: Text, value: str, obj: VTObject) -> None:
        """A certificate's alternative names, each a pivot of its own."""
        cert = getattr(obj, "ssl_cert", None)
        names = list(getattr(cert, "san_pivots", []) or [])
        parent = node.add(label, Field("Alternative names", value), expand=len(names) <= 12)
        for p in names:
            text = T.safe(p.text)
            text.append_text(_pivot_mark(p.ref))
            parent.add_leaf(text, Field("name", p.text, p.ref))

    # --- raw attribute tree ----------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Any]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, Raw) and data.offset == 0 and not event.node.children:
            self._add_raw_children(event.node)

    def _add_raw_children(self, node: TreeNode[Any], more: TreeNode[Any] | None = None) -> None:
        data = node.data
        if not isinstance(data, Raw):
            return
        value = data.value
        items: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        chunk = items[data.offset: data.offset + CHUNK]
        for key, child in chunk:
            label = Text(f"{T.plain(key, 80)}: ", style="bold")
            label.append_text(_summary(child))
            if isinstance(child, (dict, list)) and child:
                node.add(label, Raw(str(key), child), before=more)
            else:
                node.add_leaf(label, Raw(str(key), child), before=more)
        data.offset += len(chunk)
        if more is not None:
            more.remove()
        if data.offset < len(items):
            node.add_leaf(Text(f"▸ {len(items) - data.offset} more… (enter)", style="bold cyan"), MoreRaw(node))

    def action_activate(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        data = node.data
        if isinstance(data, MoreRaw):
            self._add_raw_children(data.parent, more=node)
        elif isinstance(data, MoreLines) and node.parent is not None:
            self._add_lines(node.parent, data, more=node)
        elif isinstance(data, Field) and data.ref is not None and data.ref.type in REPORT_TYPES:
            self._open(data.ref)
        elif node.allow_expand:
            node.toggle()

    def _open(self, ref: ObjectRef) -> None:
        open_pivot(self, ref, self.owner, "details")

    def copy_target(self) -> tuple[str, str] | None:
        node = self.cursor_node
        if node is None:
            return None
        data = node.data
        if isinstance(data, Field) and data.value:
            return data.label or "value", data.value
        if isinstance(data, Raw):
            value = data.value
            if isinstance(value, (dict, list)):
                import json

                return data.key, json.dumps(value, ensure_ascii=False, default=str)[:1_000_000]
            return data.key, "" if value is None else str(value)
        return None

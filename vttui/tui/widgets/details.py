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
from .. import text as T

CHUNK = 200  # children added per expansion of a big list or dict
MAX_WHOIS_LINES = 400


@dataclass(slots=True)
class Field:
    label: str
    value: str


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


class DetailsTree(Tree[Any]):
    BINDINGS = [
        Binding("space", "toggle_node", "Fold", show=False),
        Binding("right", "expand_here", "Expand", show=False),
        Binding("left", "collapse_here", "Collapse", show=False),
        Binding("enter", "activate", "Expand/more", show=False),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(Text("Details"), **kw)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.built = False

    def show(self, obj: VTObject) -> None:
        self.clear()
        sections = sections_for(obj)
        for section in sections:
            self._add_section(section)
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

    def _add_section(self, section: Section) -> None:
        node = self.root.add(Text(section.title, style="bold underline"), Field(section.title, ""), expand=True)
        width = max((len(r.label) for r in section.rows), default=0)
        for row in section.rows:
            label = Text(f"{row.label:<{width}}  ", style="dim")
            label.append_text(T.safe(row.value, max_len=T.MAX_LINE))
            node.add_leaf(label, Field(row.label, row.value))
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
            for cells in table.rows:
                line = Text()
                for i, w in enumerate(widths):
                    cell = T.plain(cells[i] if i < len(cells) else "", 48 if i < len(widths) - 1 else T.MAX_LINE)
                    line.append(f"{cell:<{w}}" if i < len(widths) - 1 else cell)
                    line.append("  ")
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
            for record_line in lines[:MAX_WHOIS_LINES]:
                text_node.add_leaf(Text(T.plain(record_line)), Field(section.title, record_line))
            if len(lines) > MAX_WHOIS_LINES:
                hidden = len(lines) - MAX_WHOIS_LINES
                more = Text(f"… {hidden} more lines (y copies the whole record)", style="dim italic")
                text_node.add_leaf(more, Field(section.title, section.text))

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
        if isinstance(node.data, MoreRaw):
            self._add_raw_children(node.data.parent, more=node)
        elif node.allow_expand:
            node.toggle()

    def action_expand_here(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse_here(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

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

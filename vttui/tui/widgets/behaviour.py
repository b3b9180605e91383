"""The Behaviour tab (files): what the file did in the sandboxes, as sections to scan.

The sections are the export's own (:func:`vttui.export.behaviour_sections`), so the tab
and a Markdown/CSV export always agree. Nothing is fetched until the tab is first shown
(three requests: the merged summary, the ATT&CK trees, the sandbox reports); the client
caches them, so a rebuilt view costs nothing. Long lists start folded and are added a
chunk at a time when opened: a 14,000-entry summary never builds 14,000 tree nodes.
Enter on a host, IP, URL or hash opens it (a pivot, as in Relations); ``P`` on a
sandbox line downloads that sandbox's network capture.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from ...export.behaviour_sections import behaviour_sections
from ...export.sections import Section, Table
from ...vt.errors import ForbiddenError, VTError
from ...vt.models import BehaviourSummary, MitreTrees, SandboxReport
from ...vt.refs import REPORT_TYPES, TYPE_LABELS, ObjectRef
from .. import text as T
from ..base import AppTyped
from .treekeys import FoldKeys, open_pivot

if TYPE_CHECKING:
    from ...vt.client import VTClient
    from ...vt.ratelimit import LimiterState

#: Rows added to a table node per expansion (or per "more").
CHUNK = 100
#: Tables this long start folded, so the sections after them stay in view.
FOLD_OVER = 12
#: Sandbox reports listed (one page).
SANDBOX_PAGE = 40
#: Widest column before the last one.
COLUMN = 40


@dataclass(slots=True)
class Line:
    """One row: what `y` copies, and where enter goes (``ref``), if anywhere."""

    label: str
    value: str
    ref: ObjectRef | None = None


@dataclass(slots=True)
class Rows:
    """A table node whose rows are added when it is opened, CHUNK at a time."""

    table: Table
    widths: list[int]
    offset: int = 0


@dataclass(slots=True)
class MoreRows:
    parent: TreeNode[Any]


def _widths(table: Table) -> list[int]:
    return [min(COLUMN, max([len(c)] + [len(T.plain(r[i] if i < len(r) else "", COLUMN)) for r in table.rows[:CHUNK]]))
            for i, c in enumerate(table.columns)]


def _row_text(row: list[str], widths: list[int], ref: ObjectRef | None, pcap: bool = False) -> Text:
    line = Text()
    last = len(widths) - 1
    for i, width in enumerate(widths):
        cell = T.plain(row[i] if i < len(row) else "", COLUMN if i < last else T.MAX_LINE)
        style = "underline" if ref is not None and i == _pivot_column(row, ref) else ""
        line.append(f"{cell:<{width}}" if i < last else cell, style=style)
        if i < last:
            line.append("  ")
    if ref is not None and ref.type in REPORT_TYPES:
        line.append(f"  ↵ {TYPE_LABELS.get(ref.type, ref.type)}", style="dim cyan")
    elif pcap:
        line.append("  P: pcap", style="dim cyan")
    return line


def _pivot_column(row: list[str], ref: ObjectRef) -> int:
    """The cell that names the pivot's object (underlined), else none."""
    for i, cell in enumerate(row):
        if cell and (cell == ref.id or cell.lower() == ref.id.lower()):
            return i
    return -1


class BehaviourTree(AppTyped, FoldKeys):
    """The sections of a behaviour summary; enter pivots, `P` saves a sandbox's capture."""

    BINDINGS = [
        Binding("enter", "activate", "Open/expand", id="behaviour.activate"),
        Binding("space", "toggle_node", "Fold", show=False, id="behaviour.toggle_node"),
        Binding("right", "expand_here", "Expand", show=False, id="behaviour.expand_here"),
        Binding("left", "collapse_here", "Collapse", show=False, id="behaviour.collapse_here"),
        Binding("m", "more", "More rows", show=False, id="behaviour.more"),
        Binding("P", "pcap", "Sandbox PCAP", id="behaviour.pcap"),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(Text("Behaviour"), **kw)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.owner: ObjectRef | None = None
        self.sandboxes: dict[str, SandboxReport] = {}

    def show_sections(self, owner: ObjectRef, sections: list[Section], sandboxes: list[SandboxReport]) -> None:
        self.owner = owner
        self.sandboxes = {r.id: r for r in sandboxes if r.id}
        self.clear()
        for section in sections:
            self._add_section(section)
        self.root.expand()
        self.move_cursor_to_line(0)

    def _add_section(self, section: Section) -> None:
        node = self.root.add(Text(section.title, style="bold underline"), Line(section.title, ""), expand=True)
        width = max((len(r.label) for r in section.rows), default=0)
        for row in section.rows:
            label = Text(f"{row.label:<{width}}  ", style="dim")
            label.append_text(T.safe(row.value))
            node.add_leaf(label, Line(row.label, row.value, row.ref))
        for table in section.tables:
            total = len(table.rows) + table.more
            widths = _widths(table)
            header = Text("  ".join(f"{c:<{w}}" for c, w in zip(table.columns, widths, strict=True)), style="bold dim")
            header.append(f"  ({total})", style="dim")
            child = node.add(header, Rows(table, widths), expand=False)
            if len(table.rows) <= FOLD_OVER:
                self._add_rows(child)
                child.expand()

    def _add_rows(self, node: TreeNode[Any], more: TreeNode[Any] | None = None) -> None:
        data = node.data
        assert isinstance(data, Rows)
        table = data.table
        start, end = data.offset, min(len(table.rows), data.offset + CHUNK)
        kwargs: dict[str, Any] = {"before": more} if more is not None else {}
        for index in range(start, end):
            row = table.rows[index]
            ref = table.ref(index)
            line = Line(table.columns[-1], row[-1] if row else "", ref)
            report = self.sandboxes.get(ref.id) if ref is not None and ref.type == "file_behaviour" else None
            node.add_leaf(_row_text(row, data.widths, ref, pcap=report is not None and report.has_pcap), line, **kwargs)
        data.offset = end
        if more is not None:
            more.remove()
        left = len(table.rows) - data.offset
        if left > 0:
            node.add_leaf(Text(f"▸ {left} more rows (enter or m)", style="bold cyan"), MoreRows(node))
        elif table.more:  # (reached once: with the last chunk)
            node.add_leaf(Text(f"… {table.more} more not listed (the web report, o, has them all)",
                               style="dim italic"), Line("", ""))

    # --- events and keys ----------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Any]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, Rows) and data.offset == 0 and data.table.rows:
            self._add_rows(event.node)

    def action_activate(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        data = node.data
        if isinstance(data, MoreRows):
            self._add_rows(data.parent, more=node)
        elif isinstance(data, Line) and data.ref is not None:
            self._open(data.ref)
        elif node.allow_expand:
            node.toggle()

    def action_more(self) -> None:
        node = self.cursor_node
        while node is not None and not isinstance(node.data, (MoreRows, Rows)):
            node = node.parent
        if node is None:
            return
        if isinstance(node.data, MoreRows):
            self._add_rows(node.data.parent, more=node)
            return
        more = next((c for c in node.children if isinstance(c.data, MoreRows)), None)
        if more is not None:
            self._add_rows(node, more=more)
        elif not node.children:
            node.expand()
        else:
            self.app.notify("Nothing more to show here.", timeout=2)

    def _open(self, ref: ObjectRef) -> None:
        if ref.type == "file_behaviour":
            self.app.notify("A sandbox report: P saves its network capture.", timeout=3)
            return
        open_pivot(self, ref, self.owner, "behaviour")

    def action_pcap(self) -> None:
        """The capture of the sandbox under the cursor; elsewhere, pick among them."""
        node = self.cursor_node
        data = node.data if node is not None else None
        ref = data.ref if isinstance(data, Line) else None
        if ref is None or ref.type != "file_behaviour":
            pick = getattr(self.screen, "action_pcap", None)  # the main screen's: pick a sandbox
            if pick is not None:
                pick()
            return
        report = self.sandboxes.get(ref.id)
        name = (report.sandbox_name if report is not None else "") or "sandbox"
        if report is not None and not report.has_pcap:
            self.app.notify(T.plain(f"{name} captured no network traffic for this file.", 200), timeout=4, markup=False)
            return
        download = getattr(self.screen, "download_pcap", None)  # the main screen's (screens/actions.py)
        if download is not None:
            download(ref.id, f"{T.plain(name, 60)} capture")

    def copy_target(self) -> tuple[str, str] | None:
        node = self.cursor_node
        data = node.data if node is not None else None
        if isinstance(data, Line) and data.value:
            return data.label or "value", data.value
        return None


def build_sections(summary: dict[str, Any], sha256: str, trees: dict[str, Any],
                   sandboxes: list[dict[str, Any]]) -> tuple[list[Section], list[SandboxReport]]:
    """Parse and arrange (pure, no Textual: run off the event loop for huge summaries)."""
    reports = [SandboxReport(item) for item in sandboxes if isinstance(item, dict)]
    view = BehaviourSummary.from_summary(summary, sha256)
    tree_view = MitreTrees(trees) if trees else None
    return behaviour_sections(view, tree_view, reports), reports


class BehaviourPane(AppTyped, Vertical):
    """Status line and tree; loads on first show only (quota is money)."""

    DEFAULT_CSS = """
    BehaviourPane { height: 1fr; }
    BehaviourPane > .status { height: auto; max-height: 3; padding: 0 1; }
    BehaviourPane > BehaviourTree { height: 1fr; }
    """

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.ref: ObjectRef | None = None
        self.started = False
        self.loaded = False
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Not loaded yet: it loads when this tab is opened.", style="dim"), classes="status")
        yield BehaviourTree()

    def set_ref(self, ref: ObjectRef | None) -> None:
        if ref == self.ref:
            return
        self.ref = ref
        self.started = self.loaded = False
        self.error = None

    def ensure_loaded(self) -> None:
        if self.started or self.ref is None or self.ref.type != "file":
            return
        self.started = True
        self._status(Text("Loading what the sandboxes saw…", style="dim italic"))
        self.load(self.ref)

    def retry(self) -> None:
        self.started = False
        self.ensure_loaded()

    def _status(self, text: Text) -> None:
        self.query_one(".status", Static).update(text)

    @work(group="behaviour", exclusive=True, exit_on_error=False, name="Behaviour failed")
    async def load(self, ref: ObjectRef) -> None:
        client = self.app.vt
        # On a public key the tab's three requests may wait for the quota: say so here,
        # counting down, rather than "Loading" for a minute.
        unsubscribe = client.limiter.subscribe(self._on_quota)
        ticker = self.set_interval(1.0, lambda: self._on_quota(client.limiter.state()))
        try:
            await self._load(client, ref)
        finally:
            unsubscribe()
            ticker.stop()

    def _on_quota(self, state: LimiterState) -> None:
        if not self.started or self.loaded or self.error is not None:
            return
        if state.holding:
            self._status(Text(f"Waiting for the quota: next request in {math.ceil(state.next_slot_in)} s "
                              "(the sandboxes' summary takes up to three).", style="dim italic"))
        else:
            self._status(Text("Loading what the sandboxes saw…", style="dim italic"))

    async def _load(self, client: VTClient, ref: ObjectRef) -> None:
        try:
            summary = await client.behaviour_summary(ref)
            trees = await client.behaviour_mitre_trees(ref)
            page = await client.behaviours(ref, limit=SANDBOX_PAGE)
            sections, reports = await asyncio.to_thread(build_sections, summary, ref.id, trees, page.items)
        except ForbiddenError as exc:
            self._fail(f"{exc.message}")
            return
        except VTError as exc:  # said in the tab, where the user looks
            self._fail(exc.message)
            return
        if ref != self.ref:
            return
        self.loaded = True
        tree = self.query_one(BehaviourTree)
        if not sections:
            self._status(Text("No sandbox has run this file (or it did nothing VirusTotal recorded).", style="dim"))
            tree.clear()
            return
        status = Text(f"{len(reports)} sandbox report{'s' if len(reports) != 1 else ''}", style="bold")
        if page.cursor:
            status.append(f" (first {len(reports)})", style="dim")
        status.append("  enter: open a host/IP/URL/hash · P: sandbox PCAP · y: copy", style="dim")
        self._status(status)
        tree.show_sections(ref, sections, reports)

    def _fail(self, message: str) -> None:
        self.error = message
        self.started = False  # opening the tab again retries
        out = Text("✗ ", style="bold red")
        out.append_text(T.safe(message))
        out.append("  (switch tabs and back, or ctrl+r, to retry)", style="dim")
        self._status(out)

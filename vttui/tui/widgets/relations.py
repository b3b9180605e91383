"""The Relations tab: a lazy tree of relationships to walk and pivot through.

The root is the current object; its children are the relationships valid for its type.
Expanding one fetches its first page (cached, so a second look costs nothing); a
"load more" node pages with the cursor; object nodes expand into their own
relationships, so file -> contacted_domains -> domain -> resolutions -> IP ->
communicating_files can be walked without leaving the tree. Enter pivots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...vt.errors import ForbiddenError, VTError
from ...vt.models import Resolution, VTObject, wrap
from ...vt.refs import REPORT_TYPES, TYPE_LABELS, ObjectRef
from ...vt.relationships import Relationship, relationships_for
from ...vt.validate import ref_problem
from .. import text as T
from ..base import AppTyped

PAGE_SIZE = 40
#: Objects that are no indicator but open as a report of their own (Details and, for a
#: collection, its IoCs under Relations).
ENTITY_TYPES = ("collection", "threat_actor", "reference")


@dataclass(slots=True)
class ObjNode:
    ref: ObjectRef
    obj: VTObject | None = None
    via: tuple[ObjectRef, str] | None = None  # (owner, relationship) it was listed under
    filled: bool = False


@dataclass(slots=True)
class RelNode:
    owner: ObjectRef
    rel: Relationship
    cursor: str | None = None
    loaded: bool = False
    loading: bool = False
    error: str | None = None
    count: int = 0
    capped: bool = False
    #: Cursors already followed: one coming back means the server's list loops.
    followed: set[str] = field(default_factory=set)
    #: (type, id) of the items shown: a server repeating itself adds nothing twice.
    shown: set[tuple[str, str]] = field(default_factory=set)


@dataclass(slots=True)
class MoreNode:
    rel_node: TreeNode[NodeData]


@dataclass(slots=True)
class ResNode:
    res: Resolution
    target: ObjectRef | None
    owner: ObjectRef
    relationship: str


@dataclass(slots=True)
class InfoNode:
    text: str
    retry: TreeNode[NodeData] | None = None  # the relationship node to retry on enter


@dataclass(slots=True)
class ItemNode:
    """A related item that is not a report (graph, collection, whois...): shown, not pivotable."""

    item: dict[str, Any] = field(default_factory=dict)


NodeData = ObjNode | RelNode | MoreNode | ResNode | InfoNode | ItemNode


def object_label(obj: VTObject) -> Text:
    text = T.badge(obj.stats)
    text.append(" ")
    text.append(f"{TYPE_LABELS.get(obj.type, obj.type):<6}", style="bold")
    text.append(" ")
    title = obj.title
    text.append_text(T.safe(title, max_len=100))
    if obj.type == "file" and title != obj.id:
        text.append(f"  {T.short_id(obj.id)}", style="dim")
    return text


def relationship_label(rel: Relationship, hint: str | None = None) -> Text:
    text = Text(rel.name, style="bold")
    if hint is not None:
        text.append(f" ({hint})", style="dim" if hint == "0" else "cyan")
    text.append(f"  {rel.description}", style="dim italic")
    if rel.premium:
        text.append("  premium", style="bold yellow")
    return text


def count_hint(obj: VTObject | None, name: str) -> str | None:
    """From descriptors fetched with the object: '3', '10+' or None when unknown."""
    if obj is None or name not in obj.relationships:
        return None
    rel = obj.relationships.get(name)
    raw_meta = rel.get("meta") if isinstance(rel, dict) else None
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    count = meta.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        return str(count)
    n = len(obj.relationship_descriptors(name))
    return f"{n}+" if obj.relationship_cursor(name) else str(n)


class RelationsTree(AppTyped, Tree[NodeData]):
    """The relationship tree of one report view."""

    BINDINGS = [
        Binding("enter", "activate", "Pivot/expand", id="relations.activate"),
        Binding("space", "toggle_node", "Expand", show=False, id="relations.toggle_node"),
        Binding("right", "expand_node", "Expand", show=False, id="relations.expand_node"),
        Binding("left", "collapse_or_parent", "Collapse", show=False, id="relations.collapse_or_parent"),
        Binding("m", "more", "More", id="relations.more"),
    ]

    @dataclass
    class Pivot(Message):
        """The user chose to open ``ref`` (reached through ``relationship`` of ``source``)."""

        ref: ObjectRef
        source: ObjectRef | None
        relationship: str | None
        obj: VTObject | None

    def __init__(self, **kw: Any) -> None:
        super().__init__(Text("…"), **kw)
        self.auto_expand = False
        self.show_root = True
        self.guide_depth = 3
        self.root_obj: VTObject | None = None

    # --- building ----------------------------------------------------------------------

    def set_root(self, obj: VTObject) -> None:
        self.root_obj = obj
        self.clear()
        self.root.set_label(object_label(obj))
        self.root.data = ObjNode(obj.ref, obj, filled=True)
        self._add_relationships(self.root, obj)
        self.root.expand()

    def _add_relationships(self, node: TreeNode[NodeData], obj: VTObject | None, ref: ObjectRef | None = None) -> None:
        ref = ref if ref is not None else obj.ref if obj is not None else None
        if ref is None:
            return
        for rel in relationships_for(ref.type, tree_only=True):
            hint = count_hint(obj, rel.name)
            data = RelNode(ref, rel)
            node.add(relationship_label(rel, hint), data, allow_expand=hint != "0")

    # --- events ------------------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        event.stop()
        node = event.node
        data = node.data
        if isinstance(data, RelNode) and not data.loaded and not data.loading:
            self._load(node)
        elif isinstance(data, ObjNode) and not data.filled:
            data.filled = True
            why = ref_problem(data.ref)
            if why is not None:  # a server-supplied id that is no indicator: nothing is requested
                node.add_leaf(Text(f"cannot be opened: {why}", style="dim italic"), InfoNode("invalid"))
                return
            self._add_relationships(node, data.obj, data.ref)

    def action_activate(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        data = node.data
        if isinstance(data, ObjNode):
            if node is self.root:
                node.toggle()
                return
            if self._refuse(data.ref):
                return
            source, relationship = data.via if data.via else (None, None)
            self.post_message(self.Pivot(data.ref, source, relationship, data.obj))
        elif isinstance(data, ResNode):
            if data.target is None:
                self.app.notify("This resolution names no other side to open.", severity="warning")
                return
            if self._refuse(data.target):
                return
            self.post_message(self.Pivot(data.target, data.owner, data.relationship, None))
        elif isinstance(data, MoreNode):
            self._load(data.rel_node, more_node=node)
        elif isinstance(data, InfoNode) and data.retry is not None:
            rel_node = data.retry
            node.remove()
            rel_data = rel_node.data
            if isinstance(rel_data, RelNode):
                rel_data.error = None
                self._load(rel_node)
        elif node.allow_expand:
            node.toggle()

    def _refuse(self, ref: ObjectRef) -> bool:
        """Say why a server-supplied target cannot be opened (nothing is sent); True then."""
        why = ref_problem(ref)
        if why is None:
            return False
        label = TYPE_LABELS.get(ref.type, ref.type)
        self.app.notify(T.plain(f"Cannot open this {label}: {why}. Nothing was sent.", 200),
                        severity="warning", markup=False)
        return True

    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    def action_more(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        # from a "more" node, a relationship node, or any child of one
        while node is not None and not isinstance(node.data, (MoreNode, RelNode)):
            node = node.parent
        if node is None:
            return
        if isinstance(node.data, MoreNode):
            self._load(node.data.rel_node, more_node=node)
            return
        more = next((c for c in node.children if isinstance(c.data, MoreNode)), None)
        if more is not None:
            self._load(node, more_node=more)
        else:
            self.app.notify("Nothing more to load here.", timeout=2)

    # --- loading -----------------------------------------------------------------------

    def _load(self, rel_node: TreeNode[NodeData], more_node: TreeNode[NodeData] | None = None) -> None:
        data = rel_node.data
        if not isinstance(data, RelNode) or data.loading:
            return
        if more_node is None and data.loaded:
            return
        data.loading = True
        if more_node is not None:
            more_node.set_label(Text("loading more…", style="dim italic"))
        else:
            rel_node.add_leaf(Text("loading…", style="dim italic"), InfoNode("loading"))
        self._fetch(rel_node, more_node)

    @work(group="relations", exit_on_error=False)
    async def _fetch(self, rel_node: TreeNode[NodeData], more_node: TreeNode[NodeData] | None) -> None:
        data: RelNode = rel_node.data  # type: ignore[assignment]
        cursor = data.cursor if more_node is not None else None
        try:
            page = await self.app.vt.get_related(data.owner, data.rel.name, limit=PAGE_SIZE, cursor=cursor)
        except VTError as exc:
            self._fail(rel_node, more_node, exc)
            return
        except Exception as exc:  # malformed data must not take the tree down
            self._fail(rel_node, more_node, exc)
            return
        finally:
            data.loading = False
        self._clear_placeholders(rel_node)
        anchor = more_node
        for item in page.items:
            key = (str(item.get("type") or ""), str(item.get("id") or ""))
            if key[1] and key in data.shown:
                continue
            data.shown.add(key)
            self._add_item(rel_node, item, before=anchor)
            data.count += 1
        if cursor:
            data.followed.add(cursor)
        if page.cursor and (page.cursor == cursor or page.cursor in data.followed or not page.items):
            # The server's cursor loops (or an empty page still points on): more would repeat.
            self.app.notify(f"VirusTotal's list of {data.rel.name} did not advance; stopped here.",
                            severity="warning", markup=False)
            page.cursor = None
        data.cursor = page.cursor
        data.loaded = True
        if data.rel.cap and not page.cursor and data.count >= data.rel.cap:
            data.capped = True
        if more_node is not None:
            more_node.remove()
        if page.cursor:
            label = Text(f"▸ load more ({data.count} shown", style="bold cyan")
            label.append(f" of {page.count})" if page.count else ")")
            label.append("  m / enter", style="dim")
            rel_node.add_leaf(label, MoreNode(rel_node))
        elif data.count == 0:
            rel_node.add_leaf(Text("nothing here", style="dim italic"), InfoNode("empty"))
        elif data.capped:
            rel_node.add_leaf(
                Text(f"capped by VirusTotal at {data.rel.cap} items", style="dim italic"), InfoNode("capped")
            )
        hint = str(data.count) + ("+" if page.cursor else "")
        rel_node.set_label(relationship_label(data.rel, hint))

    def _clear_placeholders(self, rel_node: TreeNode[NodeData]) -> None:
        for child in list(rel_node.children):
            if isinstance(child.data, InfoNode):
                child.remove()

    def _fail(self, rel_node: TreeNode[NodeData], more_node: TreeNode[NodeData] | None, exc: Exception) -> None:
        data: RelNode = rel_node.data  # type: ignore[assignment]
        data.loading = False
        self._clear_placeholders(rel_node)
        if isinstance(exc, ForbiddenError):
            message = f"{data.rel.name} needs a premium VirusTotal key (403)."
        elif isinstance(exc, VTError):
            message = exc.message
        else:
            message = f"Could not show this relationship: unexpected {type(exc).__name__}."
        data.error = message
        label = Text("✗ ", style="bold red")
        label.append_text(T.safe(message))
        label.append("  enter: retry", style="dim")
        if more_node is not None:
            more_node.set_label(Text("▸ load more (failed: enter to retry)", style="bold red"))
            self.app.notify(message, severity="error", markup=False)
        else:
            rel_node.add_leaf(label, InfoNode(message, retry=rel_node))

    def _add_item(self, rel_node: TreeNode[NodeData], item: dict[str, Any], before: TreeNode[NodeData] | None) -> None:
        data: RelNode = rel_node.data  # type: ignore[assignment]
        view = wrap(item)
        if isinstance(view, Resolution):
            target = view.other_side(data.owner)
            stats = view.ip_stats if target is not None and target.type == "ip_address" else view.host_stats
            label = T.badge(stats)
            label.append(" ")
            label.append_text(T.safe(target.id if target else view.title, max_len=100))
            if view.date:
                label.append(f"  resolved {T.date_str(view.date, with_time=False)}", style="dim")
            rel_node.add_leaf(label, ResNode(view, target, data.owner, data.rel.name), before=before)
        elif view.type in REPORT_TYPES and view.id:
            label = object_label(view)
            if T.links_on(self.app):
                from ...vt.weblinks import web_url

                T.linked(label, web_url(view.ref))
            node = rel_node.add(label, ObjNode(view.ref, view, via=(data.owner, data.rel.name)), before=before)
            node.allow_expand = True
        elif view.type in ENTITY_TYPES and view.id:  # opened as a report of its own (enter)
            label = Text(f"{TYPE_LABELS.get(view.type, view.type)} ", style="bold")
            label.append_text(T.safe(view.title or view.id, max_len=100))
            label.append("  ↵ open", style="dim cyan")
            rel_node.add_leaf(label, ObjNode(view.ref, view, via=(data.owner, data.rel.name)), before=before)
        else:
            label = Text(f"{TYPE_LABELS.get(view.type, view.type)} ", style="bold")
            label.append_text(T.safe(view.title or view.id, max_len=100))
            rel_node.add_leaf(label, ItemNode(item), before=before)

    # --- copy and state ----------------------------------------------------------------

    def copy_target(self) -> tuple[str, str] | None:
        node = self.cursor_node
        if node is None:
            return None
        data = node.data
        if isinstance(data, ObjNode):
            return TYPE_LABELS.get(data.ref.type, data.ref.type) + " id", data.ref.id
        if isinstance(data, ResNode):
            return ("resolution", data.target.id if data.target else data.res.id)
        if isinstance(data, RelNode):
            return ("relationship", data.rel.name)
        if isinstance(data, ItemNode):
            return ("id", str(data.item.get("id", "")))
        if isinstance(data, InfoNode):
            return ("message", data.text)
        return None

    def expanded_paths(self) -> list[tuple[str, ...]]:
        """Paths (by relationship name / object id) of expanded nodes, for restoring."""
        paths: list[tuple[str, ...]] = []

        def walk(node: TreeNode[NodeData], path: tuple[str, ...]) -> None:
            for child in node.children:
                key = _node_key(child)
                if key is None:
                    continue
                if child.is_expanded:
                    paths.append(path + (key,))
                    walk(child, path + (key,))

        walk(self.root, ())
        return paths


def _node_key(node: TreeNode[NodeData]) -> str | None:
    data = node.data
    if isinstance(data, RelNode):
        return "rel:" + data.rel.name
    if isinstance(data, ObjNode):
        return "obj:" + data.ref.id
    return None

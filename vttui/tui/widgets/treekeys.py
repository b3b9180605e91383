"""What the Details and Behaviour trees share: left/right folding and opening a pivot.

Both list values an analyst pivots on; keeping the keys and the pivot rule in one place
keeps them behaving alike (and Relations' own tree, which pivots the same way).
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Tree

from ...vt.refs import REPORT_TYPES, ObjectRef
from ...vt.validate import ref_problem
from .. import text as T


class FoldKeys(Tree[Any]):
    """right opens a node, left closes it or goes to its parent."""

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


def open_pivot(tree: Tree[Any], ref: ObjectRef, owner: ObjectRef | None, via: str) -> None:
    """Ask the screen to open ``ref`` from ``tree``, unless it is no report vttui opens
    (said where the user looks, and nothing is sent)."""
    from .relations import RelationsTree

    why = ref_problem(ref) if ref.type in REPORT_TYPES else "not a report vttui opens"
    if why is not None:
        tree.app.notify(T.plain(f"Cannot open this: {why}. Nothing was sent.", 200), severity="warning",
                        markup=False)
        return
    tree.post_message(RelationsTree.Pivot(ref, owner, via, None))

"""The key bar: the keys that work here, on one line, drawn as a single widget.

Textual's Footer is a row of widgets (one per key) that it rebuilds on every focus change.
Opening a report moves the focus from the search bar to the report, so every lookup paid
for mounting and laying out ~25 widgets (~140 ms on a small machine) while the reply was
on its way, and the reply waited behind it. Each rebuild also leaked a ``data_bind``
watcher (Textualize/textual#6666). This bar is one line of text: a focus change repaints
it, nothing is mounted and the screen's layout is not touched.

It shows the same keys as Footer (grouped keys share one label), keeps help and the
command palette visible on the right however narrow the terminal, and a click on a key
presses it.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from itertools import groupby
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

#: The keys of one footer entry (key, as displayed, enabled) and its description.
Entry = tuple[list[tuple[str, str, bool]], str]

#: Always shown on the right, in this order, when the screen has them.
PINNED_ACTIONS = ("help", "command_palette")
#: When the bar is too narrow for every key, these are kept first (after the focused
#: widget's own keys), in this order; the others go, whole, before any of these.
KEEP_FIRST = ("Tabs", "Search", "Back/Fwd", "Copy id", "Copy value", "Quit")


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
    }
    KeyBar > .keybar--disabled {
        text-style: dim;
    }
    KeyBar > .keybar--pinned {
        color: $footer-description-foreground;
    }
    """
    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--disabled", "keybar--pinned"}

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        #: (first cell, last cell + 1, key to press) for each key drawn, for clicks.
        self._hotspots: list[tuple[int, int, str]] = []
        self._items: list[tuple[list[tuple[str, str, bool]], str]] = []
        self._pinned: list[tuple[list[tuple[str, str, bool]], str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._collect()

    def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            before = (self._items, self._pinned)
            self._collect()
            if (self._items, self._pinned) != before:
                self.refresh()

    # --- what to show ----------------------------------------------------------------------

    def _collect(self) -> None:
        """Group the screen's shown bindings as Footer does: one entry per action, and the
        actions of a binding group under the group's single label."""
        app = self.app
        by_action: dict[str, list[tuple[Binding, bool]]] = defaultdict(list)
        #: Help and the palette are pinned even when their usual key is taken here (a
        #: focused search bar types "?"): then their other key (f1) is shown.
        pinned: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action in PINNED_ACTIONS:
                if binding.action == "command_palette" and not app.ENABLE_COMMAND_PALETTE:
                    continue
                if binding.action not in pinned or (binding.show and not pinned[binding.action][0].show):
                    pinned[binding.action] = (binding, enabled)
            elif binding.show:
                by_action[binding.action].append((binding, enabled))
        items: list[tuple[list[tuple[str, str, bool]], str]] = []
        for group, grouped in groupby(by_action.values(), lambda bs: bs[0][0].group):
            members = list(grouped)
            if group is not None and len(members) > 1:
                keys = [(b.key, app.get_key_display(b), enabled) for (b, enabled), *_ in members]
                items.append((keys, group.description))
                continue
            for (binding, enabled), *_ in members:
                items.append(([(binding.key, app.get_key_display(binding), enabled)], binding.description))
        self._pinned = [
            ([(b.key, app.get_key_display(b), enabled)], b.description)
            for b, enabled in (pinned[action] for action in PINNED_ACTIONS if action in pinned)
        ]
        self._items = items

    # --- drawing -----------------------------------------------------------------------------

    def _draw(
        self, entries: list[Entry], text: Text, hotspots: list[tuple[int, int, str]], description_style: Style
    ) -> None:
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        dim = self.get_component_rich_style("keybar--disabled", partial=True)
        for keys, description in entries:
            text.append(" ")
            for key, display, enabled in keys:
                start = text.cell_len
                text.append(display, key_style + dim if not enabled else key_style)
                hotspots.append((start, text.cell_len, key))
            if description:
                text.append(" ")
                text.append(description, description_style)
            text.append(" ")

    def render(self) -> Text:
        width = self.size.width
        description = self.get_component_rich_style("keybar--description", partial=True)
        pinned_style = self.get_component_rich_style("keybar--pinned", partial=True)
        right = Text(no_wrap=True, overflow="crop", end="")
        right_spots: list[tuple[int, int, str]] = []
        self._draw(self._pinned, right, right_spots, pinned_style)
        left_width = max(0, width - right.cell_len - (1 if right else 0))
        left = Text(no_wrap=True, overflow="crop", end="")
        spots: list[tuple[int, int, str]] = []
        items = self._fitting(self._items, left_width)
        self._draw(items, left, spots, description)
        if len(items) < len(self._items) and left.cell_len + 1 <= left_width:
            left.append("…", description)  # some keys did not fit: ctrl+p and ? list them all
        if left.cell_len > left_width:
            left.truncate(max(0, left_width - 1))
            left.append("…", description)
            spots = [(a, min(b, left_width - 1), k) for a, b, k in spots if a < left_width - 1]
        left.pad_right(left_width - left.cell_len)
        line = Text(no_wrap=True, overflow="crop", end="")
        line.append_text(left)
        if right:
            line.append("▏", "dim")
            shift = line.cell_len
            line.append_text(right)
            spots += [(a + shift, b + shift, k) for a, b, k in right_spots]
        self._hotspots = spots
        return line

    def _fitting(self, items: list[Any], width: int) -> list[Any]:
        """The items that fit in ``width``, whole: the focused widget's keys and the
        KEEP_FIRST ones first, the rest dropped (never a key cut to "123…")."""
        def size(entry: Any) -> int:  # as _draw lays it out
            keys, text = entry
            return 2 + sum(len(display) for _key, display, _enabled in keys) + (len(text) + 1 if text else 0)

        if sum(size(e) for e in items) <= width:
            return items
        first_shared = next((i for i, (_keys, text) in enumerate(items) if text in KEEP_FIRST), len(items))

        def rank(index: int) -> tuple[int, int]:
            text = items[index][1]
            if index < first_shared:
                return (0, index)  # the focused widget's own keys
            if text in KEEP_FIRST:
                return (1 + KEEP_FIRST.index(text), index)
            return (len(KEEP_FIRST) + 1, index)

        kept: set[int] = set()
        used = 1  # the "…"
        for index in sorted(range(len(items)), key=rank):
            if used + size(items[index]) <= width:
                kept.add(index)
                used += size(items[index])
        return [entry for i, entry in enumerate(items) if i in kept]

    # --- mouse --------------------------------------------------------------------------------

    def key_at(self, x: int) -> str | None:
        for start, end, key in self._hotspots:
            if start <= x < end:
                return key
        return None

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is not None:
            event.stop()
            self.app.simulate_key(key)

    def shown_text(self) -> str:
        """What the bar says (for tests and the help screen)."""
        return self.render().plain

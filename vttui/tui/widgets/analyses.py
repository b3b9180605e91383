"""The analyses panel: submissions being followed (queued -> in-progress -> completed).

Lives on the main screen, not in a report view, so following survives switching
objects; several analyses can run at once. Polling goes through the client, hence
through the rate limiter, with backoff and a time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...vt.refs import ObjectRef
from .. import text as T

if TYPE_CHECKING:
    from ...vt.models import AnalysisStats


@dataclass(slots=True)
class Tracked:
    analysis_id: str
    label: str
    status: str = "submitted"
    stats: AnalysisStats | None = None
    item: ObjectRef | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    polls: int = 0
    nav_index: int = -1  # where the user was when it was submitted

    @property
    def done(self) -> bool:
        return self.status == "completed" or self.error is not None


STATUS_STYLES = {
    "submitted": "dim",
    "queued": "yellow",
    "in-progress": "bold yellow",
    "completed": "bold green",
}


def tracked_label(t: Tracked) -> Text:
    text = Text()
    if t.error:
        text.append(" ✗ failed ", style="bold white on red3")
    else:
        text.append(f" {t.status} ", style=STATUS_STYLES.get(t.status, ""))
    text.append(" ")
    if t.stats is not None and t.status == "completed":
        text.append_text(T.badge(t.stats))
        text.append(" ")
    text.append_text(T.safe(t.label, max_len=70))
    elapsed = int(time.monotonic() - t.started)
    text.append(f"  {elapsed}s, {t.polls} polls", style="dim")
    if t.error:
        text.append("  ")
        text.append_text(T.safe(t.error, "red", 120))
    elif t.status == "completed":
        text.append("  enter: open", style="cyan")
    return text


class AnalysesPanel(OptionList):
    """One line per followed analysis; hidden while there are none."""

    DEFAULT_CSS = """
    AnalysesPanel { height: auto; max-height: 5; border: none; border-top: solid $warning; padding: 0; display: none; }
    AnalysesPanel.-active { display: block; }
    """
    BINDINGS = [
        Binding("x", "dismiss_done", "Clear finished", id="analyses.dismiss_done"),
        Binding("escape", "leave", "Back to report", show=False, id="analyses.leave"),
    ]

    @dataclass
    class OpenItem(Message):
        """Open the report of a followed analysis' item."""

        tracked: Tracked

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.items: list[Tracked] = []

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def add(self, tracked: Tracked) -> None:
        self.items.append(tracked)
        self.refresh_items()

    def refresh_items(self) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(tracked_label(t)) for t in self.items)
        if self.items:
            self.highlighted = min(highlighted or 0, len(self.items) - 1)
        self.set_class(bool(self.items), "-active")

    def _tick(self) -> None:
        if any(not t.done for t in self.items):
            self.refresh_items()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        tracked = self.items[event.option_index]
        if tracked.item is not None and tracked.status == "completed":
            self.post_message(self.OpenItem(tracked))
        else:
            self.app.notify("Not finished yet.", timeout=2)

    def action_dismiss_done(self) -> None:
        self.items = [t for t in self.items if not t.done]
        self.refresh_items()
        if not self.items:
            self.screen.focus_next()

    def action_leave(self) -> None:
        view = getattr(self.screen, "current_view", None)
        if view is not None:
            view.focus_main()

"""A Footer that rebuilds only when what it shows changes.

Textual's Footer recomposes on every focus change, several times per view switch, which
keeps the app busy for most of a second after back/forward; and each rebuild leaves a
``data_bind`` watcher behind (Textualize/textual#6666), so memory grows with use. This
one compares what it would show with what it shows, and binds nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._shown: tuple | None = None

    def _signature(self) -> tuple:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, binding.group)
            for (_node, binding, enabled, _tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def compose(self) -> ComposeResult:
        compact = self.compact
        for widget in super().compose():
            # Drop the pending data_bind (the leak); set the value it would have bound.
            widget._reactive_connect = None
            if hasattr(type(widget), "compact"):
                widget.set_reactive(type(widget).compact, compact)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._refresh_if_changed)

    async def _refresh_if_changed(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature()
        if signature == self._shown:
            return
        self._shown = signature
        await self.recompose()

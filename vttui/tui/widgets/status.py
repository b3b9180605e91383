"""The status line: live or demo, which key, where the quota stands, cache hits, and a
warning when the persistent store fell back (Redis unreachable, cache file read-only).

With a shared store the quota figures are those of every vttui process of the key."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from ...config import mask_key
from ...vt.ratelimit import LimiterState


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; padding: 0 1; }
    """

    _last: str = ""
    _notice: str | None = None
    _ledger_read: float = 0.0
    #: Seconds between two reads of a Redis ledger (SQLite is read at every refresh).
    LEDGER_EVERY = 5.0

    def on_mount(self) -> None:
        self._timer = self.set_interval(1.0, self.refresh_status, pause=False)
        self.refresh_status()

    def _show(self, text: Text) -> None:
        # Redraw only on change: an idle terminal over SSH should receive nothing.
        signature = text.markup
        if signature != self._last:
            self._last = signature
            self.update(text)

    def refresh_status(self) -> None:
        app = self.app
        client = getattr(app, "client", None)
        text = Text()
        if getattr(app, "demo", False):
            text.append(" DEMO DATA ", style="bold black on yellow")
        elif client is not None:
            text.append(" LIVE ", style="bold white on dark_green")
        else:
            text.append(" NO KEY ", style="bold white on red3")
        if client is None:
            self._show(text)
            return
        text.append(f" key {mask_key(client.api_key)}", style="dim")
        self._follow_store(client)
        state: LimiterState = client.limiter.state()
        text.append(" │ ", style="dim")
        text.append_text(quota_text(state))
        cache = client.cache.stats()
        text.append(" │ ", style="dim")
        text.append(f"{cache.hits + client.stats.store_hits} cache hits", style="")
        text.append(f" · {client.stats.requests} sent", style="dim")
        notice = client.store_notice
        if notice:
            text.append(" │ ", style="dim")
            text.append(f"⚠ {notice}", style="bold yellow")
        self._show(text)

    def _follow_store(self, client) -> None:  # type: ignore[no-untyped-def]
        """Say a store fallback once as a toast; read a Redis ledger every few seconds
        (SQLite's is read synchronously by the limiter itself)."""
        store = client.store
        if store is None:
            return
        notice = client.store_notice
        if notice and notice != self._notice:
            self._notice = notice
            warnings = getattr(store, "warnings", [])
            self.app.notify(warnings[-1] if warnings else notice, severity="warning", timeout=10, markup=False)
        if not store.sync_reads and time.monotonic() - self._ledger_read > self.LEDGER_EVERY:
            self._ledger_read = time.monotonic()
            self.run_worker(client.limiter.refresh(), group="ledger", exclusive=True, exit_on_error=False)


def quota_text(state: LimiterState) -> Text:
    text = Text()
    if state.left_minute is None:
        text.append("no per-minute limit", style="dim")
    else:
        style = "bold red" if state.left_minute == 0 else "bold yellow" if state.left_minute == 1 else "bold"
        text.append(f"{state.left_minute}/{state.per_minute}", style=style)
        text.append(" min", style="dim")
    if state.left_day is not None:
        style = "bold red" if state.left_day == 0 else "bold"
        text.append("  ")
        text.append(f"{state.left_day}/{state.per_day}", style=style)
        text.append(" day", style="dim")
    if state.waiting and state.next_slot_in > 0:
        text.append(f"  ⏳ {state.waiting} waiting, next in {state.next_slot_in:.0f}s", style="bold yellow")
    elif state.left_day == 0:
        text.append(f"  resets {state.resets_at:%H:%M} UTC", style="bold red")
    return text

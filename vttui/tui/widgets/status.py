"""The status line: live or demo, which key, where the quota stands, cache hits, and a
warning when the persistent store fell back (Redis unreachable, cache file read-only).

It draws what the client layer publishes: the limiter's state (``RateLimiter.subscribe``)
and the client's usage (``VTClient.subscribe_usage``: requests sent, replies served from
a cache) land in reactives, and their watchers repaint. Nothing is polled, except the
countdown while a request waits for a slot and, for a store read asynchronously
(Redis), its shared ledger every few seconds.

With a shared store the quota figures are those of every vttui process of the key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from ...config import mask_key
from ...vt.ratelimit import LimiterState

if TYPE_CHECKING:
    from ...vt.client import ClientUsage, VTClient


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; padding: 0 1; }
    """

    #: The limiter's last published state (None: no client yet).
    quota: reactive[LimiterState | None] = reactive(None, always_update=True, init=False)
    #: Requests sent and cache hits, as the client last published them.
    usage: reactive[ClientUsage | None] = reactive(None, always_update=True, init=False)
    #: The store's fallback notice, if any.
    notice: reactive[str | None] = reactive(None, init=False)
    #: Seconds between two reads of a Redis ledger (SQLite is read by the limiter itself).
    LEDGER_EVERY = 5.0

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._client: VTClient | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._countdown: Timer | None = None
        self._ledger: Timer | None = None
        self._said_notice: str | None = None
        self._last = ""

    def on_mount(self) -> None:
        client = getattr(self.app, "client", None)
        if client is not None and self._client is None:
            self.bind_client(client)
        else:
            self._paint()

    def on_unmount(self) -> None:
        self._release()

    # --- following a client --------------------------------------------------------------

    def bind_client(self, client: VTClient) -> None:
        """Follow ``client`` (a new one after a key change replaces the old)."""
        self._release()
        self._client = client
        self._unsubscribe = [
            client.limiter.subscribe(self._on_quota),
            client.subscribe_usage(self._on_usage),
        ]
        if client.store is not None:
            # Other processes of the key spend the shared quota without telling this one.
            self._ledger = self.set_interval(self.LEDGER_EVERY, self._read_ledger)
        self.notice = client.store_notice
        self.usage = client.usage()
        self.quota = client.limiter.state()

    def _release(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        for timer in (self._countdown, self._ledger):
            if timer is not None:
                timer.stop()
        self._countdown = self._ledger = None

    def _on_quota(self, state: LimiterState) -> None:
        self.quota = state

    def _on_usage(self, usage: ClientUsage) -> None:
        self.usage = usage

    def _read_ledger(self) -> None:
        client = self._client
        if client is None or client.store is None:
            return
        if client.store.sync_reads:  # SQLite: the limiter reads it as it answers
            self.quota = client.limiter.state()
        else:  # Redis: read in a worker; the limiter publishes what changed
            self.run_worker(client.limiter.refresh(), group="ledger", exclusive=True, exit_on_error=False)

    def store_changed(self) -> None:
        """The store answered (or fell back) and took the server's count: show both."""
        if self._client is not None:
            self.notice = self._client.store_notice
            self.quota = self._client.limiter.state()

    # --- watchers ----------------------------------------------------------------------

    def watch_quota(self, state: LimiterState | None) -> None:
        # While a request waits, the seconds to the next slot count down; while the minute
        # window holds recent requests, its figure climbs back as they age out.
        waiting = state is not None and (state.holding or (
            state.left_minute is not None and state.per_minute is not None and state.left_minute < state.per_minute))
        if waiting and self._countdown is None:
            self._countdown = self.set_interval(1.0, self._tick)
        elif not waiting and self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self._paint()

    def _tick(self) -> None:
        if self._client is not None:
            self.quota = self._client.limiter.state()

    def watch_usage(self, _usage: ClientUsage | None) -> None:
        self._paint()

    def watch_notice(self, notice: str | None) -> None:
        if notice and notice != self._said_notice and self._client is not None:
            self._said_notice = notice  # said once as a toast, then kept on the line
            warnings = getattr(self._client.store, "warnings", [])
            self.app.notify(warnings[-1] if warnings else notice, severity="warning", timeout=10, markup=False)
        self._paint()

    # --- drawing -----------------------------------------------------------------------

    def _paint(self) -> None:
        text = status_text(self._client, getattr(self.app, "demo", False), self.quota, self.usage, self.notice)
        # Redraw only on change: an idle terminal over SSH should receive nothing.
        signature = text.markup
        if signature != self._last:
            self._last = signature
            self.update(text)


def status_text(client: VTClient | None, demo: bool, quota: LimiterState | None,
                usage: ClientUsage | None, notice: str | None) -> Text:
    text = Text()
    if demo:
        text.append(" DEMO DATA ", style="bold black on yellow")
    elif client is not None:
        text.append(" LIVE ", style="bold white on dark_green")
    else:
        text.append(" NO KEY ", style="bold white on red3")
    if client is None:
        return text
    text.append(f" key {mask_key(client.api_key)}", style="dim")
    if quota is not None:
        text.append(" │ ", style="dim")
        text.append_text(quota_text(quota))
    if usage is not None:
        text.append(" │ ", style="dim")
        text.append(f"{usage.cache_hits} cache hits")
        text.append(f" · {usage.requests} sent", style="dim")
    if notice:
        text.append(" │ ", style="dim")
        text.append(f"⚠ {notice}", style="bold yellow")
    return text


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

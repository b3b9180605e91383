"""Bulk triage: every indicator of a pasted block, one row each, filled in as answers come.

The rows and the lookups are :class:`vttui.vt.triage.Triage` (cached indicators at once,
the others paced by the client's rate limiter); this screen only shows them. The screen
is kept installed while the app runs, so after enter opened one indicator, ``T`` on the
main screen comes back to the same table (and its run goes on meanwhile).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static, TextArea

from ...export.triage_export import TRIAGE_FORMATS, render_triage
from ...vt.triage import RowStatus, Triage, TriageRow
from .. import text as T
from ..base import AppTyped, VTScreen
from ..widgets.footer import KeyBar
from .dialog import Dialog
from .export import _ExportBase

#: The installed screen's name (one triage table at a time).
SCREEN_NAME = "triage"
COLUMNS = (("ioc", "IOC"), ("type", "Type"), ("verdict", "Verdict"), ("status", "Status"), ("rep", "Rep"),
           ("first", "First seen"), ("net", "ASN / country"), ("tags", "Tags"))
SORTS = ("input", "verdict", "ioc", "type", "first", "rep")
EXTENSIONS = {"table": "txt", "json": "json", "markdown": "md", "xml": "xml", "raw": "json", "csv": "csv"}
SEVERITY_RANK = {"malicious": 0, "suspicious": 1, "clean": 2, "unknown": 3, "": 4}


def _verdict(row: TriageRow) -> Text:
    if row.status is not RowStatus.DONE:
        return Text("–", style="dim")
    if not row.total:
        return Text(" –/– ", style=T.SEVERITY_STYLES["unknown"])
    style = T.SEVERITY_STYLES.get(row.severity, T.SEVERITY_STYLES["unknown"])
    return Text(f" {row.malicious}/{row.total} ", style=style)


def _status(row: TriageRow, waiting_for_quota: bool) -> Text:
    if row.status is RowStatus.PENDING:
        return Text("waiting for quota" if waiting_for_quota else "asking…", style="dim italic")
    if row.status is RowStatus.DONE:
        return Text("✓ cached" if row.cached else "✓", style="dim")
    style = "yellow" if row.status is RowStatus.NOT_FOUND else "red"
    text = Text(row.status.value, style=style)
    if row.message and row.status is not RowStatus.NOT_FOUND:
        text.append(": ")
        text.append_text(T.safe(row.message, max_len=80))
    return text


def cells(row: TriageRow, waiting_for_quota: bool = False) -> list[Text]:
    """One table row; every string from VirusTotal goes through the text helpers."""
    net = ""
    if row.asn is not None:
        net = f"AS{row.asn}"
    if row.country:
        net = f"{net} {row.country}".strip()
    return [
        T.safe(row.ioc.display, max_len=90), Text(row.kind, style="dim"), _verdict(row),
        _status(row, waiting_for_quota),
        Text("" if row.reputation is None else str(row.reputation)), T.date(row.first_seen, with_time=False),
        T.safe(net, max_len=30), T.safe(", ".join(row.tags[:6]), max_len=60),
    ]


def sort_key(name: str, row: TriageRow) -> Any:
    if name == "verdict":  # the worst first; unanswered last
        return (SEVERITY_RANK.get(row.severity, 4), -(row.malicious or 0), row.index)
    if name == "ioc":
        return (row.value.lower(), row.index)
    if name == "type":
        return (row.kind, row.index)
    if name == "first":
        return (row.first_seen is None, row.first_seen.timestamp() if row.first_seen else 0.0, row.index)
    if name == "rep":
        return (row.reputation is None, row.reputation or 0, row.index)
    return row.index


class TriageTable(AppTyped, DataTable[Text]):
    BINDINGS = [
        Binding("enter", "open", "Open", id="triage_table.open"),
        Binding("s", "sort", "Sort", id="triage_table.sort"),
        Binding("e", "export", "Export table", id="triage_table.export"),
        Binding("o", "copy_link", "Copy web link", id="triage_table.copy_link"),
    ]

    def action_copy_link(self) -> None:
        from ...vt.weblinks import web_url

        row = self.screen.current_row()  # type: ignore[attr-defined]
        url = web_url(row.ref) if row is not None else None
        if url:
            self.app.copy(url, "web link")

    def action_open(self) -> None:
        self.screen.open_row()  # type: ignore[attr-defined]

    def action_sort(self) -> None:
        self.screen.next_sort()  # type: ignore[attr-defined]

    def action_export(self) -> None:
        self.screen.action_export()  # type: ignore[attr-defined]


class TriageScreen(VTScreen):
    """The triage table of one block of text."""

    BINDINGS = [
        Binding("escape,q", "close", "Back to reports", id="triage.close"),
        Binding("e", "export", "Export table", show=False, id="triage.export"),
        Binding("n", "new", "New triage (paste)", id="triage.new"),
    ]
    DEFAULT_CSS = """
    TriageScreen > .title { height: 1; padding: 0 1; background: $primary 40%; text-style: bold; }
    TriageScreen > .status { height: auto; max-height: 3; padding: 0 1; }
    TriageScreen > TriageTable { height: 1fr; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.triage = Triage.from_text(text)
        self.sort_by = "input"
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Bulk triage: {len(self.triage.rows)} indicators in the pasted text"), classes="title")
        yield Static("", classes="status")
        yield TriageTable(cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(TriageTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        for row in self.triage.rows:
            table.add_row(*cells(row), key=str(row.index))
        table.focus()
        self._show_status()
        if self.triage.rows:
            self.app.ensure_started()
            self.run_triage()

    # --- the run ---------------------------------------------------------------------------

    @work(group="triage", exclusive=True, exit_on_error=False, name="Triage stopped")
    async def run_triage(self) -> None:
        """Rows as they are answered (a failure is a notice from ``worker_failed``; the rows
        answered so far stay)."""
        client = self.app.vt
        self.running = True
        try:
            async for row in self.triage.run(client):
                self._update(row)
        finally:
            self.running = False
            self._show_status()
        if self.sort_by != "input":
            self._sort()

    def _waiting(self) -> bool:
        client = self.app.client
        if client is None:
            return False
        state = client.limiter.state()
        return bool(state.left_minute == 0 or state.left_day == 0)

    def _update(self, row: TriageRow) -> None:
        table = self.query_one(TriageTable)
        key = str(row.index)
        for (column, _label), cell in zip(COLUMNS, cells(row), strict=True):
            table.update_cell(key, column, cell, update_width=True)
        waiting = self._waiting()
        if waiting:  # the rows still to ask say why they wait
            for pending in self.triage.pending:
                table.update_cell(str(pending.index), "status", _status(pending, True))
        self._show_status()

    def _show_status(self) -> None:
        counts = self.triage.counts()
        rows = self.triage.rows
        if not rows:
            text = Text("No indicators found in that text (hashes, URLs, domains, IPs; defanged is fine).",
                        style="yellow")
        else:
            flagged = sum(1 for r in rows if r.severity in ("malicious", "suspicious"))
            text = Text(f"{len(rows) - counts[RowStatus.PENDING]}/{len(rows)} answered", style="bold")
            text.append(f" · {flagged} flagged", style="bold red" if flagged else "dim")
            for status in (RowStatus.NOT_FOUND, RowStatus.ERROR, RowStatus.SKIPPED):
                if counts[status]:
                    text.append(f" · {counts[status]} {status.value}", style="dim")
            asked = f" · {self.triage.requests} requests" if not self.running else " · asking VirusTotal…"
            text.append(asked, style="dim")
            if self.triage.stopped is not None:
                text.append("\n")
                text.append_text(T.safe(self.triage.stopped.message, "yellow"))
            text.append(f"\nsorted by {self.sort_by} · enter: open · s: sort · e: export · o: web link · n: new"
                        " · esc: back", style="dim")
        self.query_one(".status", Static).update(text)

    # --- keys ------------------------------------------------------------------------------

    def current_row(self) -> TriageRow | None:
        table = self.query_one(TriageTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.triage.rows[int(key)] if key is not None else None

    def open_row(self) -> None:
        row = self.current_row()
        if row is None:
            return
        main = self.app.main
        self.app.pop_screen()
        main.open_from_list(row.ref, row.ioc.display)

    def next_sort(self) -> None:
        self.sort_by = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self._sort()
        self._show_status()

    def _sort(self) -> None:
        """Rebuild the rows in the chosen order (a few hundred at most), the cursor kept on its row."""
        table = self.query_one(TriageTable)
        current = self.current_row()
        table.clear()
        waiting = self._waiting()
        order = sorted(self.triage.rows, key=lambda r: sort_key(self.sort_by, r))
        for row in order:
            table.add_row(*cells(row, waiting), key=str(row.index))
        if current is not None:
            table.move_cursor(row=table.get_row_index(str(current.index)))

    def action_export(self) -> None:
        if not self.triage.rows:
            self.app.notify("Nothing to export: no indicators.", timeout=3)
            return
        self.app.push_screen(TriageExportScreen(list(self.triage.rows)))

    def action_new(self) -> None:
        self.app.push_screen(PasteScreen(), _start_from(self.app))

    def action_close(self) -> None:
        self.app.pop_screen()


def _start_from(app: Any) -> Any:
    def chosen(pasted: Pasted | None) -> None:
        if pasted is not None:
            open_triage(app, pasted.text)

    return chosen


def open_triage(app: Any, text: str) -> TriageScreen:
    """Show the triage table of ``text`` (replacing an earlier one)."""
    if app.is_screen_installed(SCREEN_NAME):
        old = app.get_screen(SCREEN_NAME)
        if old in app.screen_stack:
            while app.screen is not old:
                app.pop_screen()
            app.pop_screen()
        app.uninstall_screen(SCREEN_NAME)  # (popped already: nothing else holds it)
    screen = TriageScreen(text)
    app.install_screen(screen, SCREEN_NAME)
    app.push_screen(SCREEN_NAME)
    return screen


def reopen_triage(app: Any) -> bool:
    """Back to the triage table, if there is one."""
    if not app.is_screen_installed(SCREEN_NAME):
        return False
    if app.get_screen(SCREEN_NAME) not in app.screen_stack:
        app.push_screen(SCREEN_NAME)
    return True


@dataclass(frozen=True, slots=True)
class Pasted:
    """What the paste dialog dismisses with."""

    text: str


class PasteScreen(Dialog[Pasted | None]):
    """Paste any text (a ticket, an e-mail, a log); dismisses with it, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="paste.cancel"),
        Binding("ctrl+s", "go", "Triage", show=False, id="paste.go"),
    ]
    DEFAULT_CSS = """
    PasteScreen TextArea { height: 14; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Triage pasted text", classes="title")
            yield Static(Text("Paste a ticket, an e-mail or a log: every hash, URL, domain and IP in it is "
                              "looked up (cached ones cost nothing; the rest within your quota).", style="dim"))
            yield TextArea(id="text")
            yield Static("", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Triage (ctrl+s)", id="go", variant="primary")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self.action_go()
        else:
            self.action_cancel()

    def action_go(self) -> None:
        text = self.query_one(TextArea).text
        if not Triage.from_text(text).rows:
            self.set_status("No indicator in that text (hashes, URLs, domains, IPs; defanged is fine).", error=True)
            return
        self.dismiss(Pasted(text))


class TriageExportScreen(_ExportBase):
    """The triage table as CSV, JSON, Markdown (the CLI's own renderer), optionally defanged."""

    def __init__(self, rows: list[TriageRow], default_name: str = "vttui-triage") -> None:
        super().__init__(Path(os.path.abspath(f"{default_name}.csv")))
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Export the triage table ({len(self.rows)} indicators)", classes="title")
            yield Static(Text("Format", style="dim"))
            yield Select([(f, f) for f in TRIAGE_FORMATS], value="csv", allow_blank=False, id="format")
            yield Static(Text("Defang (hxxp, [.]) for tickets and chats: table, markdown, csv", style="dim"))
            yield Select([("no", "no"), ("yes", "yes")], value="no", allow_blank=False, id="defang")
            yield Static(Text("File", style="dim"))
            yield Input(str(self.default_path), id="path")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#format", Select).focus()

    def extension(self) -> str:
        return EXTENSIONS.get(str(self.query_one("#format", Select).value), "txt")

    def produce(self) -> str:
        fmt = str(self.query_one("#format", Select).value)
        defang = self.query_one("#defang", Select).value == "yes"
        return render_triage(self.rows, fmt, defang=defang)

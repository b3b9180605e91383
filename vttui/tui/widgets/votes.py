"""The Votes tab: the community tally and the individual votes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...vt.models import Vote, VTObject
from ...vt.paging import Page
from ...vt.refs import ObjectRef
from .. import text as T
from .paged import PAGE_SIZE, PagedPane
from .table import ReportTable


class VoteTable(ReportTable):
    BINDINGS = [Binding("m", "more", "More votes", id="votes.more")]

    def action_more(self) -> None:
        self.query_ancestor(VotesPane).load_more()

    def copy_target(self) -> tuple[str, str] | None:
        if self.row_count == 0:
            return None
        value = self.get_cell_at(self.cursor_coordinate)
        return "vote", value.plain if isinstance(value, Text) else str(value)


class VotesPane(PagedPane):
    noun = "votes"
    DEFAULT_CSS = """
    VotesPane > .tally { height: 1; padding: 0 1; }
    """

    def compose_list(self) -> ComposeResult:
        yield Static("", classes="tally")
        table = VoteTable(cursor_type="row", zebra_stripes=True)
        table.add_column("Date", key="date")
        table.add_column("Verdict", key="verdict")
        table.add_column("Weight", key="value")
        yield table

    #: Counts adjusted after the user's own vote (until a fresh report replaces them).
    local_tally: tuple[int, int] | None = None

    def show_tally(self, obj: VTObject) -> None:
        self.show_tally_counts(*(self.local_tally or obj.votes))

    def show_tally_counts(self, harmless: int, malicious: int, *, local: bool = False) -> None:
        if local:
            self.local_tally = (harmless, malicious)
        text = Text("Community: ", style="bold")
        text.append(f"{harmless} harmless", style="green")
        text.append(" · ")
        text.append(f"{malicious} malicious", style="bold red" if malicious else "")
        total = harmless + malicious
        if total:
            text.append(f"  ({malicious / total:.0%} say malicious)", style="dim")
        self.query_one(".tally", Static).update(text)

    async def fetch_page(self, ref: ObjectRef, cursor: str | None) -> Page:
        return await self.app.vt.get_votes(ref, limit=PAGE_SIZE, cursor=cursor)

    def add_items(self, items: list[dict[str, Any]], *, at_top: bool = False) -> None:
        table = self.query_one(VoteTable)
        rows = []
        for item in items:
            vote = Vote(item)
            verdict = vote.verdict or "–"
            rows.append((
                T.date(vote.date),
                T.safe(verdict, "bold red" if verdict == "malicious" else "green" if verdict == "harmless" else "", 30),
                Text(str(vote.value) if vote.value is not None else "–", style="dim"),
            ))
        if at_top:
            existing = [table.get_row_at(i) for i in range(table.row_count)]
            table.clear()
            table.add_rows([*rows, *existing])
        else:
            table.add_rows(rows)

"""`?`: every key, grouped by where it works. Built from the bindings themselves, so it
cannot drift from what the keys really do."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA = {
    "Anywhere": [
        ("ctrl+p", "Command palette: every action, recent indicators"),
        ("tab / shift+tab", "Move focus"),
        ("mouse", "Click tabs, rows, tree nodes; scroll"),
    ],
    "Relations": [
        ("enter", "On an object: open it (pivot). On a relationship: expand."),
        ("enter on resolution", "Open the other side (IP from a domain, domain from an IP)"),
        ("enter on a collection", "Open it as a report (also threat actors, references)"),
    ],
    "Search bar": [("vti:QUERY", "VirusTotal Intelligence search (premium keys), e.g. vti:type:peexe p:5+")],
    "Details": [("enter on ↵", "Open what the row names: final URL, body hash, DNS record, certificate name...")],
}


def _sections(app_class: type) -> list[tuple[str, list[type]]]:
    from ..widgets.behaviour import BehaviourTree
    from ..widgets.comments import CommentList
    from ..widgets.details import DetailsTree
    from ..widgets.detections import DetectionsTable, FilterInput
    from ..widgets.relations import RelationsTree
    from ..widgets.search import SearchBar
    from ..widgets.votes import VoteTable
    from .main import MainScreen
    from .search_results import HitTable, SearchResultsScreen
    from .triage import TriageScreen, TriageTable

    return [
        ("Anywhere", [app_class, MainScreen]),
        ("Search bar", [SearchBar]),
        ("Detections", [DetectionsTable, FilterInput]),
        ("Details", [DetailsTree]),
        ("Relations", [RelationsTree]),
        ("Comments", [CommentList]),
        ("Votes", [VoteTable]),
        ("Behaviour (files)", [BehaviourTree]),
        ("Intelligence search results", [HitTable, SearchResultsScreen]),
        ("Bulk triage", [TriageTable, TriageScreen]),
    ]


def help_table(app: App[object]) -> Table:
    from ..keymap import key_display

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for title, classes in _sections(type(app)):
        table.add_row(Text(title, style="bold underline"), "")
        seen = set()
        for cls in classes:
            for binding in getattr(cls, "BINDINGS", []):
                if not isinstance(binding, Binding):
                    binding = Binding(*binding)
                if not binding.description or (binding.key, binding.description) in seen:
                    continue
                seen.add((binding.key, binding.description))
                keys = key_display(app, binding)  # remapped keys ([keymap]) included
                table.add_row(keys, binding.tooltip or binding.description)
        for key, text in EXTRA.get(title, []):
            table.add_row(key, text)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 90; max-width: 100%; height: 90%; border: thick $primary; background: $surface; }
    HelpScreen .title { padding: 0 1; text-style: bold; background: $primary; color: $text; }
    HelpScreen VerticalScroll { padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("vttui keys  ·  escape or ? to close", classes="title")
            with VerticalScroll():
                yield Static(help_table(self.app))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)

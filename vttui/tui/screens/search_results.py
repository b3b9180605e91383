"""VirusTotal Intelligence search results: a paged table of hits, enter opens, `m` for more.

Typed in the search bar as ``vti:QUERY``. Search is premium: on a public key the client
answers from its memory of the first 403, so this costs one request at most per session,
and the table says so in plain words. Hits seed the client's object cache, so opening
one costs nothing. The screen stays installed (like the triage table) so the palette or
the same query brings it back without a request.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...export.intel_export import hit_cells
from ...vt.errors import ForbiddenError, VTError
from ...vt.models import VTObject, wrap
from ...vt.refs import REPORT_TYPES
from ...vt.validate import ref_problem
from .. import text as T
from ..base import AppTyped, VTScreen
from ..widgets.footer import KeyBar
from ..widgets.table import ReportTable

SCREEN_NAME = "intel-search"
PAGE_SIZE = 40
COLUMNS = (("type", "Type"), ("verdict", "Verdict"), ("name", "Name / id"), ("first", "First seen"),
           ("detail", "Size / tags"))


def hit_row(view: VTObject) -> list[Text]:
    """The export's cells (so the table and `vttui search` agree), made safe for the screen."""
    kind, _ratio, name, ident, first, detail = (str(c) for c in hit_cells(view))
    shown = name or ident
    return [Text(kind, style="bold"), T.badge(view.stats), T.safe(shown, max_len=100), Text(first or "–"),
            T.safe(detail, max_len=80)]


class HitTable(AppTyped, ReportTable):
    BINDINGS = [
        Binding("enter", "open", "Open", id="hits.open"),
        Binding("m", "more", "More results", id="hits.more"),
        Binding("o", "copy_link", "Copy web link", id="hits.copy_link"),
    ]

    def action_copy_link(self) -> None:
        from ...vt.weblinks import web_url

        view = self.screen.current_hit()  # type: ignore[attr-defined]
        url = web_url(view.ref) if view is not None else None
        if url:
            self.app.copy(url, "web link")

    def action_open(self) -> None:
        self.screen.open_hit()  # type: ignore[attr-defined]

    def action_more(self) -> None:
        self.screen.load_more()  # type: ignore[attr-defined]


class SearchResultsScreen(VTScreen):
    """The hits of one query."""

    BINDINGS = [
        Binding("escape,q", "close", "Back to reports", id="search_results.close"),
        Binding("m", "more", "More results", show=False, id="search_results.more"),
    ]
    DEFAULT_CSS = """
    SearchResultsScreen > .title { height: 1; padding: 0 1; background: $primary 40%; text-style: bold; }
    SearchResultsScreen > .status { height: auto; max-height: 4; padding: 0 1; }
    SearchResultsScreen > HitTable { height: 1fr; }
    """

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query_text = query
        self.hits: list[VTObject] = []
        self.cursor: str | None = None
        self.total: int | None = None
        self.started = False
        self.fetching = False
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        title = Text("Intelligence search: ", style="bold")
        title.append_text(T.safe(self.query_text, max_len=200))
        yield Static(title, classes="title")
        yield Static(Text("Searching…", style="dim italic"), classes="status")
        yield HitTable(cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(HitTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.app.ensure_started()
        self.load_more()

    def load_more(self) -> None:
        if self.fetching:
            return
        if self.started and self.cursor is None:
            if self.error is None:
                self.app.notify("No more results.", timeout=2)
            return
        self.started = True
        self.fetching = True
        self._fetch(self.cursor)

    @work(group="intel-search", exclusive=True, exit_on_error=False, name="Search failed")
    async def _fetch(self, cursor: str | None) -> None:
        client = self.app.vt
        try:
            page = await client.search(self.query_text, limit=PAGE_SIZE, cursor=cursor)
        except ForbiddenError as exc:
            self._fail(exc.message, premium=True)
            return
        except VTError as exc:  # said on this screen, where the user looks
            self._fail(exc.message)
            return
        finally:
            self.fetching = False
        self.error = None
        table = self.query_one(HitTable)
        seen = {(h.type, h.id) for h in self.hits}
        new: list[VTObject] = []
        for item in page.items:
            view = wrap(item)
            if not view.id or (view.type, view.id) in seen:
                continue  # a server repeating itself adds nothing twice
            seen.add((view.type, view.id))
            new.append(view)
        self.hits.extend(new)
        table.add_rows(hit_row(view) for view in new)  # (rows in hit order: row i is hits[i])
        # A cursor that does not move (or an empty page pointing on) would repeat forever.
        self.cursor = page.cursor if page.cursor and page.cursor != cursor and page.items else None
        if page.count is not None:
            self.total = page.count
        self._show_status()

    def _show_status(self) -> None:
        n = len(self.hits)
        if not n:
            text = Text("No hits for this query.", style="yellow")
        else:
            text = Text(f"{n} hit{'s' if n != 1 else ''}", style="bold")
            if self.total is not None and self.total > n:
                text.append(f" of {self.total:,}", style="bold")
        text.append("  enter: open · m: more" if self.cursor else "  enter: open · all shown", style="dim")
        text.append(" · esc: back", style="dim")
        self.query_one(".status", Static).update(text)

    def _fail(self, message: str, *, premium: bool = False) -> None:
        self.error = message
        self.cursor = None
        out = Text("✗ ", style="bold red")
        out.append_text(T.safe(message, max_len=600))
        if premium:
            out.append("\nThe rest of vttui works with this key; search with a premium key (ctrl+k changes it).",
                       style="dim")
        self.query_one(".status", Static).update(out)
        self.app.notify(T.plain(message, 300), severity="error", markup=False)

    def current_hit(self) -> VTObject | None:
        table = self.query_one(HitTable)
        row = table.cursor_row
        return self.hits[row] if table.row_count and 0 <= row < len(self.hits) else None

    def open_hit(self) -> None:
        view = self.current_hit()
        if view is None:
            return
        if view.type not in REPORT_TYPES or ref_problem(view.ref) is not None:
            self.app.notify("This hit cannot be opened as a report.", severity="warning", timeout=3)
            return
        main = self.app.main
        self.app.pop_screen()
        main.open_from_list(view.ref, view.title)

    def action_more(self) -> None:
        self.load_more()

    def action_close(self) -> None:
        self.app.pop_screen()


def open_search(app: Any, query: str) -> SearchResultsScreen:
    """Show the results of ``query``: the same query comes back as it was left."""
    old = current_results(app)
    if old is not None and old.query_text == query and old.error is None:
        if old not in app.screen_stack:
            app.push_screen(old)
        return old
    screen = SearchResultsScreen(query)
    if old is not None and old not in app.screen_stack:
        app.uninstall_screen(old)
    app.install_screen(screen, f"{SCREEN_NAME}-{next(_names)}")
    app.push_screen(screen)
    return screen


def current_results(app: Any) -> SearchResultsScreen | None:
    """The installed results screen (the last query's), if any."""
    for name in list(getattr(app, "_installed_screens", {})):
        if name.startswith(SCREEN_NAME):
            screen = app.get_screen(name)
            if isinstance(screen, SearchResultsScreen):
                return screen
    return None


_names = count(1)

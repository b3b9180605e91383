"""The triage workspace: search bar, breadcrumbs, one report view per step of the trail.

One way to keep report views, chosen by measurement (docs/performance.md, "View
retention"): the last MAX_LIVE_VIEWS stay alive, so back and forward show them as the
user left them (tab, tree expansion, scroll) without a rebuild; an older one is removed
and only what the user set up in it (a ``ViewState``: tab, filters, expanded
relationships) is kept, to rebuild it from the cache in that state if it is revisited.
(A pre-built standby view was measured too and removed: no gain beyond the noise.)
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import AwaitMount, Widget
from textual.widgets import ContentSwitcher, Static

from ...vt.refs import TYPE_LABELS, ObjectRef
from .. import text as T
from .. import trace
from ..history import Entry, Navigator, Via
from ..widgets.analyses import AnalysesPanel
from ..widgets.footer import KeyBar
from ..widgets.search import SearchBar
from ..widgets.status import StatusLine
from .actions import ACTION_BINDINGS, ActionsMixin

if TYPE_CHECKING:  # the report widgets load with the first report, not at start-up
    from ...vt.ioc import IOC
    from ..widgets.relations import RelationsTree
    from ..widgets.report import ReportLoaded, ReportView, ViewState

#: Report views kept alive for instant back/forward (each holds its widgets, a few MB);
#: older ones are rebuilt from the cache, in the state they were left, when revisited.
#: Rebuilding on every back measured 3.5x slower (700 ms against 100-200 ms, loaded machine).
MAX_LIVE_VIEWS = 6
#: How long the screen keeps showing what it showed while a new report's reply is
#: awaited: if it comes in time, the report is drawn once, whole, instead of a loading
#: view first (two full layouts and renders, which also delayed handling the reply).
#: Past this, the loading view is shown.
HOLD_FOR_REPLY = 0.25
#: Below this many rows the layout is compact (see DEFAULT_CSS).
COMPACT_HEIGHT = 30
TABS = ("detections", "details", "relations", "comments", "votes", "behaviour")
TABS_GROUP = Binding.Group("Tabs", compact=True)
HISTORY_GROUP = Binding.Group("Back/Fwd", compact=True)

WELCOME = """\
Type or paste an indicator above and press enter: a hash (MD5, SHA-1,
SHA-256), a URL, a domain or an IP. Defanged forms (hxxp://evil[.]com) work.
A pasted ticket, e-mail or log lists every indicator in it.

  /       search             ⌫ / alt+→   back / forward
  1-6     switch tabs        enter       pivot (in Relations)
  c / y   copy id / value    u s a       upload, scan, re-analyse
  T       bulk triage        vti:QUERY   Intelligence search
  ctrl+p  every action       f1          all keys        ctrl+q  quit

In the search bar letters are text: esc leaves it, then the one-key
commands above (and ? for keys, q to quit) work.
"""


class InfoLine(Static):
    """Under the search bar: what the search text means, or the breadcrumbs."""

    DEFAULT_CSS = """
    InfoLine { height: 1; padding: 0 1; color: $text-muted; }
    """


class MainScreen(ActionsMixin):
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="main.focus_search"),
        Binding("ctrl+l", "focus_search", "Search", show=False, id="main.focus_search_alt"),
        Binding("backspace", "back", "Back", group=HISTORY_GROUP, id="main.back"),
        Binding("alt+left", "back", "Back", show=False, id="main.back_alt"),
        Binding("alt+right", "forward", "Forward", group=HISTORY_GROUP, id="main.forward"),
        Binding("1", "show_tab('detections')", "Detections", group=TABS_GROUP, id="main.tab_detections"),
        Binding("2", "show_tab('details')", "Details", group=TABS_GROUP, id="main.tab_details"),
        Binding("3", "show_tab('relations')", "Relations", group=TABS_GROUP, id="main.tab_relations"),
        Binding("4", "show_tab('comments')", "Comments", group=TABS_GROUP, id="main.tab_comments"),
        Binding("5", "show_tab('votes')", "Votes", group=TABS_GROUP, id="main.tab_votes"),
        Binding("6", "show_tab('behaviour')", "Behaviour (files)", group=TABS_GROUP, id="main.tab_behaviour"),
        Binding("c", "copy_id", "Copy id", id="main.copy_id"),
        Binding("y", "copy_value", "Copy value", id="main.copy_value"),
        Binding("o", "copy_link", "Copy web link", id="main.copy_link"),
        Binding("ctrl+r", "reload", "Reload (fresh)", show=False, id="main.reload"),
        Binding("T", "triage", "Triage pasted text", id="main.triage"),
        Binding("i", "intel_search", "Intelligence search", id="main.intel_search"),
        # No description: only while a report waits for quota (its header says "esc cancels").
        Binding("escape", "cancel_wait", "", show=False, id="main.cancel_wait"),
        *ACTION_BINDINGS,
    ]

    DEFAULT_CSS = """
    MainScreen SearchBar { height: 1; border: none; padding: 0 1; background: $boost; }
    MainScreen SearchBar:focus { border: none; background: $primary 25%; }
    MainScreen #views { height: 1fr; }
    MainScreen #empty { padding: 1 2; }
    MainScreen.demo SearchBar { background: $warning 20%; }
    /* Compact (a terminal under COMPACT_HEIGHT rows, e.g. 80x24): the header keeps its
       first three lines and the tabs lose their underline, so the table gets the rows. */
    MainScreen.-compact VerdictHeader { max-height: 3; }
    MainScreen.-compact Tabs { height: 1; }
    MainScreen.-compact Tabs Underline { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.nav = Navigator()
        self.live: OrderedDict[int, ReportView] = OrderedDict()
        self.saved_states: dict[int, ViewState] = {}
        self._hint: Text | None = None
        #: A view waiting for its reply before it is shown, and whether to focus it then.
        self._held: tuple[ReportView, bool] | None = None
        #: Set when a list screen (search hits, triage) opened a report as it closed.
        self._focus_on_resume = False
        #: Report views whose mount has not finished, and how to await it (see views_mounted).
        self._mounting: dict[ReportView, AwaitMount] = {}

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search")
        yield InfoLine(id="info")
        with ContentSwitcher(id="views", initial="empty"):
            yield Static(Text(WELCOME), id="empty")
        yield AnalysesPanel(id="analyses")
        yield StatusLine(id="status")
        yield KeyBar()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < COMPACT_HEIGHT, "-compact")

    def on_mount(self) -> None:
        self.set_class(self.size.height < COMPACT_HEIGHT, "-compact")
        self.set_class(getattr(self.app, "demo", False), "demo")
        self.query_one(SearchBar).focus()
        self.update_info()

    # --- search --------------------------------------------------------------------------

    def on_search_bar_understood(self, message: SearchBar.Understood) -> None:
        self._hint = message.hint
        self.update_info()

    def on_search_bar_open(self, message: SearchBar.Open) -> None:
        trace.mark("open")
        self.open_ioc(message.ioc)

    def on_search_bar_choose(self, message: SearchBar.Choose) -> None:
        self.open_block(message.iocs)

    def open_block(self, iocs: list[IOC]) -> None:
        """Several indicators at once (a pasted ticket or log): the bulk-triage table, one
        row each, filled in within the quota (the one place a pasted block goes)."""
        self.app.open_triage("\n".join(ioc.value for ioc in iocs))

    def on_search_bar_intel(self, message: SearchBar.Intel) -> None:
        from .search_results import open_search

        search = self.query_one(SearchBar)
        search.remember("vti:" + message.query)
        search.value = ""
        self._hint = None
        self.update_info()
        view = self.current_view  # back from the results, keys go to the report again
        if view is not None:
            view.focus_main()
        else:
            search.blur()
        open_search(self.app, message.query)

    def open_from_list(self, ref: ObjectRef, title: str) -> None:
        """Open what was chosen in a list screen (search hits, triage rows) just popped:
        the report gets the keys, not the search bar Textual would give them back to."""
        self._focus_on_resume = True
        self.open_ref(ref, title=title)

    def on_screen_resume(self) -> None:
        if self._focus_on_resume:
            self._focus_on_resume = False
            self.call_after_refresh(self._focus_report)

    def _focus_report(self) -> None:
        if self.focused is not None and not isinstance(self.focused, SearchBar):
            return  # the user chose something else meanwhile
        if self._held is not None:
            self.set_focus(None)  # the held view takes it when it is revealed
        elif (view := self.current_view) is not None:
            view.focus_main()

    def action_intel_search(self) -> None:
        """The search bar, ready for a VirusTotal Intelligence query."""
        search = self.query_one(SearchBar)
        if not search.value.lower().startswith("vti:"):
            search.value = "vti:"
        search.focus()

        def to_end() -> None:  # (focusing an Input selects its text: typing would replace "vti:")
            search.cursor_position = len(search.value)

        self.call_after_refresh(to_end)

    def on_search_bar_leave(self, message: SearchBar.Leave) -> None:
        self._hint = None
        self.update_info()
        view = self.current_view
        if view is not None:
            view.focus_main()
        else:
            self.query_one(SearchBar).blur()

    def open_ioc(self, ioc: IOC) -> None:
        search = self.query_one(SearchBar)
        search.remember(ioc.original or ioc.value)
        search.value = ""
        self._hint = None
        if ioc.object_type == "analysis":
            self.app.open_analysis(ioc.value)
            return
        self.app.remember_ioc(ioc)
        self.open_ref(ioc.ref, title=ioc.display)

    # --- navigation ----------------------------------------------------------------------

    @property
    def current_view(self) -> ReportView | None:
        entry = self.nav.current
        return self.live.get(entry.key) if entry else None

    def open_ref(self, ref: ObjectRef, via: Via | None = None, title: str = "") -> ReportView:
        self.app.ensure_started()
        entry, dropped = self.nav.open(ref, via, title)
        for old in dropped:
            self.saved_states.pop(old.key, None)
            view = self.live.pop(old.key, None)
            if view is not None:
                self._discard(view)
        self.app.trail.visit(ref, via, title)
        return self._show(entry, focus=True)

    def _show(self, entry: Entry, *, focus: bool) -> ReportView:
        view = self.live.get(entry.key)
        switcher = self.query_one(ContentSwitcher)
        if view is None:
            from ..widgets.report import ReportView

            view = ReportView(entry)
            view.restore_state = self.saved_states.pop(entry.key, None)
            view.display = False  # the switcher only hides children it knew about
            self._mount_view(view)
            self.live[entry.key] = view
            self._trim_live()
        self.live.move_to_end(entry.key)
        self.update_info()
        if view.obj is None and view.error is None:
            # Hold the current screen until the reply (or HOLD_FOR_REPLY). Keys typed
            # meanwhile go to the screen's bindings, which act on this view.
            self._held = (view, focus)
            if focus:
                self.set_focus(None)
            self.set_timer(HOLD_FOR_REPLY, lambda: self._reveal(view))
            return view
        self._held = None
        switcher.current = view.id
        if focus:
            view.focus_main()
        return view

    def _reveal(self, view: ReportView) -> None:
        """Show a held view (its reply came, or the hold is over); focus it unless the
        user focused something else meanwhile."""
        if self._held is None or self._held[0] is not view:
            return
        focus = self._held[1]
        self._held = None
        self.query_one(ContentSwitcher).current = view.id
        if focus and self.focused is None:
            view.focus_main()

    def _mount_view(self, view: ReportView) -> None:
        self._mounting = {v: aw for v, aw in self._mounting.items() if not v.is_mounted}
        self._mounting[view] = self.query_one(ContentSwitcher).mount(view)

    async def views_mounted(self) -> None:
        """Wait until no report view is half-mounted. Quitting in that moment made Textual
        run the mount handlers of a subtree it was pruning: ``No Tab with id
        '--content-tab-detections'`` from TabbedContent, a crash on quit (issue 10)."""
        while pending := [aw for v, aw in self._mounting.items() if not v.is_mounted]:
            for awaiting in pending:
                await awaiting
        self._mounting.clear()

    def _discard(self, view: ReportView) -> None:
        """Remove a view, but never in the middle of its mount: Textual would run the
        mount handlers of a subtree being pruned (``No Tab with id
        '--content-tab-detections'``, issue 10). A message to the view itself runs only
        once its whole subtree is mounted."""
        if view.is_mounted:
            view.remove()
        else:
            view.call_later(view.remove)

    def _trim_live(self) -> None:
        current = self.nav.current
        for key, view in list(self.live.items()):  # oldest first
            if len(self.live) <= MAX_LIVE_VIEWS:
                break
            if (current is not None and key == current.key) or not view.is_mounted:
                continue  # a view still mounting has no state to save yet: trimmed later
            del self.live[key]
            # Rebuilt from the cache (no request) if the user comes back, in this state.
            self.saved_states[key] = view.save_state()
            view.remove()

    def action_back(self) -> None:
        trace.mark("back")
        entry = self.nav.back()
        if entry is None:
            self.app.notify("Nothing to go back to.", timeout=2)
            return
        self._show(entry, focus=True)

    def action_forward(self) -> None:
        entry = self.nav.forward()
        if entry is None:
            self.app.notify("Nothing to go forward to.", timeout=2)
            return
        self._show(entry, focus=True)

    def on_relations_tree_pivot(self, message: RelationsTree.Pivot) -> None:
        message.stop()
        via = Via(message.source, message.relationship) if message.source and message.relationship else None
        self.open_ref(message.ref, via, title=message.obj.title if message.obj else message.ref.id)

    def on_report_loaded(self, message: ReportLoaded) -> None:
        view = message.view
        if view.obj is not None and view.entry is not None:
            self.app.recent.loaded(view.entry.ref, view.obj)  # name and verdict for the palette
            view.entry.title = view.obj.title
            view.entry.ref = view.the_ref
            self.app.trail.loaded(view.entry, view.obj)
        self.update_info()
        self._reveal(view)

    # --- tabs, copy, reload ------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one(SearchBar).focus()

    def action_show_tab(self, tab: str) -> None:
        view = self.current_view
        if view is None:
            self.app.notify("Open something first: press / and type an indicator.", timeout=3)
            return
        from ..widgets.report import tabs_for

        if view.ref is not None and tab not in tabs_for(view.ref.type):
            what = "Behaviour (what sandboxes saw) is for files only." if tab == "behaviour" else \
                f"A {TYPE_LABELS.get(view.ref.type, view.ref.type)} has no {tab.capitalize()} tab."
            self.app.notify(what, timeout=3)
            return
        if tab in TABS:
            view.show_tab(tab)

    def action_copy_id(self) -> None:
        view = self.current_view
        if view is None:
            self.app.notify("Nothing open to copy.", timeout=2)
            return
        ref = view.the_ref
        self.app.copy(self._maybe_defanged(ref.id), f"{TYPE_LABELS.get(ref.type, ref.type)} id")

    def action_copy_value(self) -> None:
        widget = self.focused
        while widget is not None and not hasattr(widget, "copy_target"):
            widget = widget.parent if isinstance(widget.parent, Widget) else None
        target = widget.copy_target() if widget is not None else None
        if not target or not target[1]:
            self.app.notify("Nothing under the cursor to copy.", timeout=2)
            return
        what, value = target
        self.app.copy(self._maybe_defanged(value), what)

    def _maybe_defanged(self, value: str) -> str:
        """With ``[ui] defang_copies``, indicators leave defanged (for tickets and chats)."""
        if not getattr(self.app.settings, "defang_copies", False):
            return value
        from ...vt.ioc import defang_text

        return defang_text(value)

    def action_copy_link(self) -> None:
        """The VirusTotal web page of the object shown (on its current tab), by OSC 52."""
        from ...vt.weblinks import web_url

        view = self.current_view
        if view is None or view.ref is None:
            self.app.notify("Nothing open to link to.", timeout=2)
            return
        tab = {"detections": "detection", "details": "details", "relations": "relations",
               "comments": "community", "behaviour": "behavior"}.get(view.active_tab)
        url = web_url(view.ref, tab)
        if url is None:
            self.app.notify("VirusTotal has no web page for this.", timeout=3)
            return
        self.app.copy(url, "web link")

    def action_triage(self) -> None:
        """Back to the triage table if there is one, else paste a block to triage."""
        from .triage import Pasted, PasteScreen, reopen_triage

        if reopen_triage(self.app):
            return

        def pasted(result: Pasted | None) -> None:
            if result is not None:
                self.app.open_triage(result.text)

        self.app.push_screen(PasteScreen(), pasted)

    def action_cancel_wait(self) -> None:
        view = self.current_view
        if view is None and self._held is not None:
            view = self._held[0]
        if view is not None and view.fetching:
            view.cancel_wait()

    def action_reload(self) -> None:
        view = self.current_view
        if view is None:
            return
        self.app.notify("Fetching a fresh copy (uses one request).", timeout=2)
        view.load(fresh=True)

    # --- info line -----------------------------------------------------------------------

    def update_info(self) -> None:
        info = self.query_one(InfoLine)
        if self._hint is not None:
            info.update(self._hint)
            return
        info.update(self.breadcrumbs())

    def breadcrumbs(self) -> Text:
        entries = self.nav.entries
        if not entries:
            return Text("no report open", style="dim italic")
        parts: list[Text] = []
        for i, entry in enumerate(entries):
            crumb = Text()
            if entry.via is not None and i > 0:
                crumb.append(f"{entry.via.relationship} › ", style="dim")
            label = T.short_id(entry.title or entry.ref.id, 28)
            style = "bold reverse" if i == self.nav.index else ("" if i < self.nav.index else "dim")
            crumb.append(label, style=style)
            parts.append(crumb)
        out = Text()
        width = max(20, self.size.width - 2)
        # keep the end of the trail visible: drop from the left
        while parts and sum(len(p) + 3 for p in parts) > width and len(parts) > 1:
            parts.pop(0)
            if not out:
                out.append("… ", style="dim")
        for i, part in enumerate(parts):
            if i:
                out.append(" › ", style="dim")
            out.append_text(part)
        return out

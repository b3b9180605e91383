"""One report: the verdict header and five tabs, for one object of the pivot trail.

A view is kept alive while it is in the history, so going back shows it exactly as
the user left it (tab, tree expansion, scroll, filters) within a frame and with no
request. Tabs build lazily; each shows its own loading and error state.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static, TabbedContent, TabPane

from ...vt.errors import AuthenticationRequiredError, NotFoundError, VTError, not_found_message
from ...vt.models import VTObject, wrap
from ...vt.refs import ObjectRef
from ...vt.relationships import get_relationship
from .. import text as T
from .. import trace
from ..base import AppTyped
from ..history import Entry
from .behaviour import BehaviourPane, BehaviourTree
from .comments import CommentsPane
from .details import DetailsTree
from .detections import DetectionsPane, DetectionsTable
from .header import VerdictHeader
from .relations import RelationsTree, RelNode
from .votes import VotesPane

if TYPE_CHECKING:
    from ...vt.client import VTClient
    from ...vt.ratelimit import LimiterState

TABS = ("detections", "details", "relations", "comments", "votes", "behaviour")
TAB_TITLES = {
    "detections": "Detections",
    "details": "Details",
    "relations": "Relations",
    "comments": "Comments",
    "votes": "Votes",
    "behaviour": "Behaviour",
}

#: Tabs of objects that are not indicators (opened from Relations as reports of their own).
ENTITY_TABS: dict[str, tuple[str, ...]] = {
    "collection": ("details", "relations", "comments"),
    "threat_actor": ("details",),
    "reference": ("details",),
}


def tabs_for(object_type: str) -> tuple[str, ...]:
    """The tabs shown for an object type, the first the one it opens on."""
    if object_type in ENTITY_TABS:
        return ENTITY_TABS[object_type]
    return TABS if object_type == "file" else tuple(t for t in TABS if t != "behaviour")


#: Relationship descriptors fetched with the object itself (same single request): the
#: tree then shows how many items each holds before anything is expanded.
PREFETCH: dict[str, tuple[str, ...]] = {
    "file": (
        "contacted_domains", "contacted_ips", "contacted_urls", "dropped_files", "execution_parents", "bundled_files",
    ),
    "domain": ("resolutions", "communicating_files", "referrer_files", "subdomains", "siblings"),
    "ip_address": ("resolutions", "communicating_files", "referrer_files"),
    "url": ("last_serving_ip_address", "network_location"),
}


_view_ids = count(1)


@dataclass(frozen=True, slots=True)
class ViewState:
    """What the user set up in a view: put back when it is rebuilt after eviction."""

    tab: str = "detections"
    detected_only: bool = False
    filter: str = ""
    expanded: tuple[str, ...] = ()  # "rel:<name>" of the expanded relationships


class ReportView(AppTyped, Vertical):
    DEFAULT_CSS = """
    ReportView { height: 1fr; }
    ReportView > TabbedContent { height: 1fr; }
    ReportView .tab-error { padding: 1 2; color: $error; }
    """

    def __init__(self, entry: Entry | None = None, **kw: Any) -> None:
        super().__init__(id=f"view-{next(_view_ids)}", **kw)
        self.entry: Entry | None = None
        self.ref: ObjectRef | None = None
        self.obj: VTObject | None = None
        self.error: VTError | None = None
        self.fetching = False
        self._wait_timer: Timer | None = None
        self._composed = False
        self._want_focus = False
        #: State to put back once the object is shown (a view rebuilt after eviction).
        self.restore_state: ViewState | None = None
        if entry is not None:
            self.entry, self.ref = entry, entry.ref

    def compose(self) -> ComposeResult:
        yield VerdictHeader()
        # A view rebuilt after eviction opens on the tab the user left it on.
        initial = self.restore_state.tab if self.restore_state is not None else "detections"
        with TabbedContent(initial=initial if initial in TABS else "detections"):
            with TabPane(TAB_TITLES["detections"], id="detections"):
                yield DetectionsPane()
            with TabPane(TAB_TITLES["details"], id="details"):
                yield DetailsTree()
            with TabPane(TAB_TITLES["relations"], id="relations"):
                yield RelationsTree()
            with TabPane(TAB_TITLES["comments"], id="comments"):
                yield CommentsPane()
            with TabPane(TAB_TITLES["votes"], id="votes"):
                yield VotesPane()
            with TabPane(TAB_TITLES["behaviour"], id="behaviour"):  # files only (see _fit_tabs)
                yield BehaviourPane()

    @property
    def the_ref(self) -> ObjectRef:
        """The object's ref, for code that runs once the view has its entry."""
        if self.ref is None:
            raise RuntimeError("this report view has no object yet")
        return self.ref

    @property
    def loaded_obj(self) -> VTObject:
        """The object shown, for code that runs once it is (checked by ``obj``)."""
        if self.obj is None:
            raise RuntimeError("this report view shows no object yet")
        return self.obj

    def on_mount(self) -> None:
        self._composed = True
        if self.entry is not None:
            self._start()

    def _start(self) -> None:
        self._fit_tabs()  # first: focusing a widget of a tab this object lacks would show that tab
        tab = self.restore_state.tab if self.restore_state is not None else None
        if tab in TABS and tab != self.active_tab and self.ref is not None and tab in tabs_for(self.ref.type):
            # Before anything is focused: focusing a widget in another pane would
            # switch the tabs back to that pane.
            self.query_one(TabbedContent).active = tab
        if self._want_focus:
            self.focus_main()
        ref = self.the_ref
        self.query_one(CommentsPane).set_ref(ref)
        self.query_one(VotesPane).set_ref(ref)
        cached = self.app.vt.cached_object(ref, use=True)  # shown again: a cache hit
        if cached is not None:
            self.populate(wrap(cached))  # instant: no worker, no request
        else:
            self.query_one(VerdictHeader).show_loading(ref)
            self.load()

    # --- loading -------------------------------------------------------------------------

    @work(group="object", exclusive=True, exit_on_error=False)
    async def load(self, *, fresh: bool = False) -> None:
        self.fetching = True
        client = self.app.vt
        unsubscribe = client.limiter.subscribe(self._on_quota)
        try:
            await self._load(client, fresh)
        finally:
            unsubscribe()
            self._stop_wait_timer()

    async def _load(self, client: VTClient, fresh: bool) -> None:
        ref = self.the_ref
        try:
            if fresh:
                client.forget(ref)
            trace.mark("request")
            data = await client.get_object(ref, relationships=PREFETCH.get(ref.type, ()))
            trace.mark("reply")
        except VTError as exc:
            self.fetching = False
            self.show_error(exc)
            return
        except Exception as exc:  # never a traceback on screen
            self.fetching = False
            self.show_error(VTError(f"Could not show this report: unexpected {type(exc).__name__}."))
            return
        self.fetching = False
        self.populate(wrap(data))

    # --- waiting for the quota ------------------------------------------------------------

    def _on_quota(self, state: LimiterState) -> None:
        """The limiter changed: while this report's request waits for a slot, the header
        counts down to it (from the limiter's own figure)."""
        if not self.fetching or self.ref is None:
            return
        if state.holding:
            self.query_one(VerdictHeader).show_waiting(self.ref, state.next_slot_in)
            if self._wait_timer is None:
                self._wait_timer = self.set_interval(1.0, self._tick_wait)
        elif self._wait_timer is not None:
            self._stop_wait_timer()
            self.query_one(VerdictHeader).show_loading(self.ref)

    def _tick_wait(self) -> None:
        self._on_quota(self.app.vt.limiter.state())

    def _stop_wait_timer(self) -> None:
        if self._wait_timer is not None:
            self._wait_timer.stop()
            self._wait_timer = None

    @property
    def waiting_for_quota(self) -> bool:
        return self.fetching and self._wait_timer is not None

    def cancel_wait(self) -> None:
        """Give up on a request still queued for the quota (nothing was sent)."""
        if not self.fetching:
            return
        self.workers.cancel_group(self, "object")
        self.fetching = False
        self._stop_wait_timer()
        self.show_error(VTError("Cancelled while waiting for the quota; nothing was sent. Press ctrl+r to try again."))

    def populate(self, obj: VTObject) -> None:
        self.obj = obj
        self.error = None
        if obj.id and obj.ref != self.ref:
            self.ref = obj.ref  # canonical id (sha256) once known
            self.query_one(CommentsPane).set_ref(self.ref)
            self.query_one(VotesPane).set_ref(self.ref)
            self._fit_tabs()
        for err in self.query(".tab-error"):
            err.remove()
        self.query_one(DetectionsPane).display = True
        self.query_one(VerdictHeader).show(obj, self.app.vt.fetch_info(self.the_ref))
        self.query_one(DetectionsPane).show(obj)
        # the other tabs are built when first shown: the verdict and detections come first
        self.query_one(DetailsTree).built = False
        self.query_one(VotesPane).local_tally = None
        tabs = self.query_one(TabbedContent)
        detections_label = "Detections" if obj.stats.is_empty else f"Detections {obj.stats.ratio_text}"
        tabs.get_tab("detections").label = detections_label
        self._build_tab(tabs.active)
        if self.restore_state:
            self._restore(self.restore_state)
            self.restore_state = None
        trace.mark("populated")
        self.post_message(ReportLoaded(self))

    # --- state kept across eviction ----------------------------------------------------------

    def save_state(self) -> ViewState:
        """What the user set up here: tab, detection filters, expanded relationships."""
        detections = self.query_one(DetectionsPane)
        tree = self.query_one(RelationsTree)
        expanded = [p[0] for p in tree.expanded_paths() if len(p) == 1] if tree.root_obj is not None else []
        return ViewState(self.active_tab, detections.detected_only, detections.filter_text, tuple(expanded))

    def _restore(self, state: ViewState) -> None:
        detections = self.query_one(DetectionsPane)
        if state.detected_only:
            detections.toggle_detected(quiet=True)
        if state.filter:
            detections.query_one("FilterInput", Input).value = state.filter
        if state.expanded:
            self._build_tab("relations")
            tree = self.query_one(RelationsTree)
            for node in tree.root.children:
                key = "rel:" + node.data.rel.name if isinstance(node.data, RelNode) else None
                if key in state.expanded:
                    node.expand()  # loads from the cache: no request
        tab = state.tab
        if tab in TABS and tab != self.active_tab:
            self.show_tab(tab)  # normally set already, in _start

    def show_error(self, exc: VTError) -> None:
        vague = (NotFoundError.default_message, "VirusTotal has no record of this item.")
        if isinstance(exc, NotFoundError) and exc.message in vague:
            # The reply did not say what it had not found; this view knows.
            exc = NotFoundError(not_found_message(self.the_ref.type), status=exc.status, code=exc.code,
                                detail=exc.detail)
        self.error = exc
        ref = self.the_ref
        shown = self.entry.title if self.entry is not None and self.entry.title else ref.id
        self.query_one(VerdictHeader).show_error(ObjectRef(ref.type, shown), exc.message)
        self.query_one(DetectionsPane).display = False
        for pane_id in ("detections", "details", "relations"):
            pane = self.query_one(f"#{pane_id}", TabPane)
            for err in pane.query(".tab-error"):
                err.remove()
            pane.mount(Static(_error_text(exc, ref.type), classes="tab-error"), before=0)
        self.post_message(ReportLoaded(self))

    # --- tabs ----------------------------------------------------------------------------

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self._build_tab(event.pane.id or "")

    def _build_tab(self, tab: str) -> None:
        if self.obj is None:
            return
        if tab == "details":
            tree = self.query_one(DetailsTree)
            if not tree.built:
                tree.show(self.obj)
        elif tab == "relations":
            relations = self.query_one(RelationsTree)
            if relations.root_obj is not self.obj:
                relations.set_root(self.obj)
        elif tab == "comments":
            self.query_one(CommentsPane).ensure_loaded()
        elif tab == "votes":
            votes = self.query_one(VotesPane)
            votes.show_tally(self.obj)
            votes.ensure_loaded()
        elif tab == "behaviour":
            self.query_one(BehaviourPane).ensure_loaded()

    def _fit_tabs(self) -> None:
        """Only the tabs that mean something for this kind of object: Behaviour for files;
        a collection, threat actor or reference opens on Details (no engines, no votes)."""
        if self.ref is None:
            return
        tabs = self.query_one(TabbedContent)
        self.query_one(BehaviourPane).set_ref(self.ref if self.ref.type == "file" else None)
        allowed = tabs_for(self.ref.type)
        if tabs.active not in allowed:
            tabs.active = allowed[0]
        for tab in TABS:
            if tab in allowed:
                tabs.show_tab(tab)
            else:
                tabs.hide_tab(tab)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        self._build_tab(tab)
        self.focus_main()

    def main_widget(self) -> Widget | None:
        tab = self.active_tab
        widget: Widget | None
        if tab == "detections":
            widget = self.query_one(DetectionsTable)
        elif tab == "details":
            widget = self.query_one(DetailsTree)
        elif tab == "relations":
            widget = self.query_one(RelationsTree)
        elif tab == "comments":
            from .comments import CommentList

            widget = self.query_one(CommentList)
        elif tab == "behaviour":
            widget = self.query_one(BehaviourTree)
        else:
            from .votes import VoteTable

            widget = self.query_one(VoteTable)
        return widget

    def focus_main(self) -> None:
        """Focus the active tab's main widget (once the view is composed)."""
        if not self._composed:
            self._want_focus = True
            return
        widget = self.main_widget()
        if widget is None:
            return
        # At once, so the very next key goes to the new tab (Textual routes a key when it
        # reads it). If it cannot take focus yet (its pane still hidden), once more after
        # the refresh, unless something else was focused meanwhile (the user pressed /).
        screen = self.screen
        before = screen.focused
        screen.set_focus(widget, scroll_visible=False)
        if screen.focused is not widget:
            def again() -> None:
                if screen.focused is before and self.is_attached:
                    screen.set_focus(widget, scroll_visible=False)

            self.call_after_refresh(again)

    def via_label(self) -> str | None:
        via = self.entry.via if self.entry is not None else None
        if via is None:
            return None
        rel = get_relationship(via.source.type, via.relationship)
        return rel.name if rel else via.relationship


NOT_FOUND_HINTS = {
    "file": "If you have the file, press u to upload it (it will be shared).",
    "url": "Press s to have VirusTotal scan this URL.",
}


#: After a 401: what is wrong (the key) and the key that changes it.
KEY_HINT = ("VirusTotal did not accept this API key. Press ctrl+k (Change API key) to enter another one; "
            "it is checked before it is saved. Then ctrl+r reloads this report.")


def _error_text(exc: VTError, object_type: str = "") -> Text:
    """The error in plain words, and what the user can do about it here."""
    out = Text("✗ ", style="bold red")
    out.append_text(T.safe(exc.message, "bold"))
    hint = {
        "not_found": NOT_FOUND_HINTS.get(object_type, "VirusTotal has never seen it; check the spelling."),
        "auth": (KEY_HINT if isinstance(exc, AuthenticationRequiredError) else
                 "This needs a premium key. Press ctrl+k to use another key (Change API key)."),
        "quota": "The status line shows when requests resume; ctrl+r retries.",
        "network": "Press ctrl+r to try again.",
    }.get(str(exc.kind))
    if hint:
        out.append("\n")
        out.append(hint, style="dim")
    return out


@dataclass
class ReportLoaded(Message):
    """The view has its object (or its error): the screen updates breadcrumbs and trail."""

    view: ReportView

"""Acting on VirusTotal from the main screen: upload, scan, re-analyse, follow analyses,
comment, vote, download, export.

Every write asks first (uploads show the sharing warning), shows its result where the
user is looking, and is never resent by itself when its effect is unknown.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Input

from ...vt.errors import VTError
from ...vt.refs import TYPE_LABELS, ObjectRef
from .. import text as T
from ..base import VTScreen
from ..widgets.analyses import AnalysesPanel, Tracked
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ..history import Navigator, Via
    from ..widgets.report import ReportView

SUBMIT = Binding.Group("Submit", compact=True)
TALK = Binding.Group("Comment/vote", compact=True)
FETCH = Binding.Group("Download", compact=True)
EXPORT = Binding.Group("Export", compact=True)

ACTION_BINDINGS = [
    Binding("u", "upload", "Upload a file", group=SUBMIT, id="main.upload"),
    Binding("s", "scan_url", "Scan a URL", group=SUBMIT, id="main.scan_url"),
    Binding("a", "reanalyse", "Re-analyse", group=SUBMIT, id="main.reanalyse"),
    Binding("w", "comment", "Write a comment", group=TALK, id="main.comment"),
    Binding("v", "vote", "Vote", group=TALK, id="main.vote"),
    Binding("D", "download", "Download sample", group=FETCH, id="main.download"),
    Binding("P", "pcap", "Download PCAP", group=FETCH, id="main.pcap"),
    Binding("e", "export", "Export report", group=EXPORT, id="main.export"),
    Binding("E", "export_trail", "Export trail", group=EXPORT, id="main.export_trail"),
    Binding("t", "analyses", "Analyses", id="main.analyses"),
]

#: Seconds before the first poll of an analysis (the demo completes fast; VirusTotal not).
FIRST_POLL = 5.0
DEMO_FIRST_POLL = 1.0
POLL_TIMEOUT = 900.0


class ActionsMixin(VTScreen):
    """The acting half of MainScreen (which provides current_view, open_ref, nav, live)."""

    if TYPE_CHECKING:
        nav: Navigator
        live: OrderedDict[int, ReportView]

        @property
        def current_view(self) -> ReportView | None: ...

        def open_ref(self, ref: ObjectRef, via: Via | None = None, title: str = "") -> ReportView: ...

    # --- helpers ---------------------------------------------------------------------

    def _need_object(self, *types: str) -> ReportView | None:
        """The current view if it shows an object (of one of ``types``); else say why not."""
        view = self.current_view
        if view is None or view.obj is None:
            self.app.notify("Open a report first (press / to search).", severity="warning", timeout=3)
            return None
        if types and view.the_ref.type not in types:
            names = " or ".join(TYPE_LABELS.get(t, t) + "s" for t in types)
            self.app.notify(
                f"Only {names} can do that; this is a {TYPE_LABELS.get(view.the_ref.type, view.the_ref.type)}.",
                severity="warning",
                timeout=4,
            )
            return None
        return view

    def _confirm(self, title: str, body: str | Text, then: Callable[[], object], *, yes: str = "Yes") -> None:
        def answer(ok: bool | None) -> None:
            if ok:
                then()

        self.app.push_screen(ConfirmScreen(title, body if isinstance(body, Text) else Text(body), yes=yes), answer)

    # --- submissions -----------------------------------------------------------------

    def action_upload(self) -> None:
        from .upload import OpenReport, Uploaded, UploadResult, UploadScreen

        def done(result: UploadResult) -> None:
            if isinstance(result, OpenReport):
                self.open_ref(ObjectRef("file", result.sha256))
            elif isinstance(result, Uploaded):
                plan = result.plan
                self.track(result.analysis.get("id", ""), f"upload {plan.name}", ObjectRef("file", plan.digest.sha256))

        self.app.push_screen(UploadScreen(), done)

    def action_scan_url(self) -> None:
        from ...vt.ioc import IOCType, try_classify
        from ...vt.models import URL
        from .scan import ScanURLScreen

        initial = ""
        view = self.current_view
        if view is not None and isinstance(view.obj, URL):
            initial = view.obj.url
        elif view is not None and view.obj is None and view.ref is not None and view.ref.type == "url" and view.entry:
            initial = view.entry.title  # a URL VirusTotal has not seen yet
        else:
            typed = try_classify(self.query_one("#search", Input).value)
            if typed is not None and typed.type is IOCType.URL:
                initial = typed.value

        def chosen(url: str | None) -> None:
            if url:
                from ...vt.samples import url_question

                self._confirm("Scan URL", url_question(url), lambda: self._submit_url(url), yes="Scan")

        self.app.push_screen(ScanURLScreen(initial), chosen)

    @work(group="submit", name="Scan failed", exit_on_error=False)
    async def _submit_url(self, url: str) -> None:
        analysis = await self.app.vt.scan_url(url)
        self.track(analysis.get("id", ""), f"scan {T.plain(url, 60)}", None)

    def action_reanalyse(self) -> None:
        view = self._need_object("file", "url")
        if view is None:
            return
        ref, title = view.the_ref, view.loaded_obj.title
        kind = TYPE_LABELS.get(ref.type, ref.type)
        self._confirm(
            "Re-analyse",
            f"Ask VirusTotal to scan this {kind} again?\n{T.plain(title, 100)}\n\n"
            "The new analysis is public and uses one request now, plus a few to follow it.",
            lambda: self._reanalyse(ref, title),
            yes="Re-analyse",
        )

    @work(group="submit", name="Re-analysis failed", exit_on_error=False)
    async def _reanalyse(self, ref: ObjectRef, title: str) -> None:
        analysis = await self.app.vt.reanalyse(ref)
        self.track(analysis.get("id", ""), f"re-analyse {T.plain(title, 60)}", ref)

    # --- following analyses ------------------------------------------------------------

    def track(self, analysis_id: str, label: str, item: ObjectRef | None) -> None:
        if not analysis_id:
            self.app.notify("VirusTotal accepted it but sent no analysis id to follow.", severity="warning")
            return
        tracked = Tracked(analysis_id, label, item=item, nav_index=self.nav.index)
        panel = self.query_one(AnalysesPanel)
        panel.add(tracked)
        self.app.notify(f"Submitted: following analysis {T.plain(analysis_id, 40)}", timeout=3, markup=False)
        self._follow(tracked)

    @work(group="analysis", name="Analysis", exit_on_error=False)
    async def _follow(self, tracked: Tracked) -> None:
        from ...vt.models import Analysis

        panel = self.query_one(AnalysesPanel)
        first = DEMO_FIRST_POLL if getattr(self.app, "demo", False) else FIRST_POLL

        def update(body: dict[str, Any]) -> None:
            analysis = Analysis.from_reply(body)
            tracked.polls += 1
            tracked.status = analysis.status or tracked.status
            tracked.stats = analysis.stats
            if analysis.item_ref is not None:
                tracked.item = analysis.item_ref
            panel.refresh_items()

        try:
            await self.app.vt.wait_for_analysis(
                tracked.analysis_id, first_delay=first, timeout=POLL_TIMEOUT, on_update=update
            )
        except VTError as exc:
            tracked.error = exc.message
            panel.refresh_items()
            self.app.notify(exc.message, title="Analysis", severity="warning", markup=False, timeout=8)
            return
        except Exception as exc:  # a bug: marked in the panel, then the crash path (base.py)
            tracked.error = f"unexpected {type(exc).__name__}"
            panel.refresh_items()
            raise
        tracked.status = "completed"
        panel.refresh_items()
        self._analysis_done(tracked)

    def _analysis_done(self, tracked: Tracked) -> None:
        from ...vt.models import AnalysisStats

        stats = tracked.stats or AnalysisStats()
        item = tracked.item
        summary = f"{tracked.label}: {stats.ratio_text} flagged it"
        if item is None:
            self.app.notify(f"Analysis complete. {summary}", markup=False)
            return
        refreshed = False
        for view in list(self.live.values()):
            if view.ref == item or (
                view.ref is not None and self.app.vt.canonical_ref(view.ref) == self.app.vt.canonical_ref(item)
            ):
                view.load()  # the client dropped the stale report: this fetches the fresh one
                refreshed = True
        current = self.current_view
        if current is not None and refreshed and current.ref == item:
            self.app.notify(f"Analysis complete, report refreshed. {summary}", markup=False)
        elif self.nav.index == tracked.nav_index and self.app.screen is self:
            self.open_ref(item)
            self.app.notify(f"Analysis complete: opened the fresh report. {summary}", markup=False)
        else:
            self.app.notify(f"Analysis complete. {summary}. Press t, then enter, to open it.", markup=False, timeout=10)

    def on_analyses_panel_open_item(self, message: AnalysesPanel.OpenItem) -> None:
        if message.tracked.item is not None:
            self.open_ref(message.tracked.item)

    def action_analyses(self) -> None:
        panel = self.query_one(AnalysesPanel)
        if not panel.items:
            self.app.notify("No analyses followed yet: upload (u), scan a URL (s) or re-analyse (a).", timeout=4)
            return
        panel.focus()

    # --- comments and votes --------------------------------------------------------------

    def action_comment(self) -> None:
        view = self._need_object("file", "url", "domain", "ip_address")
        if view is None:
            return
        from ..widgets.comments import CommentsPane
        from .comment import CommentScreen

        def done(created: dict[str, Any] | None) -> None:
            if created:
                pane = view.query_one(CommentsPane)
                if pane.started:
                    pane.prepend(created)
                self.app.notify("Comment posted; it is at the top of the Comments tab.", timeout=4)
                view.show_tab("comments")

        self.app.push_screen(CommentScreen(view.the_ref, view.loaded_obj.title), done)

    def action_vote(self) -> None:
        view = self._need_object("file", "url", "domain", "ip_address")
        if view is None:
            return
        from ...vt.models import wrap
        from ..widgets.votes import VotesPane
        from .comment import VoteScreen

        def done(vote: dict[str, Any] | None) -> None:
            if vote:
                verdict = wrap(vote).attr("verdict") or "?"
                pane = view.query_one(VotesPane)
                harmless, malicious = pane.local_tally or view.loaded_obj.votes
                if verdict == "malicious":
                    malicious += 1
                elif verdict == "harmless":
                    harmless += 1
                pane.show_tally_counts(harmless, malicious, local=True)
                if pane.started:
                    pane.prepend(vote)
                self.app.notify(f"Voted {verdict}.", timeout=3)

        self.app.push_screen(VoteScreen(view.the_ref, view.loaded_obj.title), done)

    # --- downloads -------------------------------------------------------------------------

    def action_download(self) -> None:
        view = self._need_object("file")
        if view is None:
            return
        from .download import DownloadScreen

        self.app.push_screen(DownloadScreen(view.the_ref.id, view.loaded_obj.title), self._downloaded)

    def _downloaded(self, path: Path | None) -> None:
        if path:
            self.app.notify(f"Saved to {path}", timeout=6, markup=False)

    def action_pcap(self) -> None:
        view = self._need_object("file")
        if view is None:
            return
        self._find_pcaps(view.the_ref, view.loaded_obj.title)

    @work(group="pcap", name="Download PCAP", exit_on_error=False)
    async def _find_pcaps(self, ref: ObjectRef, title: str) -> None:
        from ...vt.models import FileBehaviour, wrap
        from .download import DownloadScreen
        from .pick import PickScreen

        page = await self.app.vt.get_related(ref, "behaviours", limit=40)
        with_pcap = [FileBehaviour(item) for item in page.items if wrap(item).attr("has_pcap")]
        if not with_pcap:
            self.app.notify("No sandbox report of this file has a network capture.", timeout=4)
            return

        def picked(index: int | None) -> None:
            if index is not None:
                behaviour = with_pcap[index]
                name = f"{title} ({behaviour.sandbox_name})"
                self.app.push_screen(DownloadScreen(behaviour.id, name, kind="pcap"), self._downloaded)

        labels = [
            Text.assemble((b.sandbox_name or "sandbox", "bold"), "  ", T.safe(b.id, "dim", 90)) for b in with_pcap
        ]
        self.app.push_screen(PickScreen("Sandbox reports with a PCAP", labels), picked)

    # --- exports ---------------------------------------------------------------------------

    def download_pcap(self, behaviour_id: str, title: str) -> None:
        """Save one sandbox report's capture (the Behaviour tab's P, on a sandbox line)."""
        from .download import DownloadScreen

        self.app.push_screen(DownloadScreen(behaviour_id, title, kind="pcap"), self._downloaded)

    def action_export(self) -> None:
        view = self._need_object()
        if view is None:
            return
        from .export import ExportScreen

        self.app.push_screen(ExportScreen(view.loaded_obj.raw, view.the_ref.type, view.the_ref.id,
                                          self.app.vt.fetch_info(view.the_ref)))

    def action_export_trail(self) -> None:
        if not len(self.app.trail):
            self.app.notify("Nothing visited yet: the trail is empty.", timeout=3)
            return
        from .export import TrailExportScreen

        self.app.push_screen(TrailExportScreen(self.app.trail))

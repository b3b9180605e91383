"""The reference investigation, driven through Pilot the way an analyst would do it.

Open a file, look at all five tabs, expand contacted domains and contacted IPs, pivot
to a domain, expand its resolutions, pivot to the IP, expand its communicating files,
go back twice. Each step checks what is on screen. When a step fails (faults
injected), the driver does what a user would: reads the message, and retries with the
app's own keys (ctrl+r for a report, enter on "retry" in the tree, m in a list),
up to ``max_retries`` times. Every message shown is kept in ``errors_seen``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.pilot import screen_text, settle
from vttui.demo import demo_iocs
from vttui.tui.widgets.comments import CommentList, CommentsPane
from vttui.tui.widgets.details import DetailsTree
from vttui.tui.widgets.detections import DetectionsTable
from vttui.tui.widgets.relations import InfoNode, ObjNode, RelationsTree, RelNode, ResNode
from vttui.tui.widgets.search import SearchBar
from vttui.tui.widgets.votes import VotesPane, VoteTable

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
DOMAIN = IOCS["domain"]
IP = IOCS["ip"]

#: Words that must never reach the screen: a traceback or a raw exception name.
NOT_PLAIN_WORDS = ("Traceback", "Exception", "httpx", "RemoteProtocolError", "ReadTimeout", "JSONDecodeError",
                   "KeyError", "TypeError", "NoneType", 'File "')




def assert_plain_words(message: str) -> None:
    assert message.strip(), "an empty error message"
    for bad in NOT_PLAIN_WORDS:
        assert bad not in message, f"{bad!r} in a message meant for people: {message!r}"


class StepFailed(AssertionError):
    """A step still failed after every retry."""


@dataclass
class Investigator:
    pilot: object
    max_retries: int = 12
    errors_seen: list[str] = field(default_factory=list)
    retries: int = 0

    @property
    def app(self):
        return self.pilot.app

    @property
    def view(self):
        return self.app.main.current_view

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.pilot)

    def _saw(self, message: str) -> None:
        assert_plain_words(message)
        self.errors_seen.append(message)

    def _budget(self, what: str) -> None:
        self.retries += 1
        if self.retries > self.max_retries:
            raise StepFailed(f"gave up on {what} after {self.max_retries} retries: {self.errors_seen[-3:]}")

    # --- steps ---------------------------------------------------------------------------

    async def open(self, text: str, *, expect_error: bool = False) -> None:
        """Type an indicator in the search bar and open it (retrying a failed load,
        unless the failure is what the caller wants to see)."""
        await self.pilot.press("slash")
        bar = self.app.screen.query_one(SearchBar)
        bar.value = text
        await self.press("enter")
        if expect_error:
            assert self.view.error is not None, f"{text} loaded, an error was expected"
            assert_plain_words(self.view.error.message)
            return
        await self.ensure_loaded(text)

    async def ensure_loaded(self, what: str) -> None:
        view = self.view
        while view.obj is None:
            if view.error is None:
                await settle(self.pilot)
                if view.obj is None and view.error is None and not view.loading:
                    raise StepFailed(f"{what}: neither loaded nor failed")
                continue
            shown = screen_text(self.app)
            assert view.error.message.split(".")[0][:40] in shown.replace("\n", " ") or "✗" in shown
            self._saw(view.error.message)
            self._budget(what)
            if isinstance(self.app.focused, SearchBar):
                await self.pilot.press("escape")
            await self.press("ctrl+r")

    async def tab(self, key: str) -> None:
        await self.press(key)
        view = self.view
        if key == "1":
            assert view.query_one(DetectionsTable).row_count == len(view.obj.engine_results)
        elif key == "2":
            assert view.query_one(DetailsTree).built
        elif key == "3":
            assert view.query_one(RelationsTree).root.children
        elif key in "45":
            pane = view.query_one(CommentsPane if key == "4" else VotesPane)
            while pane.paging.error is not None or (not pane.items and not pane.paging.exhausted):
                if pane.paging.error is None:
                    await settle(self.pilot)
                    continue
                self._saw(pane.paging.error)
                self._budget(f"tab {key}")
                await self.press("m")
            assert self.app.focused is view.query_one(CommentList if key == "4" else VoteTable)

    def _tree(self) -> RelationsTree:
        return self.view.query_one(RelationsTree)

    def rel_node(self, name: str, under=None):
        tree = self._tree()
        start = under or tree.root
        return next(c for c in start.children if isinstance(c.data, RelNode) and c.data.rel.name == name)

    async def expand(self, name: str, under=None):
        """Expand a relationship (enter on it); on failure, enter on its retry line."""
        tree = self._tree()
        node = self.rel_node(name, under)
        tree.move_cursor(node)
        await self.press("enter")
        while True:
            data: RelNode = node.data
            retry = next((c for c in node.children if isinstance(c.data, InfoNode) and c.data.retry is not None), None)
            if data.loaded and retry is None:
                break
            if retry is None:
                if not data.loading:
                    raise StepFailed(f"{name}: neither loaded nor failed")
                await settle(self.pilot)
                continue
            assert "enter: retry" in retry.label.plain
            self._saw(retry.data.text)
            self._budget(name)
            tree.move_cursor(retry)
            await self.press("enter")
        assert node.is_expanded and data.error is None
        return node

    async def pivot(self, rel_node, target_id: str) -> None:
        tree = self._tree()
        child = next(c for c in rel_node.children
                     if (isinstance(c.data, ObjNode) and c.data.ref.id == target_id)
                     or (isinstance(c.data, ResNode) and c.data.target is not None and c.data.target.id == target_id))
        tree.move_cursor(child)
        await self.press("enter")
        await self.ensure_loaded(target_id)
        assert self.view.ref.id == target_id

    async def back(self) -> None:
        await self.press("backspace")


async def reference_investigation(inv: Investigator) -> dict[str, object]:
    """Run the whole walk; returns the views met on the way (for later checks)."""
    await inv.open(FILE)
    file_view = inv.view
    for key in "12345":
        await inv.tab(key)
    await inv.tab("3")
    domains = await inv.expand("contacted_domains")
    await inv.expand("contacted_ips")
    assert sum(isinstance(c.data, ObjNode) for c in domains.children) == 4
    await inv.pivot(domains, DOMAIN)
    domain_view = inv.view
    await inv.tab("3")
    resolutions = await inv.expand("resolutions")
    await inv.pivot(resolutions, IP)
    ip_view = inv.view
    await inv.tab("3")
    files = await inv.expand("communicating_files")
    assert any(isinstance(c.data, ObjNode) and c.data.ref.id == FILE for c in files.children)
    await inv.back()
    assert inv.view is domain_view
    await inv.back()
    assert inv.view is file_view
    return {"file": file_view, "domain": domain_view, "ip": ip_view}

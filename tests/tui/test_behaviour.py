"""The Behaviour tab: lazy (no request before it opens), the export's sections, pivots,
the pcap of the sandbox under the cursor, and a huge summary that stays cheap to show."""

from __future__ import annotations

from typing import Any

from tests.support.pilot import demo_app, screen_text, search, settle
from vttui.demo import demo_iocs
from vttui.tui.screens.download import DownloadScreen
from vttui.tui.widgets.behaviour import CHUNK, BehaviourPane, BehaviourTree, Line, MoreRows, Rows

IOCS = demo_iocs()
FILE = IOCS["behaviour_file"]


def behaviour_requests(backend) -> list[str]:
    return [path for _method, path in backend.requests if "behaviour" in path]


def lines(tree: BehaviourTree) -> list[Any]:
    out = []

    def walk(node) -> None:
        for child in node.children:
            out.append(child)
            walk(child)

    walk(tree.root)
    return out


async def test_lazy_sections_and_cached_after():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("2", "3", "1")
        await settle(pilot)
        assert behaviour_requests(backend) == []  # nothing until the tab opens
        await pilot.press("6")
        await settle(pilot)
        text = screen_text(app)
        assert "Behaviour" in text and "Sandboxes (3)" in text
        assert "CAPE Sandbox" in text and "malicious" in text
        assert "MITRE ATT&CK" in text and "T1059.001" in text and "Execution (TA0002)" in text
        asked = behaviour_requests(backend)
        assert sorted(p.rsplit("/", 1)[-1].split("?")[0] for p in asked) == [
            "behaviour_mitre_trees", "behaviour_summary", "behaviours"]
        titles = [n.label.plain for n in app.screen.query_one(BehaviourTree).root.children]
        for wanted in ("Processes", "Registry", "Mutexes", "DNS lookups", "HTTP conversations", "IP traffic"):
            assert any(t.startswith(wanted) for t in titles), (wanted, titles)
        await pilot.press("1", "6")
        await settle(pilot)
        assert behaviour_requests(backend) == asked  # shown again from what the tab holds


async def test_enter_pivots_to_a_host_and_back_returns():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("6")
        await settle(pilot)
        tree = app.screen.query_one(BehaviourTree)
        dns = next(n for n in tree.root.children if n.label.plain.startswith("DNS lookups"))
        table = dns.children[0]
        table.expand()
        await pilot.pause()
        row = next(n for n in table.children if isinstance(n.data, Line) and n.data.ref is not None)
        target = row.data.ref
        tree.move_cursor(row)
        await pilot.press("enter")
        await settle(pilot)
        view = app.main.current_view
        assert view.ref == target and view.obj is not None
        assert "behaviour ›" in screen_text(app)  # the breadcrumb says how it was reached
        await pilot.press("backspace")
        await settle(pilot)
        assert app.main.current_view.ref.id == FILE
        assert app.main.current_view.active_tab == "behaviour"


async def test_P_on_a_sandbox_line_downloads_its_pcap():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("6")
        await settle(pilot)
        tree = app.screen.query_one(BehaviourTree)
        sandboxes = next(n for n in tree.root.children if n.label.plain.startswith("Sandboxes"))
        rows = [n for n in sandboxes.children[0].children if isinstance(n.data, Line)]
        without = next(n for n in rows if not tree.sandboxes[n.data.ref.id].has_pcap)
        tree.move_cursor(without)
        await pilot.press("P")
        await pilot.pause()
        assert not isinstance(app.screen, DownloadScreen)
        with_pcap = next(n for n in rows if tree.sandboxes[n.data.ref.id].has_pcap)
        tree.move_cursor(with_pcap)
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, DownloadScreen)
        assert app.screen.ident == with_pcap.data.ref.id and app.screen.kind == "pcap"


async def test_not_a_file_has_no_behaviour_tab_and_asks_nothing():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        await pilot.press("6")
        await settle(pilot)
        assert app.main.current_view.active_tab != "behaviour"
        assert behaviour_requests(backend) == []
        assert "Behaviour" not in screen_text(app).splitlines()[8]


async def test_huge_summary_builds_a_bounded_tree():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)

        async def huge(ref):
            return {"files_written": [f"C:\\t\\{i}.tmp [/]" for i in range(14_000)],
                    "registry_keys_set": [{"key": f"HKCU\\k{i}", "value": "v"} for i in range(14_000)]}

        app.client.behaviour_summary = huge
        await pilot.press("6")
        await settle(pilot)
        tree = app.screen.query_one(BehaviourTree)
        nodes = lines(tree)
        assert len(nodes) < 200  # big tables start folded: nothing like 28,000 nodes
        files = next(n for n in tree.root.children if n.label.plain.startswith("Files"))
        written = next(c for c in files.children if isinstance(c.data, Rows))
        assert not written.is_expanded
        written.expand()
        await pilot.pause()
        assert len(written.children) == CHUNK + 1 and isinstance(written.children[-1].data, MoreRows)
        tree.move_cursor(written.children[-1])
        await pilot.press("enter")
        await pilot.pause()
        shown = [c for c in written.children if isinstance(c.data, Line) and c.data.label]
        assert len(shown) == min(2 * CHUNK, len(written.data.table.rows))
        assert "13800 more not listed" in written.children[-1].label.plain
        assert "[/]" in written.children[0].label.plain  # literal
        assert app.screen.query_one(BehaviourPane).loaded


async def test_the_tab_says_when_its_requests_wait_for_the_quota():
    """On a public key the tab's requests may queue behind the limiter: the tab says so and
    counts down, instead of "Loading" for a minute, and fills in once the slots come."""
    import asyncio

    from vttui.config import Settings
    from vttui.demo import DemoBackend
    from vttui.runtime import make_client
    from vttui.tui.app import VTApp
    from vttui.vt.ratelimit import RateLimiter

    backend = DemoBackend()
    client = make_client(Settings(), demo=True, backend=backend)
    gate = asyncio.Event()
    now = [1000.0]

    async def held(seconds: float) -> None:
        await gate.wait()  # the minute passes only when the test says so
        now[0] += seconds

    client.limiter = RateLimiter(2, None, clock=lambda: now[0], sleep=held)
    app = VTApp(settings=Settings(), demo=True, client=client, clipboard=False, strict=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)  # one request: the report
        await pilot.press("6")
        pane = app.screen.query_one(BehaviourPane)
        for _ in range(100):
            if "Waiting for the quota" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert "Waiting for the quota: next request in" in screen_text(app)
        assert len(behaviour_requests(backend)) == 1  # the second slot of the minute, no more
        gate.set()
        for _ in range(200):
            if pane.loaded:
                break
            await pilot.pause(0.05)
        assert pane.loaded and "Waiting for the quota" not in screen_text(app)
        assert "sandbox report" in screen_text(app)

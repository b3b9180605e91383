"""The triage workspace driven by Pilot against the demo backend: what a user sees."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import TabbedContent, Tree

from tests.support.pilot import copied, demo_app, screen_text, search, settle
from vttui.demo import demo_iocs
from vttui.tui.screens.help import help_table
from vttui.tui.screens.main import MainScreen
from vttui.tui.widgets.comments import CommentList
from vttui.tui.widgets.details import DetailsTree
from vttui.tui.widgets.detections import DetectionsPane, DetectionsTable
from vttui.tui.widgets.relations import MoreNode, ObjNode, RelationsTree, RelNode, ResNode
from vttui.tui.widgets.votes import VoteTable

IOCS = demo_iocs()
FILE = IOCS["detected_file"]


def main_screen(app) -> MainScreen:
    return app.main


def current(app):
    return main_screen(app).current_view


def tree_node(tree: Tree, predicate):
    """The first node (depth first) whose data matches."""
    stack = [tree.root]
    while stack:
        node = stack.pop(0)
        if predicate(node):
            return node
        stack[0:0] = list(node.children)
    raise AssertionError("no such node in the tree")


async def test_typing_a_hash_opens_the_report_with_header_and_detections():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.screen.focused is app.screen.query_one("SearchBar")  # ready to type at once
        await pilot.press(*FILE)
        hint = screen_text(app)
        assert "SHA-256" in hint and "enter to open" in hint
        assert backend.requests == []  # nothing sent while typing
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "invoice_viewer.exe" in text
        assert "58/72" in text
        assert "trojan.vexbot/loader" in text
        assert FILE in text
        table = app.screen.query_one(DetectionsTable)
        assert app.screen.focused is table  # focus moved to the report
        view = current(app)
        assert table.row_count == len(view.obj.engine_results) > 50
        # worst first: every malicious row before every other category
        cats = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        first_other = next(i for i, c in enumerate(cats) if c != "malicious")
        assert "malicious" not in cats[first_other:]
        assert [m for m, _ in backend.requests] == ["GET"]


async def test_defanged_url_is_understood_and_opened():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        defanged = IOCS["url"].replace("http://", "hxxp://").replace(".test", "[.]test")
        await search(pilot, defanged)
        text = screen_text(app)
        assert "login.account-verify.test" in text
        assert current(app).obj.type == "url"


async def test_garbage_is_refused_inline_without_a_request():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"invoice.exe", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "✗" in text and "file name" in text
        assert backend.requests == []
        assert app.screen.query_one("SearchBar").value == "invoice.exe"  # nothing typed is lost


async def test_pasted_block_opens_every_indicator_in_the_triage_table():
    from vttui.tui.screens.triage import TriageScreen

    app, backend = demo_app()
    async with app.run_test(size=(160, 40)) as pilot:
        block = f"IOCs from the report: {IOCS['domain'].replace('.', '[.]')} and {IOCS['ip']} plus {FILE}"
        await search(pilot, block)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert [row.value for row in screen.triage.rows] == [IOCS["domain"], IOCS["ip"], FILE]
        for _ in range(600):
            if all(row.finished for row in screen.triage.rows):
                break
            await pilot.pause(0.05)
        assert len(backend.requests) == 3  # one lookup each
        await pilot.press("down", "enter")  # the IP
        await settle(pilot)
        assert current(app).obj.id == IOCS["ip"]
        assert len(backend.requests) == 3  # opened from the cache


async def test_each_tab_shows_its_content_and_loads_lazily():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        assert len(backend.requests) == 1
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        assert "Hashes" in text and IOCS["detected_file_md5"] in text
        details = app.screen.query_one(DetailsTree)
        titles = [n.label.plain for n in details.root.children]
        assert (
            "Portable Executable" in titles
            and "Signature" in titles
            and titles[-1] == "Other attributes"
            or "Other attributes" in titles[-1]
        )
        assert len(backend.requests) == 1  # details come from the object itself
        await pilot.press("3")
        await settle(pilot)
        assert "contacted_domains (4)" in screen_text(app)
        assert len(backend.requests) == 1  # counts came with the object
        await pilot.press("4")
        await settle(pilot)
        comments = app.screen.query_one(CommentList)
        assert comments.option_count == 20
        assert "20 comments of 25" in screen_text(app)
        assert backend.requests[-1][1].startswith(f"/files/{FILE}/comments")
        await pilot.press("m")
        await settle(pilot)
        assert comments.option_count == 25
        await pilot.press("5")
        await settle(pilot)
        text = screen_text(app)
        assert "Community:" in text and "harmless" in text
        votes = app.screen.query_one(VoteTable)
        assert votes.row_count > 0


async def test_detected_only_toggle_and_filter():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        table = app.screen.query_one(DetectionsTable)
        total = table.row_count
        view = current(app)
        flagged = sum(1 for r in view.obj.engine_results if r.detected)
        await pilot.press("d")
        await pilot.pause()
        assert table.row_count == flagged < total
        assert "detected only" in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert table.row_count == total
        await pilot.press("f", *"avast")
        await pilot.pause()
        engines = [table.get_row_at(i)[0].plain.lower() for i in range(table.row_count)]
        assert engines and all("avast" in e for e in engines)
        await pilot.press("escape")
        assert app.screen.focused is table


async def test_tree_expand_nested_and_pivot_through_resolution_to_ip():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        domains = tree_node(tree, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == "contacted_domains")
        domains.expand()
        await settle(pilot)
        domain_nodes = [c for c in domains.children if isinstance(c.data, ObjNode)]
        assert len(domain_nodes) == 4
        c2 = next(c for c in domain_nodes if c.data.ref.id == IOCS["domain"])
        assert "14/91" in c2.label.plain
        # nested: the domain's own relationships, then its resolutions
        c2.expand()
        await settle(pilot)
        resolutions = next(c for c in c2.children if isinstance(c.data, RelNode) and c.data.rel.name == "resolutions")
        resolutions.expand()
        await settle(pilot)
        res_nodes = [c for c in resolutions.children if isinstance(c.data, ResNode)]
        assert res_nodes and all(r.data.target.type == "ip_address" for r in res_nodes)
        target = next(r for r in res_nodes if r.data.target.id == IOCS["ip"])
        tree.move_cursor(target)
        await pilot.press("enter")
        await settle(pilot)
        view = current(app)
        assert view.obj.type == "ip_address" and view.obj.id == IOCS["ip"]
        crumbs = screen_text(app).splitlines()[1]
        assert "resolutions" in crumbs and IOCS["ip"] in crumbs


async def test_load_more_pages_with_the_cursor():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["sinkhole_ip"])
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        res = tree_node(tree, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == "resolutions")
        res.expand()
        await settle(pilot)
        assert sum(isinstance(c.data, ResNode) for c in res.children) == 40
        more = next(c for c in res.children if isinstance(c.data, MoreNode))
        assert "of 2500" in more.label.plain
        tree.move_cursor(more)
        await pilot.press("enter")
        await settle(pilot)
        items = [c for c in res.children if isinstance(c.data, ResNode)]
        assert len(items) == 80
        assert len({c.data.res.id for c in items}) == 80  # no repeats
        assert isinstance(res.children[-1].data, MoreNode)  # still more, still last
        cursors = [p for _, p in backend.requests if "/resolutions" in p]
        assert len(cursors) == 2 and "cursor=" in cursors[1]


async def test_resolution_pivot_from_ip_goes_to_domain():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["ip"])
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        res = tree_node(tree, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == "resolutions")
        res.expand()
        await settle(pilot)
        first = next(c for c in res.children if isinstance(c.data, ResNode))
        assert first.data.target.type == "domain"
        tree.move_cursor(first)
        await pilot.press("enter")
        await settle(pilot)
        assert current(app).obj.type == "domain"


async def test_back_and_forward_restore_state_without_requests():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        domains = tree_node(tree, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == "contacted_domains")
        domains.expand()
        await settle(pilot)
        node = next(c for c in domains.children if isinstance(c.data, ObjNode))
        tree.move_cursor(node)
        cursor_line = tree.cursor_line
        await pilot.press("enter")
        await settle(pilot)
        domain_view = current(app)
        assert domain_view.obj.type == "domain"
        await pilot.press("2")  # look at the domain's details
        await settle(pilot)
        before = list(backend.requests)
        await pilot.press("backspace")
        await pilot.pause()
        view = current(app)
        assert view.obj.id == FILE
        assert view.query_one(TabbedContent).active == "relations"
        back_tree = view.query_one(RelationsTree)
        assert back_tree is tree and back_tree.cursor_line == cursor_line
        assert domains.is_expanded
        assert app.screen.focused is tree
        await pilot.press("alt+right")
        await pilot.pause()
        assert current(app) is domain_view
        assert domain_view.query_one(TabbedContent).active == "details"
        await pilot.press("alt+left")
        await pilot.pause()
        assert backend.requests == before  # nothing fetched twice


async def test_no_request_twice_for_the_same_object_even_via_another_hash():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["detected_file_md5"])
        await search(pilot, IOCS["detected_file_sha1"])
        await search(pilot, FILE)
        assert len([r for r in backend.requests if r[1].startswith("/files/")]) == 1
        assert len(main_screen(app).nav.entries) == 3


async def test_copy_id_and_value_under_cursor():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await search(pilot, FILE)
        await pilot.press("c")
        assert copied(app)[-1] == FILE
        await pilot.pause()
        assert "Copied" in screen_text(app)
        table = app.screen.query_one(DetectionsTable)
        table.move_cursor(row=1)
        await pilot.press("y")
        assert copied(app)[-1] == table.get_row_at(1)[2].plain  # the engine's label on that row
        await pilot.press("2")
        await settle(pilot)
        details = app.screen.query_one(DetailsTree)
        node = tree_node(details, lambda n: getattr(n.data, "label", "") == "MD5")
        details.move_cursor(node)
        await pilot.press("y")
        assert copied(app)[-1] == IOCS["detected_file_md5"]


async def test_not_found_is_shown_inline_and_app_stays_usable():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["not_found"])
        text = screen_text(app)
        assert "no record of this file" in text
        await search(pilot, IOCS["domain"])
        assert current(app).obj.id == IOCS["domain"]


async def test_help_lists_keys_and_closes():
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape")  # leave the search bar, where ? is just a character
        await pilot.press("question_mark")
        await pilot.pause()
        assert "vttui keys" in screen_text(app)
        console = Console(record=True, width=100)
        console.print(help_table(app))
        text = console.export_text()
        for needle in ("Detected only", "Pivot", "Back", "Copy id", "Search", "More comments", "Filter"):
            assert needle in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_palette_offers_actions_and_recent_iocs():
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ("Back", "Copy id", "Relations", "Upload a file", "Export trail", "Vote"):
            assert action in titles
        # recent indicators come from their own provider, by name and verdict
        assert [r.text for r in app.recent.items] == [f"{IOCS['domain']}  14/91 malicious"]


async def test_demo_mode_is_always_on_screen():
    app, backend = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "DEMO DATA" in screen_text(app)
        await search(pilot, FILE)
        await pilot.press("3")
        assert "DEMO DATA" in screen_text(app)


async def test_80x24_keeps_the_essentials_visible():
    app, backend = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, FILE)
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        text = "\n".join(lines)
        assert "58/72" in text  # the verdict
        assert "Detections" in text and "Votes" in text  # every tab
        assert "Avast" in text or "ALYac" in text  # rows of the table
        assert "/60 min" in text and "/5000 day" in text  # quota in the status line
        assert "cache hits" in text
        assert "Search" in lines[-1]  # footer


async def test_views_rebuilt_after_eviction_keep_their_state_and_cost_nothing(monkeypatch):
    from vttui.tui.screens import main as main_module

    monkeypatch.setattr(main_module, "MAX_LIVE_VIEWS", 2)  # evict early: the same mechanism, fewer steps
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("d")  # detected only
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        domains = tree_node(tree, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == "contacted_domains")
        domains.expand()
        await settle(pilot)
        first_view = current(app)
        others = [IOCS[k] for k in ("clean_file", "domain", "ip")]
        for ioc in others:
            await search(pilot, ioc)
        assert first_view not in main_screen(app).live.values()  # evicted
        before = list(backend.requests)
        for _ in others:
            await pilot.press("backspace")
            await pilot.pause()
        await settle(pilot)
        view = current(app)
        assert view.obj.id == FILE and view is not first_view
        assert view.query_one(TabbedContent).active == "relations"
        assert view.query_one(DetectionsPane).detected_only
        rebuilt = view.query_one(RelationsTree)
        domains = tree_node(rebuilt, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == "contacted_domains")
        assert domains.is_expanded and sum(isinstance(c.data, ObjNode) for c in domains.children) == 4
        assert backend.requests == before  # all from the cache
        assert len(others) + 1 > main_module.MAX_LIVE_VIEWS


async def test_search_history_with_up_and_down_and_escape_leaves():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        await search(pilot, IOCS["ip"])
        bar = app.screen.query_one("SearchBar")
        bar.focus()
        bar.value = "draft"
        await pilot.press("up")
        assert bar.value == IOCS["ip"]
        await pilot.press("up")
        assert bar.value == IOCS["domain"]
        await pilot.press("down")
        assert bar.value == IOCS["ip"]
        await pilot.press("down")
        assert bar.value == "draft"  # what was being typed is not lost
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.focused is not bar


async def test_tabs_switch_with_the_mouse():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.click("#--content-tab-relations")
        await settle(pilot)
        assert current(app).active_tab == "relations"
        assert "contacted_domains" in screen_text(app)


async def test_status_line_counts_down_while_the_limiter_holds_a_request():
    from vttui.config import Settings
    from vttui.demo import DemoBackend, DemoTransport
    from vttui.runtime import make_client
    from vttui.tui.app import VTApp

    client = make_client(Settings(), demo=True, transport=DemoTransport(DemoBackend()))
    client.limiter.configure(1, 500)  # a one-per-minute key
    app = VTApp(settings=Settings(), demo=True, client=client, clipboard=False, strict=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        bar = app.screen.query_one("SearchBar")
        bar.focus()
        bar.value = IOCS["ip"]
        await pilot.press("enter")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "0/1 min" in text
        assert "1 waiting, next in" in text  # a countdown, not a frozen screen
        assert "Waiting for the quota: next slot in" in text  # said where the user looks
        for worker in list(app.workers):
            worker.cancel()
    await client.aclose()

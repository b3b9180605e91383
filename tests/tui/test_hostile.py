"""Hostile data from the API renders literally in every tab, does nothing, never crashes."""

from __future__ import annotations

from tests.support.hostile import hostile_middleware
from tests.support.pilot import copied, screen_text, search, settle, spy_clipboard
from vttui.config import Settings
from vttui.demo import DemoBackend, DemoTransport, demo_iocs
from vttui.runtime import make_client
from vttui.tui.app import VTApp
from vttui.tui.widgets.details import DetailsTree, Raw
from vttui.tui.widgets.relations import ObjNode, RelationsTree, RelNode

IOCS = demo_iocs()


def hostile_app(mode: str = "hostile") -> tuple[VTApp, DemoBackend]:
    backend = DemoBackend()
    transport = DemoTransport(backend, middleware=hostile_middleware(mode))
    client = make_client(Settings(), demo=True, transport=transport)
    app = VTApp(settings=Settings(), demo=True, client=client, clipboard=False, strict=True)
    spy_clipboard(app)
    return app, backend


def assert_inert(app, svg: str | None = None) -> None:
    svg = svg if svg is not None else app.export_screenshot()
    for bad in ("\x1b", "&#27;", "\x07", "\x9b", "\u202e", "\x00"):
        assert bad not in svg, f"{bad!r} reached the screen"
    assert app.is_running and app.return_code is None
    assert app.title == "vttui"


async def walk_every_tab(pilot) -> str:
    seen = []
    for key in "123456":
        await pilot.press(key)
        await settle(pilot)
        svg = pilot.app.export_screenshot()
        seen.append(screen_text(pilot.app, svg))
        assert_inert(pilot.app, svg)
    return "\n".join(seen)


async def test_hostile_file_in_every_tab_renders_literally():
    app, backend = hostile_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["detected_file"])
        text = await walk_every_tab(pilot)
        assert "[@click=app.quit]" in text  # shown as text, not turned into an action
        assert "[bold red on white]restyled[/]" in text
        assert "invoicegpj.exe" in text  # bidi override stripped, letters kept in order
        # the raw attribute tree: deep nesting and a 14,000-entry list
        await pilot.press("2")
        details = app.screen.query_one(DetailsTree)
        raw = next(n for n in details.root.children if isinstance(n.data, Raw))
        raw.expand()
        await settle(pilot)
        deep = next(c for c in raw.children if isinstance(c.data, Raw) and c.data.key == "zz_deep")
        node = deep
        for _ in range(10):
            node.expand()
            await pilot.pause()
            node = node.children[0]
        huge = next(c for c in raw.children if isinstance(c.data, Raw) and c.data.key == "zz_huge_list")
        huge.expand()
        await settle(pilot)
        assert len(huge.children) == 201  # a chunk plus "more"
        details.move_cursor(huge.children[-1])
        await pilot.press("enter")
        await pilot.pause()
        assert len(huge.children) == 401
        assert_inert(app)


async def test_hostile_tree_pivot_and_copy():
    app, backend = hostile_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, IOCS["detected_file"])
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        for node in list(tree.root.children)[:6]:
            if isinstance(node.data, RelNode):
                node.expand()
        await settle(pilot)
        assert_inert(app)
        obj = next(n for n in tree.root.children[0].children if isinstance(n.data, ObjNode))
        tree.move_cursor(obj)
        await pilot.press("y")
        assert "\x1b" not in copied(app)[-1]
        await pilot.press("enter")
        await settle(pilot)
        await walk_every_tab(pilot)
        await pilot.press("c")
        assert all("\x1b" not in c and "\u202e" not in c for c in copied(app))


async def test_wrong_types_everywhere_do_not_crash():
    app, backend = hostile_app("wrong_types")
    async with app.run_test(size=(100, 30)) as pilot:
        for ioc in ("detected_file", "domain", "ip", "url"):
            await search(pilot, IOCS[ioc])
            await walk_every_tab(pilot)
        assert app.main.current_view.obj is not None
        assert not app.crashes


async def test_hostile_domain_ip_and_url():
    app, backend = hostile_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for ioc in ("domain", "ipv6", "url"):
            await search(pilot, IOCS[ioc])
            text = await walk_every_tab(pilot)
            assert "[/]" in text


def hostile_premium_app(mode: str = "hostile") -> VTApp:
    backend = DemoBackend()
    transport = DemoTransport(backend, middleware=hostile_middleware(mode))
    settings = Settings(tier="premium")
    client = make_client(settings, demo=True, transport=transport)
    app = VTApp(settings=settings, demo=True, client=client, clipboard=False, strict=True)
    spy_clipboard(app)
    return app


async def test_hostile_behaviour_search_collection_and_triage_render_literally(tmp_path):
    """Process command lines, registry values, HTTP headers, search hits, collection
    descriptions and triage rows from a hostile server: literal, inert, exports valid."""
    import csv
    import io
    import json

    from vttui.demo.ticket import triage_ticket
    from vttui.tui.screens.search_results import SearchResultsScreen
    from vttui.tui.screens.triage import TriageScreen
    from vttui.tui.widgets.behaviour import BehaviourTree

    for mode in ("hostile", "wrong_types"):
        app = hostile_premium_app(mode)
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, IOCS["behaviour_file"])
            await pilot.press("6")
            await settle(pilot)
            assert_inert(app)
            tree = app.main.current_view.query_one(BehaviourTree)
            for node in list(tree.root.children):  # every table opened: all rows drawn
                for child in node.children:
                    child.expand()
            await settle(pilot)
            assert_inert(app)
            if mode == "hostile":
                assert "[/]" in screen_text(app) or "[@click" in screen_text(app)
            await pilot.press("3")
            await settle(pilot)
            relations = app.main.current_view.query_one(RelationsTree)
            coll = next(n for n in relations.root.children if isinstance(n.data, RelNode)
                        and n.data.rel.name == "collections")
            coll.expand()
            await settle(pilot)
            item = next((c for c in coll.children if isinstance(c.data, ObjNode)), None)
            assert item is not None, "the collection listed under Relations is opened in both modes"
            relations.move_cursor(item)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await walk_every_tab(pilot)
            await search(pilot, "vti:" + IOCS["search_query"])
            assert isinstance(app.screen, SearchResultsScreen)
            assert_inert(app)
            await pilot.press("escape")
            await pilot.pause()
            app.open_triage(triage_ticket())
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, TriageScreen)
            assert_inert(app)
            from vttui.export.triage_export import render_triage

            rows = list(csv.reader(io.StringIO(render_triage(screen.triage, "csv"))))
            assert len(rows) == len(screen.triage.rows) + 1
            json.loads(render_triage(screen.triage, "json"))
            assert not app.crashes

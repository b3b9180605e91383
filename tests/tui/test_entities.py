"""Collections, threat actors and references open from Relations as reports of their own:
Details first (name, description, tags, aliases, targeted industries/regions), a
collection's IoCs as a paged, pivotable list, back and forward across them."""

from __future__ import annotations

from tests.support.pilot import demo_app, screen_text, search, settle
from vttui.config import Settings
from vttui.demo import DemoBackend, demo_iocs
from vttui.tui.app import VTApp
from vttui.tui.widgets.details import DetailsTree
from vttui.tui.widgets.relations import ObjNode, RelationsTree, RelNode

IOCS = demo_iocs()


async def expand(pilot, name: str):
    tree = pilot.app.main.current_view.query_one(RelationsTree)
    node = next(n for n in tree.root.children if isinstance(n.data, RelNode) and n.data.rel.name == name)
    node.expand()
    await settle(pilot)
    return tree, node


async def open_first(pilot, tree, node) -> ObjNode:
    item = next(c for c in node.children if isinstance(c.data, ObjNode))
    await settle(pilot)
    tree.move_cursor(item)
    await pilot.press("enter")
    await settle(pilot)
    return item.data


async def test_collection_opens_as_a_report_with_its_iocs_and_back_forward_work():
    app, backend = demo_app()
    async with app.run_test(size=(130, 40)) as pilot:
        await search(pilot, IOCS["detected_file"])
        await pilot.press("3")
        await settle(pilot)
        tree, node = await expand(pilot, "collections")
        data = await open_first(pilot, tree, node)
        view = app.main.current_view
        assert view.ref == data.ref and view.ref.type == "collection" and view.ref.id == IOCS["collection"]
        assert view.active_tab == "details"
        text = screen_text(app)
        assert "Vexbot loader - July 2026 invoice campaign" in text
        assert "Targeted industries" in text and "Description" in text
        assert "Detections" not in text.split("\n")[7] and "Behaviour" not in text
        await pilot.press("1")  # no engines for a collection: said, nothing changes
        await pilot.pause()
        assert view.active_tab == "details"
        await pilot.press("3")
        await settle(pilot)
        tree, files = await expand(pilot, "files")
        assert files.data.count == 5
        opened = await open_first(pilot, tree, files)
        assert app.main.current_view.ref == opened.ref and opened.ref.type == "file"
        await pilot.press("backspace")
        await settle(pilot)
        assert app.main.current_view.ref.type == "collection"
        await pilot.press("backspace")
        await settle(pilot)
        assert app.main.current_view.ref.id == IOCS["detected_file"]
        await pilot.press("alt+right")
        await settle(pilot)
        assert app.main.current_view.ref.type == "collection"


async def test_threat_actor_shows_aliases_and_targets():
    backend = DemoBackend()
    app = VTApp(settings=Settings(tier="premium"), demo=True, backend=backend, clipboard=False, strict=True)
    async with app.run_test(size=(130, 40)) as pilot:
        await search(pilot, IOCS["detected_file"])
        await pilot.press("3")
        await settle(pilot)
        tree, node = await expand(pilot, "related_threat_actors")
        await open_first(pilot, tree, node)
        view = app.main.current_view
        assert view.ref.type == "threat_actor" and view.obj is not None
        assert view.active_tab == "details"
        text = screen_text(app)
        assert IOCS["threat_actor_name"] in text
        assert "Aliases" in text and "Targeted industries" in text and "Targeted regions" in text
        await pilot.press("3")  # a threat actor has Details only
        await pilot.pause()
        assert view.active_tab == "details"
        assert view.query_one(DetailsTree).built

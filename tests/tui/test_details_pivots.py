"""Details pivots: a URL's final URL, body hash and network location, a domain's DNS
records and certificate names open their own reports with enter; back returns."""

from __future__ import annotations

from tests.support.pilot import demo_app, screen_text, search, settle
from vttui.demo import demo_iocs
from vttui.tui.widgets.details import DetailsTree, Field, MoreLines

IOCS = demo_iocs()


def find(tree: DetailsTree, predicate):
    stack = list(tree.root.children)
    while stack:
        node = stack.pop(0)
        if predicate(node):
            return node
        stack[:0] = list(node.children)
    raise AssertionError("no such node")


async def open_field(pilot, label: str):
    tree = pilot.app.screen.query_one(DetailsTree)
    node = find(tree, lambda n: isinstance(n.data, Field) and n.data.label == label and n.data.ref is not None)
    tree.move_cursor(node)
    await pilot.press("enter")
    await settle(pilot)
    return node.data.ref


async def test_url_details_pivot_to_final_url_body_and_location_and_back():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["url"])
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        assert "Final URL" in text and "↵ URL" in text and "Redirection chain" in text
        for label, kind in (("Final URL", "url"), ("Content SHA-256", "file"), ("Network location", "domain")):
            before = len(backend.requests)
            ref = await open_field(pilot, label)
            assert ref.type == kind
            view = app.main.current_view
            assert view.ref.type == kind and view.entry.via is not None and view.entry.via.relationship == "details"
            assert len(backend.requests) >= before  # the pivot asked (or found it cached)
            await pilot.press("backspace")
            await settle(pilot)
            assert app.main.current_view.ref.type == "url"
            assert app.main.current_view.active_tab == "details"


async def test_domain_certificate_names_and_dns_records_are_pivots():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        await pilot.press("2")
        await settle(pilot)
        tree = app.screen.query_one(DetailsTree)
        name = find(tree, lambda n: isinstance(n.data, Field) and n.data.label == "name")
        assert name.data.ref is not None and name.data.ref.type == "domain"
        ref = await open_field(pilot, "IP")  # the A record
        assert app.main.current_view.ref == ref


async def test_a_long_whois_is_all_there_in_chunks():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        view = app.main.current_view
        view.obj.attributes["whois"] = "\n".join(f"line {i} [/]" for i in range(1000))
        await pilot.press("2")
        await settle(pilot)
        tree = app.screen.query_one(DetailsTree)
        record = find(tree, lambda n: n.label.plain.startswith("Whois record"))
        record.expand()
        more = record.children[-1]
        assert isinstance(more.data, MoreLines) and len(record.children) == 401
        for _ in range(2):
            await settle(pilot)
            tree.move_cursor(record.children[-1])
            await pilot.press("enter")
        await settle(pilot)
        assert len(record.children) == 1000
        assert record.children[-1].label.plain == "line 999 [/]"

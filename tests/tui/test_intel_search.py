"""Intelligence search from the search bar (vti:QUERY): a paged table of hits, m for more,
enter opens (no request: hits seed the cache); a public key gets a plain message after
one request at most, however often it asks."""

from __future__ import annotations

from tests.support.pilot import screen_text, search, settle
from vttui.config import Settings
from vttui.demo import DemoBackend, demo_iocs
from vttui.tui.app import VTApp
from vttui.tui.screens import search_results
from vttui.tui.screens.search_results import HitTable, SearchResultsScreen
from vttui.tui.widgets.search import describe, intel_query

IOCS = demo_iocs()
QUERY = IOCS["search_query"]


def app_for(tier: str) -> tuple[VTApp, DemoBackend]:
    backend = DemoBackend()
    return VTApp(settings=Settings(tier=tier), demo=True, backend=backend, clipboard=False, strict=True), backend


def searches(backend) -> list[str]:
    return [p for _m, p in backend.requests if p.startswith("/intelligence/search")]


def test_the_prefix_is_what_makes_a_search():
    assert intel_query("vti: type:peexe ") == "type:peexe"
    assert intel_query("  VTI:entity:domain") == "entity:domain"
    assert intel_query("evil.com") is None and intel_query("vtix.com") is None
    assert "Intelligence search" in describe("vti:type:peexe").plain
    assert "[/]" in describe("vti:[/] [@click=app.quit]").plain  # literal


async def test_premium_key_pages_with_m_and_enter_opens_without_a_request(monkeypatch):
    monkeypatch.setattr(search_results, "PAGE_SIZE", 3)
    app, backend = app_for("premium")
    async with app.run_test(size=(130, 30)) as pilot:
        await search(pilot, f"vti:{QUERY}")
        screen = app.screen
        assert isinstance(screen, SearchResultsScreen)
        text = screen_text(app)
        assert "3 hits of 8" in text and "invoice_viewer.exe" in text and "58/72" in text
        assert len(searches(backend)) == 1
        await pilot.press("m")
        await settle(pilot)
        assert len(screen.hits) == 6 and len(searches(backend)) == 2
        await pilot.press("m")
        await settle(pilot)
        assert len(screen.hits) == 8 and "all shown" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert len(searches(backend)) == 3  # nothing more to ask
        before = len(backend.requests)
        screen.query_one(HitTable).move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        view = app.main.current_view
        assert view.ref.id == IOCS["detected_file"] and view.obj is not None
        assert app.focused is not None and app.focused is not app.main.query_one("SearchBar")  # q quits
        assert len(backend.requests) == before  # the hit was the report
        await search(pilot, f"vti:{QUERY}")  # the same query: the same table, no request
        assert app.screen is screen and len(searches(backend)) == 3


async def test_public_key_is_told_plainly_after_one_request_at_most():
    app, backend = app_for("public")
    async with app.run_test(size=(130, 30)) as pilot:
        await search(pilot, f"vti:{QUERY}")
        text = screen_text(app)
        assert "needs a premium key" in text
        await pilot.press("escape")
        await search(pilot, "vti:entity:domain domain:update-relay.test")
        assert "needs a premium key" in screen_text(app)
        assert len(searches(backend)) == 1
        assert not app.crashes


async def test_i_prepares_the_search_bar():
    app, backend = app_for("premium")
    async with app.run_test(size=(130, 30)) as pilot:
        await search(pilot, IOCS["domain"])
        await pilot.press("i")
        await pilot.pause()
        bar = app.main.query_one("SearchBar")
        assert app.focused is bar and bar.value == "vti:"
        await pilot.press(*"entity:file")
        await pilot.pause()
        assert "VirusTotal Intelligence search" in screen_text(app)

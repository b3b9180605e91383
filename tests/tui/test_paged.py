"""Paged tabs (comments, votes): their state is one ``Paging`` value; the status line
under the tab is drawn from it, and a failed page is retried with m."""

from __future__ import annotations

from tests.support.pilot import demo_app, screen_text, search, settle
from vttui.demo import demo_iocs
from vttui.tui.widgets.comments import CommentsPane
from vttui.tui.widgets.paged import Paging
from vttui.vt.errors import APIError

FILE = demo_iocs()["detected_file"]


async def test_comments_page_state_and_a_failed_page_retried():
    app, _backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        pane = app.main.current_view.query_one(CommentsPane)
        assert pane.paging == Paging()  # lazy: nothing fetched before the tab is shown
        real = pane.fetch_page

        async def failing(ref, cursor):
            raise APIError("VirusTotal is having a moment.")

        pane.fetch_page = failing
        await pilot.press("4")
        await settle(pilot)
        assert pane.paging.error == "VirusTotal is having a moment." and not pane.paging.fetching
        text = screen_text(app)
        assert "VirusTotal is having a moment." in text and "m: retry" in text
        pane.fetch_page = real
        pane.load_more()  # what m does
        await settle(pilot)
        paging = pane.paging
        assert paging.error is None and paging.count == len(pane.items) > 0
        shown = f"{paging.count} comments"
        assert shown in screen_text(app)
        assert ("m: load more" in screen_text(app)) == (not paging.exhausted)

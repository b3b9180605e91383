"""Bulk triage in the TUI: every indicator of a pasted ticket, one row each, filled in as
answers arrive (cached ones without a request), sortable, opened with enter, exported."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from tests.support.pilot import demo_app, screen_text, search, settle, wait_for
from vttui.config import Settings
from vttui.demo import DemoBackend, demo_iocs
from vttui.demo.ticket import TICKET_IOC_COUNT, triage_ticket
from vttui.runtime import make_client
from vttui.tui.app import VTApp
from vttui.tui.screens.triage import PasteScreen, TriageExportScreen, TriageScreen, TriageTable
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.triage import RowStatus

IOCS = demo_iocs()


def lookups(backend) -> list[str]:
    return [p for m, p in backend.requests if m == "GET" and not p.startswith("/users")]




async def test_ticket_rows_filled_in_and_cached_ones_cost_nothing():
    app, backend = demo_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await search(pilot, IOCS["detected_file"])  # now in the cache
        before = len(lookups(backend))
        app.open_triage(triage_ticket())
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        rows = screen.triage.rows
        assert len(rows) == TICKET_IOC_COUNT
        assert all(r.finished for r in rows)
        cached = next(r for r in rows if r.object_id == IOCS["detected_file"])
        assert cached.cached and cached.status is RowStatus.DONE
        asked = lookups(backend)[before:]
        assert len(asked) == TICKET_IOC_COUNT - 1  # one lookup each, none for the cached file
        assert not any(IOCS["detected_file"] in p for p in asked)
        text = screen_text(app)
        assert f"{TICKET_IOC_COUNT}/{TICKET_IOC_COUNT} answered" in text
        assert "58/72" in text and "not found" in text and "AS64501 NL" in text
        assert "cached" in text


async def test_rows_wait_for_quota_and_say_so():
    backend = DemoBackend()
    client = make_client(Settings(), demo=True, backend=backend)
    gate = asyncio.Event()
    now = [1000.0]

    async def held(seconds: float) -> None:
        await gate.wait()  # the minute passes only when the test says so
        now[0] += seconds

    client.limiter = RateLimiter(4, None, clock=lambda: now[0], sleep=held)
    app = VTApp(settings=Settings(), demo=True, client=client, clipboard=False, strict=True)
    async with app.run_test(size=(160, 40)) as pilot:
        app.open_triage(triage_ticket())
        screen = app.screen
        await wait_for(pilot, lambda: sum(r.finished for r in screen.triage.rows) == 4)
        await pilot.pause(0.2)
        assert len(lookups(backend)) == 4  # the quota, not one more
        text = screen_text(app)
        assert "waiting for quota" in text and f"4/{TICKET_IOC_COUNT} answered" in text
        gate.set()
        await wait_for(pilot, lambda: all(r.finished for r in screen.triage.rows))


async def test_sort_enter_opens_and_T_comes_back():
    app, backend = demo_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        app.open_triage(triage_ticket())
        await settle(pilot)
        screen = app.screen
        await pilot.press("s")  # by verdict: the worst first
        await pilot.pause()
        assert screen.sort_by == "verdict"
        first = screen.current_row()
        table = screen.query_one(TriageTable)
        table.move_cursor(row=0)
        first = screen.current_row()
        assert first.severity == "malicious" and first.malicious == max(r.malicious or 0 for r in screen.triage.rows)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, TriageScreen)
        opened = app.main.current_view
        second = sorted(screen.triage.rows, key=lambda r: (-(r.malicious or 0)))[1]
        assert opened.ref.id == second.object_id
        await pilot.press("T")
        await pilot.pause()
        assert app.screen is screen and screen.sort_by == "verdict"


async def test_export_csv_json_markdown(tmp_path):
    app, backend = demo_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        app.open_triage(triage_ticket())
        await settle(pilot)
        for fmt, ext in (("csv", "csv"), ("json", "json"), ("markdown", "md")):
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, TriageExportScreen)
            dialog.query_one("#format").value = fmt
            await pilot.pause()
            dialog.query_one("#path").value = str(tmp_path / f"t.{ext}")
            await pilot.press("ctrl+s")
            await settle(pilot)
        rows = list(csv.DictReader(io.StringIO((tmp_path / "t.csv").read_text())))
        assert len(rows) == TICKET_IOC_COUNT and {r["status"] for r in rows} >= {"done", "not found"}
        assert len(json.loads((tmp_path / "t.json").read_text())) == TICKET_IOC_COUNT
        assert "| IOC |" in (tmp_path / "t.md").read_text()


async def test_T_without_a_table_asks_for_text_and_refuses_text_without_indicators():
    app, backend = demo_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        app.main.query_one("SearchBar").blur()
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, PasteScreen)
        area = app.screen.query_one("TextArea")
        area.text = "nothing to see here, v3.2.1 of the parser"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PasteScreen) and "No indicator" in screen_text(app)
        area.text = "beacons to api[.]update-relay[.]test and 198.51.100[.]23"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
        assert [r.value for r in app.screen.triage.rows] == ["api.update-relay.test", "198.51.100.23"]

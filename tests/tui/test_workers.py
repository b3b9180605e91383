"""The one place a failed worker is reported (``vttui/tui/base.py``, ``VTApp.worker_failed``):
a VirusTotal error becomes an error notice titled with the worker's name; anything else
is a bug and goes the crash path (a notice and a crash log, never a traceback)."""

from __future__ import annotations

import pytest

from tests.support.pilot import demo_app, search, settle
from vttui.demo import demo_iocs
from vttui.tui.screens.confirm import ConfirmScreen
from vttui.vt.errors import APIError

IOCS = demo_iocs()


async def _scan_with(app, pilot, error: Exception) -> None:
    async def scan_url(url: str) -> dict:
        raise error

    await search(pilot, IOCS["url"])
    app.client.scan_url = scan_url
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("y")
    await settle(pilot)


async def test_a_vt_error_in_a_worker_is_a_notice_titled_with_what_failed():
    app, _backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await _scan_with(app, pilot, APIError("Daily quota used up."))
        notices = [(n.title, n.message, n.severity) for n in app._notifications]
        assert ("Scan failed", "Daily quota used up.", "error") in notices
        assert app.crashes == []
        assert app.is_running


@pytest.mark.crash_expected
async def test_any_other_error_in_a_worker_goes_the_crash_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app, _backend = demo_app()
    app.strict = False
    async with app.run_test(size=(100, 40)) as pilot:
        await _scan_with(app, pilot, KeyError("a bug"))
        assert [type(e) for e in app.crashes] == [KeyError]
        assert any("Something unexpected went wrong" in n.message for n in app._notifications)
        assert app.is_running

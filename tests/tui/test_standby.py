"""A report view is never removed in the middle of its mount.

Removing a view mid-mount let Textual run the mount handlers of a subtree being pruned:
``ValueError: No Tab with id '--content-tab-detections'`` (issue 10). It happened with the
pre-built standby view (since removed: docs/performance.md, "View retention"); the same
can happen to any view a new search drops while it is still mounting (a forward entry
cut off by a new pivot). Pilot sends nothing in that window by itself, so this test opens
reports in the same moment a view starts mounting (the terminal tests in tests/terminal/
show the crash itself, which depends on timing).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.pilot import demo_app, settle
from vttui.demo import demo_iocs
from vttui.vt.refs import ObjectRef

IOCS = demo_iocs()


async def test_a_view_dropped_while_it_mounts_is_removed_only_once_mounted():
    app, _backend = demo_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        main = app.main
        main.open_ref(ObjectRef("domain", IOCS["domain"]))
        await settle(pilot)
        mounting = main.open_ref(ObjectRef("file", IOCS["detected_file"]))
        assert not mounting.is_mounted  # still mounting: the next lines land in that window
        main.action_back()
        view = main.open_ref(ObjectRef("ip_address", IOCS["ip"]))  # drops the mounting view
        assert mounting not in main.live.values()
        await settle(pilot)
        assert not mounting.is_attached, "the dropped view stayed in the DOM"
        assert view.is_attached and view.obj is not None and view.obj.id == IOCS["ip"]
        assert main.current_view is view


@pytest.mark.parametrize("ticks", [0, 1, 2, 3, 5, 8])
async def test_quitting_while_a_report_view_mounts_is_clean(ticks):
    """q pressed while a report view is still being built (a user quitting right after
    enter): Textual pruned the half-mounted view and its tab bar failed to mount, a crash
    on quit that the real-terminal tests caught. Each ``ticks`` lands the quit at another
    step of the mount; the crash guard fails the test on any unexpected exception."""
    app, _backend = demo_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        view = app.main.open_ref(ObjectRef("file", IOCS["detected_file"]))
        assert not view.is_mounted
        for _ in range(ticks):
            await asyncio.sleep(0)
        await app.run_action("quit")
    assert app.return_code == 0

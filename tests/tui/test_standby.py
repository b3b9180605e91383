"""The pre-built (standby) report view is never removed while it mounts.

Removing a view mid-mount let Textual run the mount handlers of a subtree being pruned:
``ValueError: No Tab with id '--content-tab-detections'`` (issue 10), whenever a search
landed while the next view was being built. Pilot sends nothing in that window by itself,
so this test opens a report in the same moment the standby view starts mounting (the
terminal tests in tests/terminal/ show the crash itself, which depends on timing).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.pilot import demo_app, settle
from vttui.demo import demo_iocs
from vttui.vt.refs import ObjectRef

IOCS = demo_iocs()


async def test_a_search_while_the_standby_view_mounts_uses_that_view():
    app, _backend = demo_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        main = app.main
        if main._standby is not None:  # start from no standby, to catch it mid-mount
            main._standby.remove()
            main._standby = None
            await settle(pilot)
        main.prepare_standby()
        standby = main._standby
        assert standby is not None and not standby.is_mounted
        view = main.open_ref(ObjectRef("file", IOCS["detected_file"]))
        assert view is standby, "the mounting standby view was thrown away"
        await settle(pilot)
        assert view.is_attached and view.obj is not None
        assert view.obj.id == IOCS["detected_file"]



@pytest.mark.parametrize("ticks", [0, 1, 2, 3, 5, 8])
async def test_quitting_while_the_standby_view_mounts_is_clean(ticks):
    """q pressed while the next view is being built (a user quitting right after reading a
    report): Textual pruned the half-mounted view and its tab bar failed to mount, a crash
    on quit that the real-terminal tests caught. Each ``ticks`` lands the quit at another
    step of the mount; the crash guard fails the test on any unexpected exception."""
    app, _backend = demo_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        main = app.main
        if main._standby is not None:
            main._standby.remove()
            main._standby = None
            await settle(pilot)
        main.prepare_standby()
        assert main._standby is not None and not main._standby.is_mounted
        for _ in range(ticks):
            await asyncio.sleep(0)
        await app.run_action("quit")
    assert app.return_code == 0

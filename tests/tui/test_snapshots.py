"""Snapshot tests of the main views (pytest-textual-snapshot), from the demo data.

The scenarios are the ones the screenshot script uses. The SVGs live in
tests/tui/__snapshots__/; after a deliberate visual change, review and accept them with
`pytest tests/tui/test_snapshots.py --snapshot-update`. Textual's version is pinned in the
test extra so its rendering does not drift under the snapshots.
"""

from __future__ import annotations

import pytest

from tests.support.screenshots import SHOTS, make_app

SNAPSHOTTED = ("02-detections", "03-details", "04-relations", "05-domain", "08-comments", "12-80x24",
               "13-behaviour", "15-search", "16-triage")


@pytest.mark.parametrize("name", SNAPSHOTTED)
def test_main_views_look_as_approved(snap_compare, name):
    shot = next(s for s in SHOTS if s.name == name)
    assert snap_compare(make_app(shot.premium), terminal_size=shot.size, run_before=shot.run)

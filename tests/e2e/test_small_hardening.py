"""The smaller items of issue 16 (item 8, and the tree's side of item 3): comments lose
their control characters before posting, the quota lookup stops putting the key in a
URL once it knows the user id, and the relations tree stops on a looping cursor."""

from __future__ import annotations

import json
import tomllib

import pytest

from tests.support.faults import chain, record
from tests.support.investigation import DOMAIN, FILE, Investigator
from tests.support.misbehaving import Pages, api_path_endswith
from tests.support.pilot import screen_text, settle
from vttui.tui.screens.comment import CommentScreen
from vttui.tui.screens.confirm import ConfirmScreen
from vttui.tui.screens.main import MainScreen
from vttui.tui.widgets.relations import MoreNode, ObjNode

from .conftest import KEY

pytestmark = pytest.mark.e2e

HOSTILE = "seen in the lab \x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eexe.gnp\r\nsecond line\x00"
CLEAN = "seen in the lab exe.gnp\nsecond line"


def stored_comments(backend, ref=("domain", DOMAIN)) -> list[str]:
    ds = backend.dataset
    return [ds.objects[("comment", cid)]["attributes"]["text"] for cid in ds.comments.get(ref, ())]


# --- comments are cleaned before posting ---------------------------------------------------


def test_cli_comment_with_control_characters_is_posted_clean(cli, server):
    cli.point_at(server)
    result = cli.run("comment", DOMAIN, HOSTILE, "--yes")
    assert result.code == 0, result.err
    assert "removed" in result.err
    texts = stored_comments(server.backend)
    assert CLEAN in texts
    assert not any(ch in "".join(texts) for ch in "\x1b\x07\x00\u202e\r")


def test_cli_comment_from_stdin_is_posted_clean(cli, server):
    cli.point_at(server)
    result = cli.run("comment", DOMAIN, "-", "--yes", stdin=HOSTILE)
    assert result.code == 0, result.err
    assert CLEAN in stored_comments(server.backend)


async def test_tui_comment_with_control_characters_is_previewed_and_posted_clean(serve, apps):
    server = serve()
    app = apps(server)
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot)
        await inv.open(DOMAIN)
        await inv.press("4")
        await inv.press("w")
        assert isinstance(app.screen, CommentScreen)
        app.screen.query_one("TextArea").text = HOSTILE
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "were removed" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    texts = stored_comments(server.backend)
    assert CLEAN in texts and not any("\x1b" in t for t in texts)


# --- the quota lookup learns the user id once ---------------------------------------------------


def test_quota_learns_the_user_id_once_and_saves_it(cli, serve):
    rec = record()
    cli.point_at(serve(chain(rec)))
    first = cli.run("quota")
    assert first.code == 0, first.err
    assert "saved your VirusTotal user id" in first.err
    config = tomllib.loads((cli.config_dir / "config.toml").read_text())
    assert config["account"]["user_id"] == "vttui-demo"
    assert config["quota"]["tier"] == "premium"  # the rest of the file is kept
    second = cli.run("quota", "--format", "json")
    assert second.code == 0 and json.loads(second.out)["quotas"]["api_requests_daily"]
    with_key = [t for t in rec.targets(None) if KEY in t]
    assert len(with_key) == 1, with_key  # the one question "whose key is this?"
    assert rec.targets(None)[-1] == "/users/vttui-demo/overall_quotas"


def test_a_user_id_saved_for_another_key_is_not_used(cli, serve):
    rec = record()
    cli.point_at(serve(chain(rec)))
    assert cli.run("quota").code == 0
    other = "f" * 64
    cli.point_at(serve(chain(rec)), key=other)
    rec.clear()
    assert cli.run("quota").code == 0
    # the saved id belongs to the first key: with another key, whose account it is is asked again
    assert rec.targets(None)[0] == f"/users/{other}"


# --- the relations tree stops on a looping cursor ------------------------------------------------


async def test_tree_load_more_stops_on_a_repeated_cursor(serve, apps):
    pages = Pages(total=200, only=api_path_endswith(f"/files/{FILE}/contacted_domains"), stuck_after=2)
    app = apps(serve(pages))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        inv = Investigator(pilot)
        await inv.open(FILE)
        await inv.tab("3")
        node = await inv.expand("contacted_domains")
        tree = inv.view.query_one("RelationsTree")
        for _ in range(4):  # a user pressing "load more" while it is offered
            more = next((c for c in node.children if isinstance(c.data, MoreNode)), None)
            if more is None:
                break
            tree.move_cursor(more)
            await inv.press("enter")
        ids = [c.data.ref.id for c in node.children if isinstance(c.data, ObjNode)]
        assert len(ids) == len(set(ids)) == 43
        assert not any(isinstance(c.data, MoreNode) for c in node.children)
        assert "did not advance" in screen_text(app)
        assert len(pages.requests) == 2

"""The TUI end to end: Pilot drives the app, whose client talks to the fake v3 server over
a real socket. Requests are counted at the server, not in the client."""

from __future__ import annotations

import pytest

from tests.support.faults import chain, faults, hostile_errors, quota, record
from tests.support.investigation import (
    DOMAIN,
    FILE,
    IOCS,
    IP,
    Investigator,
    assert_plain_words,
    reference_investigation,
)
from tests.support.pilot import screen_text, settle
from vttui.demo import DemoBackend
from vttui.tui.widgets.relations import InfoNode, RelationsTree, RelNode

pytestmark = pytest.mark.e2e


def only_file(request) -> bool:
    """Fault only the file's own report, so the rest of the app can be shown to still work."""
    return request.segments[:2] == ("files", FILE) and len(request.segments) == 2


async def test_reference_investigation_fetches_each_thing_once(apps, serve):
    rec = record()
    server = serve(rec)
    app = apps(server)
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        views = await reference_investigation(inv)
        gets = rec.targets("GET")
        # each distinct thing was fetched exactly once; nothing else was sent
        assert len(gets) == len(set(gets)), gets
        assert rec.targets("POST") == []
        paths = {t.split("?")[0] for t in gets}
        assert paths == {
            f"/files/{FILE}", f"/files/{FILE}/comments", f"/files/{FILE}/votes",
            f"/files/{FILE}/contacted_domains", f"/files/{FILE}/contacted_ips",
            f"/domains/{DOMAIN}/resolutions",
            f"/ip_addresses/{IP}/communicating_files",
        }
        # the domain and the IP came as full objects with the contacted_domains and
        # contacted_ips pages: pivoting to them cost nothing
        assert len(gets) == 7
        assert app.client.stats.requests == len(gets)
        # going back twice sent nothing and restored the file exactly as left
        before = len(rec.exchanges)
        await inv.back()
        await inv.back()  # nothing to go back to: a notice, not a request
        assert len(rec.exchanges) == before
        assert inv.view is views["file"] and inv.view.active_tab == "relations"
        assert inv.errors_seen == [] and not app.crashes
        text = screen_text(app)
        assert "invoice_viewer.exe" in text and "contacted_domains (4)" in text
        # forward twice: the domain and the IP again, from memory
        await inv.press("alt+right")
        await inv.press("alt+right")
        assert inv.view is views["ip"] and len(rec.exchanges) == before


# --- error classes, on screen, without a crash ----------------------------------------------


async def _open_and_read(app, pilot, text: str) -> str:
    inv = Investigator(pilot, max_retries=0)
    await pilot.press("slash")
    app.screen.query_one("SearchBar").value = text
    await inv.press("enter")
    return screen_text(app)


async def _still_works(app, pilot) -> None:
    """After an error the app still opens something else."""
    inv = Investigator(pilot, max_retries=0)
    await inv.open(DOMAIN)
    assert inv.view.obj is not None and DOMAIN in screen_text(app)
    assert app.is_running and not app.crashes


async def test_rejected_key_is_explained(apps, serve):
    app = apps(serve(), key=DemoBackend.REJECTED_API_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _open_and_read(app, pilot, FILE)
        assert "This API key was rejected by VirusTotal" in text
        assert "Change API key" in text  # and where to fix it
        assert app.is_running and not app.crashes


async def test_not_found_then_keeps_working(apps, serve):
    app = apps(serve())
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _open_and_read(app, pilot, IOCS["not_found"])
        assert "no record of this file" in text
        await _still_works(app, pilot)


async def test_premium_relationship_says_so_in_the_tree(apps, serve):
    app = apps(serve())
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(FILE)
        await inv.tab("3")
        tree = app.screen.query_one(RelationsTree)
        premium = next(c for c in tree.root.children if isinstance(c.data, RelNode) and c.data.rel.premium)
        tree.move_cursor(premium)
        await inv.press("enter")
        info = next(c for c in premium.children if isinstance(c.data, InfoNode))
        assert "needs a premium VirusTotal key (403)" in info.label.plain
        assert "premium VirusTotal key" in screen_text(app)
        await inv.expand("contacted_domains")  # the rest of the tree still works
        assert not app.crashes


async def test_quota_exceeded_is_explained(apps, serve):
    app = apps(serve(quota(1)))
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(FILE)
        text = await _open_and_read(app, pilot, DOMAIN)
        assert "quota is spent" in text.replace("\n", " ")
        assert app.main.current_view.error.kind == "quota"
        # the file's view, loaded before, is untouched
        await inv.back()
        assert inv.view.obj is not None and inv.view.obj.id == FILE
        assert not app.crashes


async def test_too_many_requests_is_explained(apps, serve):
    limit = quota(0, "TooManyRequestsError", retry_after=0.01)
    app = apps(serve(limit))
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _open_and_read(app, pilot, FILE)
        assert "Too many requests to VirusTotal" in text
        assert limit.refused == 4 and not app.crashes  # slowed down and retried, then said so


async def test_server_gone_is_explained(apps, serve):
    server = serve()
    app = apps(server)
    server.stop()
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _open_and_read(app, pilot, FILE)
        assert "Could not reach VirusTotal" in text.replace("\n", " ")
        assert "Press ctrl+r to try again" in text
        assert app.is_running and not app.crashes


NETWORK_FAULTS = [
    ("hang", "did not answer in time"),
    ("malformed", "not valid JSON"),
    ("truncated", "dropped"),
    ("html", "HTML error page"),
    ("drop", "dropped"),
    ("transient", "temporary problem"),
    ("deadline", "took too long"),
    ("plain404", "no record"),
]


async def test_network_faults_are_shown_in_words(apps, serve):
    flaky = faults(1.0, ("hang",), only=only_file)
    # 1 s, not less: the server counts an attempt only once it connects, and on a busy
    # machine a 0.3 s connect timeout sometimes expired first (3 hangs seen instead of 4).
    app = apps(serve(flaky), timeout=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        text = await _open_and_read(app, pilot, FILE)
        for n, (kind, phrase) in enumerate(NETWORK_FAULTS):
            if n:  # the same report, reloaded (ctrl+r) while the next kind of fault is on
                flaky.kinds = (kind,)
                await inv.press("ctrl+r")
                text = screen_text(app)
            view = app.main.current_view
            assert view.obj is None and view.error is not None, kind
            assert phrase in text.replace("\n", " "), (kind, text)
            assert_plain_words(view.error.message)
            for bad in ("Traceback", "Error:", "httpx"):
                assert bad not in text
        assert flaky.kinds_injected() == {k: (1 if k == "plain404" else 4) for k, _ in NETWORK_FAULTS}
        await _still_works(app, pilot)


async def test_hostile_error_messages_stay_inert(apps, serve):
    app = apps(serve(hostile_errors()))
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _open_and_read(app, pilot, IOCS["not_found"])
        assert "VirusTotal has no record of this" in text
        svg = app.export_screenshot()
        for bad in ("\x1b", "&#27;", "\u202e", "EEEEEEEEEE"):
            assert bad not in svg
        assert app.title == "vttui" and not app.crashes


async def test_recovery_with_ctrl_r_after_a_failure(apps, serve):
    flaky = faults(1.0, ("transient",), only=only_file)
    app = apps(serve(chain(flaky)))
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _open_and_read(app, pilot, FILE)
        assert "temporary problem" in text
        assert len(flaky.injected) == 4  # tried, retried three times, then told the user
        flaky.rate = 0.0
        await Investigator(pilot).press("ctrl+r")
        await settle(pilot)
        view = app.main.current_view
        assert view.obj is not None and view.error is None
        assert "invoice_viewer.exe" in screen_text(app)


@pytest.mark.crash_expected
async def test_an_unexpected_exception_in_an_action_leaves_the_app_usable(apps, serve, monkeypatch):
    import asyncio

    from vttui.tui.screens.main import MainScreen

    def broken_copy(self) -> None:
        raise RuntimeError("a bug in an action")

    app = apps(serve(), strict=False)
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(DOMAIN)
        monkeypatch.setattr(MainScreen, "action_copy_id", broken_copy)
        app.simulate_key("c")
        for _ in range(500):  # until the safety net has caught it
            if app.crashes:
                break
            await asyncio.sleep(0.01)
        assert app.crashes, "the action did not run"
        alive = asyncio.Event()
        app.call_later(alive.set)  # does the app still process anything?
        await asyncio.wait_for(alive.wait(), 1.0)


# --- every write action, over the socket -------------------------------------------------------


async def wait_until(pilot, predicate, tries: int = 200) -> None:
    """Let the app work (pilot pauses) until ``predicate()``; fail if it never holds."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")


def posts_of(server) -> list[str]:
    return [t for m, t in server.backend.requests if m == "POST"]


async def test_every_write_action_over_the_socket(apps, serve, tmp_path):
    from vttui.tui.screens.main import MainScreen
    from vttui.tui.widgets.comments import CommentsPane

    server = serve()
    app = apps(server)
    sample = tmp_path / "e2e-upload.bin"
    sample.write_bytes(b"uploaded over a real socket " * 300)
    async with app.run_test(size=(110, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(DOMAIN)
        # comment: write, confirm, posted once, shown on top
        await inv.press("w")
        await pilot.press(*"beacon seen over loopback #e2e", "ctrl+s")
        await inv.press("y")
        assert isinstance(app.screen, MainScreen)
        assert inv.view.query_one(CommentsPane).items[0]["attributes"]["text"] == "beacon seen over loopback #e2e"
        # vote, then a second vote explained in the dialog
        for verdict in ("m", "h"):
            await inv.press("v")
            await inv.press(verdict)
            await inv.press("y")
        assert "already voted" in screen_text(app)
        await inv.press("escape")
        assert posts_of(server) == [f"/domains/{DOMAIN}/comments", f"/domains/{DOMAIN}/votes",
                                    f"/domains/{DOMAIN}/votes"]
        # upload a new file; it is followed to its fresh report
        await inv.press("u")
        app.screen.query_one("#path").value = str(sample)
        await inv.press("enter")
        assert "Not on VirusTotal yet" in screen_text(app)
        await inv.press("ctrl+u")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and inv.view.obj is not None
                         and inv.view.obj.title == "e2e-upload.bin")
        # scan a URL and re-analyse it
        await inv.open(IOCS["url"])
        await inv.press("s")
        await inv.press("enter")
        await inv.press("y")
        await inv.press("a")
        await inv.press("y")
        # download a sample
        await inv.open(FILE)
        await inv.press("D")
        app.screen.query_one("#dir").value = str(tmp_path)
        await inv.press("ctrl+s")
        await wait_until(pilot, lambda: (tmp_path / f"{FILE}.zip").exists() or (tmp_path / FILE).exists())
        assert posts_of(server) == [f"/domains/{DOMAIN}/comments", f"/domains/{DOMAIN}/votes",
                                    f"/domains/{DOMAIN}/votes", "/files", "/urls",
                                    f"/urls/{IOCS['url_id']}/analyse"]
        assert not app.crashes

"""Acting on VirusTotal from the TUI: every write confirms, shows its result, never repeats."""

from __future__ import annotations

import stat
import zipfile

import respx

from tests.support.pilot import copied, demo_app, screen_text, search, settle, wait_for
from vttui.config import Settings
from vttui.demo import demo_iocs
from vttui.tui.app import VTApp
from vttui.tui.screens.comment import CommentScreen, VoteScreen
from vttui.tui.screens.confirm import ConfirmScreen
from vttui.tui.screens.download import DownloadScreen
from vttui.tui.screens.export import ExportScreen, TrailExportScreen
from vttui.tui.screens.main import MainScreen
from vttui.tui.screens.scan import ScanURLScreen
from vttui.tui.screens.upload import UploadScreen
from vttui.tui.widgets.analyses import AnalysesPanel
from vttui.tui.widgets.comments import CommentList, CommentsPane
from vttui.tui.widgets.relations import ObjNode, RelationsTree, RelNode
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter

IOCS = demo_iocs()
FILE = IOCS["detected_file"]


def posts(backend) -> list[str]:
    return [path for method, path in backend.requests if method == "POST"]




async def test_comment_confirm_cancel_keeps_text_then_post_shows_on_top():
    app, backend = demo_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await search(pilot, FILE)
        await pilot.press("4")
        await settle(pilot)
        before = app.screen.query_one(CommentList).option_count
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, CommentScreen)
        await pilot.press(*"Seen in #phishing run [/]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # cancel the confirmation
        await pilot.pause()
        assert isinstance(app.screen, CommentScreen)
        assert app.screen.query_one("TextArea").text == "Seen in #phishing run [/]"
        assert posts(backend) == []
        assert "#phishing" in screen_text(app)  # tag preview
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert posts(backend) == [f"/files/{FILE}/comments"]
        comments = app.screen.query_one(CommentList)
        assert comments.option_count == before + 1
        pane = app.main.current_view.query_one(CommentsPane)
        assert pane.items[0]["attributes"]["text"] == "Seen in #phishing run [/]"
        assert "Seen in #phishing run [/]" in screen_text(app)  # first, literally
        # not re-fetched: the list shown is the old one plus the new comment
        assert len([r for r in backend.requests if "/comments" in r[1] and r[0] == "GET"]) == 1


async def test_vote_then_second_vote_is_explained_not_a_crash():
    app, backend = demo_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await search(pilot, IOCS["domain"])
        for verdict_key in ("m", "h"):
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, VoteScreen)
            await pilot.press(verdict_key)
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
        assert isinstance(app.screen, VoteScreen)  # the dialog stays, with the reason
        assert "already voted" in screen_text(app)
        assert len(posts(backend)) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_vote_cancelled_sends_nothing():
    app, backend = demo_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await search(pilot, IOCS["domain"])
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("escape")  # confirmation cancelled
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert posts(backend) == []


async def test_upload_small_file_is_followed_to_a_fresh_report(tmp_path, monkeypatch):
    sample = tmp_path / "dropper.bin"
    sample.write_bytes(b"vttui test upload " * 500)
    monkeypatch.chdir(tmp_path)
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, FILE)
        app.client._sleep = _fast_sleep
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UploadScreen)
        shown = {w.id for w in app.screen.query("#tree, #progress, #check, #upload, #open") if w.display}
        assert shown == {"tree", "check"}  # picking a file
        app.screen.query_one("#path").value = str(sample)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "shared with the security community" in text
        assert "Not on VirusTotal yet" in text
        assert posts(backend) == []  # nothing sent before the user says upload
        await pilot.press("ctrl+u")
        await settle(pilot)
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, MainScreen)
                and app.main.current_view.obj is not None
                and app.main.current_view.obj.title == "dropper.bin"
            ),
        )
        panel = app.screen.query_one(AnalysesPanel)
        assert panel.items[0].status == "completed"
        assert posts(backend) == ["/files"]
        assert app.main.current_view.obj.type == "file"


async def test_upload_of_a_known_file_offers_the_existing_report(tmp_path):
    content = backend_content()
    sample = tmp_path / "known.bin"
    sample.write_bytes(content)
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape")
        await pilot.press("u")
        await pilot.pause()
        app.screen.query_one("#path").value = str(sample)
        await pilot.press("enter")
        await settle(pilot)
        assert "already knows this file" in screen_text(app)
        shown = {w.id for w in app.screen.query("#tree, #progress, #check, #upload, #open") if w.display}
        assert shown == {"upload", "open"}  # the stage decides what shows: no tree, no progress
        await pilot.press("enter")  # "Open existing report" has the focus
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main.current_view.obj.id == FILE
        assert posts(backend) == []


def backend_content() -> bytes:
    from vttui.demo import DemoBackend

    backend = DemoBackend()
    backend.dataset.file_sha256(FILE)  # build the lazy dataset
    content = backend.dataset.content(FILE)
    assert content
    return content


async def test_upload_cancelled_before_sending(tmp_path):
    sample = tmp_path / "x.bin"
    sample.write_bytes(b"abc" * 100)
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape", "u")
        await pilot.pause()
        app.screen.query_one("#path").value = str(sample)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert posts(backend) == []


async def test_upload_of_a_missing_path_is_explained(tmp_path):
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape", "u")
        await pilot.pause()
        app.screen.query_one("#path").value = str(tmp_path / "nope.bin")
        await pilot.press("enter")
        await settle(pilot)
        assert "Cannot read" in screen_text(app)
        assert app.screen.query_one("#path").value.endswith("nope.bin")


async def _fast_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(0)


async def test_scan_url_and_reanalyse_are_followed():
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, IOCS["url"])
        app.client._sleep = _fast_sleep
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ScanURLScreen)
        assert app.screen.query_one("#url").value == IOCS["url"]  # prefilled from the report
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        panel = app.screen.query_one(AnalysesPanel)
        await wait_for(pilot, lambda: len(panel.items) == 2 and all(t.status == "completed" for t in panel.items))
        assert posts(backend) == ["/urls", f"/urls/{IOCS['url_id']}/analyse"]
        assert "completed" in screen_text(app)


async def test_download_to_a_zip_with_the_analysts_password(tmp_path):
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, IOCS["clean_file"])
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DownloadScreen)
        app.screen.query_one("#dir").value = str(tmp_path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        saved = tmp_path / f"{IOCS['clean_file']}.zip"
        assert saved.exists() and stat.S_IMODE(saved.stat().st_mode) == 0o600
        with zipfile.ZipFile(saved) as zf:
            data = zf.read(zf.namelist()[0], pwd=b"infected")
        import hashlib

        assert hashlib.sha256(data).hexdigest() == IOCS["clean_file"]


async def test_download_forbidden_says_premium_in_the_dialog(tmp_path):
    base = "https://vt.test/api/v3"
    file_obj = {"type": "file", "id": "a" * 64, "attributes": {"sha256": "a" * 64, "names": ["x.exe"]}}
    with respx.mock:
        respx.get(f"{base}/files/{'a' * 64}").respond(json={"data": file_obj})
        respx.get(f"{base}/files/{'a' * 64}/download").respond(
            403, json={"error": {"code": "ForbiddenError", "message": "no"}}
        )
        client = VTClient("k" * 64, base_url=base, limiter=RateLimiter(None, None), trust_env=False)
        app = VTApp(settings=Settings(api_key="k" * 64), client=client, clipboard=False, strict=True)
        async with app.run_test(size=(100, 40)) as pilot:
            await search(pilot, "a" * 64)
            await pilot.press("D")
            await pilot.pause()
            app.screen.query_one("#dir").value = str(tmp_path)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DownloadScreen)
            assert "premium" in screen_text(app)
        await client.aclose()
    assert list(tmp_path.iterdir()) == []


async def test_export_to_file_and_clipboard_never_leaks_the_key(tmp_path):
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, IOCS["domain"])
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        target = tmp_path / "report.md"
        app.screen.query_one("#path").value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = target.read_text()
        assert text.startswith("# Domain: api.update-relay.test")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#format").value = "json"
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
        import json

        exported = json.loads(copied(app)[-1])
        assert exported["id"] == IOCS["domain"]
        assert app.client.api_key not in text and app.client.api_key not in copied(app)[-1]


async def test_trail_export_lists_exactly_the_pivots_made(tmp_path):
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("3")
        await settle(pilot)
        tree = app.screen.query_one(RelationsTree)
        domains = next(
            n for n in tree.root.children if isinstance(n.data, RelNode) and n.data.rel.name == "contacted_domains"
        )
        domains.expand()
        await settle(pilot)
        target = next(c for c in domains.children if isinstance(c.data, ObjNode) and c.data.ref.id == IOCS["domain"])
        tree.move_cursor(target)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, TrailExportScreen)
        app.screen.query_one("#format").value = "json"
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
    import json

    data = json.loads(copied(app)[-1])
    pivots = data["pivots"]
    assert len(pivots) == 1
    assert pivots[0]["relationship"] == "contacted_domains"
    assert pivots[0]["from"]["id"] == FILE and pivots[0]["to"]["id"] == IOCS["domain"]
    assert {v["id"] for v in data["visits"]} == {FILE, IOCS["domain"]}


async def test_pcap_download_from_a_sandbox_report(tmp_path):
    app, backend = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("P")
        await settle(pilot)
        from vttui.tui.screens.pick import PickScreen

        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DownloadScreen)
        app.screen.query_one("#dir").value = str(tmp_path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = list(tmp_path.iterdir())
        assert len(saved) == 1 and saved[0].suffix == ".pcap"
        assert saved[0].read_bytes()[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")  # a pcap header
        assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600


async def test_upload_cancelled_while_sending_submits_nothing(tmp_path):
    import asyncio

    from vttui.config import Settings
    from vttui.demo import DemoBackend, DemoTransport
    from vttui.runtime import make_client

    sample = tmp_path / "big.bin"
    sample.write_bytes(b"\0" * (3 * 1024 * 1024))
    gate = asyncio.Event()

    async def slow_uploads(request, call_next):
        if request.method == "POST":
            await gate.wait()  # the server never finishes reading: the user cancels first
        return await call_next(request)

    backend = DemoBackend()
    client = make_client(Settings(), demo=True, transport=DemoTransport(backend, middleware=slow_uploads))
    app = VTApp(settings=Settings(), demo=True, client=client, clipboard=False, strict=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape", "u")
        await pilot.pause()
        app.screen.query_one("#path").value = str(sample)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await pilot.pause(0.3)
        assert app.screen.stage == "uploading"
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert isinstance(app.screen, MainScreen)
        gate.set()
        await pilot.pause(0.3)
        assert not app.screen.query_one(AnalysesPanel).items  # nothing followed
        assert [p for m, p in backend.requests if m == "POST"] == []  # the backend never completed one
    await client.aclose()

"""Every error class is shown in plain words where the user is looking; the app goes on.
Also the first-run screen and the light theme."""

from __future__ import annotations

import stat

import httpx
import pytest
import respx

from tests.support.pilot import demo_app, screen_text, search, settle
from vttui.config import Settings, config_path, load_settings
from vttui.tui.app import VTApp
from vttui.tui.screens.main import MainScreen
from vttui.tui.screens.welcome import WelcomeScreen
from vttui.tui.widgets.relations import InfoNode, RelationsTree, RelNode
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter

BASE = "https://vt.test/api/v3"
KEY = "k" * 60 + "wxyz"
SHA = "a" * 64
FILE = {
    "type": "file",
    "id": SHA,
    "attributes": {"sha256": SHA, "names": ["x.exe"], "last_analysis_stats": {"malicious": 3, "undetected": 60}},
}


def error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "said the server"}})


async def _fast(seconds: float) -> None:
    return None


def respx_app(per_day: int | None = None) -> tuple[VTApp, VTClient]:
    client = VTClient(
        KEY, base_url=BASE, limiter=RateLimiter(None, per_day), trust_env=False, sleep=_fast, max_retries=1
    )
    return VTApp(settings=Settings(api_key=KEY), client=client, clipboard=False, strict=True), client


CASES = [
    (error(401, "WrongCredentialsError"), "This API key was rejected by VirusTotal"),
    (error(401, "UserNotActiveError"), "not active"),
    (error(403, "ForbiddenError"), "premium"),
    (error(404, "NotFoundError"), "no record"),
    (httpx.ConnectError("[Errno 111] Connection refused"), "Could not reach VirusTotal"),
    (httpx.ReadTimeout("timed out"), "did not answer in time"),
    (httpx.Response(200, content=b'{"data": {"type": "fi'), "cut short or is not valid JSON"),
    (httpx.Response(502, text="<html>Bad gateway</html>", headers={"content-type": "text/html"}), "HTML error page"),
    (
        httpx.Response(200, text="<!doctype html><html>portal</html>", headers={"content-type": "text/html"}),
        "captive portal",
    ),
]


@pytest.mark.parametrize("reply,message", CASES, ids=[m for _, m in CASES])
async def test_lookup_errors_are_shown_inline_and_the_app_stays_usable(reply, message):
    app, client = respx_app()
    with respx.mock:
        route = respx.get(f"{BASE}/files/{SHA}")
        if isinstance(reply, Exception):
            route.mock(side_effect=reply)
        else:
            route.mock(return_value=reply)
        respx.get(f"{BASE}/domains/ok.test").respond(
            json={"data": {"type": "domain", "id": "ok.test", "attributes": {}}}
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, SHA)
            text = screen_text(app)
            assert message in text
            assert "Traceback" not in text
            await search(pilot, "ok.test")  # still usable
            assert app.main.current_view.obj.id == "ok.test"
            await pilot.press("backspace")
            await pilot.pause()
            assert message in screen_text(app)  # the failed view still says why
    await client.aclose()


async def test_quota_spent_says_when_it_resets():
    app, client = respx_app(per_day=1)
    with respx.mock:
        respx.get(f"{BASE}/domains/a.test").respond(json={"data": {"type": "domain", "id": "a.test", "attributes": {}}})
        respx.get(f"{BASE}/domains/b.test").mock(return_value=error(429, "QuotaExceededError"))
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, "a.test")
            await search(pilot, "b.test")
            text = screen_text(app)
            assert "Daily quota spent; resets at 00:00 UTC" in text
            assert "0/1 day" in text  # and the status line agrees
    await client.aclose()


async def test_premium_relationship_fails_politely_in_the_tree_and_can_be_retried():
    app, client = respx_app()
    with respx.mock:
        respx.get(f"{BASE}/files/{SHA}").respond(json={"data": FILE})
        premium = respx.get(f"{BASE}/files/{SHA}/similar_files").mock(return_value=error(403, "ForbiddenError"))
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, SHA)
            await pilot.press("3")
            await settle(pilot)
            tree = app.screen.query_one(RelationsTree)
            node = next(
                n for n in tree.root.children if isinstance(n.data, RelNode) and n.data.rel.name == "similar_files"
            )
            assert "premium" in node.label.plain
            node.expand()
            await settle(pilot)
            info = node.children[0]
            assert isinstance(info.data, InfoNode) and "needs a premium VirusTotal key (403)" in info.label.plain
            tree.move_cursor(info)
            await pilot.press("enter")  # retry
            await settle(pilot)
            assert premium.call_count == 2
            assert app.is_running
    await client.aclose()


async def test_comments_tab_error_does_not_blank_the_other_tabs():
    app, client = respx_app()
    with respx.mock:
        respx.get(f"{BASE}/files/{SHA}").respond(json={"data": FILE})
        respx.get(f"{BASE}/files/{SHA}/comments").mock(side_effect=httpx.ConnectError("down"))
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, SHA)
            await pilot.press("4")
            await settle(pilot)
            assert "Could not reach VirusTotal" in screen_text(app)
            await pilot.press("1")
            await pilot.pause()
            text = screen_text(app)
            assert "3/63" in text and "x.exe" in text  # the header and the other tabs are intact
            assert "No engine results" in text
    await client.aclose()


async def test_first_run_offers_key_entry_and_stores_it_privately(tmp_path, monkeypatch):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    # memory store: with a shared one the app checks the key's quota at start (a request)
    monkeypatch.setenv("VTTUI_STORE", "memory")
    from dataclasses import replace

    settings = replace(load_settings(), base_url=BASE)
    app = VTApp(settings=settings, clipboard=False, strict=True)
    notices: list[str] = []  # what the app says, whether or not a toast is on screen yet
    real_notify = app.notify

    def notify(message: str, *args: object, **kw: object) -> None:
        notices.append(str(message))
        real_notify(message, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "notify", notify)
    with respx.mock:
        check = respx.get(f"{BASE}/users/{KEY}").respond(json={"data": {"type": "user", "id": "analyst1"}})
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press(*"short", "enter")
            await pilot.pause()
            assert "only 5 characters long" in screen_text(app)  # the rule VT_API_KEY follows
            assert check.call_count == 0
            app.screen.query_one("#key").value = KEY
            await pilot.press("enter")
            await settle(pilot)
            assert check.call_count == 1  # checked once, when saved
            assert isinstance(app.screen, MainScreen)
            assert app.client is not None and app.client.api_key == KEY
            assert KEY not in screen_text(app)
            assert "…wxyz" in screen_text(app)
            assert any("accepts this key" in said for said in notices)  # the check's result, said
            assert not hasattr(app, "api_key_entered")
    path = config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings().api_key == KEY


async def test_first_run_can_open_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    app = VTApp(settings=load_settings(), clipboard=False, strict=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.demo
        assert "DEMO DATA" in screen_text(app)
    assert not config_path().exists()


async def test_light_theme_renders_every_tab():
    app, backend = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "textual-light"
        from vttui.demo import demo_iocs

        await search(pilot, demo_iocs()["detected_file"])
        for key in "12345":
            await pilot.press(key)
            await settle(pilot)
            assert "invoice_viewer.exe" in screen_text(app)
        assert app.theme == "textual-light"


async def test_a_rejected_key_can_be_changed_without_restarting(tmp_path, monkeypatch):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    new_key = "n" * 60 + "9999"
    from dataclasses import replace

    app, client = respx_app()
    app.settings = replace(load_settings(), base_url=BASE)
    with respx.mock:
        respx.get(f"{BASE}/domains/a.test").mock(side_effect=lambda r: (
            httpx.Response(200, json={"data": {"type": "domain", "id": "a.test", "attributes": {}}})
            if r.headers["x-apikey"] == new_key else error(401, "WrongCredentialsError")))
        wrong = respx.get(f"{BASE}/users/{'b' * 64}").mock(return_value=error(401, "WrongCredentialsError"))
        right = respx.get(f"{BASE}/users/{new_key}").respond(json={"data": {"type": "user", "id": "analyst9"}})
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await search(pilot, "a.test")
            text = screen_text(app)
            assert "This API key was rejected" in text
            assert "premium" not in text  # the key is wrong, not its tier
            assert "Press ctrl+k (Change API key)" in text  # the hint says which key changes it
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen)
            app.screen.query_one("#key").value = "b" * 64  # another wrong key: checked, refused, kept here
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            assert "VirusTotal refused this key" in screen_text(app)
            app.screen.query_one("#key").value = new_key
            await pilot.press("enter")
            await settle(pilot)
            assert wrong.call_count == right.call_count == 1  # each checked once
            assert "accepts this key" in screen_text(app)
            assert app.client is not client and app.client.api_key == new_key
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert app.main.current_view.obj.id == "a.test"
            assert "…9999" in screen_text(app)
            await app.client.aclose()
    assert load_settings().api_key == new_key

"""The TUI with the persistent store: a report an earlier session fetched opens at once
with its age in the header and costs no request; ctrl+r goes to VirusTotal; the status
line shows the shared quota (reconciled with the server at start) and says when the
store fell back.
"""

from __future__ import annotations

from dataclasses import replace

from tests.support.pilot import screen_text, settle
from vttui.config import Settings
from vttui.demo import DemoBackend, DemoTransport, demo_iocs
from vttui.runtime import make_client
from vttui.tui.app import VTApp
from vttui.vt.store.policy import StoreOptions

from .conftest import free_port

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
BASE = "https://vt.test/api/v3"
SETTINGS = Settings(api_key="tui-store-key-" + "k" * 40, api_key_source="VT_API_KEY", base_url=BASE,
                    store=StoreOptions("sqlite", "test"))


def app_for(backend: DemoBackend, settings: Settings = SETTINGS, **kw) -> VTApp:
    client = make_client(settings, transport=DemoTransport(backend))
    return VTApp(settings=settings, client=client, clipboard=False, strict=True, **kw)


def gets(backend: DemoBackend) -> list[str]:
    return [t for m, t in backend.requests if m == "GET" and not t.startswith("/users/")]


async def test_an_earlier_sessions_report_opens_with_its_age_and_ctrl_r_refreshes():
    backend = DemoBackend(base_url=BASE)
    # No per-minute limit: with the public 4/minute, shared through the store, the second
    # session's start-up requests waited out the first one's minute (60 s of real time).
    settings = replace(SETTINGS, per_minute=None)
    first = app_for(backend, settings, ioc=FILE)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "cached" not in screen_text(first)
    await first.client.aclose()
    assert len(gets(backend)) == 1

    second = app_for(backend, settings, ioc=IOCS["detected_file_md5"])
    async with second.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = second.main.current_view
        assert view.obj is not None and view.obj.id == FILE
        assert "cached just now · ctrl+r refreshes" in screen_text(second)
        assert len(gets(backend)) == 1  # no request: the store had it
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(gets(backend)) == 2
        assert "cached" not in screen_text(second)
    await second.client.aclose()


async def test_the_status_line_shows_the_servers_count_after_start():
    backend = DemoBackend(base_url=BASE)
    backend.api_calls = 42  # what the server counted today before this session
    app = app_for(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "458/500 day" in screen_text(app)
    await app.client.aclose()


async def test_the_status_line_says_when_the_store_fell_back():
    backend = DemoBackend(base_url=BASE)
    settings = replace(SETTINGS, store=StoreOptions(f"redis://127.0.0.1:{free_port()}/0", "test"))
    app = app_for(backend, settings, ioc=FILE)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "⚠ redis unreachable: cache local sqlite" in text
        assert app.main.current_view.obj.id == FILE  # the lookup went on
    await app.client.aclose()

"""Issue 14's papercuts in the TUI, as a newcomer meets them (Pilot, demo backend)."""

from __future__ import annotations

from textual import events

from tests.support.pilot import copied, demo_app, screen_text, search, settle, wait_for
from vttui.demo import demo_iocs
from vttui.tui.screens.triage import TriageScreen
from vttui.tui.widgets.search import SearchBar

IOCS = demo_iocs()
FILE = IOCS["detected_file"]




async def paste(pilot, text: str) -> None:
    """What the terminal's bracketed paste becomes: one Paste event to the focused widget."""
    pilot.app.screen.focused.post_message(events.Paste(text))
    await settle(pilot)


async def test_a_pasted_multi_line_block_lists_every_indicator_in_it():
    app, backend = demo_app()
    ticket = (
        "Subject: phishing report\r\n"
        "\r\n"
        f"The mail linked to hxxp://{IOCS['domain'].replace('.', '[.]')}/invoice\r\n"
        f"and the attachment had sha256 {FILE}\r\n"
        + "log noise without indicators\r\n" * 500
        + f"connections to {IOCS['ip']} seen at 02:13\r\n"
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await paste(pilot, ticket)
        screen = app.screen
        assert isinstance(screen, TriageScreen)  # the bulk-triage table (issue 15)
        assert len(screen.triage.rows) == 3  # the URL, the hash and the IP, nothing from the noise
        await wait_for(pilot, lambda: all(row.finished for row in screen.triage.rows))
        text = screen_text(app)
        for value in (IOCS["domain"], FILE, IOCS["ip"]):
            assert value in text
        assert "3/3 answered" in text


async def test_a_pasted_block_with_one_indicator_puts_it_in_the_bar():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await paste(pilot, f"hello,\n\nplease check\n{IOCS['ip']}\nthanks\n")
        bar = app.screen.query_one(SearchBar)
        assert bar.value == IOCS["ip"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.current_view.obj.id == IOCS["ip"]


async def test_a_pasted_block_without_indicators_says_so():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await paste(pilot, "nothing\nto see\nhere\n")
        assert "No hash, URL, domain or IP address in the 3 pasted lines" in screen_text(app)
        assert backend.requests == []


async def test_q_in_the_search_bar_at_start_is_a_letter_and_the_screen_says_how_to_quit():
    app, backend = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "ctrl+q  quit" in text  # the welcome names the key that quits from here
        assert "^q Quit" in text.splitlines()[-1]  # so does the key bar
        await pilot.press("q", "enter")
        await settle(pilot)
        assert app.is_running
        assert app.screen.query_one(SearchBar).value == "q"
        assert "To quit: ctrl+q" in screen_text(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_q_quits_once_the_search_bar_is_left():
    app, backend = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running


async def test_refanged_is_said_only_when_defanging_was_undone():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"c2.badsite.test:443")
        hint = screen_text(app).splitlines()[1]
        assert "URL http://c2.badsite.test:443" in hint and "refanged" not in hint
        app.screen.query_one(SearchBar).value = "hxxp://c2[.]badsite[.]test/x"
        await pilot.pause()
        assert "(refanged)" in screen_text(app).splitlines()[1]


async def test_an_unknown_tld_warns_and_a_second_enter_looks_it_up():
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"hxxp://evil[.]bit/x")
        assert "enter twice to look it up anyway" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "Unknown top-level domain '.bit'" in screen_text(app)
        assert "enter again to look it up anyway" in screen_text(app)
        assert backend.requests == []
        await pilot.press("enter")
        await settle(pilot)
        assert len(backend.requests) == 1
        assert "VirusTotal has no record of this URL." in screen_text(app)


async def test_not_found_names_the_kind_of_thing_even_when_the_reply_does_not():
    import httpx
    import respx

    from vttui.config import Settings
    from vttui.tui.app import VTApp
    from vttui.vt.client import VTClient
    from vttui.vt.ratelimit import RateLimiter

    base = "https://vt.test/api/v3"
    client = VTClient("k" * 64, base_url=base, limiter=RateLimiter(None, None), trust_env=False, max_retries=1)
    app = VTApp(settings=Settings(api_key="k" * 64), client=client, clipboard=False, strict=True)
    with respx.mock:
        respx.get(url__startswith=f"{base}/urls/").mock(
            return_value=httpx.Response(404, json={"error": {"code": "NotFoundError", "message": "Not found"}}))
        respx.get(url__startswith=f"{base}/domains/").mock(
            return_value=httpx.Response(404, json={"error": {"code": "NotFoundError"}}))
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, "http://nothing.example.com/x")
            assert "VirusTotal has no record of this URL." in screen_text(app)
            await search(pilot, "nothing.example.com")
            assert "VirusTotal has no record of this domain." in screen_text(app)
    await client.aclose()


def test_the_change_key_result_hands_the_key_over_once():
    import pytest

    from vttui.tui.screens.welcome import KeyChoice

    choice = KeyChoice(check="VirusTotal accepts this key.", _key="k" * 64)
    assert "k" * 16 not in repr(choice)
    assert choice.take_key() == "k" * 64
    with pytest.raises(RuntimeError):
        choice.take_key()


async def test_the_cache_hit_counter_counts_repeated_searches_and_pivots_served_from_cache():
    from vttui.tui.widgets.status import StatusLine

    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await search(pilot, IOCS["domain"])
        sent = len(backend.requests)
        status = app.screen.query_one(StatusLine)
        assert "0 cache hits" in screen_text(app)
        await search(pilot, FILE)  # searched again: from the cache
        await search(pilot, IOCS["domain"])
        assert len(backend.requests) == sent  # nothing fetched twice
        assert "2 cache hits" in screen_text(app)
        assert status.usage is not None and status.usage.cache_hits == 2  # what the client published


async def until(pilot, condition, rounds: int = 200) -> None:
    """Pause until ``condition()`` holds (a bounded number of frames, not a time)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never held:\n" + screen_text(pilot.app))


async def test_a_request_waiting_for_quota_says_so_counts_down_and_esc_cancels_it():
    import respx

    from vttui.config import Settings
    from vttui.tui.app import VTApp
    from vttui.vt.client import VTClient
    from vttui.vt.ratelimit import RateLimiter

    base = "https://vt.test/api/v3"
    client = VTClient("k" * 64, base_url=base, limiter=RateLimiter(1, None), trust_env=False, max_retries=1)
    app = VTApp(settings=Settings(api_key="k" * 64), client=client, clipboard=False, strict=True)
    with respx.mock:
        a = respx.get(f"{base}/domains/a.test").respond(
            json={"data": {"type": "domain", "id": "a.test", "attributes": {}}})
        b = respx.get(f"{base}/domains/b.test").respond(
            json={"data": {"type": "domain", "id": "b.test", "attributes": {}}})
        async with app.run_test(size=(120, 40)) as pilot:
            await search(pilot, "a.test")  # spends the minute's only slot
            assert a.call_count == 1
            await pilot.press("slash", *"b.test", "enter")
            await until(pilot, lambda: "Waiting for the quota: next slot in" in screen_text(app))
            text = screen_text(app)
            assert "Loading the report" not in text and "esc cancels" in text
            first = int(text.split("next slot in ")[1].split(" s")[0])
            assert 0 < first <= 61

            def seconds_shown() -> int:
                shown = screen_text(app)
                return int(shown.split("next slot in ")[1].split(" s")[0]) if "next slot in " in shown else first

            await until(pilot, lambda: seconds_shown() < first)  # it counts down
            view = app.main.current_view
            assert view.waiting_for_quota
            await pilot.press("escape")
            await settle(pilot)
            assert "Cancelled while waiting for the quota" in screen_text(app)
            assert b.call_count == 0  # nothing was sent
            assert client.limiter.state().waiting == 0
    await client.aclose()


import pytest  # noqa: E402


@pytest.mark.parametrize("size", [(120, 35), (80, 24)], ids=["120x35", "80x24"])
async def test_the_detections_filter_shows_what_is_typed_and_esc_clears_it(size):
    from vttui.tui.widgets.detections import DetectionsTable

    app, backend = demo_app()
    async with app.run_test(size=size) as pilot:
        await search(pilot, FILE)
        table = app.screen.query_one(DetectionsTable)
        every = table.row_count
        await pilot.press("f", *"kasper")
        await settle(pilot)
        line = next(ln for ln in screen_text(app).splitlines() if "engines" in ln and "kasper" in ln)
        assert line.count("kasper") == 2, line  # the summary's sign, and the box showing what is typed
        assert table.row_count < every
        await pilot.press("escape")  # clears the filter, back to the table
        await settle(pilot)
        assert table.row_count == every and app.screen.focused is table
        assert "kasper" not in screen_text(app)
        await pilot.press("f", *"kasper", "enter")  # enter keeps it, and says so
        await settle(pilot)
        assert table.row_count < every and app.screen.focused is table
        assert "filter: kasper" in screen_text(app)


async def test_the_palette_lists_recent_indicators_by_name_and_verdict_most_recent_first():
    from textual.command import CommandPalette

    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await search(pilot, IOCS["domain"])
        await pilot.press("escape")  # (leave whatever has the focus)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await until(pilot, lambda: "invoice_viewer.exe  58/72 malicious" in screen_text(app))
        lines = screen_text(app).splitlines()
        domain_at = next(i for i, ln in enumerate(lines) if f"{IOCS['domain']}  14/91 malicious" in ln)
        file_at = next(i for i, ln in enumerate(lines) if "invoice_viewer.exe  58/72 malicious" in ln)
        assert domain_at < file_at  # most recent first, without typing anything
        first_action = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Key: "))
        assert file_at < first_action  # before the actions
        await pilot.press(*"invoice")
        await until(pilot, lambda: "14/91 malicious" not in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert app.main.current_view.obj.title == "invoice_viewer.exe"


async def test_export_proposes_a_full_path_and_the_toast_says_it(tmp_path, monkeypatch):
    from vttui.tui.screens.export import ExportScreen

    monkeypatch.chdir(tmp_path)
    app, backend = demo_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await search(pilot, FILE)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        proposed = app.screen.query_one("#path").value
        assert proposed == str(tmp_path / f"file-{FILE}.md")  # full id, ASCII, full path
        assert proposed.isascii() and "…" not in proposed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (tmp_path / f"file-{FILE}.md").exists()
        toasts = [n.message for n in app._notifications]  # (on screen the toast wraps the path)
        assert any(str(tmp_path / f"file-{FILE}.md") in m for m in toasts), toasts


async def test_trail_export_asks_before_replacing_a_file_and_offers_a_free_name(tmp_path, monkeypatch):
    from vttui.tui.screens.export import TrailExportScreen

    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "vttui-trail.md"
    earlier.write_text("an earlier investigation\n")
    app, backend = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, FILE)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, TrailExportScreen)
        assert app.screen.query_one("#path").value.startswith(str(tmp_path / "vttui-trail-"))
        app.screen.query_one("#path").value = str(earlier)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TrailExportScreen)  # asked, not written
        said = str(app.screen.query_one(".status").render())  # (a long path wraps on screen)
        assert f"{earlier} already exists" in said and "ctrl+n to save as vttui-trail-2.md" in said
        assert earlier.read_text() == "an earlier investigation\n"
        await pilot.press("ctrl+n")  # a free name instead
        await settle(pilot)
        assert earlier.read_text() == "an earlier investigation\n"
        assert "58/72" in (tmp_path / "vttui-trail-2.md").read_text()

        await pilot.press("E")
        await settle(pilot)
        app.screen.query_one("#path").value = str(earlier)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+s")  # asked, and confirmed: replaced
        await settle(pilot)
        assert "58/72" in earlier.read_text()


async def test_a_keymap_in_the_config_remaps_a_binding_by_id_everywhere_it_is_shown(tmp_path):
    from dataclasses import replace

    from vttui.tui.screens.main import MainScreen

    app, backend = demo_app()
    app.settings = replace(app.settings, keymap=(("main.copy_id", "o"), ("main.nonsense", "x")))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await search(pilot, FILE)
        assert "c Copy id" not in screen_text(app).splitlines()[-1]
        await pilot.press("c")  # the default key no longer copies
        await settle(pilot)
        assert copied(app) == []
        await pilot.press("o")
        await settle(pilot)
        assert copied(app) == [FILE]
        assert any("main.nonsense" in n.message for n in app._notifications)  # a mistyped id is said
        from rich.console import Console

        from vttui.tui.screens.help import help_table

        console = Console(record=True, width=100)
        console.print(help_table(app))
        rows = [line.split() for line in console.export_text().splitlines()]
        assert ["o", "Copy", "id"] in rows and ["c", "Copy", "id"] not in rows  # the help screen
        titles = {c.title: c.help for c in app.get_system_commands(app.main)}
        assert titles["Copy id"] == "Key: o"  # and the palette
        assert isinstance(app.screen, MainScreen)


async def test_the_chosen_theme_is_saved_and_restored(tmp_path):
    from dataclasses import replace

    from vttui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text('# my settings\n[ui]\ntheme = "nord"\n')
    config.chmod(0o600)
    app, backend = demo_app()
    app.settings = replace(app.settings, theme="nord", config_file=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"  # restored at start
        app.theme = "textual-light"  # as the palette's "Change theme" does
        await settle(pilot)
    assert load_settings(env={}, path=config).theme == "textual-light"
    assert config.read_text().startswith("# my settings")  # the rest of the file is kept


def test_every_binding_has_an_id_and_the_documented_list_is_the_real_one():
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding

    import vttui.tui
    from vttui.tui.keymap import BINDING_IDS

    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(vttui.tui.__path__, "vttui.tui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not cls.__module__.startswith("vttui."):
                continue  # Textual's own (App's ctrl+q...)
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    assert binding.id, f"{cls.__name__}: {binding.key} -> {binding.action} has no id"
                    found[binding.id] = binding.key
    assert {i: k for i, (k, _what) in BINDING_IDS.items()} == found


async def test_a_compact_layout_at_80x24_gives_the_table_the_rows_and_keeps_keys_and_status_readable():
    from vttui.tui.widgets.detections import DetectionsTable
    from vttui.tui.widgets.header import VerdictHeader

    app, backend = demo_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await search(pilot, FILE)
        app.notify("Copied the id: a toast long enough to wrap over two lines of the rack here")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert app.screen.query_one(VerdictHeader).size.height <= 3
        table = app.screen.query_one(DetectionsTable)
        assert table.size.height >= 14  # was 10 with the 5-row header and the tab underline
        assert "Version" in lines[7] and "Updated" in lines[7]  # labels whole
        bar = lines[-1]
        assert "123456 Tabs" in bar and "123…" not in bar  # keys whole, or not at all
        assert lines[-2].lstrip().startswith("DEMO DATA")  # the toast leaves the status line alone
        assert "cache hits" in lines[-2]

    app, backend = demo_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await search(pilot, FILE)
        assert app.screen.query_one(VerdictHeader).size.height > 3  # room enough: the full header
        assert not app.screen.has_class("-compact")

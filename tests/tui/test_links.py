"""Links out: `o` copies the object's VirusTotal web page; objects and engine names carry
OSC 8 hyperlinks unless [ui] hyperlinks = false; [ui] defang_copies defangs copied values."""

from __future__ import annotations

from dataclasses import replace

from rich.style import Style

from tests.support.pilot import copied, search, settle, spy_clipboard
from vttui.config import Settings, load_settings
from vttui.demo import DemoBackend, demo_iocs
from vttui.tui.app import VTApp
from vttui.tui.widgets.details import DetailsTree
from vttui.tui.widgets.detections import DetectionsTable
from vttui.tui.widgets.header import VerdictHeader
from vttui.vt.ioc import defang_text

IOCS = demo_iocs()


def app_with(**ui) -> VTApp:
    settings = replace(Settings(), **ui)
    app = VTApp(settings=settings, demo=True, backend=DemoBackend(), clipboard=False, strict=True)
    spy_clipboard(app)
    return app


def links_in(text) -> set[str]:
    return {span.style.link for span in text.spans if isinstance(span.style, Style) and span.style.link}


async def test_o_copies_the_web_link_of_the_tab_shown():
    app = app_with()
    async with app.run_test(size=(120, 36)) as pilot:
        await search(pilot, IOCS["detected_file"])
        await pilot.press("o")
        assert copied(app)[-1] == f"https://www.virustotal.com/gui/file/{IOCS['detected_file']}/detection"
        await pilot.press("3", "o")
        assert copied(app)[-1].endswith("/relations")
        await search(pilot, IOCS["domain"])
        await pilot.press("o")
        assert copied(app)[-1] == f"https://www.virustotal.com/gui/domain/{IOCS['domain']}/detection"


async def test_objects_and_engine_names_carry_hyperlinks_unless_turned_off():
    for on in (True, False):
        app = app_with(hyperlinks=on)
        async with app.run_test(size=(120, 36)) as pilot:
            await search(pilot, IOCS["detected_file"])
            view = app.main.current_view
            table = view.query_one(DetectionsTable)
            engine_cell = table.get_row_at(0)[0]
            page = f"https://www.virustotal.com/gui/file/{IOCS['detected_file']}"
            header = view.query_one(VerdictHeader)
            assert links_in(engine_cell) == ({page + "/detection"} if on else set())
            rendered = header.content
            spans = [s for r in getattr(rendered, "renderables", [rendered]) for s in getattr(r, "spans", [])]
            assert ({s.style.link for s in spans if isinstance(s.style, Style) and s.style.link} == {page}) is on


async def test_defang_copies_setting():
    app = app_with(defang_copies=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await search(pilot, IOCS["url"])
        await pilot.press("2")
        await settle(pilot)
        tree = app.main.current_view.query_one(DetailsTree)
        row = next(n for n in tree.root.children[0].children if n.data.label == "URL")
        tree.focus()
        tree.move_cursor(row)
        await pilot.pause()
        await pilot.press("y")  # the URL row of Details
        assert copied(app)[-1].startswith("hxxp") and "[.]" in copied(app)[-1]
        await search(pilot, IOCS["domain"])
        await pilot.press("c")
        assert copied(app)[-1] == defang_text(IOCS["domain"]) and "[.]" in copied(app)[-1]
        await pilot.press("o")  # a link to VirusTotal itself stays a link
        assert copied(app)[-1].startswith("https://www.virustotal.com/gui/domain/")


def test_ui_settings_are_read_and_checked(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('api_key = "' + "a" * 64 + '"\n[ui]\nhyperlinks = false\ndefang_copies = true\n')
    path.chmod(0o600)
    settings = load_settings(env={}, path=path)
    assert settings.hyperlinks is False and settings.defang_copies is True
    assert not any("Unknown setting" in w for w in settings.warnings)
    path.write_text('api_key = "' + "a" * 64 + '"\n[ui]\nhyperlinks = "no"\n')
    try:
        load_settings(env={}, path=path)
    except Exception as exc:
        assert "ui.hyperlinks" in str(exc)
    else:
        raise AssertionError("a bad ui.hyperlinks was accepted")

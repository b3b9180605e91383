"""The key bar: the keys that work where the focus is, help and palette always in sight."""

from __future__ import annotations

from tests.support.pilot import demo_app, screen_text, search, settle
from vttui.demo import demo_iocs
from vttui.tui.screens.help import HelpScreen
from vttui.tui.widgets.footer import KeyBar

IOCS = demo_iocs()


async def test_bar_follows_the_focus_and_keeps_help_and_palette_at_80_columns():
    app, _backend = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(KeyBar)
        start = bar.shown_text()
        assert "/ Search" in start
        # The search bar has the focus and types "?": help is offered on f1 instead.
        assert start.rstrip().endswith("f1 Help  ^p Palette")

        await search(pilot, IOCS["detected_file"])
        text = bar.shown_text()
        assert len(text) == 80
        assert text.startswith(" d Detected only  f Filter")
        assert text.rstrip().endswith("? Help  ^p Palette")  # pinned, however long the rest
        assert "…" in text  # the rest is cut where it no longer fits, visibly
        assert screen_text(app).splitlines()[-1].strip() == text.strip()

        await pilot.press("3")
        await settle(pilot)
        assert bar.shown_text().startswith(" ⏎ Pivot/expand  m More")
        assert not bar.children  # one widget: nothing mounted on a focus change


async def test_clicking_a_key_presses_it():
    app, _backend = demo_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await search(pilot, IOCS["detected_file"])
        bar = app.screen.query_one(KeyBar)
        bar.shown_text()
        x = next(start for start, _end, key in bar._hotspots if key == "question_mark")
        assert bar.key_at(x) == "question_mark"
        await pilot.click(KeyBar, offset=(x, 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)

        x = next(start for start, _end, key in bar._hotspots if key == "2")
        await pilot.click(KeyBar, offset=(x, 0))
        await settle(pilot)
        assert app.main.current_view.active_tab == "details"
        assert bar.key_at(0) is None  # the space before the first key presses nothing

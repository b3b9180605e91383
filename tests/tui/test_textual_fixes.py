"""The Textual work-arounds keep doing their job (and Textual's own result)."""

from __future__ import annotations

import gc
import weakref

from textual._styles_cache import StylesCache
from textual.color import Color

from vttui.tui import textual_fixes


def test_styles_cache_is_not_kept_alive_by_get_inner_outer():
    textual_fixes.apply()
    cache = StylesCache()
    inner, outer = cache.get_inner_outer(Color(18, 18, 18), Color(36, 47, 56))
    assert inner.background is not None and outer.background is not None
    ref = weakref.ref(cache)
    del cache
    gc.collect()
    assert ref() is None, "a removed widget's StylesCache (and its rendered lines) stayed in memory"


def test_patched_method_returns_what_textual_computes():
    textual_fixes.apply()
    base, bg = Color(10, 20, 30), Color(40, 50, 60, 0.5)
    inner, outer = StylesCache().get_inner_outer(base, bg)
    assert outer.background == base
    assert inner.background == base + bg
    assert StylesCache().get_inner_outer(base, bg) == (inner, outer)


async def test_the_program_freezes_its_start_up_heap_and_tests_do_not():
    from tests.support.pilot import demo_app, settle
    from vttui.tui import app as app_module

    gc.unfreeze()
    app, _backend = demo_app()
    assert app.freeze_heap is False  # many apps share a test process: nothing frozen for ever
    async with app.run_test() as pilot:
        await settle(pilot)
        app.ensure_started()
        assert gc.get_freeze_count() == 0

    built = {}

    class Probe(app_module.VTApp):
        def __init__(self, **kw):
            super().__init__(**kw)
            built["app"] = self

        def run(self, *a, **kw):  # what `vttui` would run, without a terminal
            return None

    original = app_module.VTApp
    app_module.VTApp = Probe
    try:
        from vttui.cli import launch

        saved = launch.terminal_problem
        launch.terminal_problem = lambda *a: None  # pytest's stdout is no terminal; the app is a probe
        try:
            assert launch.run_app(demo=True) == 0
        finally:
            launch.terminal_problem = saved
    finally:
        app_module.VTApp = original
    assert built["app"].freeze_heap is True

    frozen, _backend = demo_app()
    frozen.freeze_heap = True
    try:
        async with frozen.run_test() as pilot:
            await settle(pilot)
            frozen.ensure_started()
            assert gc.get_freeze_count() > 0  # Textual, the client, the demo data: out of the collector's way
            # A key change (here: to the demo data) freezes nothing more: the live report
            # views it would freeze could then never be collected once evicted.
            from vttui.tui.screens.welcome import WelcomeScreen

            freezes: list[int] = []
            real_freeze = gc.freeze
            gc.freeze = lambda: freezes.append(1)  # type: ignore[assignment]
            try:
                frozen.action_change_key()  # (ctrl+k; the focused search bar keeps that key)
                await pilot.pause()
                assert isinstance(frozen.screen, WelcomeScreen)
                await pilot.press("ctrl+d")
                await settle(pilot)
                assert not isinstance(frozen.screen, WelcomeScreen)
            finally:
                gc.freeze = real_freeze
            assert freezes == []
    finally:
        gc.unfreeze()


async def test_the_terminal_losing_focus_keeps_the_focused_widget_and_queued_keys():
    """Alt-tab right after enter: the enter, already sent by the terminal, still opens the
    report (Textual dropped the focus on blur, and with it the search bar's bindings),
    and nothing is restyled."""
    from textual import events

    from tests.support.pilot import demo_app, settle
    from vttui.demo import demo_iocs
    from vttui.tui.widgets.search import SearchBar

    app, _backend = demo_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(SearchBar)
        assert app.focused is bar
        bar.value = demo_iocs()["domain"]
        restyled: list[object] = []
        app.screen.update_node_styles = lambda *a, **k: restyled.append(a)  # type: ignore[method-assign]
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.AppBlur())
        await settle(pilot)
        assert app.focused is not None
        app.post_message(events.AppFocus())
        await settle(pilot)
        view = app.main.current_view
        assert view is not None and view.obj is not None and view.obj.id == demo_iocs()["domain"]
        assert restyled == []
        assert app.app_focus

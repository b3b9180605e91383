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


# --- the private Textual API vttui relies on: fails loudly when Textual changes shape ---
#
# Textual is pinned exactly (pyproject.toml). Each check names what vttui does with the
# private piece, so a Textual upgrade that breaks one says where to look. The list is
# docs/textual-private.md's; keep both in step.

import inspect  # noqa: E402

from textual.app import App  # noqa: E402
from textual.widgets import DataTable, Input  # noqa: E402


def _params(func: object) -> list[str]:
    return list(inspect.signature(func).parameters)  # type: ignore[arg-type]


def test_styles_cache_get_inner_outer_is_still_a_cached_function_of_two_colours():
    """textual_fixes (Textualize/textual#6665): wraps ``__wrapped__`` and caches on the
    colours; gone or reshaped, the patch silently does nothing and the leak is back."""
    current = StylesCache.__dict__["get_inner_outer"]
    original = getattr(current, "__wrapped__", current)
    assert _params(original)[1:] == ["base_background", "background"]


def test_app_dispatch_action_and_handle_exception_keep_their_shape():
    """VTApp overrides ``_dispatch_action`` (a failing key action becomes a notice and a
    crash log instead of Textual's exit) and ``_handle_exception`` (the crash path for
    handlers and workers). No public hook exists for either."""
    assert _params(App._dispatch_action) == ["self", "namespace", "action_name", "params"]
    assert inspect.iscoroutinefunction(App._dispatch_action)
    assert _params(App._handle_exception) == ["self", "error"]


def test_app_focus_watcher_is_still_the_private_watch_app_focus():
    """VTApp overrides ``_watch_app_focus`` so a terminal blur neither restyles every
    widget nor drops the focus (and with it a key already sent)."""
    assert _params(App._watch_app_focus) == ["self", "focus"]
    assert "app_focus" in App._reactives


def test_datatable_private_api_used_by_report_table():
    """``widgets/table.py`` (fitted columns, fast one-line cells) overrides
    ``_render_cell``, ``_update_dimensions`` and ``_on_resize`` and reads DataTable's
    bookkeeping. Upstream DataTable renders every cell through Rich's full pipeline and
    forgets every rendered cell on resize; there is no public per-cell render hook."""
    assert _params(DataTable._render_cell) == [
        "self", "row_index", "column_index", "base_style", "width", "cursor", "hover",
    ]
    assert _params(DataTable._update_dimensions) == ["self", "new_rows"]
    assert _params(DataTable._on_resize) == ["self", "_"]
    assert _params(DataTable._render_line) == ["self", "y", "x1", "x2", "base_style"]
    assert _params(DataTable._get_styles_to_render_cell)[1:] == [
        "is_header_cell", "is_row_label_cell", "is_fixed_style_cell", "hover", "cursor",
        "show_cursor", "show_hover_cursor", "has_css_foreground_priority", "has_css_background_priority",
    ]
    for method in ("_get_row_renderables", "_update_column_widths", "_highlight_cursor"):
        assert callable(getattr(DataTable, method)), method
    table: DataTable[object] = DataTable()
    for attribute in (
        "_row_locations", "_column_locations", "_cell_render_cache", "_update_count", "_data",
        "_new_rows", "_require_update_dimensions", "_updated_cells", "_show_hover_cursor",
        "_header_row_key", "_pseudo_class_state",
    ):
        assert hasattr(table, attribute), attribute
    for attribute in ("_total_row_height", "_row_label_column_width"):
        assert isinstance(inspect.getattr_static(DataTable, attribute), property), attribute


def test_input_still_has_the_signal_and_timer_the_filter_box_lets_go_of():
    """``FilterInput.on_unmount`` unsubscribes from ``text_selection_started_signal`` and
    stops ``_blink_timer``: Textual's Input keeps both after unmount, holding the widget
    (and the closed report view around it) in memory."""
    import textual.screen

    assert "self.text_selection_started_signal" in inspect.getsource(textual.screen.Screen.__init__)
    assert "_blink_timer" in inspect.getsource(Input)


def test_trace_wraps_the_apps_private_display():
    """``trace.watch_frames`` (only with VTTUI_TRACE, for the real-terminal benchmark)
    wraps ``App._display`` and reads ``_batch_count``."""
    assert _params(App._display) == ["self", "screen", "renderable"]
    assert "_batch_count" in inspect.getsource(App.__init__)

"""The vttui Textual application: wiring, global keys, clipboard, safety net."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ..config import Settings, crash_log_path, mask_key
from ..export.trail import Trail
from ..vt.errors import VTError
from . import text as T
from . import textual_fixes, trace
from .recent import RecentIOCs, RecentList
from .screens.main import MainScreen
from .widgets.status import StatusLine

textual_fixes.apply()

if TYPE_CHECKING:
    from textual.theme import Theme

    from ..demo import DemoBackend
    from ..vt.client import VTClient
    from ..vt.ioc import IOC
    from .screens.welcome import KeyChoice


class VTApp(App[None]):
    """vttui: triage VirusTotal from the terminal."""

    TITLE = "vttui"
    CSS = """
    Screen { layers: base overlay; }
    Toast { max-width: 70; }
    /* Toasts stay above the status line and the key bar (they used to cover them). */
    ToastRack { margin-bottom: 2; }
    """
    ENABLE_COMMAND_PALETTE = True
    #: Recent indicators first (listed as soon as the palette opens), then the actions.
    COMMANDS = {RecentIOCs}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Shown: in the search bar q is a letter (qq.com), and the key bar says ^q there.
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit_alt"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("f1", "help", "Help", show=False, priority=True, id="app.help_alt"),
        Binding("ctrl+k", "change_key", "Change API key", show=False, id="app.change_key"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.command_palette"),
    ]

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        demo: bool = False,
        ioc: str | None = None,
        client: VTClient | None = None,
        backend: DemoBackend | None = None,
        clipboard: bool = True,
        strict: bool | None = None,
        freeze_heap: bool = False,
    ) -> None:
        super().__init__()
        if not os.environ.get("TEXTUAL_ANIMATIONS"):
            # Over SSH every animation frame is bytes on the wire and a slower key press;
            # TEXTUAL_ANIMATIONS=full brings them back.
            self.animation_level = "none"
        self.settings = settings or Settings()
        self.demo = demo
        self.initial_ioc = ioc
        self.client: VTClient | None = client
        self.backend = backend
        self.use_system_clipboard = clipboard
        #: In tests an unexpected exception must fail loudly; for users it becomes a notice.
        self.strict = bool(os.environ.get("VTTUI_STRICT")) if strict is None else strict
        self.crashes: list[BaseException] = []
        self.recent = RecentList()
        self._saved_theme: str | None = None
        self.trail = Trail()
        self._owns_client = client is None
        self._started = False
        #: Only the real program sets this: tests run many apps in one process.
        self.freeze_heap = freeze_heap
        self._heap_frozen = False

    # --- startup -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        return MainScreen()

    def on_mount(self) -> None:
        trace.watch_frames(self)
        self._apply_preferences()
        if self.demo:
            self.sub_title = "DEMO DATA (offline)"
        if self.client is None and not (self.demo or self.settings.api_key):
            self._start()  # first run: the welcome screen at once
        else:
            # The search bar is painted and usable first; the client (httpx, the demo
            # data) is built just after, or at once if something needs it earlier.
            self.call_after_refresh(self.ensure_started)

    def _apply_preferences(self) -> None:
        """[keymap] and the saved theme, from the config; a mistyped id or theme is said."""
        from .keymap import unknown_ids

        keymap = dict(self.settings.keymap)
        if keymap:
            self.set_keymap(keymap)
            unknown = unknown_ids(keymap)
            if unknown:
                self.notify(f"Unknown key binding id(s) in [keymap]: {', '.join(unknown)} (see the README).",
                            severity="warning", timeout=10, markup=False)
        theme = self.settings.theme
        if theme and theme != self.theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(f"Unknown theme {theme!r} in the config ([ui] theme); using {self.theme}.",
                            severity="warning", timeout=10, markup=False)
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        """The user picked a theme (palette, "Change theme"): keep it for the next start."""
        if theme.name == self._saved_theme:
            return
        from ..config import save_theme
        from ..vt.errors import ConfigError

        self._saved_theme = theme.name
        try:
            save_theme(theme.name, self.settings.config_file)
        except (ConfigError, OSError) as exc:
            self.notify(f"Could not save the theme: {getattr(exc, 'message', exc)}", severity="warning",
                        markup=False)

    def ensure_started(self) -> None:
        if not self._started:
            self._start()

    def _start(self) -> None:
        self._started = True
        if self.client is None:
            if self.demo or self.settings.api_key:
                self._start_client(self.demo)
            else:
                from .screens.welcome import WelcomeScreen

                self.push_screen(WelcomeScreen(self.settings.config_file, settings=self.settings), self._welcome_done)
                return
        self._after_start()

    def _welcome_done(self, choice: KeyChoice | None) -> None:
        if choice is None:
            self.exit()
            return
        if choice.demo:
            self.demo = True
            self.sub_title = "DEMO DATA (offline)"
            self.screen.set_class(True, "demo")
            self._start_client(True)
        else:
            self.settings = _with_new_key(self.settings, choice)
            self._start_client(False)
            self.notify(f"Key {self.settings.masked_key} saved to {self.settings.config_file}. {choice.check}",
                        markup=False, timeout=8)
        self._after_start()

    def _start_client(self, demo: bool) -> None:
        from ..runtime import make_client

        self.client = make_client(self.settings, demo=demo, backend=self.backend)
        self._owns_client = True

    def _after_start(self) -> None:
        client = self.client
        if client is not None:
            for status in self.main.query(StatusLine):  # (it binds itself if not yet mounted)
                status.bind_client(client)
        if not self.demo:
            _warm_network_imports()
        if client is not None and client.store is not None:
            self._prepare_store(client)
        if self.freeze_heap and not self._heap_frozen:
            # Once: again on a key change would freeze the live report views, and those
            # evicted afterwards would never be collected (a few MB each).
            self._heap_frozen = True
            self._freeze_heap()
        if self.initial_ioc:
            self.call_after_refresh(self._open_initial)

    @work(group="store", name="Local store", exit_on_error=False)
    async def _prepare_store(self, client: VTClient) -> None:
        """Check the store answers (else it falls back, and the status line says so), then
        take the server's count of today's requests into the shared ledger."""
        await client.prepare()
        if client.store_notice is None:  # (a fallback is said by the status line, once)
            for warning in getattr(client.store, "warnings", []):  # e.g. a damaged file moved aside
                self.notify(warning, severity="warning", timeout=10, markup=False)
        if not self.demo and client.limiter.per_day is not None:
            # A background nicety: on any failure the local figures stay (a real problem, a
            # bad key or no network, shows on the user's next lookup). Once a day with a
            # store: the call costs a request of the per-minute quota.
            with contextlib.suppress(Exception):
                if await client.quota_reconcile_due():
                    await client.reconcile_quota()
        for status in self.main.query(StatusLine):
            status.store_changed()

    def _freeze_heap(self) -> None:
        """Take what start-up built (Textual, the client, the demo dataset) out of the
        garbage collector's sight. It lives as long as the app, and a full collection that
        walks it stalls the screen for ~100 ms, often just as a report arrives."""
        import gc

        gc.collect(1)  # young garbage (start-up temporaries) is not kept for ever
        gc.freeze()

    def _open_initial(self) -> None:
        if self.initial_ioc:
            from ..vt.ioc import try_classify

            ioc = try_classify(self.initial_ioc)
            if ioc is None:
                from ..vt.ioc import extract

                found = extract(self.initial_ioc)
                ioc = found[0] if found else None
            if ioc is None:
                self.notify(f"Not an indicator: {T.plain(self.initial_ioc, 80)}", severity="error", markup=False)
            else:
                self.main.open_ioc(ioc)

    @property
    def vt(self) -> VTClient:
        """The client, for code that runs once the app has started (a report is open,
        a dialog was reached from one)."""
        if self.client is None:
            raise RuntimeError("the VirusTotal client is not started yet")
        return self.client

    @property
    def main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise RuntimeError("main screen is not running")

    async def on_unmount(self) -> None:
        if self.client is not None and self._owns_client:
            await self.client.aclose()

    # --- shared services -------------------------------------------------------------------

    def remember_ioc(self, ioc: IOC) -> None:
        self.recent.opened(ioc)

    def copy(self, value: str, what: str) -> None:
        """Copy to the clipboard by OSC 52 (works over SSH) and, where there is one, the
        local clipboard; always say what was copied."""
        text = T.copy_text(value)
        self.copy_to_clipboard(text)
        if self.use_system_clipboard:
            threading.Thread(target=_pyperclip_copy, args=(text,), daemon=True).start()
        preview = T.plain(text, 60)
        self.notify(f"Copied {what}: {preview}", timeout=3, markup=False)

    def open_triage(self, text: str) -> None:
        """Bulk triage of a block of text (a pasted ticket): every indicator in it, one row
        each, looked up within the quota. The entry point for pastes and the palette."""
        from .screens.triage import open_triage

        open_triage(self, text)

    def open_analysis(self, analysis_id: str) -> None:
        self.notify("Following analyses arrives with the submissions feature.", severity="warning")

    # --- actions -------------------------------------------------------------------------

    def action_change_key(self) -> None:
        """Enter another key (saved 0600) or switch to the demo, without restarting."""
        from .screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen(self.settings.config_file, first_run=False, settings=self.settings),
                         self._key_changed)

    def _key_changed(self, choice: KeyChoice | None) -> None:
        if choice is None:
            return
        old, owned = self.client, self._owns_client
        self.initial_ioc = None
        if choice.demo:
            self.demo = True
            self._start_client(True)
        else:
            self.demo = False
            self.settings = _with_new_key(self.settings, choice)
            self._start_client(False)
        self.sub_title = "DEMO DATA (offline)" if self.demo else ""
        self.main.set_class(self.demo, "demo")
        self._after_start()
        if old is not None and owned:
            self._close_client(old)
        what = "the demo data" if self.demo else f"key {self.settings.masked_key}"
        self.notify(f"Now using {what}; ctrl+r reloads a report with it. {choice.check}".rstrip(),
                    markup=False, timeout=8)

    async def action_quit(self) -> None:
        """Quit, once no report view is half-mounted (see ``MainScreen.views_mounted``)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                await screen.views_mounted()
        self.exit()

    @work(group="close-client", exit_on_error=False)
    async def _close_client(self, client: VTClient) -> None:
        await client.aclose()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is None:
            return
        from .keymap import key_display

        seen: set[str] = set()
        for binding in MainScreen.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            keys = key_display(self, binding)
            yield SystemCommand(binding.description, f"Key: {keys}", lambda a=binding.action: self.run_action(a, main))
        yield from _back_to_lists(self)
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)
        yield SystemCommand(
            "Change API key",
            "Enter another VirusTotal key, or switch to the demo data (ctrl+k)",
            self.action_change_key,
        )

    # --- the terminal's focus ----------------------------------------------------------

    def _watch_app_focus(self, focus: bool) -> None:  # private Textual API: docs/textual-private.md
        """The terminal losing or regaining focus (alt-tab, another tmux window) changes
        nothing here. Textual would restyle every widget on the screen both ways (for
        ``App:blur`` rules; its only one dims the Header, which vttui does not use), ~130 ms
        each on a small machine, so a few switches while a report opened starved it; and
        it would drop the focus, so a key the terminal sent just before (enter on a
        search) lost the bindings of the widget it was typed in. The focused widget
        keeps the focus; ``app_focus`` itself still says whether the terminal has it."""

    # --- safety net ----------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[object]) -> None:
        """The one place a failed worker is reported (see ``base.py``): a VirusTotal
        error is a notice titled with the worker's name ("Scan failed"); anything else is
        a bug, and goes the crash path."""
        error = worker.error
        if isinstance(error, VTError):
            self.notify(error.message, title=worker.name or "", severity="error", markup=False, timeout=8)
        elif isinstance(error, Exception):
            self._handle_exception(error)

    # Private Textual API (no public hook for either; docs/textual-private.md, shape checked
    # by tests/tui/test_textual_fixes.py). Workers do not come here: see worker_failed.
    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        """A bug in one key's action must not take the app down: Textual would stop
        reading keys altogether. Say so, log it, and carry on."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as exc:
            if self.strict:
                raise
            self._handle_exception(exc)
            return True

    def _handle_exception(self, error: Exception) -> None:
        if self.strict:
            super()._handle_exception(error)
            return
        self.crashes.append(error)
        where = _write_crash_log(error, self.client.api_key if self.client else None)
        try:
            self.notify(
                f"Something unexpected went wrong; the app keeps running. Details: {where}",
                severity="error", timeout=8, markup=False,
            )
        except Exception:
            super()._handle_exception(error)


def _with_new_key(settings: Settings, choice: KeyChoice) -> Settings:
    """The settings with the dialog's key, and its own account (not the old key's)."""
    from dataclasses import replace

    return replace(settings.with_key(choice.take_key(), "config file"), user_id=choice.user_id)


def _back_to_lists(app: VTApp) -> Iterable[SystemCommand]:
    """Palette entries back to the last search results and triage table, when there are."""
    from .screens.search_results import current_results
    from .screens.triage import SCREEN_NAME, reopen_triage

    results = current_results(app)
    if results is not None and results not in app.screen_stack:
        yield SystemCommand("Back to search results", f"vti:{T.plain(results.query_text, 60)}",
                            lambda: app.push_screen(results))
    if app.is_screen_installed(SCREEN_NAME) and app.get_screen(SCREEN_NAME) not in app.screen_stack:
        yield SystemCommand("Back to the triage table", "The last bulk triage (T)", lambda: reopen_triage(app))


def _warm_network_imports() -> None:
    """Import now (after the first frame, while the user types) what httpx's connection
    pool imports on the first request: anyio's asyncio backend and its helpers. Left to
    the first lookup, that is ~70-110 ms on a small machine added to the first report."""
    import importlib

    for name in ("anyio._backends._asyncio", "anyio.to_thread", "anyio.streams.tls"):
        with contextlib.suppress(ImportError):  # another httpx/httpcore stack: nothing to warm
            importlib.import_module(name)


def _pyperclip_copy(text: str) -> None:
    try:
        import pyperclip  # type: ignore[import-untyped]  # (no stubs; one call)

        pyperclip.copy(text)
    except Exception:
        pass  # no local clipboard (SSH, headless): OSC 52 already did the job


def _write_crash_log(error: BaseException, api_key: str | None) -> str:
    import traceback

    path = crash_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "".join(traceback.format_exception(error))
        if api_key:
            text = text.replace(api_key, mask_key(api_key))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now(dt.UTC).isoformat()}\n{text}\n")
        return str(path)
    except OSError:
        return "no log could be written"

"""First run: no API key and no --demo. Enter a key (saved with mode 0600) or open the demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ...config import Settings, save_api_key, save_user_id
from ...vt.apikey import key_problem
from ...vt.errors import ConfigError
from ..base import VTModal

INTRO = """\
vttui needs a VirusTotal API key. Get one free at virustotal.com (your profile → API key).
It is stored in {path} with mode 0600, and only its last 4 characters are ever shown.

Or explore the bundled offline demo data first: nothing is sent anywhere."""


@dataclass(eq=False)
class KeyChoice:
    """What the dialog decided: the demo, or a new key (saved) and what its check said.

    The key is handed over once (:meth:`take_key`) and not kept here afterwards, so it
    does not linger on an app attribute or in a screen's result."""

    demo: bool = False
    #: What checking the key said ("VirusTotal accepts this key", "could not be checked").
    check: str = ""
    #: The account the check named (so the quota lookup need not put the key in a URL).
    user_id: str | None = None
    _key: str = field(default="", repr=False)

    def take_key(self) -> str:
        key, self._key = self._key, ""
        if not key and not self.demo:
            raise RuntimeError("the key of this choice was already taken")
        return key


class WelcomeScreen(VTModal[KeyChoice | None]):
    """Dismisses with a :class:`KeyChoice` (the demo, or a key checked and saved), or
    None (quit, or cancel)."""

    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; }
    WelcomeScreen > Vertical {
        width: 84; max-width: 98%; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    WelcomeScreen .title { text-style: bold; color: $primary; }
    WelcomeScreen Input { margin: 1 0 0 0; }
    WelcomeScreen .error { color: $error; height: auto; }
    WelcomeScreen Horizontal { height: auto; margin-top: 1; }
    WelcomeScreen Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("ctrl+d", "demo", "Open the demo", priority=True, id="welcome.demo"),
        Binding("escape", "quit", "Quit", id="welcome.quit"),
    ]

    def __init__(self, config_file: Path, *, first_run: bool = True, settings: Settings | None = None) -> None:
        super().__init__()
        self.config_file = config_file
        self.first_run = first_run
        #: Where the new key is checked (the real server, even from the demo).
        self.settings = settings or Settings()
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Welcome to vttui" if self.first_run else "Change the API key", classes="title")
            yield Static(Text(INTRO.format(path=self.config_file)))
            yield Input(placeholder="paste your API key and press enter", password=True, id="key")
            yield Static("", classes="error")
            with Horizontal():
                yield Button("Save key", id="save", variant="primary")
                yield Button("Open the demo (ctrl+d)", id="demo")
                yield Button("Quit (esc)" if self.first_run else "Cancel (esc)", id="quit")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save(self.query_one(Input).value)
        elif event.button.id == "demo":
            self.action_demo()
        else:
            self.action_quit()

    def _save(self, key: str) -> None:
        key = key.strip()
        error = self.query_one(".error", Static)
        problem = key_problem(key)  # the rule VT_API_KEY and the config file follow
        if problem is not None:
            error.update(Text(f"This key {problem}"))
            return
        if self.checking:
            return
        self.checking = True
        error.update(Text("Checking the key with VirusTotal (one request, not counted in the quota)…", style="italic"))
        self._check_and_save(key)

    @work(group="key-check", exclusive=True, exit_on_error=False)
    async def _check_and_save(self, key: str) -> None:
        """Ask VirusTotal once whether the key works: a rejected key stays here to be
        fixed; an accepted one (or one that could not be checked, offline) is saved."""
        from ...runtime import make_client
        from ...vt.keycheck import check_key

        error = self.query_one(".error", Static)
        client = make_client(self.settings.with_key(key, "config file"), demo=False)
        try:
            result = await check_key(client, key)
        finally:
            await client.aclose()
            self.checking = False
        if result.status == "rejected":
            error.update(Text(result.message))
            return
        try:
            save_api_key(key, self.config_file)
            if result.user_id:
                save_user_id(result.user_id, self.config_file, api_key=key)
        except (ConfigError, OSError) as exc:
            error.update(Text(f"Could not save the key: {getattr(exc, 'message', exc)}"))
            return
        self.dismiss(KeyChoice(check=result.message, user_id=result.user_id, _key=key))

    def action_demo(self) -> None:
        self.dismiss(KeyChoice(demo=True))

    def action_quit(self) -> None:
        self.dismiss(None)

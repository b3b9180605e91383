"""First run: no API key and no --demo. Enter a key (saved with mode 0600) or open the demo."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ...config import save_api_key
from ...vt.errors import ConfigError
from ..base import VTModal

INTRO = """\
vttui needs a VirusTotal API key. Get one free at virustotal.com (your profile → API key).
It is stored in {path} with mode 0600, and only its last 4 characters are ever shown.

Or explore the bundled offline demo data first: nothing is sent anywhere."""


class WelcomeScreen(VTModal[str | None]):
    """Dismisses with "demo", "key" (saved) or None (quit)."""

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
        Binding("ctrl+d", "demo", "Open the demo", priority=True),
        Binding("escape", "quit", "Quit"),
    ]

    def __init__(self, config_file: Path, *, first_run: bool = True) -> None:
        super().__init__()
        self.config_file = config_file
        self.first_run = first_run

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
        if len(key) < 32 or not key.isalnum():
            error.update("That does not look like a VirusTotal API key (64 letters and digits).")
            return
        try:
            save_api_key(key, self.config_file)
        except (ConfigError, OSError) as exc:
            error.update(Text(f"Could not save the key: {getattr(exc, 'message', exc)}"))
            return
        self.app.api_key_entered = key
        self.dismiss("key")

    def action_demo(self) -> None:
        self.dismiss("demo")

    def action_quit(self) -> None:
        self.dismiss(None)

"""Ask for a URL to scan (prefilled from the search bar or the current URL)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from ...vt.errors import InvalidIOCError
from ...vt.ioc import IOCType, classify
from ...vt.samples import url_question
from .dialog import Dialog


class ScanURLScreen(Dialog[str | None]):
    """Dismisses with the URL to scan (refanged, validated) or None."""

    def __init__(self, initial: str = "") -> None:
        super().__init__()
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Scan a URL", classes="title")
            yield Input(self.initial, placeholder="http://… (defanged is fine)", id="url")
            yield Static(
                Text("The URL is fetched by VirusTotal's scanners and the result is public.", style="italic"),
                classes="warning",
            )
            yield Static("", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Scan (enter)", id="scan", variant="warning")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "scan":
            self._submit(self.query_one(Input).value)
        else:
            self.action_cancel()

    def _submit(self, value: str) -> None:
        try:
            ioc = classify(value)
        except InvalidIOCError as exc:
            self.set_status(exc.message, error=True)
            return
        if ioc.type is not IOCType.URL:
            self.set_status(f"That is a {ioc.label}, not a URL.", error=True)
            return
        self.dismiss(ioc.value)


__all__ = ["ScanURLScreen", "url_question"]

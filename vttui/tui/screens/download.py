"""Download a sample (or a sandbox PCAP) to a directory of the user's choice.

The file is named by its sha256 (never by a name from the API), mode 0600, never
executable; by default it goes into a zip encrypted with the analysts' password
"infected", so it cannot be run or scanned away by accident.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, ProgressBar, Static
from textual.worker import Worker

from ...vt.errors import VTError
from ...vt.samples import human_size, save_pcap, save_sample
from ...vt.ziputil import DEFAULT_PASSWORD
from .. import text as T
from .dialog import Dialog
from .upload import PathSuggester


def default_directory() -> Path:
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


class DownloadScreen(Dialog[Path | None]):
    """Dismisses with the saved Path or None. ``kind`` is "sample" or "pcap"."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="download.cancel"),
        Binding("ctrl+s", "download", "Download", show=False, id="download.download"),
    ]

    def __init__(self, ident: str, title: str, *, kind: str = "sample") -> None:
        super().__init__()
        self.ident = ident
        self.object_title = title
        self.kind = kind
        self.busy = False
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        what = "sample" if self.kind == "sample" else "sandbox network capture (PCAP)"
        with Vertical():
            yield Static(
                T.join(Text(f"Download the {what} of", style="bold"), T.safe(self.object_title, max_len=60)),
                classes="title",
            )
            yield Static(Text("Directory", style="dim"))
            yield Input(str(default_directory()), suggester=PathSuggester(), id="dir")
            if self.kind == "sample":
                yield Checkbox(
                    f"Store it in a password-protected zip (password: {DEFAULT_PASSWORD})", value=True, id="zip"
                )
                yield Static(Text(
                    "This is live malware if VirusTotal flags it. It is saved under its sha256, "
                    "mode 0600 and never executable. Downloads need a premium key.", style="italic"), classes="warning")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static("", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Download (ctrl+s)", id="download", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one("#download", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "download":
            self.action_download()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_download()

    def action_download(self) -> None:
        if self.busy:
            return
        directory = Path(os.path.expanduser(self.query_one("#dir", Input).value.strip() or "."))
        if not directory.is_dir():
            self.set_status(f"{directory} is not a directory.", error=True)
            return
        zipped = self.kind == "sample" and self.query_one("#zip", Checkbox).value
        self.busy = True
        self._worker = self._download(directory, zipped)

    @work(group="download", exclusive=True, exit_on_error=False)
    async def _download(self, directory: Path, zipped: bool) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        started = time.monotonic()

        def progress(done: int, total: int | None) -> None:
            bar.update(total=total, progress=done)
            speed = done / max(time.monotonic() - started, 1e-3)
            of_total = f" of {human_size(total)}" if total else ""
            self.set_status(f"Downloading: {human_size(done)}{of_total}, {human_size(speed)}/s")

        self.set_status("Downloading…")
        try:
            if self.kind == "sample":
                path = await save_sample(self.app.vt, self.ident, directory, zip=zipped, progress=progress)
            else:
                path = await save_pcap(self.app.vt, self.ident, directory, progress=progress)
        except VTError as exc:
            self.busy = False
            bar.display = False
            self.set_status(exc.message, error=True)
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        if self._worker is not None and self.busy:
            self._worker.cancel()
        self.dismiss(None)

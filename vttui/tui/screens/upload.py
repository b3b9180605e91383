"""Upload a file: pick it, see its size and sha256 and the sharing warning, reuse an
existing report when VirusTotal already has it, then upload with progress (cancellable).

Uploads are shared with the security community, so the upload only starts on an
explicit "Upload" after the warning; hashing and streaming read from disk in chunks,
so memory stays flat for a 650 MB file.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.suggester import Suggester
from textual.widgets import Button, DirectoryTree, Input, ProgressBar, Static
from textual.worker import Worker

from ...vt.errors import VTError
from ...vt.models import wrap
from ...vt.samples import UploadPlan, find_known_file, human_size, plan_upload
from .. import text as T
from .dialog import Dialog

SHARING_WARNING = (
    "Files you upload are shared with the security community: VirusTotal keeps them and "
    "premium users can download them. Do not upload anything confidential."
)


class PathSuggester(Suggester):
    """Completes file system paths as you type (accept with → or end)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = os.path.expanduser(value)
        directory, prefix = os.path.split(expanded)
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(prefix) and name != prefix:
                full = os.path.join(directory, name)
                suffix = "/" if os.path.isdir(full) else ""
                return value + name[len(prefix):] + suffix
        return None


class Stage(StrEnum):
    """Where the dialog stands; the widgets shown follow from it (``watch_stage``)."""

    PICK = "pick"  # choosing a file
    HASHING = "hashing"  # reading it for its sha256
    CHECKING = "checking"  # asking VirusTotal whether it knows that hash
    READY = "ready"  # unknown to VirusTotal (or the check failed): upload offered
    KNOWN = "known"  # VirusTotal has it: open its report, or upload anyway
    UPLOADING = "uploading"


BUSY = (Stage.HASHING, Stage.CHECKING, Stage.UPLOADING)


@dataclass(frozen=True, slots=True)
class OpenReport:
    """VirusTotal already has the file: open its report instead of uploading."""

    sha256: str


@dataclass(frozen=True, slots=True)
class Uploaded:
    """The file was uploaded: follow this analysis."""

    analysis: dict[str, Any]
    plan: UploadPlan


UploadResult = OpenReport | Uploaded | None


class UploadScreen(Dialog[UploadResult]):
    """Dismisses with ``Uploaded``, ``OpenReport`` or None (cancelled)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="upload.cancel"),
        Binding("ctrl+u", "upload", "Upload", show=False, id="upload.upload"),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or Path.cwd()
        self.plan: UploadPlan | None = None
        self.known: dict[str, Any] | None = None
        self._upload_worker: Worker[None] | None = None

    stage: var[Stage] = var(Stage.PICK, init=False)

    def watch_stage(self, stage: Stage) -> None:
        self.query_one(DirectoryTree).display = stage in (Stage.PICK, Stage.HASHING)
        self.query_one("#progress").display = stage in BUSY
        self.query_one("#check").display = stage in (Stage.PICK, Stage.HASHING, Stage.CHECKING)
        self.query_one("#upload").display = stage in (Stage.READY, Stage.KNOWN)
        self.query_one("#open").display = stage is Stage.KNOWN

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Upload a file to VirusTotal", classes="title")
            yield Input(placeholder="path to the file (tab/→ completes)", suggester=PathSuggester(), id="path")
            yield DirectoryTree(self.start, id="tree")
            yield Static("", id="facts")
            yield Static(Text(SHARING_WARNING, style="italic"), classes="warning")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Static("", classes="status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Open existing report", id="open", variant="success")
                yield Button("Check file", id="check", variant="primary")
                yield Button("Upload (ctrl+u)", id="upload", variant="warning")

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).styles.height = 6
        self.watch_stage(self.stage)
        self.query_one("#path", Input).focus()

    # --- picking ---------------------------------------------------------------------

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#path", Input).value = str(event.path)
        self._check(str(event.path))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._check(event.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.stage in (Stage.READY, Stage.KNOWN):
            self._reset()

    def _reset(self) -> None:
        self.stage = Stage.PICK
        self.plan = None
        self.known = None
        self.query_one("#facts", Static).update("")

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#check")
    def _check_pressed(self) -> None:
        self._check(self.query_one("#path", Input).value)

    @on(Button.Pressed, "#upload")
    def _upload_pressed(self) -> None:
        self.action_upload()

    @on(Button.Pressed, "#open")
    def _open_pressed(self) -> None:
        if self.plan is not None:
            self.dismiss(OpenReport(self.plan.digest.sha256))

    def _check(self, value: str) -> None:
        if not value.strip():
            self.set_status("Type a path or pick a file in the tree.", error=True)
            return
        if self.stage in BUSY:
            return
        self.stage = Stage.HASHING
        self._plan(value.strip())

    @work(group="upload-plan", exclusive=True, exit_on_error=False)
    async def _plan(self, value: str) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=100, progress=0)
        self.set_status("Reading and hashing the file…")

        def progress(done: int, total: int | None) -> None:
            if total:
                bar.update(total=total, progress=done)

        try:
            plan = await plan_upload(value, progress=progress)
        except VTError as exc:
            self.stage = Stage.PICK
            self.set_status(exc.message, error=True)
            return
        self.plan = plan
        self.stage = Stage.CHECKING  # (the tree goes: room for the facts on small terminals)
        facts = Text()
        facts.append("File    ", style="dim")
        facts.append_text(T.safe(plan.name))
        facts.append("\nSize    ", style="dim")
        facts.append(human_size(plan.digest.size))
        facts.append("\nSHA-256 ", style="dim")
        facts.append(plan.digest.sha256)
        facts.append("\nRoute   ", style="dim")
        facts.append("direct upload" if plan.route == "direct" else "large file: through a single-use upload URL")
        self.query_one("#facts", Static).update(facts)
        self.set_status("Checking whether VirusTotal already has it (one lookup)…")
        try:
            known = await find_known_file(self.app.vt, plan.digest.sha256)
        except VTError as exc:
            known = None
            self.set_status(f"Could not check first ({exc.message}); you can still upload.", error=True)
        self.known = known
        if known is not None:
            obj = wrap(known)
            self.stage = Stage.KNOWN
            msg = Text("VirusTotal already knows this file: ", style="bold green")
            msg.append_text(T.badge(obj.stats))
            msg.append(" Open its report instead of spending an upload, or upload anyway to re-scan.")
            self.set_status(msg)
            self.query_one("#open", Button).focus()
        else:
            self.stage = Stage.READY
            self.set_status(
                Text("Not on VirusTotal yet. Press Upload to share it and start an analysis.", style="bold")
            )
            self.query_one("#upload", Button).focus()

    # --- uploading -------------------------------------------------------------------

    def action_upload(self) -> None:
        if self.plan is None or self.stage not in (Stage.READY, Stage.KNOWN):
            return
        self.stage = Stage.UPLOADING
        self._upload_worker = self._upload(self.plan)

    @work(group="upload", exclusive=True, exit_on_error=False)
    async def _upload(self, plan: UploadPlan) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=plan.digest.size, progress=0)
        started = time.monotonic()

        def progress(done: int, total: int | None) -> None:
            elapsed = max(time.monotonic() - started, 1e-3)
            bar.update(total=total or plan.digest.size, progress=done)
            size = human_size(total or plan.digest.size)
            self.set_status(f"Uploading: {human_size(done)} of {size}, {human_size(done / elapsed)}/s. Escape cancels.")

        self.set_status("Starting the upload…")
        try:
            analysis = await self.app.vt.upload_file(plan.path, progress=progress)
        except VTError as exc:
            self.stage = Stage.READY
            self.set_status(exc.message, error=True)
            return
        self.dismiss(Uploaded(analysis, plan))

    def action_cancel(self) -> None:
        if self.stage is Stage.UPLOADING and self._upload_worker is not None:
            self._upload_worker.cancel()
            self.app.notify("Upload cancelled; nothing was submitted unless it had finished.", timeout=4)
        self.dismiss(None)

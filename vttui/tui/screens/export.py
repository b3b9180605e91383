"""Export the current object, or the investigation trail: pick a format (and a template),
then write a file (mode 0600) or copy to the clipboard. The API key is redacted from
whatever leaves the app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from ...config import config_dir
from ...export import FORMAT_EXTENSIONS, FORMATS, get_template, load_templates, redact, render
from ...export.files import free_path, target_exists, write_atomic
from ...export.names import export_path, trail_path
from ...export.trail import Trail
from ...export.trail_export import TRAIL_FORMATS, export_trail
from ...vt.cache import FetchInfo
from ...vt.errors import VTError
from .dialog import Dialog

TRAIL_EXTENSIONS = {"markdown": "md", "json": "json", "dot": "dot", "mermaid": "mmd"}


@dataclass(frozen=True, slots=True)
class Exported:
    """Where the export went: a file, or the clipboard (``path`` None)."""

    path: Path | None


class _ExportBase(Dialog[Exported | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "save", "Save", show=False, id="export.save"),
        Binding("ctrl+y", "copy", "Copy", show=False, id="export.copy"),
        Binding("ctrl+n", "save_free", "Save under a free name", show=False, id="export.save_free"),
    ]
    formats: tuple[str, ...] = ()

    def __init__(self, default_path: Path) -> None:
        super().__init__()
        #: A full path (the headless helpers': full id, ASCII, never an existing file).
        self.default_path = default_path
        #: The existing file the user was warned about: ctrl+s again replaces it.
        self._warned: Path | None = None

    def buttons(self) -> ComposeResult:
        yield Static("", classes="status")
        with Horizontal(classes="buttons"):
            yield Button("Cancel (esc)", id="cancel")
            yield Button("Copy to clipboard (ctrl+y)", id="copy")
            yield Button("Save file (ctrl+s)", id="save", variant="primary")

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#copy")
    def _copy_pressed(self) -> None:
        self.action_copy()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Select.Changed, "#format")
    def _format_changed(self) -> None:
        path = self.query_one("#path", Input)
        stem = Path(path.value).with_suffix("")
        path.value = f"{stem}.{self.extension()}"

    def extension(self) -> str:  # pragma: no cover - overridden
        return "txt"

    def produce(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def _safe_produce(self) -> str | None:
        try:
            text = self.produce()
        except VTError as exc:
            self.set_status(exc.message, error=True)
            return None
        except Exception as exc:  # a bad template or odd data: say so, keep the dialog
            self.set_status(f"Could not export: {type(exc).__name__}: {exc}", error=True)
            return None
        key = getattr(self.app.client, "api_key", None)
        return redact(text, key) if key else text

    def _target(self) -> Path:
        return Path(os.path.abspath(Path(self.query_one("#path", Input).value.strip()).expanduser()))

    def action_save(self) -> None:
        target = self._target()
        if target.exists() and not target.is_file():
            self.set_status(f"{target} is not a file.", error=True)
            return
        replace = target_exists(target)
        if replace and self._warned != target:
            # Never over an earlier export without asking: replace it, or take a free name.
            self._warned = target
            self.set_status(f"{target} already exists. Press ctrl+s again to replace it, or ctrl+n to save "
                            f"as {free_path(target).name} instead.", error=True)
            return
        text = self._safe_produce()
        if text is None:
            return
        try:
            path = write_atomic(target, text, overwrite=replace)
        except VTError as exc:
            self.set_status(exc.message, error=True)
            return
        self.app.notify(f"Saved {len(text):,} characters to {path}", markup=False, timeout=8)
        self.dismiss(Exported(path))

    def action_save_free(self) -> None:
        """Save beside an existing file, under the first free name (name-2.md...)."""
        self.query_one("#path", Input).value = str(free_path(self._target()))
        self._warned = None
        self.action_save()

    def action_copy(self) -> None:
        text = self._safe_produce()
        if text is None:
            return
        self.app.copy(text, f"{self.query_one('#format', Select).value} export ({len(text):,} characters)")
        self.dismiss(Exported(None))


class ExportScreen(_ExportBase):
    """Export one object (its raw reply is what ``raw`` writes)."""

    def __init__(self, obj: dict[str, Any], object_type: str, object_id: str, fetched: FetchInfo | None = None) -> None:
        super().__init__(export_path(os.getcwd(), object_type, object_id, ".md"))
        self.obj = obj
        self.fetched = fetched  # a report from the persistent cache says how old it is

    def compose(self) -> ComposeResult:
        try:
            templates = load_templates(config_dir())
        except VTError as exc:
            templates = {}
            self._template_error: str | None = exc.message
        else:
            self._template_error = None
        with Vertical():
            yield Static("Export this report", classes="title")
            yield Static(Text("Format", style="dim"))
            yield Select([(f, f) for f in FORMATS], value="markdown", allow_blank=False, id="format")
            yield Static(Text("Template (which fields)", style="dim"))
            options = [(f"{name}: {t.description}"[:80], name) for name, t in templates.items()] or [("full", "full")]
            yield Select(
                options,
                value="essential" if "essential" in templates else options[0][1],
                allow_blank=False,
                id="template",
            )
            yield Static(Text("File", style="dim"))
            yield Input(str(self.default_path), id="path")
            yield from self.buttons()

    def on_mount(self) -> None:
        if self._template_error:
            self.set_status(self._template_error, error=True)
        self.query_one("#format", Select).focus()

    def extension(self) -> str:
        return FORMAT_EXTENSIONS.get(str(self.query_one("#format", Select).value), ".txt").lstrip(".")

    def produce(self) -> str:
        fmt = str(self.query_one("#format", Select).value)
        template = None if fmt == "raw" else get_template(str(self.query_one("#template", Select).value), config_dir())
        return render(self.obj, fmt, template=template, fetched=self.fetched)


class TrailExportScreen(_ExportBase):
    """Export the investigation trail: visits with verdicts and the pivots between them."""

    def __init__(self, trail: Trail) -> None:
        super().__init__(trail_path(os.getcwd(), ".md", trail.started))
        self.trail = trail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"Export the investigation trail ({len(self.trail)} objects, {len(self.trail.pivots)} pivots)",
                classes="title",
            )
            yield Static(Text("Format", style="dim"))
            yield Select([(f, f) for f in TRAIL_FORMATS], value="markdown", allow_blank=False, id="format")
            yield Static(Text("File", style="dim"))
            yield Input(str(self.default_path), id="path")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#format", Select).focus()

    def extension(self) -> str:
        return TRAIL_EXTENSIONS.get(str(self.query_one("#format", Select).value), "txt")

    def produce(self) -> str:
        return export_trail(self.trail, str(self.query_one("#format", Select).value))

"""Common frame for action dialogs: a title, a body, a status line, buttons.

Errors stay in the dialog (in plain words) and nothing the user typed is cleared, so a
failed post can be fixed and sent again deliberately.
"""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from .. import text as T
from ..base import VTModal

ResultType = TypeVar("ResultType")


class Dialog(VTModal[ResultType]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; overflow-y: auto;
    }
    Dialog .title { text-style: bold; background: $primary 40%; padding: 0 1; margin-bottom: 1; }
    Dialog .status { height: auto; margin-top: 1; }
    Dialog .status.-error { color: $error; }
    Dialog .warning { color: $warning; height: auto; margin: 1 0; }
    Dialog Horizontal.buttons { height: auto; margin-top: 1; align-horizontal: right; }
    Dialog Horizontal.buttons Button { margin-left: 1; }
    Dialog Input { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def set_status(self, message: str | Text, *, error: bool = False) -> None:
        status = self.query_one(".status", Static)
        status.update(message if isinstance(message, Text) else T.safe(message, max_len=600))
        status.set_class(error, "-error")

    def action_cancel(self) -> None:
        self.dismiss(None)

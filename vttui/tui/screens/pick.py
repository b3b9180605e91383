"""Pick one of several indicators found in a pasted block of text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...vt.ioc import IOC
from .. import text as T


class PickIOCScreen(ModalScreen[IOC | None]):
    DEFAULT_CSS = """
    PickIOCScreen { align: center middle; }
    PickIOCScreen > Vertical { width: 90; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 0 1; }
    PickIOCScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, iocs: list[IOC]) -> None:
        super().__init__()
        self.iocs = iocs

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{len(self.iocs)} indicators in the pasted text: pick one (enter), escape to cancel", style="bold"))
            options = []
            for ioc in self.iocs:
                label = Text(f"{ioc.label:<8} ", style="bold")
                label.append_text(T.safe(ioc.display, max_len=150))
                options.append(Option(label))
            yield OptionList(*options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.iocs[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Pick one item from a list: indicators found in a pasted block, sandbox reports..."""

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


class PickScreen(ModalScreen[int | None]):
    """Dismisses with the index of the chosen item, or None."""

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    PickScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, labels: list[Text]) -> None:
        super().__init__()
        self.title_text = title
        self.labels = labels

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.title_text}: pick one (enter), escape to cancel", style="bold"))
            yield OptionList(*(Option(label) for label in self.labels))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ioc_labels(iocs: list[IOC]) -> list[Text]:
    labels = []
    for ioc in iocs:
        label = Text(f"{ioc.label:<8} ", style="bold")
        label.append_text(T.safe(ioc.display, max_len=150))
        labels.append(label)
    return labels

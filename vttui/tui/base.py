"""What every vttui widget and screen shares: a typed ``self.app`` and the one place
where a failed worker becomes a notice.

How new code uses it:

- Subclass ``VTWidget`` / ``VTScreen`` / ``VTModal[Result]``, or put ``AppTyped`` first
  among the bases of a subclass of a Textual widget (``class X(AppTyped, DataTable)``).
  ``self.app`` is then a ``VTApp`` for mypy (``self.app.client``, ``self.app.vt``...).
- Network work is a ``@work`` method (``from textual import work``) on such a class, with
  ``exit_on_error=False`` and a ``name`` that says what failed ("Scan failed"): its
  ``VTError`` becomes an error notice titled with that name, anything else goes the
  crash path (log + "Something unexpected went wrong"). So the method body has no
  ``try/except VTError -> notify``; catch only what you handle differently (an error
  shown inside a dialog or a pane, where the user is looking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual import getters
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from .app import VTApp

ResultType = TypeVar("ResultType")


class AppTyped(MessagePump):
    """Mixin: ``self.app`` typed as ``VTApp``, and worker failures reported once."""

    if TYPE_CHECKING:  # Textual's own typing idiom; at run time its plain property stays
        app = getters.app(VTApp)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # ``Worker.StateChanged`` does not bubble: each node that runs workers needs this.
        if event.state is WorkerState.ERROR:
            self.app.worker_failed(event.worker)


class VTWidget(AppTyped, Widget):
    """A plain widget of vttui."""


class VTScreen(AppTyped, Screen[None]):
    """A full screen of vttui."""


class VTModal(AppTyped, ModalScreen[ResultType]):
    """A dialog of vttui; ``ResultType`` is what it dismisses with (a small dataclass,
    an enum, a path or ``None`` — never a bare string or a tuple)."""

"""The search bar: type or paste an indicator; it says what it understood before sending.

Modelled on frogmouth's omnibox: an Input that classifies what was typed and posts one
typed message per intent. Garbage is refused inline, without a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from ...vt.errors import InvalidIOCError, UnknownTLDError
from .. import text as T
from .. import trace

if TYPE_CHECKING:
    from ...vt.ioc import IOC


#: Typed and entered in the search bar, these mean the user wanted to leave.
QUIT_WORDS = frozenset({"q", "quit", "exit", ":q", ":q!", ":wq"})


class SearchBar(Input):
    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False, id="search.history_back"),
        Binding("down", "history(1)", "Next", show=False, id="search.history_next"),
        Binding("escape", "leave", "Leave search", show=False, id="search.leave"),
    ]

    class Understood(Message):
        """What the current text means (or why it is refused): shown under the bar."""

        def __init__(self, hint: Text | None) -> None:
            super().__init__()
            self.hint = hint

    class Open(Message):
        """Open one indicator."""

        def __init__(self, ioc: IOC) -> None:
            super().__init__()
            self.ioc = ioc

    class Choose(Message):
        """A pasted block held several indicators: let the user pick."""

        def __init__(self, iocs: list[IOC]) -> None:
            super().__init__()
            self.iocs = iocs

    class Leave(Message):
        pass

    class Intel(Message):
        """A VirusTotal Intelligence query (typed after the ``vti:`` prefix)."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def __init__(self, **kw: Any) -> None:
        super().__init__(
            placeholder="/ search: hash, URL, domain or IP (defanged is fine) · vti:QUERY for Intelligence", **kw
        )
        self.history: list[str] = []
        self._history_pos: int | None = None
        self._draft = ""
        #: Text whose unknown top-level domain the user was warned about: enter again
        #: looks it up anyway.
        self._warned_tld: str | None = None

    def remember(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if text in self.history:
            self.history.remove(text)
        self.history.append(text)
        del self.history[:-100]
        self._history_pos = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._history_pos is None:
            if step > 0:
                return
            self._draft = self.value
            pos = len(self.history) - 1
        else:
            pos = self._history_pos + step
        if pos >= len(self.history):
            self._history_pos = None
            self.value = self._draft
        else:
            self._history_pos = max(0, pos)
            self.value = self.history[self._history_pos]
        self.cursor_position = len(self.value)

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def _on_paste(self, event: events.Paste) -> None:
        """A pasted block (a ticket, an e-mail, a log with CRLF) is read whole: Textual's
        Input would keep its first line and silently drop the indicators on the others."""
        if "\n" not in event.text and "\r" not in event.text:
            return  # one line: Input's own handler inserts it
        event.prevent_default()  # (Textual calls each class's handler in turn)
        event.stop()
        self.take_block(event.text)

    def take_block(self, text: str) -> None:
        """Every indicator in ``text``: several go to the screen to list (``Choose``), one
        is put in the bar to check and open with enter, none is said."""
        from ...vt.ioc import extract

        found = extract(text)
        if len(found) > 1:
            self.post_message(self.Choose(found))
        elif len(found) == 1:
            self.value = found[0].original.strip() or found[0].value
            self.cursor_position = len(self.value)
        else:
            lines = len(text.splitlines())
            said = f"No hash, URL, domain or IP address in the {lines} pasted lines."
            self.post_message(self.Understood(_refused(said)))
            self.app.bell()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Understood(describe(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        trace.mark("submitted")
        text = event.value
        if not text.strip():
            return
        query = intel_query(text)
        if query is not None:
            if query:
                self.post_message(self.Intel(query))
            else:
                self.app.bell()
            return
        from ...vt.ioc import classify, extract

        try:
            ioc = classify(text, any_tld=self._warned_tld == text)
        except UnknownTLDError as exc:
            self._warned_tld = text
            self.post_message(self.Understood(_unknown_tld(exc.message, warned=True)))
            self.app.bell()
            return
        except InvalidIOCError as exc:
            found = extract(text)
            if len(found) > 1:
                self.post_message(self.Choose(found))
            elif len(found) == 1:
                self.post_message(self.Open(found[0]))
            else:
                reason = exc.message
                if text.strip().lower() in QUIT_WORDS:
                    reason += " To quit: ctrl+q (or esc, then q)."
                self.post_message(self.Understood(_refused(reason)))
                self.app.bell()
            return
        self._warned_tld = None
        self.post_message(self.Open(ioc))


#: What turns the search bar into VirusTotal Intelligence search (no indicator starts so;
#: `?` would clash with the help key).
INTEL_PREFIX = "vti:"


def intel_query(text: str) -> str | None:
    """The query of ``vti:QUERY`` (stripped; may be empty), None for anything else."""
    stripped = text.lstrip()
    if stripped[:len(INTEL_PREFIX)].lower() != INTEL_PREFIX:
        return None
    return stripped[len(INTEL_PREFIX):].strip()


def _refused(reason: str) -> Text:
    text = Text("✗ ", style="bold red")
    text.append_text(T.safe(reason, "red"))
    return text


def _unknown_tld(reason: str, *, warned: bool) -> Text:
    """Not refused: a TLD missing from the list may be an alternative root (.bit) or new."""
    text = Text("⚠ ", style="bold yellow")
    text.append_text(T.safe(reason, "yellow"))
    text.append("  enter again to look it up anyway" if warned else "  enter twice to look it up anyway", style="dim")
    return text


def describe(text: str) -> Text | None:
    """The hint for what is typed: type and normalised value, or the reason it is refused."""
    if not text.strip():
        return None
    query = intel_query(text)
    if query is not None:
        hint = Text("VirusTotal Intelligence search ", style="bold")
        if not query:
            hint.append("— type a query, e.g. type:peexe p:5+ fs:2026-11-01+ (premium keys)", style="dim")
            return hint
        hint.append_text(T.safe(query, max_len=120))
        hint.append("  enter to search (premium keys)", style="dim")
        return hint
    from ...vt.ioc import classify, extract, refang  # loaded on the first keystroke, not at start-up

    try:
        ioc = classify(text)
    except UnknownTLDError as exc:
        return _unknown_tld(exc.message, warned=False)
    except InvalidIOCError as exc:
        found = extract(text) if len(text) > 20 or "\n" in text else []
        if len(found) > 1:
            return Text(f"✓ {len(found)} indicators found: enter to choose", style="bold green")
        if len(found) == 1:
            hint = Text("✓ ", style="bold green")
            hint.append(f"{found[0].label} ", style="bold")
            hint.append_text(T.safe(found[0].display))
            return hint
        return _refused(exc.message)
    hint = Text("✓ ", style="bold green")
    hint.append(f"{ioc.label} ", style="bold")
    hint.append_text(T.safe(ioc.display))
    if refang(text.strip()) != text.strip():  # only when defanging was undone
        hint.append("  (refanged)", style="dim")
    hint.append("  enter to open", style="dim")
    return hint

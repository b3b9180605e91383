"""Back/forward navigation over the pivot trail, like a browser.

Pure Python (no Textual) so it is easy to test. Each entry names the object and how
the user got there (which relationship of which object), for the breadcrumbs and the
investigation trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from ..vt.refs import ObjectRef

_ids = count(1)


@dataclass(slots=True)
class Via:
    """How an object was reached: ``relationship`` of ``source`` (None: typed in search)."""

    source: ObjectRef
    relationship: str


@dataclass(slots=True)
class Entry:
    ref: ObjectRef
    via: Via | None = None
    title: str = ""
    key: int = field(default_factory=lambda: next(_ids))


class Navigator:
    """A list of entries and a position; opening something new drops the forward part."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.index = -1

    @property
    def current(self) -> Entry | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    @property
    def can_back(self) -> bool:
        return self.index > 0

    @property
    def can_forward(self) -> bool:
        return self.index < len(self.entries) - 1

    def open(self, ref: ObjectRef, via: Via | None = None, title: str = "") -> tuple[Entry, list[Entry]]:
        """Push a new entry after the current one; returns it and the entries dropped."""
        dropped = self.entries[self.index + 1:]
        del self.entries[self.index + 1:]
        entry = Entry(ref, via, title)
        self.entries.append(entry)
        self.index = len(self.entries) - 1
        return entry, dropped

    def back(self) -> Entry | None:
        if not self.can_back:
            return None
        self.index -= 1
        return self.current

    def forward(self) -> Entry | None:
        if not self.can_forward:
            return None
        self.index += 1
        return self.current

    def trail(self) -> list[Entry]:
        """Entries from the start to the current one (what the breadcrumbs show)."""
        return self.entries[: self.index + 1]

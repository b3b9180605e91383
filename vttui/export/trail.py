"""The investigation trail: every object visited in a session, its verdict, and the
pivots between them (which relationship led where).

Recorded by the TUI as the user walks; exported as Markdown, JSON, Graphviz DOT or
Mermaid for a ticket. No Textual here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..vt.refs import ObjectRef

if TYPE_CHECKING:
    from ..vt.models import VTObject


class _Via(Protocol):
    source: ObjectRef
    relationship: str


@dataclass(slots=True)
class Visit:
    ref: ObjectRef
    title: str = ""
    first_seen: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    verdict: str = "unknown"  # malicious / suspicious / clean / unknown
    ratio: str = ""
    threat_label: str = ""
    loaded: bool = False


@dataclass(slots=True, frozen=True)
class Pivot:
    source: ObjectRef
    relationship: str
    target: ObjectRef
    at: dt.datetime


class Trail:
    """Visits in first-visit order (one per object) and pivots in the order they were made."""

    def __init__(self) -> None:
        self.visits: dict[tuple[str, str], Visit] = {}
        self.pivots: list[Pivot] = []
        self.started = dt.datetime.now(dt.UTC)
        self._aliases: dict[tuple[str, str], tuple[str, str]] = {}

    def _key(self, ref: ObjectRef) -> tuple[str, str]:
        key = (ref.type, ref.id)
        return self._aliases.get(key, key)

    def visit(self, ref: ObjectRef, via: _Via | None = None, title: str = "") -> Visit:
        key = self._key(ref)
        visit = self.visits.get(key)
        if visit is None:
            visit = Visit(ObjectRef(*key), title or ref.id)
            self.visits[key] = visit
        if via is not None:
            self.pivots.append(Pivot(via.source, via.relationship, visit.ref, dt.datetime.now(dt.UTC)))
        return visit

    def loaded(self, entry: Any, obj: "VTObject") -> None:
        """The object arrived: record its verdict and its canonical id (sha256)."""
        requested = entry.ref
        canonical = obj.ref if obj.id else requested
        old_key = self._key(requested)
        visit = self.visits.pop(old_key, None) or Visit(canonical)
        new_key = (canonical.type, canonical.id)
        if old_key != new_key:
            self._aliases[old_key] = new_key
            self.pivots = [
                Pivot(self._canon(p.source), p.relationship, self._canon(p.target), p.at) for p in self.pivots
            ]
        existing = self.visits.get(new_key)
        visit = existing or visit
        visit.ref = canonical
        visit.title = obj.title or visit.title
        stats = obj.stats
        visit.verdict = stats.severity
        visit.ratio = "" if stats.is_empty else stats.ratio_text
        visit.threat_label = getattr(obj, "threat_label", "") or ""
        visit.loaded = True
        self.visits[new_key] = visit

    def _canon(self, ref: ObjectRef) -> ObjectRef:
        return ObjectRef(*self._key(ref))

    def __len__(self) -> int:
        return len(self.visits)

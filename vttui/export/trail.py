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
    verdict: str = "unknown"  # malicious / suspicious / clean / unknown / not found / error
    ratio: str = ""
    threat_label: str = ""
    loaded: bool = False
    #: Why there is no verdict, when the lookup failed ("VirusTotal has no record of this URL.").
    note: str = ""


@dataclass(slots=True, frozen=True)
class Pivot:
    source: ObjectRef
    relationship: str
    target: ObjectRef
    at: dt.datetime


NOT_FOUND = "not found"
FAILED = "error"


class Trail:
    """Visits in first-visit order (one per object) and pivots in the order they were made.

    A file is one object whether it was reached by MD5, SHA-1 or SHA-256 (and a URL by
    either of its ids): once one is loaded, the others are aliases of it."""

    def __init__(self) -> None:
        self.visits: dict[tuple[str, str], Visit] = {}
        self.pivots: list[Pivot] = []
        self.started = dt.datetime.now(dt.UTC)
        self._aliases: dict[tuple[str, str], tuple[str, str]] = {}

    def _key(self, ref: ObjectRef) -> tuple[str, str]:
        key = (ref.type, ref.id.lower() if ref.type == "file" else ref.id)
        return self._aliases.get(key, key)

    def same_object(self, a: ObjectRef, b: ObjectRef) -> bool:
        """Whether ``a`` and ``b`` name one object (an MD5 and the SHA-256 of a loaded file):
        a search for the object already shown adds no step."""
        return self._key(a) == self._key(b)

    def visit(self, ref: ObjectRef, via: _Via | None = None, title: str = "") -> Visit:
        key = self._key(ref)
        visit = self.visits.get(key)
        if visit is None:
            visit = Visit(ObjectRef(*key), title or ref.id)
            self.visits[key] = visit
        if via is not None:
            source = self._canon(via.source)
            if source != visit.ref:  # an object is not its own pivot
                self.pivots.append(Pivot(source, via.relationship, visit.ref, dt.datetime.now(dt.UTC)))
        return visit

    def failed(self, ref: ObjectRef, reason: str, *, not_found: bool = False) -> Visit:
        """The lookup of ``ref`` failed: "not found" (VirusTotal has no record) or an error,
        with the reason, rather than an "unknown" verdict as if it were still loading."""
        visit = self.visit(ref)
        if not visit.loaded:
            visit.verdict = NOT_FOUND if not_found else FAILED
            visit.note = reason
        return visit

    def loaded(self, entry: Any, obj: VTObject) -> None:
        """The object arrived: record its verdict and its canonical id (sha256). Visits made
        under its other names (its MD5, the id it was asked by) become this one visit, in
        the place of the earliest of them."""
        requested = entry.ref
        canonical = obj.ref if obj.id else requested
        new_key = (canonical.type, canonical.id)
        names = ({self._key(requested)} | set(_other_ids(obj))) - {new_key}
        for alias in names:
            self._aliases[alias] = new_key
        visit: Visit | None = None
        rebuilt: dict[tuple[str, str], Visit] = {}
        for key, seen in self.visits.items():
            if key != new_key and key not in names:
                rebuilt[key] = seen
            elif visit is None:
                visit = rebuilt[new_key] = seen
            else:
                visit.first_seen = min(visit.first_seen, seen.first_seen)
        if visit is None:
            visit = rebuilt[new_key] = Visit(canonical)
        self.visits = rebuilt
        if names:
            self.pivots = [
                Pivot(self._canon(p.source), p.relationship, self._canon(p.target), p.at) for p in self.pivots
            ]
        visit.ref = canonical
        visit.title = obj.title or visit.title
        stats = obj.stats
        visit.verdict = stats.severity
        visit.ratio = "" if stats.is_empty else stats.ratio_text
        visit.threat_label = getattr(obj, "threat_label", "") or ""
        visit.loaded = True
        visit.note = ""

    def _canon(self, ref: ObjectRef) -> ObjectRef:
        return ObjectRef(*self._key(ref))

    def __len__(self) -> int:
        return len(self.visits)


def _other_ids(obj: VTObject) -> list[tuple[str, str]]:
    """The other names of a loaded object: a file's MD5 and SHA-1 (lower-case)."""
    if obj.type != "file":
        return []
    attrs = obj.attributes
    return [("file", value.lower()) for name in ("md5", "sha1", "sha256")
            if isinstance(value := attrs.get(name), str) and value and value.lower() != obj.id.lower()]

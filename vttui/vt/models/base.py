"""The base view over any v3 object, and the verdict values every kind shares.

A view never copies or mutates the dict it wraps (the cache shares it) and computes
lazily, so wrapping a 1 MB object costs nothing until something is asked of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar

from ..refs import TYPE_LABELS, ObjectRef
from .coerce import KeyPath, as_dict, as_int, as_list, as_str, get_path, one_line
from .fields import Date, FirstDate, Int, StrList

__all__ = ["AnalysisStats", "EngineResult", "SandboxVerdict", "VTObject", "descriptor_ref", "make_ref"]


def make_ref(type_: Any, id_: Any) -> ObjectRef | None:
    """A ref when both parts are usable; object types are names, never numbers."""
    t = type_ if isinstance(type_, str) else ""
    i = as_str(id_)
    return ObjectRef(t, i) if t and i else None


def descriptor_ref(item: Any) -> ObjectRef | None:
    """The ref named by a ``{"type": ..., "id": ...}`` descriptor, if usable."""
    d = as_dict(item)
    return make_ref(d.get("type"), d.get("id"))


# --- Analysis stats and engine results -------------------------------------------------

_STAT_FIELDS = (
    "malicious",
    "suspicious",
    "undetected",
    "harmless",
    "timeout",
    "confirmed_timeout",
    "type_unsupported",
    "failure",
)


@dataclass(frozen=True, slots=True)
class AnalysisStats:
    """Engine counts by category (``last_analysis_stats`` or an analysis' ``stats``)."""

    malicious: int = 0
    suspicious: int = 0
    undetected: int = 0
    harmless: int = 0
    timeout: int = 0
    confirmed_timeout: int = 0
    type_unsupported: int = 0
    failure: int = 0

    @classmethod
    def from_dict(cls, d: Any) -> AnalysisStats:
        """Counts from a v3 stats dict; hyphenated keys map to fields, junk counts to 0."""
        values: dict[str, int] = {}
        for key, raw in as_dict(d).items():
            if not isinstance(key, str):
                continue
            name = key.strip().lower().replace("-", "_").replace(" ", "_")
            n = as_int(raw)
            if name in _STAT_FIELDS and n is not None and n > 0:
                values[name] = n
        return cls(**values)

    @property
    def total(self) -> int:
        """Engines that gave a verdict (unsupported, timed-out and failed ones excluded)."""
        return self.malicious + self.suspicious + self.undetected + self.harmless

    @property
    def flagged(self) -> int:
        """Engines that raised any alarm (malicious or suspicious)."""
        return self.malicious + self.suspicious

    @property
    def engines(self) -> int:
        """Every engine counted, whatever its answer."""
        return sum(getattr(self, f) for f in _STAT_FIELDS)

    @property
    def ratio_text(self) -> str:
        return f"{self.malicious}/{self.total}"

    @property
    def severity(self) -> str:
        """``malicious``, ``suspicious``, ``clean`` or ``unknown`` (nobody answered)."""
        if self.malicious:
            return "malicious"
        if self.suspicious:
            return "suspicious"
        if self.total:
            return "clean"
        return "unknown"

    @property
    def is_empty(self) -> bool:
        return self.engines == 0

    def to_dict(self) -> dict[str, int]:
        """Counts under the key names VirusTotal uses (hyphenated), for exports."""
        return {f.replace("_", "-"): getattr(self, f) for f in _STAT_FIELDS}


_DETECTED = ("malicious", "suspicious")
#: Engine answers that count toward the total (the rest could not scan it).
_ANSWERED = ("malicious", "suspicious", "undetected", "harmless")


def _category_rank(category: str) -> int:
    c = category.lower()
    return _DETECTED.index(c) if c in _DETECTED else len(_DETECTED)


@dataclass(frozen=True, slots=True)
class EngineResult:
    """One engine's answer in ``last_analysis_results`` / an analysis' ``results``."""

    engine: str
    category: str
    result: str | None = None
    method: str = ""
    engine_version: str | None = None
    engine_update: str | None = None

    @classmethod
    def from_entry(cls, name: Any, entry: Any) -> EngineResult | None:
        """The result for one entry; None when there is nothing to show for it."""
        d = as_dict(entry)
        engine = as_str(name) or as_str(d.get("engine_name"))
        if not engine or not d:
            return None
        return cls(
            engine=engine,
            category=as_str(d.get("category")).strip().lower(),
            result=as_str(d.get("result")) or None,
            method=as_str(d.get("method")),
            engine_version=as_str(d.get("engine_version")) or None,
            engine_update=as_str(d.get("engine_update")) or None,
        )

    @property
    def detected(self) -> bool:
        return self.category in _DETECTED

    @property
    def severity_rank(self) -> int:
        """0 malicious, 1 suspicious, 2 anything else: the sort order of the table."""
        return _category_rank(self.category)

    @property
    def verdict(self) -> str:
        """What to show: the engine's label, else its category."""
        return self.result or self.category

    @property
    def update_date(self) -> datetime | None:
        """``engine_update`` is ``YYYYMMDD`` text, not an epoch."""
        s = (self.engine_update or "").strip()
        if len(s) == 8 and s.isascii() and s.isdigit():
            try:
                return datetime.strptime(s, "%Y%m%d").replace(tzinfo=UTC)
            except ValueError:
                return None
        return None


def engine_results_of(raw: Any) -> list[EngineResult]:
    """Results from the v3 dict (or a list of entries), most severe first, then by name."""
    out: list[EngineResult] = []
    pairs = list(raw.items()) if isinstance(raw, dict) else [(as_dict(e).get("engine_name"), e) for e in as_list(raw)]
    for name, entry in pairs:
        r = EngineResult.from_entry(name, entry)
        if r is not None:
            out.append(r)
    out.sort(key=lambda r: (r.severity_rank, r.engine.casefold(), r.engine))
    return out


@dataclass(frozen=True, slots=True)
class SandboxVerdict:
    """One sandbox's verdict from a file's ``sandbox_verdicts``."""

    sandbox: str
    category: str
    classifications: tuple[str, ...] = ()
    malware_names: tuple[str, ...] = ()
    confidence: int | None = None


# --- Base view -------------------------------------------------------------------------


class VTObject:
    """A read-only view over one v3 object dict; accepts anything (non-dicts are empty)."""

    #: Attribute holding the engine results / stats of this kind of object.
    _RESULTS_KEY: ClassVar[str] = "last_analysis_results"
    _STATS_KEY: ClassVar[str] = "last_analysis_stats"

    def __init__(self, data: Any = None, *, meta: Any = None) -> None:
        self._data: dict[Any, Any] = data if isinstance(data, dict) else {}
        #: The ``meta`` of the whole reply, when the object came from one (analyses use it).
        self._meta: dict[Any, Any] = meta if isinstance(meta, dict) else {}

    def __repr__(self) -> str:
        ident = self.id if len(self.id) <= 80 else self.id[:79] + "…"
        return f"{type(self).__name__}({self.type!r}, {ident!r})"

    # identity ---------------------------------------------------------------------------

    @property
    def raw(self) -> dict[Any, Any]:
        """The wrapped dict itself (shared; do not mutate)."""
        return self._data

    @property
    def meta(self) -> dict[Any, Any]:
        return self._meta

    @property
    def type(self) -> str:
        """The object type; object types are names, so a number here counts as none."""
        t = self._data.get("type")
        return t if isinstance(t, str) else ""

    @property
    def id(self) -> str:
        return as_str(self._data.get("id"))

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.type, self.id)

    @property
    def is_empty(self) -> bool:
        """No type and no id: a reply that carried nothing usable."""
        return not self.type and not self.id

    @cached_property
    def attributes(self) -> dict[Any, Any]:
        return as_dict(self._data.get("attributes"))

    @property
    def context_attributes(self) -> dict[Any, Any]:
        """Per-item context in relationship lists and searches (e.g. the matched URL)."""
        return as_dict(self._data.get("context_attributes"))

    @property
    def links(self) -> dict[Any, Any]:
        return as_dict(self._data.get("links"))

    def attr(self, path: KeyPath, default: Any = None) -> Any:
        """A dotted path into the attributes (a tuple for keys with dots in them)."""
        return get_path(self.attributes, path, default)

    # verdicts ---------------------------------------------------------------------------

    @cached_property
    def stats(self) -> AnalysisStats:
        return AnalysisStats.from_dict(self.attributes.get(self._STATS_KEY))

    @cached_property
    def engine_results(self) -> list[EngineResult]:
        return engine_results_of(self.attributes.get(self._RESULTS_KEY))

    @property
    def detections(self) -> list[EngineResult]:
        """Only the engines that flagged it (malicious or suspicious)."""
        return [r for r in self.engine_results if r.detected]

    @property
    def severity(self) -> str:
        return self.stats.severity

    @property
    def engines_answered(self) -> int:
        """The engine total every view and export uses ("61 of 68 engines"): the engines
        that gave a verdict (:attr:`AnalysisStats.total`); when the stats are missing, the
        per-engine results that did. Engines that timed out, failed or could not handle
        the type are not in it."""
        if not self.stats.is_empty:
            return self.stats.total
        return sum(1 for r in self.engine_results if r.category in _ANSWERED)

    reputation = Int()

    @property
    def votes(self) -> tuple[int, int]:
        """Community votes as ``(harmless, malicious)``."""
        tv = as_dict(self.attributes.get("total_votes"))
        return (max(as_int(tv.get("harmless"), 0) or 0, 0), max(as_int(tv.get("malicious"), 0) or 0, 0))

    tags = StrList()

    # dates ------------------------------------------------------------------------------

    first_seen = FirstDate("first_submission_date", "first_seen_itw_date", "first_seen_date")
    last_analysis_date = Date()

    @property
    def title(self) -> str:
        """A one-line human name for the object (the id for most types)."""
        return one_line(self.id)

    # relationships ----------------------------------------------------------------------

    @property
    def relationships(self) -> dict[Any, Any]:
        return as_dict(self._data.get("relationships"))

    @property
    def relationship_names(self) -> list[str]:
        return [k for k in self.relationships if isinstance(k, str)]

    def _relationship(self, name: Any) -> dict[Any, Any]:
        if not isinstance(name, str):
            return {}
        return as_dict(self.relationships.get(name))

    def relationship_descriptors(self, name: str) -> list[ObjectRef]:
        """Refs embedded under ``relationships[name].data`` (a list, one object, or null)."""
        data = self._relationship(name).get("data")
        items = [data] if isinstance(data, dict) else as_list(data)
        return [r for r in map(descriptor_ref, items) if r is not None]

    def relationship_cursor(self, name: str) -> str | None:
        """The cursor for the next page of an embedded relationship; None at the end."""
        return as_str(get_path(self._relationship(name), "meta.cursor")) or None

    def relationship_next_link(self, name: str) -> str | None:
        return as_str(get_path(self._relationship(name), "links.next")) or None

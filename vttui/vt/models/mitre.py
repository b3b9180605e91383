"""MITRE ATT&CK trees of a file's sandbox runs (``/files/{id}/behaviour_mitre_trees``).

The reply's ``data`` maps each sandbox name to ``{"tactics": [...]}`` (or to null when
that sandbox found nothing); each tactic lists techniques, each technique the
signatures that matched, with a severity. :class:`MitreTrees` merges the sandboxes
into one tactic -> technique tree (remembering which sandboxes saw what), the shape an
analyst reads, and keeps each sandbox's own tree at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .coerce import as_dict, as_list, as_str
from .severity import severity_of, severity_rank

__all__ = ["TACTIC_ORDER", "MitreSignature", "MitreTactic", "MitreTechnique", "MitreTrees"]

_MAX = 2000  # tactics, techniques or signatures read from any one list
#: Enterprise ATT&CK tactics in kill-chain order (how the matrix reads, left to right).
TACTIC_ORDER = ("TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007",
                "TA0008", "TA0009", "TA0011", "TA0010", "TA0040")


@dataclass(frozen=True, slots=True)
class MitreSignature:
    severity: str
    description: str


@dataclass(frozen=True, slots=True)
class MitreTechnique:
    id: str
    name: str
    severity: str  # the most severe of its signatures
    description: str = ""
    link: str = ""
    signatures: tuple[MitreSignature, ...] = ()
    sandboxes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MitreTactic:
    id: str
    name: str
    description: str = ""
    link: str = ""
    techniques: tuple[MitreTechnique, ...] = ()

    @property
    def severity(self) -> str:
        return min((t.severity for t in self.techniques), key=severity_rank, default="unknown")


def _worst(signatures: tuple[MitreSignature, ...]) -> str:
    return min((s.severity for s in signatures), key=severity_rank, default="unknown")


def _technique(raw: Any, sandbox: str) -> MitreTechnique | None:
    d = as_dict(raw)
    tid = as_str(d.get("id")).strip()
    if not tid:
        return None
    sigs = []
    for item in as_list(d.get("signatures"))[:_MAX]:
        s = as_dict(item)
        if s:
            sigs.append(MitreSignature(severity_of(s.get("severity")), as_str(s.get("description"))))
    signatures = tuple(sigs)
    return MitreTechnique(
        tid, as_str(d.get("name")) or tid, _worst(signatures), as_str(d.get("description")), as_str(d.get("link")),
        signatures, (sandbox,) if sandbox else (),
    )  # fmt: skip


def _tactics(tree: Any, sandbox: str) -> list[MitreTactic]:
    out = []
    for item in as_list(as_dict(tree).get("tactics"))[:_MAX]:
        d = as_dict(item)
        tid = as_str(d.get("id")).strip()
        if not tid:
            continue
        techniques = [t for t in (_technique(x, sandbox) for x in as_list(d.get("techniques"))[:_MAX]) if t]
        out.append(MitreTactic(tid, as_str(d.get("name")) or tid, as_str(d.get("description")),
                               as_str(d.get("link")), tuple(techniques)))
    return out


def _merge_technique(a: MitreTechnique, b: MitreTechnique) -> MitreTechnique:
    signatures = a.signatures + tuple(s for s in b.signatures if s not in a.signatures)
    sandboxes = a.sandboxes + tuple(s for s in b.sandboxes if s not in a.sandboxes)
    return MitreTechnique(a.id, a.name, _worst(signatures), a.description or b.description, a.link or b.link,
                          signatures, sandboxes)


class MitreTrees:
    """The ATT&CK trees of a file, per sandbox and merged. Accepts anything."""

    def __init__(self, data: Any = None) -> None:
        d = as_dict(data)
        # A whole reply ({"data": {...}, "links": ...}) or just its data.
        if isinstance(d.get("data"), dict) and set(d) <= {"data", "links", "meta"}:
            d = d["data"]
        self._data: dict[Any, Any] = d

    @property
    def raw(self) -> dict[Any, Any]:
        return self._data

    @cached_property
    def by_sandbox(self) -> dict[str, list[MitreTactic]]:
        """Each sandbox's own tactics (sandboxes that found nothing are left out)."""
        out: dict[str, list[MitreTactic]] = {}
        for name, tree in self._data.items():
            if isinstance(name, str) and name:
                tactics = _tactics(tree, name)
                if tactics:
                    out[name] = tactics
        return out

    @property
    def sandboxes(self) -> list[str]:
        return list(self.by_sandbox)

    @cached_property
    def tactics(self) -> list[MitreTactic]:
        """Every sandbox's tactics merged by id, in kill-chain order (unknown ones after, as
        first seen); techniques most severe first, each naming the sandboxes that saw it."""
        order: list[str] = []
        heads: dict[str, MitreTactic] = {}
        techniques: dict[str, dict[str, MitreTechnique]] = {}
        for tactics in self.by_sandbox.values():
            for tactic in tactics:
                if tactic.id not in heads:
                    order.append(tactic.id)
                    heads[tactic.id] = tactic
                    techniques[tactic.id] = {}
                bucket = techniques[tactic.id]
                for t in tactic.techniques:
                    bucket[t.id] = _merge_technique(bucket[t.id], t) if t.id in bucket else t
        known = {t: i for i, t in enumerate(TACTIC_ORDER)}
        order.sort(key=lambda t: known.get(t, len(known)))  # stable: unknown tactics keep their order
        out = []
        for tid in order:
            if not techniques[tid]:  # a tactic with no technique says nothing
                continue
            head = heads[tid]
            ranked = sorted(techniques[tid].values(), key=lambda t: (severity_rank(t.severity), t.id))
            out.append(MitreTactic(head.id, head.name, head.description, head.link, tuple(ranked)))
        return out

    @property
    def techniques(self) -> list[MitreTechnique]:
        """Each technique once (a technique can serve several tactics), most severe first."""
        seen: dict[str, MitreTechnique] = {}
        for tactic in self.tactics:
            for t in tactic.techniques:
                seen[t.id] = _merge_technique(seen[t.id], t) if t.id in seen else t
        return sorted(seen.values(), key=lambda t: (severity_rank(t.severity), t.id))

    @property
    def is_empty(self) -> bool:
        return not self.by_sandbox

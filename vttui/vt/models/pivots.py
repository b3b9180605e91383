"""Pivots: strings inside a report that name objects of their own (hosts, IPs, URLs, hashes).

A sandbox report, a URL's redirection chain or a certificate's names are full of
indicators an analyst wants to open next. Each string is offered as a pivot only when
:mod:`vttui.vt.ioc` accepts it as the kind of indicator its field holds; anything else (a
hostile string, a truncated name, a file path) is still shown, but leads nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..ioc import IOCType, try_classify
from ..refs import TYPE_LABELS, ObjectRef
from .coerce import as_str

__all__ = ["FILE", "HOST", "NETWORK", "Pivot", "pivot", "pivot_ref", "unique_refs"]

#: Object types a field may lead to.
FILE = ("file",)
HOST = ("domain", "ip_address")
NETWORK = ("url", "domain", "ip_address")

#: Longer than any real indicator: not worth classifying (and never a pivot).
_MAX_PIVOT = 4096


@dataclass(frozen=True, slots=True)
class Pivot:
    """A string from a report, and the object it leads to (None: shown, not openable)."""

    text: str
    ref: ObjectRef | None = None

    @property
    def pivotable(self) -> bool:
        return self.ref is not None

    @property
    def label(self) -> str:
        """What the pivot opens ("domain", "IP", "file"...), empty when it opens nothing."""
        return TYPE_LABELS.get(self.ref.type, self.ref.type) if self.ref is not None else ""


def pivot_ref(value: Any, *types: str) -> ObjectRef | None:
    """The object ``value`` names when it is a valid indicator of one of ``types``.

    Hashes must be full MD5/SHA-1/SHA-256; wildcard names (``*.example.com``, from
    certificates) lead to the domain under the wildcard. Analysis ids never pivot.
    """
    text = as_str(value).strip()
    if not text or len(text) > _MAX_PIVOT:
        return None
    if text.startswith("*.") and "domain" in (types or HOST):
        text = text[2:]
    ioc = try_classify(text)
    if ioc is None or ioc.type is IOCType.ANALYSIS:
        return None
    if types and ioc.object_type not in types:
        return None
    return ioc.ref


def pivot(value: Any, *types: str) -> Pivot:
    """The pivot for one string of a report (``types``: what the field may lead to)."""
    text = as_str(value)
    return Pivot(text, pivot_ref(text, *types))


def unique_refs(pivots: Iterable[Pivot]) -> list[ObjectRef]:
    """The distinct objects some pivots lead to, in order of first appearance."""
    seen: dict[ObjectRef, None] = {}
    for p in pivots:
        if p.ref is not None:
            seen.setdefault(p.ref)
    return list(seen)

"""A small VirusTotal Intelligence query language over the demo's objects.

Enough of the real syntax for the demo to be useful and honest: terms are ANDed;
``entity:file|domain|ip|url`` picks what is searched (files by default);
``type:peexe`` (file type tag), ``p:N``, ``p:N+``, ``p:N-`` (engines that flagged it),
``fs:``/``ls:`` with ``YYYY-MM-DD[+|-]`` or ``Nd[+|-]`` (first/last submission; domains
use their creation date for ``fs``), ``tag:X``, ``name:X``, ``size:N[KB|MB][+|-]``;
any other word (or ``"quoted words"``) must appear in the object's id, names, URL,
owner, tags or threat label. An unknown modifier is an error, as on VirusTotal.
"""

from __future__ import annotations

import datetime as _dt
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .specs import DAY, T

__all__ = ["ENTITIES", "ORDERS", "Query", "QueryError", "parse_query"]

JSON = dict[str, Any]
Predicate = Callable[[str, JSON], bool]

#: entity: values -> object type.
ENTITIES = {"file": "file", "domain": "domain", "ip": "ip_address", "ip_address": "ip_address", "url": "url"}
#: What ``meta.allowed_orders`` lists for each object type.
ORDERS = {
    "file": ["first_submission_date", "last_submission_date", "positives", "times_submitted", "size"],
    "domain": ["creation_date", "last_modification_date", "positives"],
    "ip_address": ["ip", "last_modification_date", "positives"],
    "url": ["first_submission_date", "last_submission_date", "positives", "times_submitted"],
}
_MODIFIER = re.compile(r"([a-z_]+):(.*)", re.DOTALL)
_COMPARE = re.compile(r"(.+?)([+-]?)")
_SIZE = re.compile(r"([0-9]+)(kb|mb|b)?", re.IGNORECASE)


class QueryError(ValueError):
    """The query cannot be run; the message says why (it goes back to the user)."""


@dataclass(frozen=True)
class Query:
    text: str
    entity: str  # object type searched
    predicates: tuple[Predicate, ...]

    def matches(self, ident: str, attrs: JSON) -> bool:
        return all(p(ident, attrs) for p in self.predicates)


def _split(value: str) -> tuple[str, str]:
    """``"5+"`` -> ("5", "+"): a value and its comparison."""
    m = _COMPARE.fullmatch(value)
    if not m or not m.group(1):
        raise QueryError(f"Invalid value {value!r} in the search query")
    return m.group(1), m.group(2)


def _compare(actual: float | None, wanted: float, op: str) -> bool:
    if actual is None:
        return False
    return actual >= wanted if op == "+" else actual <= wanted if op == "-" else actual == wanted


def _date(value: str) -> float:
    if value.endswith("d") and value[:-1].isdigit():
        return float(T - int(value[:-1]) * DAY)
    try:
        when = _dt.datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(f"Invalid date {value!r}: use YYYY-MM-DD or a number of days like 7d") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return when.timestamp()


def _number(attrs: JSON, key: str) -> float | None:
    value = attrs.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _text_of(ident: str, attrs: JSON) -> str:
    parts: list[Any] = [ident, attrs.get("url"), attrs.get("meaningful_name"), attrs.get("as_owner"),
                        attrs.get("registrar"), attrs.get("title")]
    parts += list(attrs.get("names") or []) + list(attrs.get("tags") or [])
    parts.append((attrs.get("popular_threat_classification") or {}).get("suggested_threat_label"))
    return "\n".join(str(p) for p in parts if p).lower()


def _modifier(name: str, value: str) -> Predicate:
    if name == "type":
        want = value.lower()
        return lambda _i, a: want == str(a.get("type_tag", "")).lower() or want in [
            str(t).lower() for t in a.get("type_tags") or []]
    if name in ("p", "positives"):
        number, op = _split(value)
        if not number.isdigit():
            raise QueryError(f"Invalid number {number!r} for p:")
        wanted = float(number)
        return lambda _i, a: _compare(_number(a.get("last_analysis_stats") or {}, "malicious"), wanted, op)
    if name in ("fs", "ls"):
        text, op = _split(value)
        when = _date(text)
        keys = ("first_submission_date", "creation_date") if name == "fs" else ("last_submission_date",)
        return lambda _i, a: _compare(next((v for k in keys if (v := _number(a, k)) is not None), None), when, op)
    if name == "tag":
        want = value.lower()
        return lambda _i, a: want in [str(t).lower() for t in a.get("tags") or []]
    if name == "name":
        want = value.lower()
        return lambda _i, a: any(want in str(n).lower() for n in a.get("names") or [a.get("meaningful_name") or ""])
    if name == "size":
        text, op = _split(value)
        m = _SIZE.fullmatch(text)
        if not m:
            raise QueryError(f"Invalid size {text!r}: use a number with KB or MB")
        scale = {"kb": 1024, "mb": 1024 * 1024}.get((m.group(2) or "").lower(), 1)
        wanted = float(int(m.group(1)) * scale)
        return lambda _i, a: _compare(_number(a, "size"), wanted, op)
    raise QueryError(f"Unsupported search modifier {name!r} (the demo knows entity, type, p, fs, ls, tag, name, size)")


def _free_text(word: str) -> Predicate:
    return lambda ident, attrs: word in _text_of(ident, attrs)


def parse_query(text: str) -> Query:
    """Parse a query; QueryError (a 400 on VirusTotal) when it cannot be run."""
    if not text.strip():
        raise QueryError("The search query is empty")
    try:
        terms = shlex.split(text)
    except ValueError:
        raise QueryError("Unbalanced quotes in the search query") from None
    entity = "file"
    predicates: list[Predicate] = []
    for term in terms:
        m = _MODIFIER.fullmatch(term)
        if m and not m.group(2).startswith("//"):
            name, value = m.group(1).lower(), m.group(2)
            if name == "entity":
                if value.lower() not in ENTITIES:
                    raise QueryError(f"Unsupported entity {value!r} (file, domain, ip or url)")
                entity = ENTITIES[value.lower()]
                continue
            if not value:
                raise QueryError(f"The modifier {name}: needs a value")
            predicates.append(_modifier(name, value))
            continue
        predicates.append(_free_text(term.lower()))
    return Query(text, entity, tuple(predicates))


def order_key(entity: str) -> Callable[[tuple[str, JSON]], Sequence[Any]]:
    """Most flagged first, then newest, then by id: a stable order for paging."""
    date_key = "creation_date" if entity == "domain" else "last_submission_date"

    def key(item: tuple[str, JSON]) -> Sequence[Any]:
        ident, attrs = item
        stats = attrs.get("last_analysis_stats") or {}
        return (-int(stats.get("malicious") or 0), -int(attrs.get(date_key) or attrs.get("last_analysis_date") or 0),
                ident)

    return key

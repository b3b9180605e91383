"""JSON export: valid, deterministic JSON that scripts can trust.

* Keys are sorted at every level, except that an object's envelope comes first in a
  fixed order (``type``, ``id``, ``links``, ``attributes``, ``context_attributes``,
  ``relationships``, then any others sorted). Output is the same on every run.
* Dates: every date field keeps its original value and gains a sibling
  ``<key>_iso`` holding ISO 8601 UTC (``2024-05-01T12:00:00Z``). Date fields are keys
  ending in ``_date`` and the keys ``date``, ``timestamp``, ``not_before``,
  ``not_after`` and ``last_updated`` (epoch seconds, milliseconds or date text; values
  that are not dates get no sibling). A sibling is never added over an existing key.
* Numbers JSON cannot carry (NaN, infinities) become ``null``; lone surrogates become
  U+FFFD, so the output is always valid UTF-8; nesting deeper than ``MAX_DEPTH`` is
  cut (``null``).
* Characters that terminals act on (C1 controls, bidi overrides, line separators) are
  written as ``\\uXXXX`` escapes: the data is unchanged, the terminal is safe.

``raw`` is not made here: see :func:`dump_raw`.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC
from typing import Any

from ..vt.models import as_datetime

MAX_DEPTH = 100
ISO_SUFFIX = "_iso"
DATE_KEYS = frozenset({"date", "timestamp", "not_before", "not_after", "last_updated"})
ENVELOPE = ("type", "id", "links", "attributes", "context_attributes", "relationships")

_SURROGATES = re.compile("[\ud800-\udfff]")
# Characters a terminal may act on even inside a JSON string: C1 controls, DEL, bidi and
# invisible format characters, line/paragraph separators.
_TERMINAL_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def is_date_key(key: Any) -> bool:
    return isinstance(key, str) and (key.endswith("_date") or key in DATE_KEYS)


def iso_date(value: Any) -> str | None:
    """ISO 8601 UTC text for an epoch or date text; None when the value is no date."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str) and len(value.strip()) < 4:
        return None
    when = as_datetime(value)
    if when is None:
        return None
    text = when.astimezone(UTC).isoformat(timespec="seconds" if not when.microsecond else "milliseconds")
    return text.replace("+00:00", "Z")


def clean_str(text: str) -> str:
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text


def _key(key: Any) -> str:
    if isinstance(key, str):
        return clean_str(key)
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and not math.isfinite(key):
        return "null"
    return clean_str(str(key))


def _order(keys: list[str], envelope: bool) -> list[str]:
    if not envelope:
        return sorted(keys)
    head = [k for k in ENVELOPE if k in keys]
    return head + sorted(k for k in keys if k not in ENVELOPE)


def normalise(value: Any, *, dates: bool = True, depth: int = 0) -> Any:
    """A JSON-safe copy: ordered keys, date siblings, no NaN, no lone surrogates."""
    if depth > MAX_DEPTH:
        return None
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, dict):
        return _normalise_dict(value, dates=dates, depth=depth)
    if isinstance(value, (list, tuple)):
        return [normalise(v, dates=dates, depth=depth + 1) for v in value]
    return clean_str(str(value))


def _normalise_dict(value: dict[Any, Any], *, dates: bool, depth: int) -> dict[str, Any]:
    items: dict[str, Any] = {}
    for k, v in value.items():
        items[_key(k)] = normalise(v, dates=dates, depth=depth + 1)
    if dates:
        for k, v in list(items.items()):
            if is_date_key(k) and (k + ISO_SUFFIX) not in items:
                iso = iso_date(v)
                if iso is not None:
                    items[k + ISO_SUFFIX] = iso
    envelope = isinstance(value.get("type"), str) and ("id" in value or "attributes" in value)
    return {k: items[k] for k in _order(list(items), envelope)}


def _escape_unsafe(text: str) -> str:
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape_terminal_unsafe(json_text: str) -> str:
    """JSON text with the characters terminals act on written as ``\\uXXXX`` (same data)."""
    return _escape_unsafe(json_text)


def dumps(value: Any, *, dates: bool = True, indent: int | None = 2) -> str:
    """Deterministic JSON text of ``value`` (normalised first)."""
    text = json.dumps(normalise(value, dates=dates), ensure_ascii=False, indent=indent, allow_nan=False)
    return _escape_unsafe(text)


def _finite(value: Any, depth: int = 0) -> Any:
    """Only what JSON cannot carry is touched: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if depth > 900:
        return None
    if isinstance(value, dict):
        return {k: _finite(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v, depth + 1) for v in value]
    return value


def dump_raw(value: Any) -> str:
    """The data exactly as VirusTotal returned it: key order kept, nothing added.

    The only changes are those needed for valid JSON: non-finite numbers become null,
    and text with lone surrogates is written with ASCII escapes.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=False, indent=2, allow_nan=False)
    if _SURROGATES.search(text):
        text = json.dumps(_finite(value), ensure_ascii=True, indent=2, allow_nan=False)
    return _escape_unsafe(text)

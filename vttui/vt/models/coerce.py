"""Tolerant coercion of untrusted JSON values: the one place that decides what counts.

VirusTotal replies are attacker-controlled and inconsistent over the years (dates as
strings, ids as numbers, sizes as 3.3e21): every helper here takes anything and returns
the wanted type or a default, never raising. The views and exports build on these, so
the rules (no booleans as numbers, int64 only, ASCII digits only) hold everywhere.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "KeyPath",
    "as_datetime",
    "as_dict",
    "as_float",
    "as_int",
    "as_list",
    "as_str",
    "get_path",
    "one_line",
    "pick_rows",
    "str_dict",
    "str_list",
]

#: A dotted path (``"a.b.c"``), or a tuple/list of keys when a key holds a dot.
KeyPath = str | tuple[Any, ...] | list[Any]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
# ASCII digits only: str.isdigit() and \d also accept Arabic-Indic and other digits.
_INT_RE = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_MAX_NUMBER_TEXT = 64


def as_int(v: Any, default: int | None = None) -> int | None:
    """An int from an int, a float or numeric text; ``default`` for anything else.

    Booleans are not numbers here (``True`` is not a count of 1), and values outside
    int64 are rejected: VirusTotal has sent floats like 3.3e21 where sizes belong.
    """
    if v is None or isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v if _INT64_MIN <= v <= _INT64_MAX else default
    if isinstance(v, float):
        if not math.isfinite(v) or not (-(2.0**63) < v < 2.0**63):
            return default
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if not s or len(s) > _MAX_NUMBER_TEXT:
            return default
        if _INT_RE.fullmatch(s):
            return as_int(int(s), default)
        if _FLOAT_RE.fullmatch(s):
            return as_int(float(s), default)
    return default


def as_float(v: Any, default: float | None = None) -> float | None:
    """A finite float from a number or numeric text; ``default`` otherwise (NaN/inf too)."""
    if v is None or isinstance(v, bool):
        return default
    if isinstance(v, int):
        try:
            f = float(v)
        except OverflowError:
            return default
    elif isinstance(v, float):
        f = v
    elif isinstance(v, str):
        s = v.strip()
        if not s or len(s) > _MAX_NUMBER_TEXT or not _FLOAT_RE.fullmatch(s):
            return default
        f = float(s)
    else:
        return default
    return f if math.isfinite(f) else default


def as_str(v: Any, default: str = "") -> str:
    """Text for a scalar; ``default`` for null and containers (never their repr)."""
    if isinstance(v, str):
        return v
    if v is None:
        return default
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        try:
            return str(v)
        except ValueError:  # more digits than Python will print
            return default
    if isinstance(v, float):
        if not math.isfinite(v):
            return default
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "replace")
    return default


def as_list(v: Any) -> list[Any]:
    """The list itself (not a copy: do not mutate it), a tuple as a list, else ``[]``."""
    if isinstance(v, list):
        return v
    if isinstance(v, tuple):
        return list(v)
    return []


def as_dict(v: Any) -> dict[Any, Any]:
    """The dict itself (not a copy: do not mutate it), else a fresh ``{}``."""
    return v if isinstance(v, dict) else {}


def str_list(v: Any) -> list[str]:
    """Non-empty strings of a list; a lone string counts as a one-item list."""
    if isinstance(v, str):
        return [v] if v else []
    out: list[str] = []
    for item in as_list(v):
        s = as_str(item)
        if s:
            out.append(s)
    return out


def str_dict(v: Any) -> dict[str, str]:
    """A str -> str mapping from a dict, dropping entries whose value is not a scalar."""
    out: dict[str, str] = {}
    for k, val in as_dict(v).items():
        s = as_str(val)
        if isinstance(k, str) and s:
            out[k] = s
    return out


def one_line(s: str, limit: int = 500) -> str:
    """Collapse whitespace (newlines included) so a title fits on one row."""
    line = " ".join(s.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# Epoch bounds: 1900-01-01 .. 9999-12-31. Anything outside is junk, not a date.
_MIN_EPOCH = -2208988800
_MAX_EPOCH = 253402300799
# Above this many "seconds" (year 5138) a number is taken to be milliseconds.
_MS_THRESHOLD = 1e11
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TEXT_DATE_FORMATS = (
    "%Y:%m:%d %H:%M:%S%z",  # exiftool: 2018:08:06 08:56:17+00:00
    "%Y:%m:%d %H:%M:%S",
    "%I:%M %p %m/%d/%Y",  # signature_info: 06:48 AM 08/24/2022
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%a, %d %b %Y %H:%M:%S %Z",  # HTTP dates
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y",
    "%b %d %H:%M:%S %Y %Z",  # openssl style
)


def _from_epoch(x: float) -> datetime | None:
    if not math.isfinite(x):
        return None
    if abs(x) >= _MS_THRESHOLD:
        x /= 1000.0
    if not _MIN_EPOCH <= x <= _MAX_EPOCH:
        return None
    try:
        return _EPOCH + timedelta(seconds=x)
    except OverflowError:
        return None


def _to_utc(d: datetime) -> datetime | None:
    try:
        d = d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return d if d.year >= 1900 else None


def _parse_text_date(s: str) -> datetime | None:
    try:
        return _to_utc(datetime.fromisoformat(s))
    except ValueError:
        pass
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return _to_utc(datetime.strptime(s, fmt))
        except ValueError:
            continue
    return None


def as_datetime(v: Any) -> datetime | None:
    """A tz-aware UTC datetime from epoch seconds/milliseconds or date text; else None."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, datetime):
        return _to_utc(v)
    if isinstance(v, (int, float)):
        f = as_float(v)
        return None if f is None else _from_epoch(f)
    if isinstance(v, str):
        s = v.strip()
        if not s or len(s) > _MAX_NUMBER_TEXT:
            return None
        if _FLOAT_RE.fullmatch(s):
            f = as_float(s)
            return None if f is None else _from_epoch(f)
        return _parse_text_date(s)
    return None


def get_path(d: Any, path: KeyPath, default: Any = None) -> Any:
    """Walk dicts (and lists, by numeric segment) along ``"a.b.c"``; ``default`` if absent.

    Pass a tuple when a key holds a dot (engine names like ``Dr.Web`` do). A null at
    the end counts as absent.
    """
    keys = path.split(".") if isinstance(path, str) else list(as_list(path))
    cur = d
    for key in keys:
        if isinstance(cur, dict):
            try:
                if key not in cur:
                    return default
            except TypeError:  # unhashable key
                return default
            cur = cur[key]
        elif isinstance(cur, list):
            idx = key if isinstance(key, int) and not isinstance(key, bool) else None
            if isinstance(key, str) and key.isascii() and key.isdigit():
                idx = int(key)
            if idx is None or not -len(cur) <= idx < len(cur):
                return default
            cur = cur[idx]
        else:
            return default
    return default if cur is None else cur


def pick_rows(v: Any, keys: tuple[str, ...], required: str) -> list[dict[str, str]]:
    """Rows of chosen text fields from a list of dicts; rows without ``required`` dropped."""
    out = []
    for item in as_list(v):
        d = as_dict(item)
        row = {k: as_str(d.get(k)) for k in keys}
        if row[required]:
            out.append(row)
    return out

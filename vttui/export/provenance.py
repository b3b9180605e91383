"""How old an exported report is, when it came from the persistent cache.

A report served from the store may be hours old; a ticket that quotes it must say so.
JSON and XML objects gain a ``vttui`` member (``cached``, ``fetched_at``, ``age_seconds``),
Markdown a line under the title. Raw stays exactly what VirusTotal sent; CSV rows have
no place for it. A report fetched by this run carries nothing extra.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from ..vt.cache import FetchInfo, describe_age

MEMBER = "vttui"


def provenance(fetched: FetchInfo | None, now: float | None = None) -> dict[str, Any] | None:
    """The metadata for a report served from the store (None otherwise)."""
    if fetched is None or not fetched.from_store:
        return None
    age = fetched.age(now if now is not None else time.time())
    when = dt.datetime.fromtimestamp(fetched.fetched_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"cached": True, "fetched_at": when, "age_seconds": int(age), "age": describe_age(age)}


def with_meta(obj: Any, meta: dict[str, Any] | None) -> Any:
    """``obj`` with the ``vttui`` member (a copy; the cached object is never changed)."""
    if meta is None or not isinstance(obj, dict) or MEMBER in obj:
        return obj
    return {**obj, MEMBER: meta}


def with_note(markdown: str, meta: dict[str, Any] | None) -> str:
    """The Markdown report with a line under its title saying it is a cached copy."""
    if meta is None:
        return markdown
    age = meta["age"]
    note = (f"> Cached copy: fetched from VirusTotal {meta['fetched_at'].replace('T', ' ').rstrip('Z')} UTC"
            f" ({age}{'' if age == 'just now' else ' ago'}).")
    title, sep, rest = markdown.partition("\n")
    return f"{title}\n\n{note}{sep}{rest}" if sep else f"{title}\n\n{note}\n"

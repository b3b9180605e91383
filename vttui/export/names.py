"""Default names for export files: the full id, plain ASCII, never a cut hash or an ellipsis.

Why: ``file-275a021bbfb6489e54d4…md`` held a real ``…`` (a pain in any shell) and a
hash too short to find the file again. A hash, a domain or an IP fits in a file name
as it is; only ids that cannot (a URL's base64 id, an id with slashes or non-ASCII)
become a plain short id: the first 16 hex characters of their SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

from .files import free_path

__all__ = ["export_filename", "export_path", "file_safe_id", "trail_filename", "trail_path"]

#: Longest id kept whole in a file name (a SHA-256 is 64; long domains are rare).
MAX_ID = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_safe_id(ident: str) -> str:
    """``ident`` as it is when it is safe in a file name on every system (letters, digits,
    ``.``, ``_``, ``-``; IPv6 colons become ``_``), else a plain short id."""
    text = ident.strip()
    if ":" in text and re.fullmatch(r"[0-9A-Fa-f:.]+", text):  # an IPv6 address
        text = text.replace(":", "_")
    if text and len(text) <= MAX_ID and not _UNSAFE.search(text) and text.strip(".") and not text.startswith("-"):
        return text
    return "id-" + hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def export_filename(object_type: str, ident: str, extension: str) -> str:
    """``<type>-<full id><extension>``, e.g. ``file-<sha256>.md`` or ``domain-evil.example.json``."""
    kind = _UNSAFE.sub("_", object_type) or "object"
    ext = extension if extension.startswith(".") or not extension else "." + extension
    return f"{kind}-{file_safe_id(ident)}{ext}"


def export_path(folder: str | os.PathLike[str], object_type: str, ident: str, extension: str, *,
                avoid_existing: bool = True) -> Path:
    """The full (absolute) default path of an export in ``folder``; with ``avoid_existing``
    the first free name (``-2``, ``-3``...) so an earlier export is never replaced."""
    path = Path(os.path.abspath(Path(folder).expanduser() / export_filename(object_type, ident, extension)))
    return free_path(path) if avoid_existing else path


def trail_filename(extension: str, started: dt.datetime | None = None) -> str:
    """``vttui-trail-YYYYMMDD-HHMM<extension>``: one name per investigation, not one for all."""
    when = (started or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    ext = extension if extension.startswith(".") or not extension else "." + extension
    return f"vttui-trail-{when:%Y%m%d-%H%M}{ext}"


def trail_path(folder: str | os.PathLike[str], extension: str, started: dt.datetime | None = None, *,
               avoid_existing: bool = True) -> Path:
    """The full default path of a trail export, never an existing file's (see export_path)."""
    path = Path(os.path.abspath(Path(folder).expanduser() / trail_filename(extension, started)))
    return free_path(path) if avoid_existing else path

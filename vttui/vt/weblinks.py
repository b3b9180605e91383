"""Links out: the VirusTotal web page of any object, for `o` (copy the link) and OSC 8.

Ids come from replies (attacker-controlled), so every one is percent-encoded into a
single path segment: a link can never point anywhere but the object's own page.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote

from .refs import ObjectRef

__all__ = ["GUI_BASE", "TABS", "web_url"]

GUI_BASE = "https://www.virustotal.com/gui"
#: Tabs of a report page (``/gui/file/<sha256>/detection``...).
TABS = ("detection", "details", "relations", "behavior", "community", "content", "telemetry")

_PAGE = {
    "file": "file",
    "url": "url",
    "domain": "domain",
    "ip_address": "ip-address",
    "collection": "collection",
    "threat_actor": "threat-actor",
}
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_URL_ANALYSIS = re.compile(r"u-([0-9a-fA-F]{64})-[0-9]+")
_FILE_ANALYSIS = re.compile(r"([0-9a-fA-F]{32}):[0-9]+")


def _segment(ident: str) -> str:
    return quote(ident, safe="")


def _url_page(ident: str) -> str:
    """URLs have a page under their SHA-256 id; a base64 id is opened through search."""
    if _HEX64.fullmatch(ident):
        return f"{GUI_BASE}/url/{ident.lower()}"
    try:
        url = base64.urlsafe_b64decode(ident + "=" * (-len(ident) % 4)).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        url = ident
    return f"{GUI_BASE}/search/{_segment(_segment(url))}"  # VirusTotal's own links encode it twice


def _analysis_page(ident: str) -> str | None:
    """An analysis has no page; the file or URL it analysed has."""
    m = _URL_ANALYSIS.fullmatch(ident)
    if m:
        return f"{GUI_BASE}/url/{m.group(1).lower()}"
    try:
        decoded = base64.b64decode(ident + "=" * (-len(ident) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    m = _FILE_ANALYSIS.fullmatch(decoded)
    return f"{GUI_BASE}/file/{m.group(1).lower()}" if m else None


def web_url(obj: Any, tab: str | None = None) -> str | None:
    """The web page of an object (an :class:`ObjectRef`, a view or an IOC), or None when
    VirusTotal has no page for that kind of object. ``tab`` picks a report tab."""
    ref = getattr(obj, "ref", obj)
    if not isinstance(ref, ObjectRef) or not ref.id:
        return None
    page: str | None
    if ref.type == "url":
        page = _url_page(ref.id)
    elif ref.type == "analysis":
        page = _analysis_page(ref.id)
    elif ref.type == "file_behaviour":  # <sha256>_<sandbox>: the file's behaviour tab
        sha = ref.id.split("_", 1)[0]
        return f"{GUI_BASE}/file/{sha.lower()}/behavior" if _HEX64.fullmatch(sha) else None
    elif ref.type in _PAGE:
        ident = ref.id.lower() if ref.type in ("file", "domain") else ref.id
        page = f"{GUI_BASE}/{_PAGE[ref.type]}/{_segment(ident)}"
    else:
        return None
    if page is None:
        return None
    if tab in TABS and ref.type in ("file", "url", "domain", "ip_address") and "/search/" not in page:
        page += f"/{tab}"
    return page

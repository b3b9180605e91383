"""Indicators of compromise: refang, classify, normalise, extract, and VirusTotal URL ids.

Everything the user types or pastes passes through here before any request is made, so
garbage is refused with a reason a person can act on (:class:`InvalidIOCError`), and
defanged indicators copied from threat reports ("hxxp://evil[.]com") just work.

* :mod:`.refang` undoes defanging and trims tokens, keeping offset maps;
* :mod:`.classify` turns one indicator into an :class:`IOC` or refuses it with a reason;
* :mod:`.extract` finds every indicator in a pasted block;
* :mod:`.defang` writes indicators so nothing turns them into links (for tickets and chats);
* :mod:`.tlds` knows the real top-level domains (``tlds.txt``) and IDNA labels.

Every regular expression is linear on any input (no nested or overlapping quantifiers
that can backtrack), because a 1 MB paste must not hang the UI.
"""

from __future__ import annotations

from .classify import IOC, IOCType, classify, is_url_sha256_id, try_classify, url_id
from .defang import defang, defang_text
from .extract import extract
from .refang import refang

__all__ = [
    "IOC",
    "IOCType",
    "classify",
    "defang",
    "defang_text",
    "extract",
    "is_url_sha256_id",
    "refang",
    "try_classify",
    "url_id",
]

"""Finding every indicator in a pasted block (a threat report, a log, an e-mail).

Candidates are cut from the refanged text with one linear scan, trimmed, classified,
and mapped back to what was pasted; prose ("e.g", "3.2", "Node.js") and bare file
names ("invoice.zip") are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import InvalidIOCError
from .classify import HASH_TYPES, IOC, MAX_INPUT, IOCType, cidr_address, classify_clean
from .refang import refang_with_maps, trim_bounds
from .tlds import AMBIGUOUS_TLDS, known_tlds

__all__ = ["extract"]

_TOKEN_CHARS = r"[^\s<>\"'`(){}\[\],;|\\^\u2018\u2019\u201c\u201d\u00ab\u00bb]"
# Two kinds of candidates: URLs with a scheme (which may hold brackets, for IPv6 hosts), and
# tokens that have a dot, colon or at inside, or are long enough to be a hash. Tokens are
# only tried from their first character (the lookbehind), which keeps the scan linear.
_EXTRACT_RE = re.compile(
    r"(?P<url>\b(?i:https?|ftp)://(?:\[[0-9A-Za-z:.%]*\])?[^\s<>\"'`\[\]]*)"
    rf"|(?P<tok>(?<!{_TOKEN_CHARS})"
    rf"(?={_TOKEN_CHARS}{{32}}|{_TOKEN_CHARS}*[.:@]{_TOKEN_CHARS}){_TOKEN_CHARS}+)"
)
_URL_IN_TOKEN_RE = re.compile(r"(?i:https?|ftp)://")
_KEY_PREFIX_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,30}[:=](?!//)")
_HEX_WORD_RE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?![0-9A-Za-z])")


def extract(text: str) -> list[IOC]:
    """Every indicator in a pasted block, deduplicated by (type, value), in order of appearance."""
    if not isinstance(text, str) or not text:
        return []
    clean, maps = refang_with_maps(text)
    seen: set[tuple[IOCType, str]] = set()
    found: list[IOC] = []

    def original(start: int, end: int) -> str:
        for m in reversed(maps):
            start, end = m.back(start, end=False), m.back(end, end=True)
        return text[start:end]

    def add(kind: IOCType, value: str, start: int, end: int) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            found.append(IOC(kind, value, original(start, end)))

    for m in _EXTRACT_RE.finditer(clean):
        start, end = trim_bounds(clean, m.start(), m.end())
        if start >= end:
            continue
        for kind, value, s, e in _candidates(clean, start, end, original):
            add(kind, value, s, e)
    return found


def _candidates(
    clean: str, start: int, end: int, original: Callable[[int, int], str]
) -> list[tuple[IOCType, str, int, int]]:
    """Indicators in one token of refanged text, as (type, value, start, end)."""
    token = clean[start:end]
    key = _KEY_PREFIX_RE.match(token)
    if not (_plausible(token) or (key and _plausible(token[key.end() :]))):
        return []
    cidr = cidr_address(token)
    hit = _classify_token(cidr or token)
    if hit:
        kind, value = hit
        if kind is IOCType.DOMAIN and _is_probably_file_name(token, original(start, end)):
            return []
        return [(kind, value, start, start + len(cidr) if cidr else end)]
    out: list[tuple[IOCType, str, int, int]] = []
    inner = _URL_IN_TOKEN_RE.search(token, 1)
    off = inner.start() if inner else key.end() if key else None
    if off is not None:
        hit = _classify_token(token[off:])
        if hit:
            return [(hit[0], hit[1], start + off, end)]
    for h in _HEX_WORD_RE.finditer(token):
        kind = HASH_TYPES[len(h.group(0))]
        out.append((kind, h.group(0).lower(), start + h.start(), start + h.end()))
    return out


def _plausible(token: str) -> bool:
    """Cheap test that keeps prose words ("e.g", "3.2", "Node.js") away from classify()."""
    if len(token) >= 32 or "://" in token:
        return True
    host = token
    for sep in "/?#":
        k = host.find(sep)
        if k != -1:
            host = host[:k]
    host = host.rpartition("@")[2]
    colons = host.count(":")
    if colons >= 2:
        return True
    if colons:
        host = host.partition(":")[0]
    tld = host.rpartition(".")[2]
    if not tld:
        return False
    if tld.isdigit():
        return host.count(".") == 3
    return not tld.isascii() or tld.lower() in known_tlds()


def _classify_token(token: str) -> tuple[IOCType, str] | None:
    if len(token) > MAX_INPUT:
        return None
    try:
        kind, value = classify_clean(token)
    except InvalidIOCError:
        return None
    return kind, value


def _is_probably_file_name(token: str, original: str) -> bool:
    """'invoice.zip' in a report is a file; 'evil[.]zip' or 'a.b.zip' is meant as a domain."""
    if token != original or token.count(".") != 1 or "@" in token:
        return False
    return token.rsplit(".", 1)[1].lower() in AMBIGUOUS_TLDS

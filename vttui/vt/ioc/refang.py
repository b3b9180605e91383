"""Refanging: undo "hxxp://evil[.]com"-style defanging, remembering every edit.

Each phase records its edits (:class:`OffsetMap`) so extract() can map a match in the
refanged text back to exactly what the user pasted (``IOC.original``). Also home of the
trimming of wrapping quotes, brackets and trailing punctuation around a token.

:func:`refang` is idempotent by construction: bracketed defang groups are reduced as
whole runs of punctuation, so a reduction can never expose a new defang group. Every
regular expression is linear on any input: a 1 MB paste must not hang the UI.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .tlds import label_to_ascii, tld_known

__all__ = [
    "SPACE_CHARS",
    "SPACE_RE",
    "OffsetMap",
    "refang",
    "refang_with_maps",
    "trim",
    "trim_bounds",
]

#: One rewrite: (out_start, out_end, in_start, in_end).
Edit = tuple[int, int, int, int]

# --- Offset-tracking string rewriting ------------------------------------------------
#
# Each refang phase records its edits so extract() can map a match in the refanged text
# back to exactly what the user pasted (IOC.original).


class _Builder:
    """Builds a rewritten string from (start, end, replacement) edits, remembering them."""

    __slots__ = ("src", "parts", "pos", "olen", "edits")

    def __init__(self, src: str) -> None:
        self.src = src
        self.parts: list[str] = []
        self.pos = 0
        self.olen = 0
        #: (out_start, out_end, in_start, in_end), in order.
        self.edits: list[Edit] = []

    def replace(self, start: int, end: int, new: str) -> None:
        old = self.src[start:end]
        if old == new:
            return
        # Record only the part that changed, so offsets map back as tightly as possible.
        p = 0
        limit = min(len(old), len(new))
        while p < limit and old[p] == new[p]:
            p += 1
        q = 0
        while q < limit - p and old[-1 - q] == new[-1 - q]:
            q += 1
        start, end, new = start + p, end - q, new[p : len(new) - q]
        gap = self.src[self.pos : start]
        self.parts.append(gap)
        self.olen += len(gap)
        self.edits.append((self.olen, self.olen + len(new), start, end))
        self.parts.append(new)
        self.olen += len(new)
        self.pos = end

    def result(self) -> str:
        if not self.edits:
            return self.src
        self.parts.append(self.src[self.pos :])
        return "".join(self.parts)


class OffsetMap:
    """Maps positions in a rewritten string back to the string before the rewrite."""

    __slots__ = ("edits", "starts")

    def __init__(self, edits: list[Edit]) -> None:
        self.edits = edits
        self.starts = [e[0] for e in edits]

    def back(self, pos: int, *, end: bool) -> int:
        # For an end position, an edit touching pos from the left still covers it.
        i = bisect_right(self.starts, pos - 1 if end else pos) - 1
        if i < 0:
            return pos
        ostart, oend, istart, iend = self.edits[i]
        if end:
            return iend if pos <= oend else pos - oend + iend
        return istart if pos < oend else pos - oend + iend


# --- Refang --------------------------------------------------------------------------

# Phase 1: bracketed words "[dot]" and "(at)" become bracketed symbols "[.]" and "(@)".
_BRACKET_WORD_RE = re.compile(r"([\[({])[ \t]*(dot|at)[ \t]*([\])}])", re.IGNORECASE)
# Phase 2: defanged schemes.
_SCHEME_WORD_RE = re.compile(r"\b(?:h(?:xx|\*\*)p(s?)\b|fxp(s?)(?=[\[({\\]*:))", re.IGNORECASE)
# Phase 3: maximal runs of punctuation that defang groups are made of.
# Only runs holding a bracket or backslash; the lookbehind keeps the scan linear.
_PUNCT_RUN_RE = re.compile(r"(?<![\[\](){}\\.:/@])(?=[.:/@]*[\[\](){}\\])[\[\](){}\\.:/@]+")
_GROUP_RE = re.compile(r"(?:\\*[\[({])+\\*(\.|://|:/|:|//|/|@)(?:\\*[\])}])+")
_BACKSLASH_DOT_RE = re.compile(r"\\+\.")
_MAX_RUN = 64
# Phase 4: " dot " between labels ("www dot evil dot com").
_DOT_WORD_CHAIN_RE = re.compile(r"(?<![\w.-])[\w-]+(?:\.[\w-]+)*(?:[ ][Dd][Oo][Tt][ ][\w-]+(?:\.[\w-]+)*)+(?![\w-])")
_DOT_WORD_SEP_RE = re.compile(r"[ ](dot)[ ]", re.IGNORECASE)


def refang(text: str) -> str:
    """Undo common defanging: hxxp(s), fxp, [.] (.) {.} [dot] (dot), [:] [://] [:/]/ [/],
    [at] (at) [@], backslash-dot, and ' dot ' where clearly meant. Idempotent; prose is left
    alone (a lone bracket, "(...)", "[1]", "the dot com era")."""
    return refang_with_maps(text)[0]


def refang_with_maps(text: str, *, whole_token: bool = False) -> tuple[str, list[OffsetMap]]:
    maps: list[OffsetMap] = []
    for phase in (_phase_bracket_words, _phase_schemes, _phase_runs):
        text, edits = phase(text)
        if edits:
            maps.append(OffsetMap(edits))
    text, edits = _phase_dot_words(text, whole_token)
    if edits:
        maps.append(OffsetMap(edits))
    return text, maps


def _phase_bracket_words(text: str) -> tuple[str, list[Edit]]:
    if "(" not in text and "[" not in text and "{" not in text:
        return text, []
    b = _Builder(text)
    for m in _BRACKET_WORD_RE.finditer(text):
        sym = "." if m.group(2).lower() == "dot" else "@"
        b.replace(m.start(), m.end(), m.group(1) + sym + m.group(3))
    return b.result(), b.edits


def _phase_schemes(text: str) -> tuple[str, list[Edit]]:
    low = text.lower()
    if "xxp" not in low and "**p" not in low and "fxp" not in low:
        return text, []
    b = _Builder(text)
    for m in _SCHEME_WORD_RE.finditer(text):
        if m.group(0)[0] in "hH":
            b.replace(m.start(), m.end(), "http" + m.group(1).lower())
        else:
            b.replace(m.start(), m.end(), "ftp" + m.group(2).lower())
    return b.result(), b.edits


def _reduce_run(run: str) -> str:
    """Reduce a punctuation run to its fixpoint: '[[.]]' -> '.', '[:]//' -> '://'."""
    while True:
        new = _BACKSLASH_DOT_RE.sub(".", _GROUP_RE.sub(r"\1", run))
        if new == run:
            return run
        run = new


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-"


def _phase_runs(text: str) -> tuple[str, list[Edit]]:
    b = _Builder(text)
    n = len(text)
    for m in _PUNCT_RUN_RE.finditer(text):
        run = m.group(0)
        if len(run) < 2 or len(run) > _MAX_RUN:  # one bracket alone is never a defang
            continue
        new = _reduce_run(run)
        if new == run:
            continue
        start, end = m.start(), m.end()
        if new in (".", "@"):
            # "evil [.] com" -> "evil.com": drop blanks around a lone defanged dot or at.
            ls, re_ = start, end
            while ls > b.pos and text[ls - 1] in " \t":
                ls -= 1
            while re_ < n and text[re_] in " \t":
                re_ += 1
            blanks = (ls < start or re_ > end) and ls > 0 and re_ < n
            if blanks and _is_word_char(text[ls - 1]) and _is_word_char(text[re_]):
                start, end = ls, re_
        b.replace(start, end, new)
    return b.result(), b.edits


def _phase_dot_words(text: str, whole_token: bool) -> tuple[str, list[Edit]]:
    if " dot " not in text.lower():
        return text, []
    b = _Builder(text)
    whole = trim_bounds(text, 0, len(text)) if whole_token else None
    for m in _DOT_WORD_CHAIN_RE.finditer(text):
        chain = m.group(0)
        # When the user typed just this, "evil dot com" is meant as a domain.
        clear = whole == m.span() or _clearly_defanged_chain(chain, text, m.start())
        if clear and tld_known(_ascii_tld(chain)):
            b.replace(m.start(), m.end(), _DOT_WORD_SEP_RE.sub(".", chain))
    return b.result(), b.edits


def _clearly_defanged_chain(chain: str, text: str, start: int) -> bool:
    """In running text ' dot ' is usually prose ("the dot com era"): only take it as a
    separator when the token is clearly defanged: written ' DOT ', right after '://' or '@',
    or with three labels or more ("www dot evil dot com")."""
    if " DOT " in chain or text.endswith(("://", "@"), 0, start):
        return True
    labels = 1 + chain.count(".") + len(_DOT_WORD_SEP_RE.findall(chain))
    return labels >= 3


def _ascii_tld(name: str) -> str:
    tld = _DOT_WORD_SEP_RE.sub(".", name).rsplit(".", 1)[-1].lower()
    if tld.isascii():
        return tld
    try:
        return label_to_ascii(tld)
    except ValueError:
        return ""


# --- Trimming ------------------------------------------------------------------------

SPACE_CHARS = (
    " \t\r\n\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
SPACE_RE = re.compile(f"[{SPACE_CHARS}]")
_QUOTES = "'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a"
_LEAD_JUNK = frozenset(_QUOTES + "([{<" + SPACE_CHARS)
_TRAIL_JUNK = frozenset(_QUOTES + ",;.!?\u3002\u3001\uff0c\uff0e\u2026" + SPACE_CHARS)
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


def trim_bounds(s: str, i: int, j: int) -> tuple[int, int]:
    """Shrink s[i:j] past wrapping quotes/brackets and trailing punctuation."""
    while i < j and s[i] in _LEAD_JUNK:
        i += 1
    counts: dict[str, int] | None = None
    while i < j:
        ch = s[j - 1]
        if ch in _TRAIL_JUNK:
            j -= 1
        elif ch == ":" and (j - i < 2 or s[j - 2] != ":"):
            j -= 1  # "evil.com:" but not the "::" that ends an IPv6 address
        elif ch in _CLOSERS:
            if counts is None:
                sub = s[i:j]
                counts = {c: sub.count(c) for c in "()[]{}<>"}
            opener = _CLOSERS[ch]
            if counts[ch] > counts[opener]:
                counts[ch] -= 1
                j -= 1
            else:
                break
        else:
            break
    return i, j


def trim(s: str) -> str:
    i, j = trim_bounds(s, 0, len(s))
    return s[i:j]

"""Make attacker-controlled strings safe to show: no escape sequences, no control or
bidi characters, no lone surrogates.

Every string from VirusTotal (file names, comments, whois, engine labels, titles) can
carry terminal escapes (OSC 52 writes the clipboard, others retitle or clear the screen)
or bidi overrides that disguise a name. The TUI (tui/text.py), the CLI and the exports
all pass such strings through here. Markup escaping is the TUI's job; this module knows
nothing about Rich or Textual.
"""

from __future__ import annotations

import re
from typing import Any

# ESC-introduced sequences: CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and
# two-character escapes; plus the 8-bit C1 forms.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?          # CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?      # DCS, SOS, PM, APC
  | \x1b[ -/]*[0-~]?                   # other escapes (and a lone ESC)
  | \x9b[0-?]*[ -/]*[@-~]?             # 8-bit CSI
  | \x9d[^\x07\x9c]*(?:\x07|\x9c)?     # 8-bit OSC
    """,
    re.VERBOSE,
)

# Bidi embeddings, overrides and isolates, directional marks, invisible separators.
_BIDI_AND_INVISIBLE = (
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def _control_table(keep_newlines: bool) -> dict[int, str | None]:
    table: dict[int, str | None] = {c: None for c in range(0x20)}
    table.update({c: None for c in range(0x7F, 0xA0)})
    table.update({ord(c): None for c in _BIDI_AND_INVISIBLE})
    table[ord("\t")] = " "
    if keep_newlines:
        table[ord("\n")] = "\n"
    else:
        table[ord("\n")] = " "
        table[ord("\r")] = " "
    # Unicode line and paragraph separators break lines in some terminals.
    table[0x2028] = "\n" if keep_newlines else " "
    table[0x2029] = "\n" if keep_newlines else " "
    return table


_LINE_TABLE = _control_table(False)
_TEXT_TABLE = _control_table(True)
ELLIPSIS = "…"


def to_str(value: Any) -> str:
    """Any value as a string (None is empty); never raises."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return repr(type(value))


def _clean(text: str, table: dict[int, str | None]) -> str:
    if "\x1b" in text or "\x9b" in text or "\x9d" in text:
        text = _ESCAPES.sub("", text)
    text = text.translate(table)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text


def clean_line(value: Any, max_len: int | None = None) -> str:
    """One safe line: escapes and controls removed, newlines and tabs become spaces."""
    text = _clean(to_str(value), _LINE_TABLE)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + ELLIPSIS
    return text


def clean_text(value: Any, max_len: int | None = None) -> str:
    """Safe multi-line text: like clean_line but newlines are kept (CRs dropped)."""
    text = _clean(to_str(value), _TEXT_TABLE)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + ELLIPSIS
    return text


def clean_comment(value: Any) -> str:
    """A comment as it will be posted: escape sequences, control, bidi and invisible
    characters removed (a comment is read by others, in terminals too), tabs as spaces,
    line breaks kept, surrounding blanks trimmed."""
    return clean_text(to_str(value).replace("\r\n", "\n")).strip()


def clean_data(value: Any, *, depth: int = 0, max_depth: int = 64) -> Any:
    """A copy of JSON-like data with every string cleaned (for human-facing exports)."""
    if depth > max_depth:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_line(k): clean_data(v, depth=depth + 1, max_depth=max_depth) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v, depth=depth + 1, max_depth=max_depth) for v in value]
    return value

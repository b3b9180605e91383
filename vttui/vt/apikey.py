"""What an API key must look like: one rule for every place a key comes from.

A VirusTotal key is the 64 lowercase hexadecimal characters shown on the profile's
"API key" page (a SHA-256-sized token). The same rule serves ``VT_API_KEY``,
``VTCLI_APIKEY``, ``-k/--apikey``, the config file, vt-cli's ``~/.vt.toml`` and the
TUI's change-key dialog, so a key accepted in one place is accepted in all of them.

Two levels, because VirusTotal-compatible servers (a lab mirror, the offline demo,
test servers) use other token shapes:

* **refused** (:func:`key_problem`): what can never be a key and would fail in an HTTP
  header or be a paste accident: spaces, line breaks, control or non-ASCII characters,
  fewer than :data:`MIN_LENGTH` or more than :data:`MAX_LENGTH` characters. Nothing
  is sent with such a key.
* **warned** (:func:`key_warning`): printable but not 64 hex characters. It is used as
  given; the warning says why VirusTotal may refuse it (the settings say it only when the
  key goes to VirusTotal itself, not to a compatible server named by ``VT_API_URL``).

Messages never contain the key (at most its last four characters).
"""

from __future__ import annotations

import re

KEY_LENGTH = 64
#: Shorter than this is a paste accident ("y", a user name), not a token of any server.
MIN_LENGTH = 16
MAX_LENGTH = 256
_VT_SHAPE = re.compile(r"[0-9a-fA-F]{64}")

__all__ = ["KEY_LENGTH", "MAX_LENGTH", "MIN_LENGTH", "key_problem", "key_warning", "looks_like_vt_key"]


def _char_name(ch: str) -> str:
    code = ord(ch)
    if ch == " ":
        return "a space"
    if ch in "\r\n":
        return "a line break"
    if ch == "\t":
        return "a tab"
    if code < 0x20 or 0x7F <= code < 0xA0:
        return "a control character"
    if ch.isspace():
        return "a space"
    return "a non-ASCII character"


def key_problem(value: object) -> str | None:
    """Why ``value`` cannot be an API key (said without the key), or None when it can.

    The sentence starts lowercase so callers can prefix where the key came from:
    ``f"{source} {problem}"``.
    """
    if not isinstance(value, str):
        return "must be text (the 64-character key from your VirusTotal profile)."
    for pos, ch in enumerate(value, 1):
        if not 0x21 <= ord(ch) <= 0x7E:
            return (f"holds {_char_name(ch)} (U+{ord(ch):04X}) at position {pos}; an API key is letters and "
                    "digits only. Nothing was sent. Copy the key again from your VirusTotal profile.")
    if not value:
        return "is empty; an API key has 64 characters. Nothing was sent."
    if len(value) < MIN_LENGTH:
        return (f"is only {len(value)} characters long; a VirusTotal API key has {KEY_LENGTH}. Nothing was sent. "
                "Copy the whole key from your VirusTotal profile.")
    if len(value) > MAX_LENGTH:
        return f"is {len(value)} characters long; a VirusTotal API key has {KEY_LENGTH}. Nothing was sent."
    return None


def looks_like_vt_key(value: str) -> bool:
    """The exact shape of a VirusTotal key: 64 hexadecimal characters."""
    return bool(_VT_SHAPE.fullmatch(value))


def key_warning(value: str) -> str | None:
    """Why a usable key may still be refused by VirusTotal (not 64 hex characters), or None.

    Like :func:`key_problem`, the sentence is meant to follow the key's source."""
    if key_problem(value) is not None or looks_like_vt_key(value):
        return None
    tail = value[-4:]
    shape = f"{len(value)} characters long" if len(value) != KEY_LENGTH else "not all hexadecimal (0-9, a-f)"
    return (f"(…{tail}) is {shape}, while VirusTotal keys are {KEY_LENGTH} hexadecimal characters; it is used "
            "as given (a VirusTotal-compatible server may use other keys). If VirusTotal refuses it, copy the "
            "key again from your profile.")

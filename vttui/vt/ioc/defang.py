"""Defanging: indicators written so no chat, ticket or mail client turns them into links.

The usual convention, and the inverse of :mod:`.refang`: ``http://evil.com/x`` becomes
``hxxp://evil[.]com/x``, ``1.2.3.4`` becomes ``1.2.3[.]4``. Only the scheme and the
last dot of the host change, so the rest reads as it was. Hashes are left alone (they
link nowhere), and so are IPv6 addresses (nothing links them) and text that is already
defanged. :func:`defang_text` defangs every indicator inside a whole document.
"""

from __future__ import annotations

import re

from .classify import IOC, IOCType, try_classify
from .extract import extract
from .refang import refang

__all__ = ["defang", "defang_text"]

_SCHEMES = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}
_SCHEME_RE = re.compile(r"(?i)(https?|ftp)(?=://)")
_HOST_END = re.compile(r"[/?#\\]")


def _bracket_last_dot(host: str) -> str:
    i = host.rfind(".")
    return host if i <= 0 else host[:i] + "[.]" + host[i + 1 :]


def _keep_case(word: str, replacement: str) -> str:
    return replacement.upper() if word.isupper() else replacement


def _defang_url(text: str) -> str:
    m = _SCHEME_RE.match(text)
    if m is None:  # a URL written without its scheme ("evil.com/x")
        start, out = 0, ""
    else:
        scheme = m.group(1)
        out = _keep_case(scheme, _SCHEMES[scheme.lower()]) + "://"
        start = m.end() + 3
    rest = text[start:]
    end = _HOST_END.search(rest)
    authority, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal: nothing to bracket
        return out + rest
    host, colon, port = hostport.partition(":")
    return out + userinfo + at + _bracket_last_dot(host) + colon + port + tail


def _defang_as(text: str, kind: IOCType) -> str:
    if refang(text) != text:  # already defanged (or otherwise disarmed): leave it as written
        return text
    if kind is IOCType.URL:
        return _defang_url(text)
    if kind in (IOCType.DOMAIN, IOCType.IPV4):
        return _bracket_last_dot(text)
    return text  # hashes, IPv6 addresses and analysis ids link nowhere


def defang(value: IOC | str) -> str:
    """One indicator, defanged (its normalised value for an :class:`IOC`, else the text as
    written). Text that is not an indicator comes back unchanged."""
    if isinstance(value, IOC):
        return _defang_as(value.value, value.type)
    if not isinstance(value, str):
        return ""
    ioc = try_classify(value)
    return value if ioc is None else _defang_as(value.strip(), ioc.type)


def defang_text(text: str) -> str:
    """Every URL, domain and IPv4 address in ``text`` defanged in place; the rest untouched.

    Each indicator is found once (:func:`~.extract.extract`), then every spelling of it in
    the text, plain or in other case, is replaced; spellings already defanged stay.
    """
    if not isinstance(text, str) or not text:
        return text if isinstance(text, str) else ""
    kinds: dict[str, IOCType] = {}
    for ioc in extract(text):
        if ioc.type in (IOCType.URL, IOCType.DOMAIN, IOCType.IPV4):
            for spelling in (ioc.original, ioc.value):
                if spelling and refang(spelling) == spelling:
                    kinds.setdefault(spelling.lower(), ioc.type)
    if not kinds:
        return text
    # One pass, longest first: a URL is replaced whole before the domain inside it is tried.
    alternatives = "|".join(re.escape(s) for s in sorted(kinds, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)
    return pattern.sub(lambda m: _defang_as(m.group(0), kinds[m.group(0).lower()]), text)

"""Who is calling: the caller's own VirusTotal key, a team token, or loopback with no auth.

Tokens are configured as SHA-256 hashes, so the config file never holds a usable secret,
and compared with ``hmac.compare_digest`` against every configured hash (no early exit),
so timing says nothing about which hash was close. Keys and tokens are never put in a
message, a log line or a metric label.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import is_loopback

#: What a caller's key may look like: VirusTotal keys are 64 hex digits; this is looser
#: (tests and the demo use others) but keeps anything that could need escaping out.
_KEY_RE = re.compile(r"[A-Za-z0-9._\-]{8,256}")
_MAX_TOKEN = 1024


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller. ``api_key`` None means: answer with the server's key."""

    mode: str
    api_key: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"Caller(mode={self.mode!r}, own_key={self.api_key is not None})"


class AuthError(Exception):
    """The caller may not use this server; ``message`` says what to do, plainly."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is configured."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random bearer token (256 bits)."""
    return "vttui_" + secrets.token_urlsafe(32)


def token_matches(token: str, hashes: tuple[str, ...]) -> bool:
    digest = hash_token(token).encode("ascii")
    found = False
    for expected in hashes:
        found |= hmac.compare_digest(digest, expected.encode("ascii"))
    return found


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.title())
    return value


def _host_of(value: str) -> str:
    """The host name of a Host header or an Origin (port and brackets removed)."""
    text = value.strip()
    if "://" in text:
        text = urlsplit(text).netloc
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _check_loopback(headers: Mapping[str, str], client_host: str | None) -> None:
    """Open mode answers only loopback callers that name the server by a loopback name.

    The Host check stops DNS rebinding (a web page whose name resolves to 127.0.0.1), the
    Origin check stops a page in the user's browser posting to the server.
    """
    if client_host is not None and not is_loopback(client_host):
        raise AuthError(403, "This server runs without authentication and answers only on loopback.")
    host = _header(headers, "host")
    if host and not is_loopback(_host_of(host)):
        raise AuthError(403, "This server runs without authentication and answers only to loopback names "
                             "(127.0.0.1, localhost, [::1]).")
    origin = _header(headers, "origin")
    if origin and origin != "null" and not is_loopback(_host_of(origin)):
        raise AuthError(403, "Requests from web pages are refused: this server runs without authentication.")
    if origin == "null":
        raise AuthError(403, "Requests from web pages are refused: this server runs without authentication.")


def caller_key(headers: Mapping[str, str]) -> str | None:
    """The caller's VirusTotal key from X-API-Key, or None; AuthError when it is malformed."""
    raw = _header(headers, "x-api-key")
    if raw is None or not raw.strip():
        return None
    key = raw.strip()
    if not _KEY_RE.fullmatch(key):
        raise AuthError(401, "The X-API-Key header does not hold a VirusTotal API key "
                             "(letters and digits, 8 to 256 characters).")
    return key


def authenticate(mode: str, token_hashes: tuple[str, ...], headers: Mapping[str, str],
                 client_host: str | None) -> Caller:
    """The caller behind a request's headers, or AuthError (401/403) with a plain message."""
    if mode == "key":
        key = caller_key(headers)
        if key is None:
            raise AuthError(401, "Send your VirusTotal API key in the X-API-Key header.")
        return Caller(mode, key)
    if mode == "token":
        value = (_header(headers, "authorization") or "").strip()
        scheme, _, token = value.partition(" ")
        token = token.strip()
        challenge = {"WWW-Authenticate": 'Bearer realm="vttui"'}
        if scheme.lower() != "bearer" or not token:
            raise AuthError(401, "Send your team token as 'Authorization: Bearer <token>'.", challenge)
        if len(token) > _MAX_TOKEN or not token_matches(token, token_hashes):
            raise AuthError(401, "That token is not valid for this server.",
                            {"WWW-Authenticate": 'Bearer realm="vttui", error="invalid_token"'})
        return Caller(mode)
    if mode == "open":
        _check_loopback(headers, client_host)
        # A VT4AI client sends its own key: it is answered with that key.
        return Caller(mode, caller_key(headers))
    raise AuthError(500, f"Unknown auth mode {mode!r}.")

"""Ids checked before they go into a request, and replies checked against the request.

Ids from VirusTotal's own replies (a related item, the other side of a resolution, an
analysis' item) are attacker-controlled: a host name carrying an escape sequence, a
"hash" with slashes. Percent-encoding keeps them from changing the endpoint, but the
request would still be wasted (quota is money) and its error confusing. So every id
vttui is about to request passes :func:`check_ref` first: it must be an indicator of
its type, or the request is not made and the user is told why.

A reply must also answer the question: a file lookup answered with a domain, or with
another file, is a malformed reply (:func:`check_object`), never shown as the answer.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from . import errors as E
from .refs import COLLECTION_OF_TYPE, TYPE_LABELS, ObjectRef

_HEX = re.compile(r"[0-9a-fA-F]+")
_URL_ID = re.compile(r"[A-Za-z0-9_-]+")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_OTHER_ID = re.compile(r"[A-Za-z0-9_=+:.@-]{1,512}")
_MAX_URL_ID = 16384 * 4 // 3 + 4


def shown(ident: Any, limit: int = 60) -> str:
    """An id as it may appear in a message: controls visible as \\u escapes, short."""
    text = ident if isinstance(ident, str) else repr(ident)
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return "'" + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text) + "'"


def _label(object_type: str) -> str:
    return TYPE_LABELS.get(object_type, object_type.replace("_", " ") or "object")


def domain_problem(name: str) -> str | None:
    """Why ``name`` is not a syntactically valid (ASCII, punycode) domain name."""
    host = name.lower().rstrip(".")
    if not host or len(host) > 253:
        return "it is not a domain name (empty or longer than 253 characters)"
    labels = host.split(".")
    if len(labels) < 2 and host != "localhost":
        return "it is not a domain name (no dot)"
    for label in labels:
        if not _LABEL.fullmatch(label):
            return "it holds characters a domain name cannot have"
    return None


def ref_problem(ref: ObjectRef) -> str | None:
    """Why ``ref`` cannot be requested; None when it can. Files, URLs, domains and IPs
    must be indicators of their type; other objects (analyses, collections, threat
    actors named by name...) need a printable id, which ``path_segment`` keeps inside
    its path segment."""
    ident = ref.id
    if not isinstance(ident, str) or not ident:
        return "it has no id"
    kind = ref.type
    if kind in ("file", "url", "domain", "ip_address") and (
        not ident.isascii() or not ident.isprintable() or any(ch.isspace() for ch in ident)
    ):
        return "its id holds spaces, control or non-ASCII characters"
    if kind == "file":
        if len(ident) not in (32, 40, 64) or not _HEX.fullmatch(ident):
            return "it is not an MD5, SHA-1 or SHA-256"
    elif kind == "url":
        if len(ident) > _MAX_URL_ID or not _URL_ID.fullmatch(ident):
            return "it is not a VirusTotal URL id"
    elif kind == "domain":
        return domain_problem(ident)
    elif kind == "ip_address":
        try:
            ipaddress.ip_address(ident)
        except ValueError:
            return "it is not an IP address"
    elif kind in COLLECTION_OF_TYPE:
        if len(ident) > 512 or not ident.isprintable() or ident.strip(". ") == "":
            return f"it is not a valid {_label(kind)} id"
    else:
        return f"vttui cannot open objects of type {shown(kind, 30)}"
    return None


_USER_ID = re.compile(r"[A-Za-z0-9_.@+-]{1,128}")


def is_user_id(value: Any) -> bool:
    """A VirusTotal user name as an account id in ``/users/{id}``: letters, digits, ``_.@+-``."""
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None and value.strip(".") != ""


def check_ref(ref: ObjectRef) -> ObjectRef:
    """``ref``, or InvalidIOCError saying why it cannot be opened (nothing is sent)."""
    why = ref_problem(ref)
    if why is not None:
        raise E.InvalidIOCError(f"Cannot open {_label(ref.type)} {shown(ref.id)}: {why}. Nothing was sent.")
    return ref


# --- replies against requests ---------------------------------------------------------


def _lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _url_host(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def _decoded_url(url_id: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(url_id + "=" * (-len(url_id) % 4))
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def _same_ip(a: str, b: Any) -> bool:
    try:
        return isinstance(b, str) and ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


def object_problem(requested: ObjectRef, data: dict[str, Any]) -> str | None:
    """Why ``data`` is not the object ``requested``; None when it is."""
    kind, asked = requested.type, requested.id
    got_type, got_id = data.get("type"), data.get("id")
    if got_type != kind:
        return f"it sent a {_label(str(got_type or '?'))} instead of the {_label(kind)} asked for"
    if not isinstance(got_id, str) or not got_id:
        return f"the {_label(kind)} it sent has no id"
    raw_attrs = data.get("attributes")
    attrs: dict[str, Any] = raw_attrs if isinstance(raw_attrs, dict) else {}
    if kind == "file":
        hashes = {_lower(got_id)} | {_lower(attrs.get(k)) for k in ("md5", "sha1", "sha256")}
        if asked.lower() not in hashes:
            return f"it sent file {shown(got_id, 20)}, whose hashes do not include {shown(asked, 20)}"
    elif kind == "url":
        if len(asked) == 64 and _HEX.fullmatch(asked):
            if got_id.lower() != asked.lower():
                return f"it sent URL id {shown(got_id, 20)} instead of {shown(asked, 20)}"
        elif got_id != asked:
            if not (len(got_id) == 64 and _HEX.fullmatch(got_id)):
                return f"it sent URL id {shown(got_id, 20)}, which is not a URL id"
            asked_host, got_host = _url_host(_decoded_url(asked)), _url_host(attrs.get("url"))
            if asked_host and got_host and asked_host != got_host:
                return f"it sent the URL of host {shown(got_host)} instead of {shown(asked_host)}"
    elif kind == "domain":
        if got_id.lower().rstrip(".") != asked.lower().rstrip("."):
            return f"it sent domain {shown(got_id)} instead of {shown(asked)}"
    elif kind == "ip_address" and not _same_ip(asked, got_id):
        return f"it sent IP address {shown(got_id)} instead of {shown(asked)}"
    return None


def check_object(requested: ObjectRef, body: dict[str, Any]) -> None:
    """MalformedResponseError unless ``body``'s data is the object ``requested``."""
    data = body.get("data")
    if not isinstance(data, dict):
        raise E.MalformedResponseError("VirusTotal's reply had no object in it.")
    why = object_problem(requested, data)
    if why is not None:
        raise E.MalformedResponseError(
            f"VirusTotal's reply does not answer the lookup of {_label(requested.type)} {shown(requested.id)}: "
            f"{why}. The reply was not used."
        )


def check_analysis(body: dict[str, Any], *, submitted: bool) -> dict[str, Any]:
    """The analysis object of ``body``, or MalformedResponseError. ``submitted``: the reply
    to an upload, a URL scan or a re-analysis (only an analysis descriptor will do)."""
    data = body.get("data")
    what = "accepted the submission but" if submitted else "was asked for an analysis and"
    if not isinstance(data, dict):
        raise E.MalformedResponseError(f"VirusTotal {what} sent no analysis in its reply.")
    got_type, got_id = data.get("type"), data.get("id")
    if got_type != "analysis":
        raise E.MalformedResponseError(
            f"VirusTotal {what} answered with a {_label(str(got_type or '?'))} instead of an analysis."
        )
    if not isinstance(got_id, str) or not _OTHER_ID.fullmatch(got_id) or got_id.strip(".") == "":
        raise E.MalformedResponseError(f"VirusTotal {what} answered with an analysis id vttui cannot use.")
    return data

"""Path and query parameters checked before any request goes upstream.

Everything goes through ``ioc.classify`` (so defanged input works and garbage is refused
with a reason a person can act on), then the type is checked against what the route is for.
"""

from __future__ import annotations

import base64
import binascii

from ..vt.errors import InvalidArgumentError, InvalidIOCError
from ..vt.ioc import IOC, IOCType, classify, is_url_sha256_id
from ..vt.refs import ObjectRef
from ..vt.relationships import Relationship, get_relationship, relationships_for

HASHES = frozenset({IOCType.MD5, IOCType.SHA1, IOCType.SHA256})
IPS = frozenset({IOCType.IPV4, IOCType.IPV6})
REPORTABLE = HASHES | IPS | {IOCType.URL, IOCType.DOMAIN}

#: Route collection -> (object type, what a value must be, in words).
COLLECTIONS: dict[str, tuple[str, frozenset[IOCType], str]] = {
    "files": ("file", HASHES, "an MD5, SHA-1 or SHA-256 hash"),
    "domains": ("domain", frozenset({IOCType.DOMAIN}), "a domain name"),
    "ips": ("ip_address", IPS, "an IPv4 or IPv6 address"),
    "urls": ("url", frozenset({IOCType.URL}), "a URL"),
}


def parse(text: str, allowed: frozenset[IOCType], what: str) -> IOC:
    """``text`` classified; InvalidIOCError unless it is one of ``allowed``."""
    ioc = classify(text)
    if ioc.type not in allowed:
        article = "an" if ioc.label in ("MD5", "IPv4", "IPv6", "analysis") else "a"
        raise InvalidIOCError(f"That is {article} {ioc.label}, not {what}.")
    return ioc


def parse_any(text: str) -> IOC:
    """Anything that can be looked up: a hash, URL, domain, IP address or analysis id."""
    return classify(text)


def _decode_b64_url(text: str) -> str | None:
    padded = text + "=" * (-len(text) % 4)
    for decode in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decode(padded.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "://" in value or "." in value:
            return value
    return None


def url_ref(text: str) -> ObjectRef:
    """A URL given in a path: VirusTotal's id (sha256, or unpadded base64 of the URL),
    VT4AI's standard base64 of the URL, or the URL itself (percent-encoded)."""
    value = text.strip()
    if is_url_sha256_id(value):
        return ObjectRef("url", value.lower())
    if "://" not in value:
        decoded = _decode_b64_url(value)
        if decoded is not None:
            return parse(decoded, frozenset({IOCType.URL}), "a URL").ref
    return parse(value, frozenset({IOCType.URL}), "a URL").ref


def ref_for(collection: str, value: str) -> ObjectRef:
    """The object a route's path names (``collection`` is files, domains, ips or urls)."""
    if collection == "urls":
        return url_ref(value)
    _object_type, allowed, what = COLLECTIONS[collection]
    return parse(value, allowed, what).ref


def relationship(object_type: str, name: str) -> Relationship:
    found = get_relationship(object_type, name)
    if found is None:
        label = {"ip_address": "an IP address", "url": "a URL", "file": "a file", "domain": "a domain"}[object_type]
        known = ", ".join(r.name for r in relationships_for(object_type))
        raise InvalidArgumentError(f"{name[:60]!r} is not a relationship of {label}; valid: {known}.")
    return found


def page_limit(limit: int) -> int:
    if not 1 <= limit <= 40:
        raise InvalidArgumentError("limit must be between 1 and 40 (VirusTotal's page size).")
    return limit


def analysis_id(text: str) -> str:
    ioc = classify(text)
    if ioc.type is not IOCType.ANALYSIS:
        article = "an" if ioc.label in ("MD5", "IPv4", "IPv6") else "a"
        raise InvalidIOCError(f"That is {article} {ioc.label}, not an analysis id.")
    return ioc.value

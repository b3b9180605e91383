"""Specs of the demo's fictional objects, and the small deterministic helpers they share.

Names are fictional and under reserved names (``.test``, ``.example``, ``.invalid``);
addresses come from the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24, 2001:db8::/32); AS numbers from the documentation range 64496-64511.
:mod:`.file_reports` and :mod:`.host_reports` turn specs into v3 attributes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field

#: "Now" of the dataset: every fixed timestamp is relative to it (2026-08-06 09:41:27 UTC).
T = 1786009287
DAY = 86400
HOUR = 3600

_FILLER_LINE = b"This file is harmless filler made by the vttui demo backend. It is not malware.\n"


def harmless_content(key: str, size: int) -> bytes:
    """The bytes a demo file "is": plain text, never executable, never a test signature."""
    head = f"vttui demo sample {key}\n".encode()
    size = max(size, len(head))
    body = head + _FILLER_LINE * (size // len(_FILLER_LINE) + 1)
    return body[:size]


def hexid(*parts: object, n: int = 64) -> str:
    """A stable hex string (for thumbprints, ids, imphashes...)."""
    out = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    while len(out) < n:
        out += hashlib.sha256(out.encode()).hexdigest()
    return out[:n]


def iso(epoch: int) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cert_time(epoch: int) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def registered_domain(host: str) -> str:
    labels = host.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


# --- specs --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    key: str
    name: str
    size: int
    kind: str  # pe | dll | pdf | ps1 | docm | lnk | txt | bin
    malicious: int = 0
    suspicious: int = 0
    family: str = ""
    threat: str = "trojan"
    platform: str = "Win32"
    first_seen: int = T - 40 * DAY
    analysed: int = T - DAY
    times_submitted: int = 3
    names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    signature: str = ""  # "" (none), "valid", "invalid"
    reputation: int = 0
    failures: int = 0
    timeouts: int = 0
    #: Extra detail blocks: "full" adds sandbox verdicts, yara, sigma, threat classification.
    detail: str = ""


@dataclass(frozen=True)
class DomainSpec:
    name: str
    created: int
    registrar: str = "Hostvale Domains Ltd."
    malicious: int = 0
    suspicious: int = 0
    verdict: str = "malware"
    categories: tuple[tuple[str, str], ...] = ()
    popularity: tuple[tuple[str, int], ...] = ()
    tags: tuple[str, ...] = ()
    reputation: int = 0
    issuer: tuple[str, str, str] = ("US", "Example Trust Services", "ETS R3")
    mx: str = ""
    txt: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ("ns1.hostvale-dns.test", "ns2.hostvale-dns.test")
    privacy: bool = True
    analysed: int = T - 2 * DAY
    #: Names on its HTTPS certificate (default: the name, and a wildcard under a zone).
    sans: tuple[str, ...] = ()


@dataclass(frozen=True)
class IPSpec:
    ip: str
    asn: int
    as_owner: str
    country: str
    continent: str
    network: str
    rir: str = "RIPE NCC"
    malicious: int = 0
    suspicious: int = 0
    verdict: str = "malware"
    tags: tuple[str, ...] = ()
    reputation: int = 0
    org: str = ""
    city: str = ""
    context: tuple[tuple[str, str, str], ...] = ()  # (title, details, severity)
    tls_host: str = ""
    analysed: int = T - 2 * DAY


@dataclass(frozen=True)
class URLSpec:
    url: str
    malicious: int = 0
    suspicious: int = 0
    verdict: str = "malware"
    title: str = ""
    redirects: tuple[str, ...] = ()
    status: int = 200
    content_type: str = "text/html; charset=UTF-8"
    server: str = "nginx"
    content_length: int = 5120
    categories: tuple[tuple[str, str], ...] = ()
    outgoing: tuple[str, ...] = ()
    threat_names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    first_seen: int = T - 20 * DAY
    analysed: int = T - DAY
    reputation: int = 0
    times_submitted: int = 4
    #: Key of the demo file that was the page's body ("" for a body the demo has no report of).
    body: str = ""
    trackers: tuple[tuple[str, str, str], ...] = ()  # (tracker, id, script URL)
    cookies: tuple[tuple[str, str], ...] = ()


@dataclass
class Edges:
    """Forward edges of a file (the reverse ones are derived)."""

    contacted_domains: list[str] = field(default_factory=list)
    contacted_ips: list[str] = field(default_factory=list)
    contacted_urls: list[str] = field(default_factory=list)
    dropped_files: list[str] = field(default_factory=list)  # keys of FileSpecs
    execution_parents: list[str] = field(default_factory=list)
    bundled_files: list[str] = field(default_factory=list)

"""Classifying one indicator: hash, URL, domain, IP or analysis id, normalised or refused.

Everything the user types passes through here before any request is made, so garbage
is refused with a reason a person can act on (:class:`InvalidIOCError`). Also the
VirusTotal ids derived from an indicator (:func:`url_id`).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from ..errors import InvalidIOCError, UnknownTLDError
from ..refs import ObjectRef
from .refang import SPACE_CHARS, SPACE_RE, refang_with_maps, trim
from .tlds import FILE_EXTENSIONS, idn_to_unicode, label_to_ascii, tld_known

__all__ = [
    "HASH_TYPES",
    "IOC",
    "MAX_INPUT",
    "IOCType",
    "cidr_address",
    "classify",
    "classify_clean",
    "is_url_sha256_id",
    "try_classify",
    "url_id",
]


class IOCType(StrEnum):
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    URL = "url"
    DOMAIN = "domain"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    ANALYSIS = "analysis"


_OBJECT_TYPE: dict[IOCType, str] = {
    IOCType.MD5: "file",
    IOCType.SHA1: "file",
    IOCType.SHA256: "file",
    IOCType.URL: "url",
    IOCType.DOMAIN: "domain",
    IOCType.IPV4: "ip_address",
    IOCType.IPV6: "ip_address",
    IOCType.ANALYSIS: "analysis",
}

_LABEL: dict[IOCType, str] = {
    IOCType.MD5: "MD5",
    IOCType.SHA1: "SHA-1",
    IOCType.SHA256: "SHA-256",
    IOCType.URL: "URL",
    IOCType.DOMAIN: "domain",
    IOCType.IPV4: "IPv4",
    IOCType.IPV6: "IPv6",
    IOCType.ANALYSIS: "analysis",
}


@dataclass(frozen=True, slots=True)
class IOC:
    """One classified indicator: its type, normalised value, and what the user typed."""

    type: IOCType
    value: str
    original: str

    @property
    def object_type(self) -> str:
        return _OBJECT_TYPE[self.type]

    @property
    def api_id(self) -> str:
        """The id to put in an API path (URLs go by their url id, never raw)."""
        return url_id(self.value) if self.type is IOCType.URL else self.value

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.object_type, self.api_id)

    @property
    def label(self) -> str:
        return _LABEL[self.type]

    @property
    def display(self) -> str:
        """How to show it: IDN domains in their unicode form, everything else as is."""
        if self.type is IOCType.DOMAIN and "xn--" in self.value:
            return idn_to_unicode(self.value)
        return self.value


# --- VirusTotal ids ------------------------------------------------------------------

_HEX64_RE = re.compile(r"[0-9a-fA-F]{64}")


def url_id(url: str) -> str:
    """VirusTotal's identifier of a URL: urlsafe base64 of the URL, without padding."""
    return base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def is_url_sha256_id(s: str) -> bool:
    """True for 64 hex characters: a file's SHA-256 or a URL's sha256 id (callers decide)."""
    return isinstance(s, str) and _HEX64_RE.fullmatch(s) is not None


# --- Small helpers for messages ------------------------------------------------------


def _q(s: str, limit: int = 60) -> str:
    """Quote user text for a plain-text message: short, no control characters."""
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    s = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in s)
    return f"'{s}'"


def _invalid(reason: str) -> InvalidIOCError:
    return InvalidIOCError(reason)


# --- Domains -------------------------------------------------------------------------

_IDEOGRAPHIC_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_BAD_DOMAIN_CHAR_RE = re.compile(r"[^a-z0-9_-]")


def _normalise_domain(host: str) -> str:
    """Validate a domain and return its lower-case ASCII (punycode) form, or raise."""
    if SPACE_RE.search(host):
        raise _invalid("Spaces are not allowed in a domain.")
    name = host.translate(_IDEOGRAPHIC_DOTS)
    if name.endswith("."):
        name = name[:-1]
    if not name:
        raise _invalid("Empty domain.")
    if len(name) > 1000:
        raise _invalid("Domain is longer than 253 characters.")
    labels = name.split(".")
    out = []
    for label in labels:
        if not label:
            raise _invalid(f"{_q(host)} has an empty label (two dots in a row, or a leading dot).")
        if label.isascii():
            out.append(label.lower())
            continue
        try:
            out.append(label_to_ascii(label))
        except ValueError:
            raise _invalid(f"{_q(label)} is not a valid internationalised domain label.") from None
    return _check_ascii_domain(host, out)


def _check_ascii_domain(host: str, labels: list[str]) -> str:
    for label in labels:
        bad = _BAD_DOMAIN_CHAR_RE.search(label)
        if bad:
            raise _invalid(f"{_q(bad.group(0))} is not allowed in a domain.")
        if len(label) > 63:
            raise _invalid(f"Domain label {_q(label, 30)} is longer than 63 characters.")
        if label.startswith("-") or label.endswith("-"):
            raise _invalid(f"Domain label {_q(label)} cannot start or end with a hyphen.")
    ascii_name = ".".join(labels)
    if len(ascii_name) > 253:
        raise _invalid("Domain is longer than 253 characters.")
    tld = labels[-1]
    if len(labels) == 1:
        if tld == "localhost":
            return ascii_name
        raise _invalid(f"{_q(host)} is not a hash, URL, domain or IP address.")
    if "_" in tld:
        raise _invalid(f"Top-level domain {_q('.' + tld)} cannot contain an underscore.")
    if not tld_known(tld) and not _ANY_TLD.get():
        if tld in FILE_EXTENSIONS:  # a file name, not a domain: refused, not offered anyway
            raise _invalid(f"Unknown top-level domain {_q('.' + tld)} (this looks like a file name).")
        raise UnknownTLDError(f"Unknown top-level domain {_q('.' + tld)}.")
    return ascii_name


# --- IP addresses --------------------------------------------------------------------

_DOTTED_NUMBERS_RE = re.compile(r"[0-9]+(?:\.[0-9]+)+")
_IPV6_CHARS_RE = re.compile(r"[0-9A-Fa-f:.]+(?:%[^\s/]*)?")


def _looks_ipv6(s: str) -> bool:
    return s.count(":", 0, 64) >= 2 and _IPV6_CHARS_RE.fullmatch(s) is not None


def cidr_address(s: str) -> str | None:
    """The address part of 'a.b.c.d/nn' or 'v6::/nn', else None."""
    addr, slash, bits = s.rpartition("/")
    if not slash or not (bits.isascii() and bits.isdigit()) or len(bits) > 3:
        return None
    if _DOTTED_NUMBERS_RE.fullmatch(addr) or _looks_ipv6(addr):
        return addr
    return None


def _ipv4(s: str) -> str:
    parts = s.split(".")
    if len(parts) != 4:
        raise _invalid(f"{_q(s)} is not a valid IPv4 address (it needs four numbers).")
    if all(len(p) <= 3 and (p == "0" or p[0] != "0") and int(p) <= 255 for p in parts):
        return s  # already canonical; skips the slow general parser on big pastes
    try:
        return ipaddress.IPv4Address(s).compressed
    except ValueError:
        raise _invalid(f"{_q(s)} is not a valid IPv4 address.") from None


def _ipv6(s: str) -> str:
    addr = s.split("%", 1)[0]  # drop a zone ("fe80::1%eth0"); VirusTotal knows none
    try:
        return ipaddress.IPv6Address(addr).compressed
    except ValueError:
        raise _invalid(f"{_q(s)} is not a valid IPv6 address.") from None


# --- URLs ----------------------------------------------------------------------------

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30}):")
_WEB_SCHEMES = frozenset({"http", "https", "ftp"})
_OTHER_SCHEMES = frozenset(
    """javascript data file mailto tel sms ssh sftp ftps ws wss ldap ldaps smb telnet irc
    git svn magnet blob about chrome vbscript ms-msdt search-ms jar view-source""".split()  # noqa: SIM905 - reads better as words
)


def _url(s: str) -> str:
    """Validate a URL (with scheme); return it as given. Raise with a reason."""
    if not s.isprintable() or " " in s:
        if SPACE_RE.search(s):
            raise _invalid("Spaces are not allowed in a URL; encode them as %20.")
        raise _invalid("The URL contains control characters.")
    scheme, _, rest = s.partition("://")
    if scheme.lower() not in _WEB_SCHEMES:
        raise _invalid(f"Only http, https and ftp URLs can be looked up, not {_q(scheme + ':')}.")
    cut = len(rest)
    for sep in "/?#\\":
        k = rest.find(sep)
        if k != -1 and k < cut:
            cut = k
    authority = rest[:cut]
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        end = hostport.find("]")
        if end == -1:
            raise _invalid("URL has an unclosed '[' in its host.")
        host, port = hostport[1:end], hostport[end + 1 :]
        if port and not port.startswith(":"):
            raise _invalid(f"URL host {_q(hostport)} is not valid.")
        if host:
            _ipv6(host)
        port = port[1:]
    else:
        host, colon, port = hostport.rpartition(":")
        if not colon:
            host, port = hostport, ""
        if ":" in host:
            raise _invalid("An IPv6 address in a URL must be in brackets, like http://[2001:db8::1]/.")
        if host:
            _check_host(host)
    if not host:
        raise _invalid("URL has no host.")
    if port and (not (port.isascii() and port.isdigit()) or int(port) > 65535):
        raise _invalid(f"URL has an invalid port {_q(port)}.")
    return s


def _check_host(host: str) -> None:
    if _DOTTED_NUMBERS_RE.fullmatch(host):
        _ipv4(host)
    else:
        _normalise_domain(host)


# --- Analysis ids --------------------------------------------------------------------

_ANALYSIS_DASH_RE = re.compile(r"[uf]-[0-9a-f]{64}-[0-9]{1,20}", re.IGNORECASE)
_ANALYSIS_B64_RE = re.compile(r"[A-Za-z0-9+/_-]{40,100}={0,2}")
_ANALYSIS_PAYLOAD_RE = re.compile(r"[0-9a-f]{32}:[0-9]{1,20}")


def _analysis_b64(s: str) -> str | None:
    """The canonical id if s is base64 of '<md5>:<timestamp>' (a file analysis), else None."""
    if not _ANALYSIS_B64_RE.fullmatch(s):
        return None
    body = s.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not _ANALYSIS_PAYLOAD_RE.fullmatch(raw.decode("latin-1")):
        return None
    return base64.b64encode(raw).decode("ascii")  # VirusTotal's own spelling


# --- classify ------------------------------------------------------------------------

MAX_INPUT = 16384
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
HASH_TYPES = {32: IOCType.MD5, 40: IOCType.SHA1, 64: IOCType.SHA256}
_HASH_PREFIX_RE = re.compile(r"(?i)(?:md5|sha-?1|sha-?256)[ \t]*[:=][ \t]*(?=[0-9a-f]+\Z)")
_EMAIL_RE = re.compile(r"(?:mailto:)?[^@/\s:]+@([^@/\s]+)", re.IGNORECASE)
_HOST_PORT_RE = re.compile(r"([^:/?#@\[\]]+):([0-9]{1,5})")


#: Set by ``classify(..., any_tld=True)``: the user confirmed a TLD missing from the list.
_ANY_TLD: ContextVar[bool] = ContextVar("vttui_any_tld", default=False)


def classify(text: str, *, any_tld: bool = False) -> IOC:
    """Classify and normalise one indicator; raise InvalidIOCError with a reason if it is none.

    A top-level domain missing from the public list raises :class:`UnknownTLDError`
    (usually a typo or a file name); ``any_tld=True`` accepts it once the user confirms
    (alternative roots such as ``.bit``, new TLDs, internal names)."""
    token = _ANY_TLD.set(any_tld)
    try:
        return _classify(text)
    finally:
        _ANY_TLD.reset(token)


def _classify(text: str) -> IOC:
    if not isinstance(text, str):
        raise _invalid("Expected text.")
    s = text.strip(SPACE_CHARS)
    if not s:
        raise _invalid("Empty input.")
    if len(s) > MAX_INPUT:
        raise _invalid(f"Input is too long to be an indicator ({len(s)} characters).")
    s = trim(refang_with_maps(s, whole_token=True)[0])
    if not s:
        raise _invalid("Empty input.")
    kind, value = classify_clean(s)
    return IOC(kind, value, text)


def try_classify(text: str) -> IOC | None:
    """classify(), or None instead of an error."""
    try:
        return classify(text)
    except InvalidIOCError:
        return None


def classify_clean(s: str) -> tuple[IOCType, str]:
    """Classify refanged, trimmed text. Order matters: the strictest shapes first."""
    prefix = _HASH_PREFIX_RE.match(s)
    if prefix:
        s = s[prefix.end() :]
    if _HEX_RE.fullmatch(s):
        found = _hash(s)
        if found:
            return found
    if _ANALYSIS_DASH_RE.fullmatch(s):
        return IOCType.ANALYSIS, s.lower()
    analysis = _analysis_b64(s)
    if analysis:
        return IOCType.ANALYSIS, analysis
    if _DOTTED_NUMBERS_RE.fullmatch(s):
        return IOCType.IPV4, _ipv4(s)
    if cidr_address(s):
        raise _invalid(f"{_q(s)} is a network range; look up a single IP address.")
    if "://" in s:
        return IOCType.URL, _url(s)
    if _looks_ipv6(s):
        return IOCType.IPV6, _ipv6(s)
    return _classify_schemeless(s)


def _hash(s: str) -> tuple[IOCType, str] | None:
    kind = HASH_TYPES.get(len(s))
    if kind:
        return kind, s.lower()
    if len(s) >= 20 and not s.isdigit():
        raise _invalid(f"Looks like a hash but has {len(s)} hex characters; MD5 has 32, SHA-1 40, SHA-256 64.")
    return None


def _classify_schemeless(s: str) -> tuple[IOCType, str]:
    scheme = _SCHEME_RE.match(s)
    name = scheme.group(1).lower() if scheme else ""
    if name in _OTHER_SCHEMES and name != "mailto":  # mailto: is an e-mail, handled below
        raise _invalid(f"Only http, https and ftp URLs can be looked up, not {_q(name + ':')}.")
    if SPACE_RE.search(s):
        if "/" in s:
            raise _invalid("Spaces are not allowed in a URL; encode them as %20.")
        if "." in s:
            raise _invalid("Spaces are not allowed in a domain.")
        raise _invalid(f"{_q(s)} is not a hash, URL, domain or IP address.")
    email = _EMAIL_RE.fullmatch(s)
    if email:
        return IOCType.DOMAIN, _normalise_domain(email.group(1))
    if "/" in s or "?" in s or "#" in s or _HOST_PORT_RE.fullmatch(s):
        if s[0] in "/?#":
            raise _invalid("URL has no host.")
        url = "http://" + s
        return IOCType.URL, _url(url)
    if "." not in s.translate(_IDEOGRAPHIC_DOTS) and s.lower() != "localhost":
        raise _invalid(f"{_q(s)} is not a hash, URL, domain or IP address.")
    return IOCType.DOMAIN, _normalise_domain(s)

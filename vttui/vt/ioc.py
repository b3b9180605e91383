"""Indicators of compromise: refang, classify, normalise, extract, and VirusTotal URL ids.

Everything the user types or pastes passes through here before any request is made, so
garbage is refused with a reason a person can act on (:class:`InvalidIOCError`), and
defanged indicators copied from threat reports ("hxxp://evil[.]com") just work.

Design notes:

* Every regular expression is linear on any input (no nested or overlapping quantifiers
  that can backtrack), because a 1 MB paste must not hang the UI.
* :func:`refang` is idempotent by construction: bracketed defang groups are reduced as
  whole runs of punctuation, so a reduction can never expose a new defang group.
* Top-level domains come from ``tlds.txt``: every TLD named in the Public Suffix List
  snapshot bundled with the ``publicsuffixlist`` package on PyPI (1.1.2.20261023, list
  version 2026-10-22), converted to punycode, plus the reserved test, example, invalid and
  localhost. Regenerate it the same way to update it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from .errors import InvalidIOCError
from .refs import ObjectRef

__all__ = [
    "IOC",
    "IOCType",
    "classify",
    "extract",
    "is_url_sha256_id",
    "refang",
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
            return _idn_to_unicode(self.value)
        return self.value


# --- VirusTotal ids ------------------------------------------------------------------

_HEX64_RE = re.compile(r"[0-9a-fA-F]{64}")


def url_id(url: str) -> str:
    """VirusTotal's identifier of a URL: urlsafe base64 of the URL, without padding."""
    return base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def is_url_sha256_id(s: str) -> bool:
    """True for 64 hex characters: a file's SHA-256 or a URL's sha256 id (callers decide)."""
    return isinstance(s, str) and _HEX64_RE.fullmatch(s) is not None


# --- Top-level domains ---------------------------------------------------------------

#: Always valid, whatever the data file says (the demo dataset uses them).
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost"})

#: Unknown "TLDs" that are really file extensions, for a better rejection message.
_FILE_EXTENSIONS = frozenset(
    """exe dll sys drv ocx cpl scr com bat cmd ps1 psm1 vbs vbe js jse wsf wsh hta lnk pif
    msi msp jar apk ipa dmg iso img vhd vhdx bin dat tmp log cfg conf ini reg json xml yml
    yaml html htm php asp aspx jsp cgi pdf doc docx docm dot dotm xls xlsx xlsm xlsb ppt pptx
    pptm rtf odt ods txt csv eml msg one onepkg chm zip rar 7z gz tgz bz2 xz tar cab arj ace
    lzh iso elf so dylib deb rpm pkg png jpg jpeg gif bmp ico svg webp mp3 mp4 avi mkv wav
    mov py pyc pl sh c cpp h cs java class go rs rb lua ps md db sqlite bak old""".split()
)

#: Real TLDs that are also common file extensions. extract() does not report a bare,
#: non-defanged two-label name with one of these ("invoice.zip", "install.sh", "README.md");
#: classify() and defanged text ("evil[.]zip") still accept them.
_AMBIGUOUS_TLDS = frozenset(
    {"zip", "mov", "py", "sh", "so", "ps", "pl", "md", "rs", "pm", "tf", "cab", "one", "run"}
)


@lru_cache(maxsize=1)
def _tlds() -> frozenset[str]:
    """Known TLDs, read once from the bundled data file on first use."""
    try:
        text = resources.files(__package__).joinpath("tlds.txt").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError):  # pragma: no cover - packaging mistake
        return frozenset()
    names = {line.strip().lower() for line in text.splitlines()}
    return frozenset(n for n in names if n and not n.startswith("#")) | _RESERVED_TLDS


def _tld_known(tld: str) -> bool:
    known = _tlds()
    if known:
        return tld in known
    # No data file (broken install): accept anything alphabetic that is not a file extension.
    return tld.isalpha() and len(tld) >= 2 and tld not in _FILE_EXTENSIONS  # pragma: no cover


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
        self.edits: list[tuple[int, int, int, int]] = []

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


class _OffsetMap:
    """Maps positions in a rewritten string back to the string before the rewrite."""

    __slots__ = ("edits", "starts")

    def __init__(self, edits: list[tuple[int, int, int, int]]) -> None:
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
_DOT_WORD_CHAIN_RE = re.compile(
    r"(?<![\w.-])[\w-]+(?:\.[\w-]+)*(?:[ ][Dd][Oo][Tt][ ][\w-]+(?:\.[\w-]+)*)+(?![\w-])"
)
_DOT_WORD_SEP_RE = re.compile(r"[ ](dot)[ ]", re.IGNORECASE)


def refang(text: str) -> str:
    """Undo common defanging: hxxp(s), fxp, [.] (.) {.} [dot] (dot), [:] [://] [:/]/ [/],
    [at] (at) [@], backslash-dot, and ' dot ' where clearly meant. Idempotent; prose is left
    alone (a lone bracket, "(...)", "[1]", "the dot com era")."""
    return _refang(text)[0]


def _refang(text: str, *, whole_token: bool = False) -> tuple[str, list[_OffsetMap]]:
    maps: list[_OffsetMap] = []
    for phase in (_phase_bracket_words, _phase_schemes, _phase_runs):
        text, edits = phase(text)
        if edits:
            maps.append(_OffsetMap(edits))
    text, edits = _phase_dot_words(text, whole_token)
    if edits:
        maps.append(_OffsetMap(edits))
    return text, maps


def _phase_bracket_words(text: str) -> tuple[str, list]:
    if "(" not in text and "[" not in text and "{" not in text:
        return text, []
    b = _Builder(text)
    for m in _BRACKET_WORD_RE.finditer(text):
        sym = "." if m.group(2).lower() == "dot" else "@"
        b.replace(m.start(), m.end(), m.group(1) + sym + m.group(3))
    return b.result(), b.edits


def _phase_schemes(text: str) -> tuple[str, list]:
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


def _phase_runs(text: str) -> tuple[str, list]:
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
            if (ls < start or re_ > end) and ls > 0 and re_ < n:
                if _is_word_char(text[ls - 1]) and _is_word_char(text[re_]):
                    start, end = ls, re_
        b.replace(start, end, new)
    return b.result(), b.edits


def _phase_dot_words(text: str, whole_token: bool) -> tuple[str, list]:
    if " dot " not in text.lower():
        return text, []
    b = _Builder(text)
    whole = _trim_bounds(text, 0, len(text)) if whole_token else None
    for m in _DOT_WORD_CHAIN_RE.finditer(text):
        chain = m.group(0)
        if whole == m.span():
            clear = True  # the user typed just this: "evil dot com" is meant as a domain
        else:
            clear = _clearly_defanged_chain(chain, text, m.start())
        if clear and _tld_known(_ascii_tld(chain)):
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
        return _label_to_ascii(tld)
    except ValueError:
        return ""


# --- Trimming ------------------------------------------------------------------------

_SPACE_CHARS = (
    " \t\r\n\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
_SPACE_RE = re.compile(f"[{_SPACE_CHARS}]")
_QUOTES = "'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a"
_LEAD_JUNK = frozenset(_QUOTES + "([{<" + _SPACE_CHARS)
_TRAIL_JUNK = frozenset(_QUOTES + ",;.!?\u3002\u3001\uff0c\uff0e\u2026" + _SPACE_CHARS)
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _trim_bounds(s: str, i: int, j: int) -> tuple[int, int]:
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


def _trim(s: str) -> str:
    i, j = _trim_bounds(s, 0, len(s))
    return s[i:j]


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


def _label_to_ascii(label: str) -> str:
    """Punycode one non-ASCII label (IDNA 2008 + UTS 46, falling back to IDNA 2003)."""
    try:
        import idna

        return idna.encode(label, uts46=True).decode("ascii")
    except (ImportError, UnicodeError, ValueError):
        pass  # idna missing, or IDNA 2008 refuses it (emoji...): try the stdlib IDNA 2003 codec
    try:
        out = label.encode("idna").decode("ascii")
    except (UnicodeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    return out.lower()


def _idn_to_unicode(name: str) -> str:
    labels = []
    for label in name.split("."):
        if label.startswith("xn--"):
            try:
                import idna

                label = idna.decode(label)
            except (ImportError, UnicodeError, ValueError):
                try:
                    label = label.encode("ascii").decode("idna")
                except (UnicodeError, ValueError):
                    return name
        labels.append(label)
    return ".".join(labels)


def _normalise_domain(host: str) -> str:
    """Validate a domain and return its lower-case ASCII (punycode) form, or raise."""
    if _SPACE_RE.search(host):
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
            out.append(_label_to_ascii(label))
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
    if not _tld_known(tld):
        if tld in _FILE_EXTENSIONS:
            raise _invalid(
                f"Unknown top-level domain {_q('.' + tld)} (this looks like a file name)."
            )
        raise _invalid(f"Unknown top-level domain {_q('.' + tld)}.")
    return ascii_name


# --- IP addresses --------------------------------------------------------------------

_DOTTED_NUMBERS_RE = re.compile(r"[0-9]+(?:\.[0-9]+)+")
_IPV6_CHARS_RE = re.compile(r"[0-9A-Fa-f:.]+(?:%[^\s/]*)?")


def _looks_ipv6(s: str) -> bool:
    return s.count(":", 0, 64) >= 2 and _IPV6_CHARS_RE.fullmatch(s) is not None


def _cidr_address(s: str) -> str | None:
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
    git svn magnet blob about chrome vbscript ms-msdt search-ms jar view-source""".split()
)


def _url(s: str) -> str:
    """Validate a URL (with scheme); return it as given. Raise with a reason."""
    if not s.isprintable() or " " in s:
        if _SPACE_RE.search(s):
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
            raise _invalid(
                "An IPv6 address in a URL must be in brackets, like http://[2001:db8::1]/."
            )
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

_MAX_INPUT = 16384
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_HASH_TYPES = {32: IOCType.MD5, 40: IOCType.SHA1, 64: IOCType.SHA256}
_HASH_PREFIX_RE = re.compile(r"(?i)(?:md5|sha-?1|sha-?256)[ \t]*[:=][ \t]*(?=[0-9a-f]+\Z)")
_EMAIL_RE = re.compile(r"(?:mailto:)?[^@/\s:]+@([^@/\s]+)", re.IGNORECASE)
_HOST_PORT_RE = re.compile(r"([^:/?#@\[\]]+):([0-9]{1,5})")


def classify(text: str) -> IOC:
    """Classify and normalise one indicator; raise InvalidIOCError with a reason if it is none."""
    if not isinstance(text, str):
        raise _invalid("Expected text.")
    s = text.strip(_SPACE_CHARS)
    if not s:
        raise _invalid("Empty input.")
    if len(s) > _MAX_INPUT:
        raise _invalid(f"Input is too long to be an indicator ({len(s)} characters).")
    s = _trim(_refang(s, whole_token=True)[0])
    if not s:
        raise _invalid("Empty input.")
    kind, value = _classify_clean(s)
    return IOC(kind, value, text)


def try_classify(text: str) -> IOC | None:
    """classify(), or None instead of an error."""
    try:
        return classify(text)
    except InvalidIOCError:
        return None


def _classify_clean(s: str) -> tuple[IOCType, str]:
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
    if _cidr_address(s):
        raise _invalid(f"{_q(s)} is a network range; look up a single IP address.")
    if "://" in s:
        return IOCType.URL, _url(s)
    if _looks_ipv6(s):
        return IOCType.IPV6, _ipv6(s)
    return _classify_schemeless(s)


def _hash(s: str) -> tuple[IOCType, str] | None:
    kind = _HASH_TYPES.get(len(s))
    if kind:
        return kind, s.lower()
    if len(s) >= 20 and not s.isdigit():
        raise _invalid(
            f"Looks like a hash but has {len(s)} hex characters; MD5 has 32, SHA-1 40, SHA-256 64."
        )
    return None


def _classify_schemeless(s: str) -> tuple[IOCType, str]:
    scheme = _SCHEME_RE.match(s)
    name = scheme.group(1).lower() if scheme else ""
    if name in _OTHER_SCHEMES and name != "mailto":  # mailto: is an e-mail, handled below
        raise _invalid(f"Only http, https and ftp URLs can be looked up, not {_q(name + ':')}.")
    if _SPACE_RE.search(s):
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


# --- extract -------------------------------------------------------------------------

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
_HEX_WORD_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?![0-9A-Za-z])"
)


def extract(text: str) -> list[IOC]:
    """Every indicator in a pasted block, deduplicated by (type, value), in order of appearance."""
    if not isinstance(text, str) or not text:
        return []
    clean, maps = _refang(text)
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
        start, end = _trim_bounds(clean, m.start(), m.end())
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
    cidr = _cidr_address(token)
    hit = _classify_token(cidr or token)
    if hit:
        kind, value = hit
        if kind is IOCType.DOMAIN and _is_probably_file_name(token, original(start, end)):
            return []
        return [(kind, value, start, start + len(cidr) if cidr else end)]
    out: list[tuple[IOCType, str, int, int]] = []
    inner = _URL_IN_TOKEN_RE.search(token, 1)
    if inner or key:
        off = inner.start() if inner else key.end()
        hit = _classify_token(token[off:])
        if hit:
            return [(hit[0], hit[1], start + off, end)]
    for h in _HEX_WORD_RE.finditer(token):
        kind = _HASH_TYPES[len(h.group(0))]
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
    return not tld.isascii() or tld.lower() in _tlds()


def _classify_token(token: str) -> tuple[IOCType, str] | None:
    if len(token) > _MAX_INPUT:
        return None
    try:
        kind, value = _classify_clean(token)
    except InvalidIOCError:
        return None
    return kind, value


def _is_probably_file_name(token: str, original: str) -> bool:
    """'invoice.zip' in a report is a file; 'evil[.]zip' or 'a.b.zip' is meant as a domain."""
    if token != original or token.count(".") != 1 or "@" in token:
        return False
    return token.rsplit(".", 1)[1].lower() in _AMBIGUOUS_TLDS

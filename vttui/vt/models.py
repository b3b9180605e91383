"""Tolerant, read-only views over VirusTotal v3 objects.

Every string and number in a v3 reply is attacker-controlled (names, comments, whois,
engine verdicts) and the API itself is inconsistent over the years (dates as strings,
ids as numbers, fields missing on old objects). The views here therefore never raise:
each accessor tolerates absence, ``null`` and wrong types and falls back to a sensible
default. They never copy or mutate the dict they wrap (it may be shared with the cache)
and compute everything lazily, so wrapping a 1 MB object costs nothing until asked.

Nothing here imports textual; turning these values into screen content is the job of
``vttui.tui.text``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from vttui.vt.refs import TYPE_LABELS, ObjectRef

__all__ = [
    "AnalysisStats",
    "EngineResult",
    "SandboxVerdict",
    "VTObject",
    "File",
    "URL",
    "Domain",
    "IPAddress",
    "Analysis",
    "Comment",
    "Vote",
    "Resolution",
    "Whois",
    "SSLCert",
    "FileBehaviour",
    "as_int",
    "as_float",
    "as_str",
    "as_list",
    "as_dict",
    "as_datetime",
    "get_path",
    "VIEW_OF_TYPE",
    "wrap",
    "parse_reply",
]

# --- Coercion helpers ------------------------------------------------------------------

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
# ASCII digits only: str.isdigit() and \d also accept Arabic-Indic and other digits.
_INT_RE = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_MAX_NUMBER_TEXT = 64


def as_int(v: Any, default: int | None = None) -> int | None:
    """An int from an int, a float or numeric text; ``default`` for anything else.

    Booleans are not numbers here (``True`` is not a count of 1), and values outside
    int64 are rejected: VirusTotal has sent floats like 3.3e21 where sizes belong.
    """
    if v is None or isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v if _INT64_MIN <= v <= _INT64_MAX else default
    if isinstance(v, float):
        if not math.isfinite(v) or not (-(2.0**63) < v < 2.0**63):
            return default
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if not s or len(s) > _MAX_NUMBER_TEXT:
            return default
        if _INT_RE.fullmatch(s):
            return as_int(int(s), default)
        if _FLOAT_RE.fullmatch(s):
            return as_int(float(s), default)
    return default


def as_float(v: Any, default: float | None = None) -> float | None:
    """A finite float from a number or numeric text; ``default`` otherwise (NaN/inf too)."""
    if v is None or isinstance(v, bool):
        return default
    if isinstance(v, int):
        try:
            f = float(v)
        except OverflowError:
            return default
    elif isinstance(v, float):
        f = v
    elif isinstance(v, str):
        s = v.strip()
        if not s or len(s) > _MAX_NUMBER_TEXT or not _FLOAT_RE.fullmatch(s):
            return default
        f = float(s)
    else:
        return default
    return f if math.isfinite(f) else default


def as_str(v: Any, default: str = "") -> str:
    """Text for a scalar; ``default`` for null and containers (never their repr)."""
    if isinstance(v, str):
        return v
    if v is None:
        return default
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        try:
            return str(v)
        except ValueError:  # more digits than Python will print
            return default
    if isinstance(v, float):
        if not math.isfinite(v):
            return default
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "replace")
    return default


def as_list(v: Any) -> list:
    """The list itself (not a copy: do not mutate it), a tuple as a list, else ``[]``."""
    if isinstance(v, list):
        return v
    if isinstance(v, tuple):
        return list(v)
    return []


def as_dict(v: Any) -> dict:
    """The dict itself (not a copy: do not mutate it), else a fresh ``{}``."""
    return v if isinstance(v, dict) else {}


def _str_list(v: Any) -> list[str]:
    """Non-empty strings of a list; a lone string counts as a one-item list."""
    if isinstance(v, str):
        return [v] if v else []
    out = []
    for item in as_list(v):
        s = as_str(item)
        if s:
            out.append(s)
    return out


def _str_dict(v: Any) -> dict[str, str]:
    """A str -> str mapping from a dict, dropping entries whose value is not a scalar."""
    out: dict[str, str] = {}
    for k, val in as_dict(v).items():
        s = as_str(val)
        if isinstance(k, str) and s:
            out[k] = s
    return out


def _one_line(s: str, limit: int = 500) -> str:
    """Collapse whitespace (newlines included) so a title fits on one row."""
    line = " ".join(s.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# Epoch bounds: 1900-01-01 .. 9999-12-31. Anything outside is junk, not a date.
_MIN_EPOCH = -2208988800
_MAX_EPOCH = 253402300799
# Above this many "seconds" (year 5138) a number is taken to be milliseconds.
_MS_THRESHOLD = 1e11
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TEXT_DATE_FORMATS = (
    "%Y:%m:%d %H:%M:%S%z",  # exiftool: 2018:08:06 08:56:17+00:00
    "%Y:%m:%d %H:%M:%S",
    "%I:%M %p %m/%d/%Y",  # signature_info: 06:48 AM 08/24/2022
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%a, %d %b %Y %H:%M:%S %Z",  # HTTP dates
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y",
    "%b %d %H:%M:%S %Y %Z",  # openssl style
)


def _from_epoch(x: float) -> datetime | None:
    if not math.isfinite(x):
        return None
    if abs(x) >= _MS_THRESHOLD:
        x /= 1000.0
    if not _MIN_EPOCH <= x <= _MAX_EPOCH:
        return None
    try:
        return _EPOCH + timedelta(seconds=x)
    except OverflowError:
        return None


def _to_utc(d: datetime) -> datetime | None:
    try:
        d = d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return d if d.year >= 1900 else None


def _parse_text_date(s: str) -> datetime | None:
    try:
        return _to_utc(datetime.fromisoformat(s))
    except ValueError:
        pass
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return _to_utc(datetime.strptime(s, fmt))
        except ValueError:
            continue
    return None


def as_datetime(v: Any) -> datetime | None:
    """A tz-aware UTC datetime from epoch seconds/milliseconds or date text; else None."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, datetime):
        return _to_utc(v)
    if isinstance(v, (int, float)):
        f = as_float(v)
        return None if f is None else _from_epoch(f)
    if isinstance(v, str):
        s = v.strip()
        if not s or len(s) > _MAX_NUMBER_TEXT:
            return None
        if _FLOAT_RE.fullmatch(s):
            f = as_float(s)
            return None if f is None else _from_epoch(f)
        return _parse_text_date(s)
    return None


def get_path(d: Any, path: str | tuple | list, default: Any = None) -> Any:
    """Walk dicts (and lists, by numeric segment) along ``"a.b.c"``; ``default`` if absent.

    Pass a tuple when a key holds a dot (engine names like ``Dr.Web`` do). A null at
    the end counts as absent.
    """
    keys = path.split(".") if isinstance(path, str) else list(as_list(path))
    cur = d
    for key in keys:
        if isinstance(cur, dict):
            try:
                if key not in cur:
                    return default
            except TypeError:  # unhashable key
                return default
            cur = cur[key]
        elif isinstance(cur, list):
            idx = key if isinstance(key, int) and not isinstance(key, bool) else None
            if isinstance(key, str) and key.isascii() and key.isdigit():
                idx = int(key)
            if idx is None or not -len(cur) <= idx < len(cur):
                return default
            cur = cur[idx]
        else:
            return default
    return default if cur is None else cur


def _ref(type_: Any, id_: Any) -> ObjectRef | None:
    """A ref when both parts are usable; object types are names, never numbers."""
    t = type_ if isinstance(type_, str) else ""
    i = as_str(id_)
    return ObjectRef(t, i) if t and i else None


def _descriptor_ref(item: Any) -> ObjectRef | None:
    d = as_dict(item)
    return _ref(d.get("type"), d.get("id"))


# --- Analysis stats and engine results -------------------------------------------------

_STAT_FIELDS = (
    "malicious",
    "suspicious",
    "undetected",
    "harmless",
    "timeout",
    "confirmed_timeout",
    "type_unsupported",
    "failure",
)


@dataclass(frozen=True, slots=True)
class AnalysisStats:
    """Engine counts by category (``last_analysis_stats`` or an analysis' ``stats``)."""

    malicious: int = 0
    suspicious: int = 0
    undetected: int = 0
    harmless: int = 0
    timeout: int = 0
    confirmed_timeout: int = 0
    type_unsupported: int = 0
    failure: int = 0

    @classmethod
    def from_dict(cls, d: Any) -> AnalysisStats:
        """Counts from a v3 stats dict; hyphenated keys map to fields, junk counts to 0."""
        values: dict[str, int] = {}
        for key, raw in as_dict(d).items():
            if not isinstance(key, str):
                continue
            name = key.strip().lower().replace("-", "_").replace(" ", "_")
            n = as_int(raw)
            if name in _STAT_FIELDS and n is not None and n > 0:
                values[name] = n
        return cls(**values)

    @property
    def total(self) -> int:
        """Engines that gave a verdict (unsupported, timed-out and failed ones excluded)."""
        return self.malicious + self.suspicious + self.undetected + self.harmless

    @property
    def flagged(self) -> int:
        """Engines that raised any alarm (malicious or suspicious)."""
        return self.malicious + self.suspicious

    @property
    def engines(self) -> int:
        """Every engine counted, whatever its answer."""
        return sum(getattr(self, f) for f in _STAT_FIELDS)

    @property
    def ratio_text(self) -> str:
        return f"{self.malicious}/{self.total}"

    @property
    def severity(self) -> str:
        """``malicious``, ``suspicious``, ``clean`` or ``unknown`` (nobody answered)."""
        if self.malicious:
            return "malicious"
        if self.suspicious:
            return "suspicious"
        if self.total:
            return "clean"
        return "unknown"

    @property
    def is_empty(self) -> bool:
        return self.engines == 0

    def to_dict(self) -> dict[str, int]:
        """Counts under the key names VirusTotal uses (hyphenated), for exports."""
        return {f.replace("_", "-"): getattr(self, f) for f in _STAT_FIELDS}


_DETECTED = ("malicious", "suspicious")


def _category_rank(category: str) -> int:
    c = category.lower()
    return _DETECTED.index(c) if c in _DETECTED else len(_DETECTED)


@dataclass(frozen=True, slots=True)
class EngineResult:
    """One engine's answer in ``last_analysis_results`` / an analysis' ``results``."""

    engine: str
    category: str
    result: str | None = None
    method: str = ""
    engine_version: str | None = None
    engine_update: str | None = None

    @classmethod
    def from_entry(cls, name: Any, entry: Any) -> EngineResult | None:
        """The result for one entry; None when there is nothing to show for it."""
        d = as_dict(entry)
        engine = as_str(name) or as_str(d.get("engine_name"))
        if not engine or not d:
            return None
        return cls(
            engine=engine,
            category=as_str(d.get("category")).strip().lower(),
            result=as_str(d.get("result")) or None,
            method=as_str(d.get("method")),
            engine_version=as_str(d.get("engine_version")) or None,
            engine_update=as_str(d.get("engine_update")) or None,
        )

    @property
    def detected(self) -> bool:
        return self.category in _DETECTED

    @property
    def severity_rank(self) -> int:
        """0 malicious, 1 suspicious, 2 anything else: the sort order of the table."""
        return _category_rank(self.category)

    @property
    def verdict(self) -> str:
        """What to show: the engine's label, else its category."""
        return self.result or self.category

    @property
    def update_date(self) -> datetime | None:
        """``engine_update`` is ``YYYYMMDD`` text, not an epoch."""
        s = (self.engine_update or "").strip()
        if len(s) == 8 and s.isascii() and s.isdigit():
            try:
                return datetime.strptime(s, "%Y%m%d").replace(tzinfo=UTC)
            except ValueError:
                return None
        return None


def _engine_results(raw: Any) -> list[EngineResult]:
    """Results from the v3 dict (or a list of entries), most severe first, then by name."""
    out: list[EngineResult] = []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        pairs = [(as_dict(e).get("engine_name"), e) for e in as_list(raw)]
    for name, entry in pairs:
        r = EngineResult.from_entry(name, entry)
        if r is not None:
            out.append(r)
    out.sort(key=lambda r: (r.severity_rank, r.engine.casefold(), r.engine))
    return out


@dataclass(frozen=True, slots=True)
class SandboxVerdict:
    """One sandbox's verdict from a file's ``sandbox_verdicts``."""

    sandbox: str
    category: str
    classifications: tuple[str, ...] = ()
    malware_names: tuple[str, ...] = ()
    confidence: int | None = None


# --- Base view -------------------------------------------------------------------------


class VTObject:
    """A read-only view over one v3 object dict; accepts anything (non-dicts are empty)."""

    #: Attribute holding the engine results / stats of this kind of object.
    _RESULTS_KEY = "last_analysis_results"
    _STATS_KEY = "last_analysis_stats"

    def __init__(self, data: Any = None, *, meta: Any = None) -> None:
        self._data: dict = data if isinstance(data, dict) else {}
        #: The ``meta`` of the whole reply, when the object came from one (analyses use it).
        self._meta: dict = meta if isinstance(meta, dict) else {}

    def __repr__(self) -> str:
        ident = self.id if len(self.id) <= 80 else self.id[:79] + "…"
        return f"{type(self).__name__}({self.type!r}, {ident!r})"

    # identity ---------------------------------------------------------------------------

    @property
    def raw(self) -> dict:
        """The wrapped dict itself (shared; do not mutate)."""
        return self._data

    @property
    def meta(self) -> dict:
        return self._meta

    @property
    def type(self) -> str:
        """The object type; object types are names, so a number here counts as none."""
        t = self._data.get("type")
        return t if isinstance(t, str) else ""

    @property
    def id(self) -> str:
        return as_str(self._data.get("id"))

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.type, self.id)

    @property
    def is_empty(self) -> bool:
        """No type and no id: a reply that carried nothing usable."""
        return not self.type and not self.id

    @cached_property
    def attributes(self) -> dict:
        return as_dict(self._data.get("attributes"))

    @property
    def context_attributes(self) -> dict:
        """Per-item context in relationship lists and searches (e.g. the matched URL)."""
        return as_dict(self._data.get("context_attributes"))

    @property
    def links(self) -> dict:
        return as_dict(self._data.get("links"))

    @property
    def self_link(self) -> str | None:
        return as_str(self.links.get("self")) or None

    def attr(self, path: str | tuple | list, default: Any = None) -> Any:
        """A dotted path into the attributes (a tuple for keys with dots in them)."""
        return get_path(self.attributes, path, default)

    def _str(self, key: str) -> str:
        return as_str(self.attributes.get(key))

    def _int(self, key: str) -> int | None:
        return as_int(self.attributes.get(key))

    def _date(self, key: str) -> datetime | None:
        return as_datetime(self.attributes.get(key))

    def _first_date(self, *keys: str) -> datetime | None:
        for key in keys:
            d = self._date(key)
            if d is not None:
                return d
        return None

    # verdicts ---------------------------------------------------------------------------

    @cached_property
    def stats(self) -> AnalysisStats:
        return AnalysisStats.from_dict(self.attributes.get(self._STATS_KEY))

    @cached_property
    def engine_results(self) -> list[EngineResult]:
        return _engine_results(self.attributes.get(self._RESULTS_KEY))

    @property
    def detections(self) -> list[EngineResult]:
        """Only the engines that flagged it (malicious or suspicious)."""
        return [r for r in self.engine_results if r.detected]

    @property
    def severity(self) -> str:
        return self.stats.severity

    @property
    def reputation(self) -> int | None:
        return self._int("reputation")

    @property
    def votes(self) -> tuple[int, int]:
        """Community votes as ``(harmless, malicious)``."""
        tv = as_dict(self.attributes.get("total_votes"))
        return (max(as_int(tv.get("harmless"), 0) or 0, 0), max(as_int(tv.get("malicious"), 0) or 0, 0))

    @property
    def tags(self) -> list[str]:
        return _str_list(self.attributes.get("tags"))

    # dates ------------------------------------------------------------------------------

    @property
    def first_seen(self) -> datetime | None:
        return self._first_date("first_submission_date", "first_seen_itw_date", "first_seen_date")

    @property
    def last_seen(self) -> datetime | None:
        return self._first_date("last_submission_date", "last_seen_itw_date", "last_analysis_date")

    @property
    def last_analysis_date(self) -> datetime | None:
        return self._date("last_analysis_date")

    @property
    def last_modification_date(self) -> datetime | None:
        return self._date("last_modification_date")

    @property
    def title(self) -> str:
        """A one-line human name for the object (the id for most types)."""
        return _one_line(self.id)

    # relationships ----------------------------------------------------------------------

    @property
    def relationships(self) -> dict:
        return as_dict(self._data.get("relationships"))

    @property
    def relationship_names(self) -> list[str]:
        return [k for k in self.relationships if isinstance(k, str)]

    def _relationship(self, name: Any) -> dict:
        if not isinstance(name, str):
            return {}
        return as_dict(self.relationships.get(name))

    def relationship_descriptors(self, name: str) -> list[ObjectRef]:
        """Refs embedded under ``relationships[name].data`` (a list, one object, or null)."""
        data = self._relationship(name).get("data")
        items = [data] if isinstance(data, dict) else as_list(data)
        return [r for r in map(_descriptor_ref, items) if r is not None]

    def relationship_cursor(self, name: str) -> str | None:
        """The cursor for the next page of an embedded relationship; None at the end."""
        return as_str(get_path(self._relationship(name), "meta.cursor")) or None

    def relationship_next_link(self, name: str) -> str | None:
        return as_str(get_path(self._relationship(name), "links.next")) or None


# --- Certificates ----------------------------------------------------------------------


def _dn_text(d: dict[str, str]) -> str:
    """``CN=..., O=..., C=...``: the usual order, CN first."""
    order = ["CN", "OU", "O", "L", "ST", "C"]
    keys = [k for k in order if k in d] + [k for k in d if k not in order]
    return ", ".join(f"{k}={d[k]}" for k in keys)


class SSLCert(VTObject):
    """A certificate: an ``ssl_cert`` object or a ``last_https_certificate`` dict."""

    @classmethod
    def from_attributes(cls, cert: Any) -> SSLCert:
        """View a bare certificate dict (wrapped in a tiny new dict; ``cert`` is not copied)."""
        cert = as_dict(cert)
        return cls({"type": "ssl_cert", "id": as_str(cert.get("thumbprint_sha256")), "attributes": cert})

    @property
    def subject(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("subject"))

    @property
    def issuer(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("issuer"))

    @property
    def subject_cn(self) -> str:
        return self.subject.get("CN", "")

    @property
    def issuer_cn(self) -> str:
        return self.issuer.get("CN", "")

    @property
    def subject_text(self) -> str:
        return _dn_text(self.subject)

    @property
    def issuer_text(self) -> str:
        return _dn_text(self.issuer)

    @property
    def not_before(self) -> datetime | None:
        return as_datetime(self.attr("validity.not_before"))

    @property
    def not_after(self) -> datetime | None:
        return as_datetime(self.attr("validity.not_after"))

    @property
    def sans(self) -> list[str]:
        return _str_list(self.attr("extensions.subject_alternative_name"))

    @property
    def thumbprint(self) -> str:
        return self._str("thumbprint")

    @property
    def thumbprint_sha256(self) -> str:
        return self._str("thumbprint_sha256")

    @property
    def serial_number(self) -> str:
        return self._str("serial_number")

    @property
    def version(self) -> str:
        return self._str("version")

    @property
    def size(self) -> int | None:
        return self._int("size")

    @property
    def public_key_algorithm(self) -> str:
        return as_str(self.attr("public_key.algorithm"))

    @property
    def signature_algorithm(self) -> str:
        return as_str(self.attr("cert_signature.signature_algorithm"))

    @property
    def title(self) -> str:
        return _one_line(self.subject_cn or self.thumbprint_sha256 or self.thumbprint or self.id)

    def is_expired(self, now: datetime | None = None) -> bool | None:
        """Whether ``not_after`` is past (None when the date is unknown)."""
        end = self.not_after
        if end is None:
            return None
        now = as_datetime(now) if now is not None else datetime.now(UTC)
        return None if now is None else end < now


class _HasCertificate(VTObject):
    """Domains and IPs carry the last HTTPS certificate seen on them."""

    @property
    def certificate(self) -> dict:
        return as_dict(self.attributes.get("last_https_certificate"))

    @cached_property
    def ssl_cert(self) -> SSLCert:
        return SSLCert.from_attributes(self.certificate)

    @property
    def certificate_date(self) -> datetime | None:
        return self._date("last_https_certificate_date")

    @property
    def cert_subject_cn(self) -> str:
        return self.ssl_cert.subject_cn

    @property
    def cert_issuer(self) -> str:
        return self.ssl_cert.issuer_text

    @property
    def cert_not_before(self) -> datetime | None:
        return self.ssl_cert.not_before

    @property
    def cert_not_after(self) -> datetime | None:
        return self.ssl_cert.not_after

    @property
    def cert_sans(self) -> list[str]:
        return self.ssl_cert.sans

    @property
    def cert_thumbprint(self) -> str:
        return self.ssl_cert.thumbprint_sha256 or self.ssl_cert.thumbprint

    @property
    def jarm(self) -> str:
        return self._str("jarm")

    @property
    def whois(self) -> str:
        return self._str("whois")

    @property
    def whois_date(self) -> datetime | None:
        return self._date("whois_date")

    @property
    def rdap(self) -> dict:
        return as_dict(self.attributes.get("rdap"))


# --- Files -----------------------------------------------------------------------------


def _value_counts(v: Any) -> list[tuple[str, int]]:
    """``[{"value": x, "count": n}]`` lists of popular_threat_classification."""
    out = []
    for item in as_list(v):
        d = as_dict(item)
        value = as_str(d.get("value"))
        if value:
            out.append((value, max(as_int(d.get("count"), 0) or 0, 0)))
    return out


class File(VTObject):
    @property
    def md5(self) -> str:
        return self._str("md5")

    @property
    def sha1(self) -> str:
        return self._str("sha1")

    @property
    def sha256(self) -> str:
        return self._str("sha256") or self.id

    @property
    def ssdeep(self) -> str:
        return self._str("ssdeep")

    @property
    def tlsh(self) -> str:
        return self._str("tlsh")

    @property
    def vhash(self) -> str:
        return self._str("vhash")

    @property
    def authentihash(self) -> str:
        return self._str("authentihash")

    @property
    def permhash(self) -> str:
        return self._str("permhash")

    @property
    def telfhash(self) -> str:
        return self._str("telfhash")

    @property
    def imphash(self) -> str:
        return as_str(self.attr("pe_info.imphash"))

    @property
    def hashes(self) -> dict[str, str]:
        """Every hash it has, by name, in a stable order (for copy menus and exports)."""
        pairs = [
            ("md5", self.md5), ("sha1", self.sha1), ("sha256", self.sha256),
            ("ssdeep", self.ssdeep), ("tlsh", self.tlsh), ("vhash", self.vhash),
            ("imphash", self.imphash), ("authentihash", self.authentihash),
            ("permhash", self.permhash), ("telfhash", self.telfhash),
        ]  # fmt: skip
        return {k: v for k, v in pairs if v}

    @property
    def names(self) -> list[str]:
        return _str_list(self.attributes.get("names"))

    @property
    def meaningful_name(self) -> str:
        return self._str("meaningful_name")

    @property
    def title(self) -> str:
        names = self.names
        return _one_line(self.meaningful_name or (names[0] if names else "") or self.sha256)

    @property
    def size(self) -> int | None:
        n = self._int("size")
        return n if n is not None and n >= 0 else None

    @property
    def type_description(self) -> str:
        return self._str("type_description")

    @property
    def type_tag(self) -> str:
        return self._str("type_tag")

    @property
    def type_tags(self) -> list[str]:
        return _str_list(self.attributes.get("type_tags"))

    @property
    def type_extension(self) -> str:
        return self._str("type_extension")

    @property
    def magic(self) -> str:
        return self._str("magic")

    @property
    def magika(self) -> str:
        return self._str("magika")

    @property
    def capabilities_tags(self) -> list[str]:
        return _str_list(self.attributes.get("capabilities_tags"))

    @property
    def threat_label(self) -> str:
        return as_str(self.attr("popular_threat_classification.suggested_threat_label"))

    @property
    def threat_categories(self) -> list[tuple[str, int]]:
        return _value_counts(self.attr("popular_threat_classification.popular_threat_category"))

    @property
    def threat_families(self) -> list[tuple[str, int]]:
        return _value_counts(self.attr("popular_threat_classification.popular_threat_name"))

    @property
    def threat_severity(self) -> str:
        """Google's severity level, e.g. ``SEVERITY_HIGH`` (empty when not given)."""
        return as_str(self.attr("threat_severity.threat_severity_level"))

    @property
    def threat_severity_description(self) -> str:
        return as_str(self.attr("threat_severity.level_description"))

    @property
    def first_submission_date(self) -> datetime | None:
        return self._date("first_submission_date")

    @property
    def last_submission_date(self) -> datetime | None:
        return self._date("last_submission_date")

    @property
    def first_seen_itw_date(self) -> datetime | None:
        return self._date("first_seen_itw_date")

    @property
    def creation_date(self) -> datetime | None:
        return self._date("creation_date")

    @property
    def times_submitted(self) -> int | None:
        return self._int("times_submitted")

    @property
    def unique_sources(self) -> int | None:
        return self._int("unique_sources")

    @property
    def downloadable(self) -> bool | None:
        v = self.attributes.get("downloadable")
        return v if isinstance(v, bool) else None

    @property
    def known_distributors(self) -> list[str]:
        return _str_list(self.attr("known_distributors.distributors"))

    # PE ---------------------------------------------------------------------------------

    @property
    def pe_info(self) -> dict:
        return as_dict(self.attributes.get("pe_info"))

    @property
    def pe_sections(self) -> list[dict[str, str | int | float | None]]:
        out: list[dict[str, str | int | float | None]] = []
        for item in as_list(self.pe_info.get("sections")):
            s = as_dict(item)
            if not s:
                continue
            out.append({
                "name": as_str(s.get("name")),
                "virtual_address": as_int(s.get("virtual_address")),
                "virtual_size": as_int(s.get("virtual_size")),
                "raw_size": as_int(s.get("raw_size")),
                "entropy": as_float(s.get("entropy")),
                "md5": as_str(s.get("md5")),
                "chi2": as_float(s.get("chi2")),
                "flags": as_str(s.get("flags")),
            })  # fmt: skip
        return out

    @property
    def pe_imports(self) -> list[tuple[str, list[str]]]:
        out = []
        for item in as_list(self.pe_info.get("import_list")):
            d = as_dict(item)
            library = as_str(d.get("library_name"))
            functions = _str_list(d.get("imported_functions"))
            if library or functions:
                out.append((library, functions))
        return out

    @property
    def pe_exports(self) -> list[str]:
        return _str_list(self.pe_info.get("exports"))

    @property
    def pe_entry_point(self) -> int | None:
        return as_int(self.pe_info.get("entry_point"))

    @property
    def pe_timestamp(self) -> datetime | None:
        return as_datetime(self.pe_info.get("timestamp"))

    @property
    def pe_machine_type(self) -> int | None:
        return as_int(self.pe_info.get("machine_type"))

    @property
    def pe_resource_types(self) -> dict[str, int]:
        out = {}
        for k, v in as_dict(self.pe_info.get("resource_types")).items():
            n = as_int(v)
            if isinstance(k, str) and n is not None:
                out[k] = n
        return out

    # signature --------------------------------------------------------------------------

    @property
    def signature_info(self) -> dict:
        return as_dict(self.attributes.get("signature_info"))

    @property
    def signature(self) -> dict[str, str]:
        """The text fields of ``signature_info`` under snake_case names; empty ones left out.

        VirusTotal's keys hold spaces ("signing date", "counter signers"); nested
        details (x509, signers details) are left to :attr:`signature_info`.
        """
        out: dict[str, str] = {}
        for key, value in self.signature_info.items():
            text = as_str(value).strip()
            if isinstance(key, str) and text:
                out[key.strip().lower().replace(" ", "_").replace("-", "_")] = text
        return out

    @property
    def signers(self) -> list[str]:
        return [s.strip() for s in as_str(self.signature_info.get("signers")).split(";") if s.strip()]

    @property
    def signature_verified(self) -> str:
        """What the signature check said ("Signed", or why it failed); empty if unsigned."""
        return as_str(self.signature_info.get("verified")).strip()

    @property
    def is_signed(self) -> bool:
        return bool(self.signature_verified or self.signers)

    @property
    def signature_date(self) -> datetime | None:
        return as_datetime(self.signature_info.get("signing date"))

    # classification tools ---------------------------------------------------------------

    @property
    def trid(self) -> list[tuple[str, float | None]]:
        out = []
        for item in as_list(self.attributes.get("trid")):
            d = as_dict(item)
            file_type = as_str(d.get("file_type"))
            if file_type:
                out.append((file_type, as_float(d.get("probability"))))
        return out

    @property
    def detect_it_easy(self) -> list[str]:
        """Detect It Easy findings as ``Type: Name (version)`` lines."""
        out = []
        for item in as_list(self.attr("detectiteasy.values")):
            d = as_dict(item)
            name = as_str(d.get("name"))
            if not name:
                continue
            kind, version = as_str(d.get("type")), as_str(d.get("version"))
            out.append(f"{kind + ': ' if kind else ''}{name}{f' ({version})' if version else ''}")
        return out

    @property
    def packers(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("packers"))

    @property
    def exiftool(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("exiftool"))

    @property
    def sandbox_verdicts(self) -> list[SandboxVerdict]:
        out = []
        for key, item in as_dict(self.attributes.get("sandbox_verdicts")).items():
            d = as_dict(item)
            name = as_str(d.get("sandbox_name")) or as_str(key)
            if not name or not d:
                continue
            out.append(SandboxVerdict(
                sandbox=name,
                category=as_str(d.get("category")),
                classifications=tuple(_str_list(d.get("malware_classification"))),
                malware_names=tuple(_str_list(d.get("malware_names"))),
                confidence=as_int(d.get("confidence")),
            ))  # fmt: skip
        return out

    @property
    def crowdsourced_yara(self) -> list[dict[str, str]]:
        keys = ("rule_name", "ruleset_name", "ruleset_id", "author", "source", "description")
        return _pick_rows(self.attributes.get("crowdsourced_yara_results"), keys, "rule_name")

    @property
    def crowdsourced_ids(self) -> list[dict[str, str]]:
        keys = ("rule_msg", "rule_id", "alert_severity", "rule_category", "rule_source", "rule_url")
        return _pick_rows(self.attributes.get("crowdsourced_ids_results"), keys, "rule_msg")

    @property
    def crowdsourced_ids_stats(self) -> dict[str, int]:
        return _level_counts(self.attributes.get("crowdsourced_ids_stats"))

    @property
    def sigma_rules(self) -> list[dict[str, str]]:
        keys = ("rule_title", "rule_level", "rule_source", "rule_author", "rule_description", "rule_id")
        return _pick_rows(self.attributes.get("sigma_analysis_results"), keys, "rule_title")

    @property
    def sigma_summary(self) -> dict[str, int]:
        """Sigma matches by level (critical/high/medium/low), over every rule set."""
        stats = _level_counts(self.attributes.get("sigma_analysis_stats"))
        if stats:
            return stats
        total: dict[str, int] = {}
        for per_source in as_dict(self.attributes.get("sigma_analysis_summary")).values():
            for level, n in _level_counts(per_source).items():
                total[level] = total.get(level, 0) + n
        return total


def _pick_rows(v: Any, keys: tuple[str, ...], required: str) -> list[dict[str, str]]:
    """Rows of chosen text fields from a list of dicts; rows without ``required`` dropped."""
    out = []
    for item in as_list(v):
        d = as_dict(item)
        row = {k: as_str(d.get(k)) for k in keys}
        if row[required]:
            out.append(row)
    return out


def _level_counts(v: Any) -> dict[str, int]:
    out = {}
    for k, n in as_dict(v).items():
        count = as_int(n)
        if isinstance(k, str) and count is not None and count >= 0:
            out[k] = count
    return out


# --- URLs ------------------------------------------------------------------------------


class URL(VTObject):
    @property
    def url(self) -> str:
        return self._str("url") or as_str(self.context_attributes.get("url"))

    @property
    def final_url(self) -> str:
        return self._str("last_final_url")

    @property
    def title(self) -> str:
        return _one_line(self.url or self.final_url or self.id)

    @property
    def page_title(self) -> str:
        """The HTML ``<title>`` of the page (``title`` is the one-line name: the URL)."""
        return self._str("title")

    @property
    def status(self) -> int | None:
        return self._int("last_http_response_code")

    @property
    def content_length(self) -> int | None:
        return self._int("last_http_response_content_length")

    @property
    def content_sha256(self) -> str:
        return self._str("last_http_response_content_sha256")

    @property
    def response_headers(self) -> dict[str, str]:
        out = {}
        for k, v in as_dict(self.attributes.get("last_http_response_headers")).items():
            text = ", ".join(_str_list(v)) if isinstance(v, list) else as_str(v)
            if isinstance(k, str):
                out[k] = text
        return out

    @property
    def content_type(self) -> str:
        for k, v in self.response_headers.items():
            if k.lower() == "content-type":
                return v
        return ""

    @property
    def cookies(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("last_http_response_cookies"))

    @property
    def redirection_chain(self) -> list[str]:
        return _str_list(self.attributes.get("redirection_chain"))

    @property
    def categories(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("categories"))

    @property
    def outgoing_links(self) -> list[str]:
        return _str_list(self.attributes.get("outgoing_links"))

    @property
    def html_meta(self) -> dict[str, list[str]]:
        out = {}
        for k, v in as_dict(self.attributes.get("html_meta")).items():
            if isinstance(k, str):
                out[k] = _str_list(v)
        return out

    @property
    def trackers(self) -> list[tuple[str, str, str]]:
        """``(tracker, id, url)`` for each tracker seen on the page."""
        out = []
        for name, entries in as_dict(self.attributes.get("trackers")).items():
            if not isinstance(name, str):
                continue
            for entry in as_list(entries):
                d = as_dict(entry)
                out.append((name, as_str(d.get("id")), as_str(d.get("url"))))
        return out

    @property
    def threat_names(self) -> list[str]:
        return _str_list(self.attributes.get("threat_names"))

    @property
    def tld(self) -> str:
        return self._str("tld")

    @property
    def first_submission_date(self) -> datetime | None:
        return self._date("first_submission_date")

    @property
    def last_submission_date(self) -> datetime | None:
        return self._date("last_submission_date")

    @property
    def times_submitted(self) -> int | None:
        return self._int("times_submitted")


# --- Domains and IP addresses ----------------------------------------------------------


class Domain(_HasCertificate):
    @property
    def registrar(self) -> str:
        return self._str("registrar")

    @property
    def creation_date(self) -> datetime | None:
        return self._date("creation_date")

    @property
    def expiration_date(self) -> datetime | None:
        return self._date("expiration_date")

    @property
    def last_update_date(self) -> datetime | None:
        return self._date("last_update_date")

    @property
    def categories(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("categories"))

    @property
    def dns_records(self) -> list[tuple[str, str, int | None]]:
        """``(type, value, ttl)`` of the last DNS records seen."""
        out = []
        for item in as_list(self.attributes.get("last_dns_records")):
            d = as_dict(item)
            rtype, value = as_str(d.get("type")), as_str(d.get("value"))
            if rtype or value:
                out.append((rtype, value, as_int(d.get("ttl"))))
        return out

    @property
    def last_dns_records_date(self) -> datetime | None:
        return self._date("last_dns_records_date")

    @property
    def popularity_ranks(self) -> list[tuple[str, int]]:
        """``(source, rank)``, best rank first."""
        out = []
        for source, item in as_dict(self.attributes.get("popularity_ranks")).items():
            rank = as_int(as_dict(item).get("rank"))
            if isinstance(source, str) and rank is not None:
                out.append((source, rank))
        out.sort(key=lambda p: (p[1], p[0].casefold()))
        return out

    @property
    def tld(self) -> str:
        return self._str("tld")


class IPAddress(_HasCertificate):
    @property
    def asn(self) -> int | None:
        n = self._int("asn")
        return n if n is not None and n >= 0 else None

    @property
    def as_owner(self) -> str:
        return self._str("as_owner")

    @property
    def country(self) -> str:
        return self._str("country")

    @property
    def continent(self) -> str:
        return self._str("continent")

    @property
    def network(self) -> str:
        return self._str("network")

    @property
    def regional_internet_registry(self) -> str:
        return self._str("regional_internet_registry")

    @property
    def crowdsourced_context(self) -> list[dict[str, str]]:
        keys = ("title", "details", "severity", "source")
        return _pick_rows(self.attributes.get("crowdsourced_context"), keys, "title")


# --- Analyses --------------------------------------------------------------------------

_MD5_TS_RE = re.compile(r"([0-9a-fA-F]{32}):[0-9]+")
_URL_ANALYSIS_RE = re.compile(r"u-([0-9a-fA-F]{64})-[0-9]+")


def _ref_from_analysis_id(analysis_id: str) -> ObjectRef | None:
    """What an analysis id names: ``u-<sha256>-<ts>`` is a URL, base64 ``md5:ts`` a file."""
    m = _URL_ANALYSIS_RE.fullmatch(analysis_id)
    if m:
        return ObjectRef("url", m.group(1).lower())
    if not analysis_id or len(analysis_id) > 200:
        return None
    try:
        decoded = base64.b64decode(analysis_id + "=" * (-len(analysis_id) % 4), validate=True)
        m = _MD5_TS_RE.fullmatch(decoded.decode("ascii"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return ObjectRef("file", m.group(1).lower()) if m else None


class Analysis(VTObject):
    _RESULTS_KEY = "results"
    _STATS_KEY = "stats"

    @classmethod
    def from_reply(cls, reply: Any) -> Analysis:
        """The analysis of a whole ``/analyses/{id}`` reply, keeping its ``meta``."""
        reply = as_dict(reply)
        return cls(reply.get("data"), meta=reply.get("meta"))

    @property
    def status(self) -> str:
        """``queued``, ``in-progress``, ``completed`` or whatever else VirusTotal said."""
        return self._str("status").strip().lower()

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def date(self) -> datetime | None:
        return self._date("date")

    @property
    def item_ref(self) -> ObjectRef | None:
        """The file or URL analysed: from ``relationships.item``, the reply meta, or the id."""
        refs = self.relationship_descriptors("item")
        if refs:
            return refs[0]
        url_ref = _ref("url", get_path(self._meta, "url_info.id"))
        file_ref = _ref("file", get_path(self._meta, "file_info.sha256"))
        from_id = _ref_from_analysis_id(self.id)
        # A URL analysis' meta also names the sha256 of the page it fetched: prefer the URL.
        if from_id is not None and from_id.type == "url":
            return url_ref or from_id
        return file_ref or url_ref or from_id


class FileBehaviour(VTObject):
    """One sandbox report (``file_behaviour``); its id is ``<sha256>_<sandbox name>``."""

    @property
    def sandbox_name(self) -> str:
        return self._str("sandbox_name")

    @property
    def analysis_date(self) -> datetime | None:
        return self._date("analysis_date")

    @property
    def title(self) -> str:
        return _one_line(self.sandbox_name or self.id)


# --- Community ---------------------------------------------------------------------------


class Comment(VTObject):
    @property
    def text(self) -> str:
        return self._str("text")

    @property
    def html(self) -> str:
        """Raw HTML from VirusTotal: untrusted, never render it as markup."""
        return self._str("html")

    @property
    def date(self) -> datetime | None:
        return self._date("date")

    @property
    def votes(self) -> tuple[int, int, int]:  # type: ignore[override]
        """``(positive, negative, abuse)`` votes on the comment."""
        v = as_dict(self.attributes.get("votes"))
        positive, negative, abuse = (max(as_int(v.get(k), 0) or 0, 0) for k in ("positive", "negative", "abuse"))
        return positive, negative, abuse

    @property
    def author_ref(self) -> ObjectRef | None:
        refs = self.relationship_descriptors("author")
        return refs[0] if refs else None

    @property
    def title(self) -> str:
        return _one_line(self.text, 120) or self.id


class Vote(VTObject):
    @property
    def verdict(self) -> str:
        return self._str("verdict").strip().lower()

    @property
    def date(self) -> datetime | None:
        return self._date("date")

    @property
    def value(self) -> int | None:
        return self._int("value")

    @property
    def title(self) -> str:
        return self.verdict or self.id


class Resolution(VTObject):
    """A passive-DNS sighting linking a host name and an IP address."""

    @property
    def ip_address(self) -> str:
        return self._str("ip_address").strip()

    @property
    def host_name(self) -> str:
        return self._str("host_name").strip()

    @property
    def date(self) -> datetime | None:
        return self._date("date")

    @property
    def resolver(self) -> str:
        return self._str("resolver")

    @property
    def ip_stats(self) -> AnalysisStats:
        return AnalysisStats.from_dict(self.attributes.get("ip_address_last_analysis_stats"))

    @property
    def host_stats(self) -> AnalysisStats:
        return AnalysisStats.from_dict(self.attributes.get("host_name_last_analysis_stats"))

    @property
    def ip_ref(self) -> ObjectRef | None:
        return _ref("ip_address", self.ip_address)

    @property
    def domain_ref(self) -> ObjectRef | None:
        return _ref("domain", self.host_name)

    @property
    def title(self) -> str:
        return _one_line(f"{self.host_name} -> {self.ip_address}")

    def other_side(self, current: Any) -> ObjectRef | None:
        """The side to pivot to from ``current`` (an ObjectRef, view or id string).

        From a domain that is the IP, from an IP the domain. When the type says
        neither, the id decides; None when that side is missing.
        """
        ctype = as_str(getattr(current, "type", ""))
        cid = as_str(current) if isinstance(current, str) else as_str(getattr(current, "id", ""))
        if ctype == "domain":
            return self.ip_ref
        if ctype == "ip_address":
            return self.domain_ref
        if cid and cid.lower() == self.ip_address.lower():
            return self.domain_ref
        if cid and cid.lower().rstrip(".") == self.host_name.lower().rstrip("."):
            return self.ip_ref
        return None


class Whois(VTObject):
    """A historical whois record (``historical_whois`` relationship)."""

    @property
    def whois_map(self) -> dict[str, str]:
        return _str_dict(self.attributes.get("whois_map"))

    @property
    def registrar_name(self) -> str:
        return self._str("registrar_name")

    @property
    def registrant_country(self) -> str:
        return self._str("registrant_country")

    @property
    def first_seen_date(self) -> datetime | None:
        return self._date("first_seen_date")

    @property
    def last_updated(self) -> datetime | None:
        return self._date("last_updated")

    @property
    def text(self) -> str:
        """The record as ``Key: value`` lines."""
        return "\n".join(f"{k}: {v}" for k, v in self.whois_map.items())

    @property
    def title(self) -> str:
        when = self.last_updated or self.first_seen_date
        parts = [self.registrar_name, when.strftime("%Y-%m-%d") if when else ""]
        return _one_line(" ".join(p for p in parts if p)) or self.id


# --- Wrapping --------------------------------------------------------------------------

VIEW_OF_TYPE: dict[str, type[VTObject]] = {
    "file": File,
    "url": URL,
    "domain": Domain,
    "ip_address": IPAddress,
    "analysis": Analysis,
    "comment": Comment,
    "vote": Vote,
    "resolution": Resolution,
    "whois": Whois,
    "ssl_cert": SSLCert,
    "file_behaviour": FileBehaviour,
}


def wrap(data: Any, *, meta: Any = None) -> VTObject:
    """The view for an object dict, chosen by its ``type``; unknown types get VTObject."""
    t = as_dict(data).get("type")
    cls = VIEW_OF_TYPE.get(t, VTObject) if isinstance(t, str) else VTObject
    return cls(data, meta=meta)


def _looks_like_object(d: dict) -> bool:
    """A bare object without the ``{"data": ...}`` envelope (feeds, vt-py dumps)."""
    return isinstance(d.get("type"), str) and bool(d.get("type")) and ("id" in d or "attributes" in d)


def parse_reply(body: Any) -> list[VTObject] | VTObject | None:
    """The view(s) in a whole v3 reply.

    A list for list replies (non-object items skipped), one view for an object (with
    the reply's ``meta``), None when ``data`` is a string, null or missing (errors,
    ``download_url``). A bare object without the envelope is accepted too.
    """
    if not isinstance(body, dict):
        return None
    if "data" not in body:
        return wrap(body) if _looks_like_object(body) else None
    data = body["data"]
    if isinstance(data, list):
        return [wrap(item) for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        return wrap(data, meta=body.get("meta"))
    return None

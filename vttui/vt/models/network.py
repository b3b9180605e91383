"""What domains and IP addresses share: the HTTPS certificate, JARM and whois."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from .base import VTObject
from .coerce import as_datetime, as_dict, as_str, one_line
from .fields import Date, Str, StrDict, StrList
from .pivots import HOST, Pivot, pivot

__all__ = ["HasCertificate", "SSLCert", "Whois"]


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

    subject = StrDict()
    issuer = StrDict()
    not_before = Date(path="validity.not_before")
    not_after = Date(path="validity.not_after")
    sans = StrList(path="extensions.subject_alternative_name")
    thumbprint = Str()
    thumbprint_sha256 = Str()
    serial_number = Str()
    public_key_algorithm = Str(path="public_key.algorithm")
    signature_algorithm = Str(path="cert_signature.signature_algorithm")

    @property
    def san_pivots(self) -> list[Pivot]:
        """The certificate's names as pivots (``*.example.com`` leads to example.com)."""
        return [pivot(name, *HOST) for name in self.sans]

    @property
    def subject_cn(self) -> str:
        return self.subject.get("CN", "")

    @property
    def subject_text(self) -> str:
        return _dn_text(self.subject)

    @property
    def issuer_text(self) -> str:
        return _dn_text(self.issuer)

    @property
    def title(self) -> str:
        return one_line(self.subject_cn or self.thumbprint_sha256 or self.thumbprint or self.id)

    def is_expired(self, now: datetime | None = None) -> bool | None:
        """Whether ``not_after`` is past (None when the date is unknown)."""
        end = self.not_after
        if end is None:
            return None
        now = as_datetime(now) if now is not None else datetime.now(UTC)
        return None if now is None else end < now


class HasCertificate(VTObject):
    """Domains and IPs carry the last HTTPS certificate seen on them, and a whois text."""

    @property
    def certificate(self) -> dict[Any, Any]:
        return as_dict(self.attributes.get("last_https_certificate"))

    @cached_property
    def ssl_cert(self) -> SSLCert:
        return SSLCert.from_attributes(self.certificate)

    certificate_date = Date("last_https_certificate_date")
    jarm = Str()
    whois = Str()
    whois_date = Date()


class Whois(VTObject):
    """A historical whois record (``historical_whois`` relationship)."""

    registrar_name = Str()
    first_seen_date = Date()
    last_updated = Date()

    @property
    def title(self) -> str:
        when = self.last_updated or self.first_seen_date
        parts = [self.registrar_name, when.strftime("%Y-%m-%d") if when else ""]
        return one_line(" ".join(p for p in parts if p)) or self.id

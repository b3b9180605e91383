"""Domain reports: registration, DNS records, popularity (certificate and whois shared)."""

from __future__ import annotations

from .coerce import as_dict, as_int, as_list, as_str
from .fields import Date, Str, StrDict
from .network import HasCertificate

__all__ = ["Domain"]


class Domain(HasCertificate):
    registrar = Str()
    creation_date = Date()
    expiration_date = Date()
    last_update_date = Date()
    categories = StrDict()

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

    last_dns_records_date = Date()

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

    tld = Str()

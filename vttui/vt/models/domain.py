"""Domain reports: registration, DNS records, popularity (certificate and whois shared)."""

from __future__ import annotations

from .coerce import as_dict, as_int, as_list, as_str
from .fields import Date, Str, StrDict
from .network import HasCertificate
from .pivots import HOST, Pivot, pivot

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
    def dns_pivots(self) -> list[Pivot]:
        """The value of each DNS record as a pivot, in the order of :attr:`dns_records`:
        addresses lead to IPs, names (NS, MX, CNAME, SOA, CAA...) to domains, text nowhere."""
        return [pivot(value, *HOST) if rtype.upper() in _PIVOT_RECORDS else Pivot(value)
                for rtype, value, _ttl in self.dns_records]

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


_PIVOT_RECORDS = frozenset({"A", "AAAA", "NS", "MX", "CNAME", "SOA", "PTR", "DNAME", "SRV", "CAA"})

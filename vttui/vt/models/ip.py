"""IP address reports: network, AS and registry, crowdsourced context."""

from __future__ import annotations

from .coerce import pick_rows
from .fields import Int, Str
from .network import HasCertificate

__all__ = ["IPAddress"]


class IPAddress(HasCertificate):
    asn = Int(minimum=0)
    as_owner = Str()
    country = Str()
    continent = Str()
    network = Str()
    regional_internet_registry = Str()

    @property
    def crowdsourced_context(self) -> list[dict[str, str]]:
        keys = ("title", "details", "severity", "source")
        return pick_rows(self.attributes.get("crowdsourced_context"), keys, "title")

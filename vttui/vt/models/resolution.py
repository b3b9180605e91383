"""Passive-DNS resolutions: the link between a host name and an IP address."""

from __future__ import annotations

from typing import Any

from ..refs import ObjectRef
from .base import AnalysisStats, VTObject, make_ref
from .coerce import as_str, one_line
from .fields import Date

__all__ = ["Resolution"]


class Resolution(VTObject):
    """A passive-DNS sighting linking a host name and an IP address."""

    @property
    def ip_address(self) -> str:
        return as_str(self.attributes.get("ip_address")).strip()

    @property
    def host_name(self) -> str:
        return as_str(self.attributes.get("host_name")).strip()

    date = Date()

    @property
    def ip_stats(self) -> AnalysisStats:
        return AnalysisStats.from_dict(self.attributes.get("ip_address_last_analysis_stats"))

    @property
    def host_stats(self) -> AnalysisStats:
        return AnalysisStats.from_dict(self.attributes.get("host_name_last_analysis_stats"))

    @property
    def ip_ref(self) -> ObjectRef | None:
        return make_ref("ip_address", self.ip_address)

    @property
    def domain_ref(self) -> ObjectRef | None:
        return make_ref("domain", self.host_name)

    @property
    def title(self) -> str:
        return one_line(f"{self.host_name} -> {self.ip_address}")

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

"""Threat context: collections (IoC lists), threat actors and references.

A collection's IoCs are not in the object: they are its relationships ``files``,
``domains``, ``urls`` and ``ip_addresses``, paged like any other. Targeted industries
and regions come as plain lists on some objects and as lists of dicts on others
(``{"industry_group": ...}``, ``{"country": ..., "country_iso2": ...}``); both are read.
"""

from __future__ import annotations

from typing import Any

from .base import VTObject
from .coerce import as_dict, as_float, as_int, as_list, as_str, one_line
from .fields import Date, Int, Str, StrList

__all__ = ["COLLECTION_IOC_RELATIONSHIPS", "Collection", "Reference", "ThreatActor", "names_of"]

#: A collection's IoC lists: (relationship, label, count attribute).
COLLECTION_IOC_RELATIONSHIPS: tuple[tuple[str, str, str], ...] = (
    ("files", "Files", "files_count"),
    ("domains", "Domains", "domains_count"),
    ("urls", "URLs", "urls_count"),
    ("ip_addresses", "IP addresses", "ip_addresses_count"),
)

_NAME_KEYS = ("name", "value", "industry_group", "industry", "region", "country", "sub_region", "country_iso2")


def names_of(raw: Any, limit: int = 500) -> list[str]:
    """Names from a list of strings or of dicts (the first usable name key of each)."""
    out: list[str] = []
    items = [raw] if isinstance(raw, (str, dict)) else as_list(raw)
    for item in items[:limit]:
        if isinstance(item, dict):
            text = next((as_str(item.get(k)) for k in _NAME_KEYS if as_str(item.get(k))), "")
        else:
            text = as_str(item)
        if text and text not in out:
            out.append(text)
    return out


class _Targets(VTObject):
    """Who an actor or campaign goes after, and where it comes from."""

    @property
    def targeted_industries(self) -> list[str]:
        return names_of(self.attributes.get("targeted_industries")) or names_of(
            self.attributes.get("targeted_industries_tree"))

    @property
    def targeted_regions(self) -> list[str]:
        return names_of(self.attributes.get("targeted_regions")) or names_of(
            self.attributes.get("targeted_regions_hierarchy"))

    @property
    def source_region(self) -> str:
        found = names_of(self.attributes.get("source_region"))
        return found[0] if found else ""

    description = Str()
    creation_date = Date()
    last_modification_date = Date()


class Collection(_Targets):
    """A collection: a named, described, tagged list of IoCs (``/collections/{id}``)."""

    name = Str()
    collection_type = Str()
    origin = Str()
    owner = Str()
    alt_names = StrList()

    @property
    def title(self) -> str:
        return one_line(self.name or self.id)

    @property
    def ioc_counts(self) -> list[tuple[str, str, int | None]]:
        """``(relationship, label, count)`` of each IoC list; count None when not given."""
        out = []
        for rel, label, key in COLLECTION_IOC_RELATIONSHIPS:
            n = as_int(self.attributes.get(key))
            out.append((rel, label, n if n is not None and n >= 0 else None))
        return out

    @property
    def ioc_total(self) -> int:
        return sum(n or 0 for _rel, _label, n in self.ioc_counts)


class ThreatActor(_Targets):
    """A threat actor (``/threat_actors/{id}``; the id is a UUID, names are accepted too)."""

    name = Str()
    aliases = StrList()
    first_seen_date = Date()
    last_seen_date = Date()
    related_entities_count = Int(minimum=0)
    motivations = StrList()

    @property
    def title(self) -> str:
        return one_line(self.name or self.id)

    @property
    def sponsor_region(self) -> str:
        found = names_of(self.attributes.get("sponsor_region"))
        return found[0] if found else ""

    @property
    def recent_activity(self) -> list[int]:
        """Daily counts of related indicators over the last weeks (``recent_activity_summary``)."""
        return [max(0, n) for n in (as_int(v) for v in as_list(self.attributes.get("recent_activity_summary"))[:366])
                if n is not None]

    @property
    def recent_activity_change(self) -> float | None:
        return as_float(self.attributes.get("recent_activity_relative_change"))


class Reference(VTObject):
    """A reference: a report or article that mentions an object."""

    author = Str()
    creation_date = Date()

    @property
    def url(self) -> str:
        return as_str(self.attributes.get("url"))

    @property
    def title(self) -> str:
        return one_line(as_str(self.attributes.get("title")) or self.url or self.id)

    @property
    def source(self) -> str:
        raw = self.attributes.get("source")
        return as_str(as_dict(raw).get("name")) if isinstance(raw, dict) else as_str(raw)

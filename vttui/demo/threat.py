"""The demo's threat context: the campaign's collection, the actor behind it, a report.

Objects and edges are built from the catalogue, so the collection's IoC lists are the
very files, domains, URLs and addresses of the scenario, and each of them names the
collection, the actor and the report back (``collections``, ``related_threat_actors``,
``related_references``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from . import catalogue as C
from .specs import DAY, T, hexid

__all__ = ["collection_id", "reference_id", "threat_actor_id", "threat_objects"]

#: An object by (type, id), as the dataset keys everything (the same as ``identity.Ref``;
#: identity's entry points name the objects built here, so this module cannot import it).
Ref = tuple[str, str]
Link = Callable[[Ref, str, Ref], None]


def _uuid(*parts: object) -> str:
    h = hexid(*parts, n=32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def collection_id() -> str:
    return hexid("collection", C.COLLECTION["name"])


def threat_actor_id() -> str:
    """Threat actors are named by UUID (VirusTotal also accepts their names)."""
    return _uuid("threat-actor", C.THREAT_ACTOR["name"])


def reference_id() -> str:
    return hexid("reference", C.REFERENCE["url"])


def _member(kind: str, name: str, by_key: dict[str, str]) -> Ref:
    if kind == "file":
        return ("file", by_key[name])
    if kind == "url":
        return ("url", hashlib.sha256(name.encode("utf-8")).hexdigest())  # identity.url_sha256
    return (kind, name)


def threat_objects(by_key: dict[str, str], link: Link) -> dict[Ref, dict[str, Any]]:
    """The collection, threat actor and reference objects; their edges go through ``link``."""
    coll: Ref = ("collection", collection_id())
    actor: Ref = ("threat_actor", threat_actor_id())
    report: Ref = ("reference", reference_id())
    spec = C.COLLECTION
    counts = {}
    for kind, rel in (("file", "files"), ("domain", "domains"), ("url", "urls"), ("ip_address", "ip_addresses")):
        members = spec[rel]
        counts[f"{rel}_count"] = len(members)
        for name in members:
            ref = _member(kind, name, by_key)
            link(coll, rel, ref)
            link(ref, "collections", coll)
    link(coll, "threat_actors", actor)
    link(coll, "references", report)
    for kind, name in C.THREAT_ACTOR["related"]:
        link(_member(kind, name, by_key), "related_threat_actors", actor)
    for kind, name in C.REFERENCE["related"]:
        link(_member(kind, name, by_key), "related_references", report)
    a = C.THREAT_ACTOR
    return {
        coll: {"attributes": {
            "name": spec["name"], "description": spec["description"], "tags": list(spec["tags"]),
            "collection_type": "collection", "origin": "Crowdsourced", "creation_date": T - 10 * DAY,
            "last_modification_date": T - 2 * DAY, "source_region": a["source_region"],
            "targeted_industries": list(a["targeted_industries"][:2]), "targeted_regions": list(a["targeted_regions"]),
            **counts, "references_count": 1,
        }},
        actor: {"attributes": {
            "name": a["name"], "aliases": list(a["aliases"]), "description": a["description"],
            "targeted_industries": list(a["targeted_industries"]), "targeted_regions": list(a["targeted_regions"]),
            "source_region": a["source_region"], "motivations": list(a["motivations"]),
            "first_seen_date": a["first_seen"], "last_seen_date": a["last_seen"],
            "last_modification_date": T - DAY, "related_entities_count": len(a["related"]) + 1,
            "recent_activity_summary": [0, 0, 1, 3, 2, 5, 8, 13, 9, 4, 2, 1, 0, 1],
            "recent_activity_relative_change": 1.75,
        }},
        report: {"attributes": {
            "title": C.REFERENCE["title"], "url": C.REFERENCE["url"], "author": C.REFERENCE["author"],
            "creation_date": T - 3 * DAY, "last_modification_date": T - 3 * DAY, "source": "Example Threat Research",
        }},
    }  # fmt: skip

"""The stored edges of the demo graph, built once from the catalogue.

Every edge is stored once and its reverse derived beside it (a file's
``contacted_domains`` make the domains' ``communicating_files``). Edges the dataset can
compute (resolutions, subdomains, generated families) are answered by
:meth:`Dataset.related` instead of being stored.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from . import catalogue as C
from .identity import Ref, canonical_ip, url_sha256
from .specs import DAY, T, hexid, iso
from .threat import threat_objects

__all__ = ["Rels", "build_edges"]

#: Items of each relationship, by (type, id, relationship name), in order, without repeats.
Rels = defaultdict[tuple[str, str, str], list[Ref]]


def build_edges(by_key: dict[str, str]) -> tuple[Rels, dict[Ref, dict[str, Any]]]:
    """The catalogue's edges, plus the objects only edges lead to (the threat context, whois records).

    ``by_key`` maps catalogue file keys to their sha256.
    """
    rels: Rels = defaultdict(list)
    objects: dict[Ref, dict[str, Any]] = {}

    def link(a: Ref, rel: str, b: Ref) -> None:
        items = rels[(a[0], a[1], rel)]
        if b not in items:
            items.append(b)

    def f(key: str) -> Ref:
        return ("file", by_key[key])

    for key, edges in C.EDGES.items():
        me = f(key)
        for d in edges.contacted_domains:
            link(me, "contacted_domains", ("domain", d))
            link(("domain", d), "communicating_files", me)
        for ip in edges.contacted_ips:
            link(me, "contacted_ips", ("ip_address", ip))
            link(("ip_address", ip), "communicating_files", me)
        for u in edges.contacted_urls:
            link(me, "contacted_urls", ("url", url_sha256(u)))
        for k in edges.dropped_files:
            link(me, "dropped_files", f(k))
        for k in edges.execution_parents:
            link(me, "execution_parents", f(k))
            link(f(k), "dropped_files", me)
        for k in edges.bundled_files:
            link(me, "bundled_files", f(k))
    for host, keys in C.REFERRERS.items():
        kind = "ip_address" if canonical_ip(host) else "domain"
        for k in keys:
            link((kind, host), "referrer_files", f(k))
    objects.update(threat_objects(by_key, link))
    for i, (registrar, days) in enumerate((("Hostvale Domains Ltd.", 2), ("Hostvale Domains Ltd.", 39))):
        wid = hexid("whois", C.C2, i)
        objects[("whois", wid)] = {"attributes": {
            "first_seen_date": T - days * DAY, "last_updated": T - days * DAY + DAY,
            "registrar_name": registrar, "whois_map": {
                "Domain Name": C.C2_ZONE.upper(), "Registrar": registrar,
                "Creation Date": iso(T - 39 * DAY), "Name Server": "NS1.HOSTVALE-DNS.TEST | NS2.HOSTVALE-DNS.TEST",
                "Registrant Country": "IS",
                "Domain Status": "clientTransferProhibited" if i == 0 else "ok"}}}  # fmt: skip
        link(("domain", C.C2), "historical_whois", ("whois", wid))
    return rels, objects

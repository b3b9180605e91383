"""The demo's graph: relationships between the indexed objects, sandbox reports, rendering.

Stored edges come from :mod:`.graph` (each stored once, its reverse beside it); the rest
(resolutions, subdomains, parents and siblings, the sinkhole's fillers) is derived from
the index when asked. One resolution list feeds both the domain and the IP side.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from ..vt.refs import COLLECTION_OF_TYPE
from . import catalogue as C
from . import engines as eng
from . import mitre, sandbox
from .file_reports import uploaded_file_attributes
from .host_reports import url_attributes
from .identity import NOT_FOUND_SHA256, Ref, canonical_ip, demo_iocs, url_sha256
from .index import JSON, DatasetIndex
from .sequences import Concat, LazySeq
from .specs import URLSpec, registered_domain

__all__ = ["NOT_FOUND_SHA256", "Dataset", "Ref", "canonical_ip", "demo_iocs", "url_sha256"]

_LINK_COLLECTION = {**COLLECTION_OF_TYPE, "resolution": "resolutions", "vote": "votes", "whois": "whois"}


class Dataset(DatasetIndex):
    """All demo objects of one backend and the graph between them, plus what the session added."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self._behaviours: dict[str, JSON] | None = None

    def exists(self, ref: Ref) -> bool:
        kind, ident = ref
        if kind == "file":
            return self.file_sha256(ident) == ident
        if kind == "domain":
            return self.domain_exists(ident)
        if kind == "ip_address":
            return self.ip_exists(ident)
        if kind == "url":
            return self.url_exists(ident)
        self._build()
        if kind == "resolution":
            return self.resolution(ident) is not None
        if kind == "file_behaviour":
            return ident in self._behaviour_objects()
        return ref in self.objects

    # --- relationships --------------------------------------------------------------

    def related(self, ref: Ref, rel: str, *, author: str | None = None) -> Sequence[Ref]:
        """Items of a relationship, newest or most relevant first. Unknown or empty: []."""
        self._build()
        kind, ident = ref
        if rel == "comments":
            return [("comment", c) for c in self.comments.get(ref, ())]
        if rel == "votes":
            return [("vote", v) for v in self.votes.get(ref, ())]
        if rel == "user_votes":
            return [("vote", v) for v in self.votes.get(ref, ()) if author and self.vote_authors.get(v) == author]
        if rel == "resolutions":
            rows = self.resolutions_of_host(ident) if kind == "domain" else self.resolutions_of_ip(ident)
            return LazySeq(len(rows), lambda i: ("resolution", rows[i][0] + rows[i][1]))
        if kind == "file":
            return self._file_related(ident, rel)
        if kind == "domain":
            return self._domain_related(ident, rel)
        if kind == "ip_address" and rel == "communicating_files" and ident == C.SINKHOLE:
            fillers = self._ensure_fillers()
            return Concat(self.rels.get((kind, ident, rel), []), [("file", r.sha256) for r in fillers])
        if kind == "url":
            return self._url_related(ident, rel)
        return self.rels.get((kind, ident, rel), [])

    def _file_related(self, sha256: str, rel: str) -> Sequence[Ref]:
        if rel == "behaviours":
            return [("file_behaviour", bid) for bid in self._behaviour_objects() if bid.startswith(sha256 + "_")]
        if rel == "contacted_ips" and self.is_filler(sha256):
            return [("ip_address", C.SINKHOLE)]
        return self.rels.get(("file", sha256, rel), [])

    def _domain_related(self, name: str, rel: str) -> Sequence[Ref]:
        if rel == "subdomains":
            subs = list(C.SUBDOMAINS.get(name, []))
            if name == C.C2_ZONE:
                subs += self.node_names()
            return [("domain", s) for s in subs]
        parent = registered_domain(name)
        has_parent = parent != name and self.domain_exists(parent)
        if rel in ("parent", "immediate_parent"):
            return [("domain", parent)] if has_parent else []
        if rel == "siblings":
            if not has_parent:
                return []
            return [d for d in self._domain_related(parent, "subdomains") if d[1] != name]
        return self.rels.get(("domain", name, rel), [])

    def _url_related(self, url_id: str, rel: str) -> Sequence[Ref]:
        if rel not in ("network_location", "last_serving_ip_address"):
            return self.rels.get(("url", url_id, rel), [])
        url = self.url_of(url_id) or ""
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        ip = canonical_ip(host) if host else None
        if ip is not None:
            return [("ip_address", ip)] if self.ip_exists(ip) else []
        if rel == "network_location":
            return [("domain", host)] if host and self.domain_exists(host) else []
        a, aaaa = self._latest_ips(host)
        serving = (a or aaaa)[:1]
        return [("ip_address", serving[0])] if serving and self.ip_exists(serving[0]) else []

    # --- sandbox --------------------------------------------------------------------

    def _network_of(self, sha256: str) -> tuple[list[tuple[str, list[str]]], list[tuple[str, int]], list[str]]:
        """(DNS lookups, IP traffic, URLs) of a file's run, from its contacted_* edges."""
        domains = [d for _, d in self.rels.get(("file", sha256, "contacted_domains"), [])]
        ips = [i for _, i in self.rels.get(("file", sha256, "contacted_ips"), [])]
        urls = [self.url_of(u) or "" for _, u in self.rels.get(("file", sha256, "contacted_urls"), [])]
        dns = [(d, [ip for ip, _, _ in self.resolutions_of_host(d) if ip in ips]) for d in domains]
        ports: dict[str, int] = {}
        for u in urls:
            parts = urlsplit(u)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            host = parts.hostname or ""
            targets = [host] if canonical_ip(host) else [ip for ip, _, _ in self.resolutions_of_host(host) if ip in ips]
            for ip in targets:
                ports.setdefault(ip, port)
        return dns, [(ip, ports.get(ip, 443)) for ip in ips], urls

    def _behaviour_key(self, sha256: str) -> str | None:
        self._build()
        rec = self.files.get(sha256)
        key = rec.spec.key if rec is not None else None
        return key if key in C.BEHAVIOURS else None

    def behaviour_summary(self, sha256: str) -> JSON:
        """The merged sandbox summary of a file; {} for files no sandbox ran."""
        key = self._behaviour_key(sha256)
        if key is None:
            return {}
        dns, traffic, urls = self._network_of(sha256)
        dropped = []
        for _, sha in self.rels.get(("file", sha256, "dropped_files"), []):
            spec = self.files[sha].spec
            folder = "Local\\Temp" if spec.kind == "ps1" or key == "parent_doc" else "Roaming\\Microsoft\\Libs"
            dropped.append((f"C:\\Users\\<USER>\\AppData\\{folder}\\{spec.name}", sha))
        name = self.files[sha256].spec.name
        if key == "parent_doc":
            return sandbox.macro_summary(name=name, dns=dns, traffic=traffic, urls=urls, dropped=dropped)
        return sandbox.behaviour_summary(sha256=sha256, name=name, family=C.FAMILY,
                                         dns=dns, traffic=traffic, urls=urls, dropped=dropped)

    def mitre_trees(self, sha256: str) -> JSON:
        """``data`` of /files/{id}/behaviour_mitre_trees: each sandbox's tree, or null."""
        return {
            behaviour["sandbox_name"]: mitre.mitre_tree(list(behaviour.get("mitre_attack_techniques") or []))
            for bid, behaviour in self._behaviour_objects().items() if bid.startswith(sha256 + "_")
        }

    def _behaviour_objects(self) -> dict[str, JSON]:
        if self._behaviours is None:
            self._build()
            self._behaviours = {}
            for key, runs in C.BEHAVIOURS.items():
                sha = self.by_key[key]
                summary = self.behaviour_summary(sha)
                for i, (name, has_pcap, verdicts) in enumerate(runs):
                    self._behaviours[f"{sha}_{name}"] = sandbox.file_behaviour(summary, name, has_pcap, i, verdicts)
        return self._behaviours

    def file_behaviour(self, behaviour_id: str) -> JSON | None:
        return self._behaviour_objects().get(behaviour_id)

    def pcap(self, behaviour_id: str) -> bytes | None:
        attrs = self.file_behaviour(behaviour_id)
        if not attrs or not attrs.get("has_pcap"):
            return None
        if behaviour_id.startswith(self.by_key["parent_doc"] + "_"):
            return sandbox.pcap_bytes(C.PASTE, C.PASTE_IP, "/raw/7Hq2xk", method="GET")
        return sandbox.pcap_bytes(C.C2, C.C2_IP)

    # --- threat context and search ---------------------------------------------------

    def context_id(self, kind: str, raw: str) -> str | None:
        """The id of a collection, threat actor or reference named in a path; threat actors
        answer to their name and aliases too, as on VirusTotal."""
        self._build()
        if (kind, raw) in self.objects:
            return raw
        if kind == "threat_actor":
            wanted = raw.strip().casefold()
            for (k, ident), obj in self.objects.items():
                attrs = obj.get("attributes") or {}
                names = [attrs.get("name"), *(attrs.get("aliases") or [])]
                if k == kind and any(isinstance(n, str) and n.casefold() == wanted for n in names):
                    return ident
        return None

    def searchable(self, kind: str) -> list[Ref]:
        """What an Intelligence search of ``kind`` looks through: the catalogue (with the
        generated samples and C2 nodes) and whatever the session created."""
        self._build()
        created = [ref for ref in self.created if ref[0] == kind]
        if kind == "file":
            self._ensure_fillers()
            return [("file", sha) for sha in self.files] + created
        if kind == "domain":
            return [("domain", d) for d in [*C.DOMAINS, *self.node_names()]] + created
        if kind == "ip_address":
            return [("ip_address", ip) for ip in C.IPS] + created
        if kind == "url":
            return [("url", uid) for uid in self.urls] + created
        return []

    # --- rendering ------------------------------------------------------------------

    def render(self, ref: Ref, base: str) -> JSON | None:
        """The full object ``{type, id, links, attributes}``, or None when unknown."""
        kind, ident = ref
        if kind in ("file", "url", "domain", "ip_address"):
            attrs = self.attributes(ref)
            if not attrs:
                return None
        elif kind == "resolution":
            row = self.resolution(ident)
            if row is None:
                return None
            attrs = self.resolution_attributes(row)
        elif kind == "file_behaviour":
            behaviour = self.file_behaviour(ident)
            if behaviour is None:
                return None
            attrs = behaviour
        else:
            obj = self.objects.get(ref)
            if obj is None:
                return None
            attrs = obj["attributes"]
        coll = _LINK_COLLECTION.get(kind, kind + "s")
        return {"type": kind, "id": ident, "links": {"self": f"{base}/{coll}/{ident}"}, "attributes": attrs}

    # --- session objects ------------------------------------------------------------

    def upsert_file(self, *, sha256: str, md5: str, sha1: str, size: int, name: str | None, head: bytes,
                    content: bytes | None, date: int) -> None:
        """A completed file analysis: refresh a known file or create a report for a new one."""
        known = self.file_sha256(sha256)
        if known is not None:
            ref = ("file", known)
            attrs = self.attributes(ref)
            names = list(attrs.get("names") or [])
            if name and name not in names:
                names.append(name)
            self.patches[ref].update({
                "last_analysis_date": date, "last_submission_date": date, "last_modification_date": date,
                "times_submitted": int(attrs.get("times_submitted") or 0) + 1, "names": names,
            })
            results = attrs.get("last_analysis_results") or {}
            self.patches[ref]["last_analysis_results"] = _refresh_results(results, date)
            return
        self.created[("file", sha256)] = uploaded_file_attributes(
            md5=md5, sha1=sha1, sha256=sha256, size=size, name=name, head=head, date=date
        )
        self.aliases[md5] = sha256
        self.aliases[sha1] = sha256
        if content is not None:
            self.created_content[sha256] = content

    def upsert_url(self, url: str, date: int) -> str:
        """A completed URL analysis: refresh a known URL or create a report for a new one."""
        self._build()
        uid = url_sha256(url)
        if self.url_exists(uid):
            ref = ("url", uid)
            attrs = self.attributes(ref)
            self.patches[ref].update({
                "last_analysis_date": date, "last_submission_date": date, "last_modification_date": date,
                "times_submitted": int(attrs.get("times_submitted") or 0) + 1,
                "last_analysis_results": _refresh_results(attrs.get("last_analysis_results") or {}, date),
            })
            return uid
        spec = URLSpec(url, first_seen=date, analysed=date, times_submitted=1)
        attrs = url_attributes(spec)
        self.created[("url", uid)] = attrs
        return uid


def _refresh_results(results: JSON, date: int) -> JSON:
    """The same verdicts, with engine update dates moved to the new analysis."""
    out = {}
    for name, entry in results.items():
        entry = dict(entry) if isinstance(entry, dict) else {}
        if entry.get("engine_update"):
            entry["engine_update"] = eng.ymd(date)
        out[name] = entry
    return out

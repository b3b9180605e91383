"""The demo's objects by id: catalogue, generated families, session uploads, community.

Big lists (2,500 sinkhole resolutions, 140 subdomains, 58 extra samples) are generated
on demand from their index (:mod:`.families`), so building a backend costs almost
nothing. Reports are made by :mod:`.file_reports` and :mod:`.host_reports`, comments
and votes by :mod:`.community`; :class:`~.dataset.Dataset` adds the graph on top.

Base attributes of catalogue objects are cached and never mutated; what a session
changes (votes, new analyses) lives in ``patches`` and is laid over them when read.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from typing import Any

from . import catalogue as C
from . import community, families
from . import engines as eng
from .file_reports import file_attributes
from .graph import build_edges
from .host_reports import domain_attributes, ip_attributes, url_attributes
from .identity import FileRec, Ref, core_hashes, url_sha256
from .sequences import Concat, LazySeq
from .specs import DomainSpec, URLSpec, harmless_content

__all__ = ["JSON", "DatasetIndex", "Row"]

JSON = dict[str, Any]
#: A passive-DNS sighting: (ip, host name, date).
Row = tuple[str, str, int]

_GEN_CACHE_SIZE = 512


class DatasetIndex:
    """Every demo object of one backend by id, with its current attributes."""

    """All demo objects of one backend, plus what the session added."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._built = False
        self._fillers: list[FileRec] | None = None
        self._dga_index: dict[str, int] | None = None
        self._cache: dict[Ref, JSON] = {}
        self._gen_cache: OrderedDict[Ref, JSON] = OrderedDict()
        #: Attribute overrides laid over base attributes (votes, fresh analyses).
        self.patches: defaultdict[Ref, JSON] = defaultdict(dict)
        #: Objects created in the session (new uploads, new URLs): full attributes.
        self.created: dict[Ref, JSON] = {}
        self.created_content: dict[str, bytes] = {}
        #: Comments, votes, whois records, collections: full objects by (type, id).
        self.objects: dict[Ref, JSON] = {}
        self.comments: defaultdict[Ref, list[str]] = defaultdict(list)
        self.votes: defaultdict[Ref, list[str]] = defaultdict(list)
        self.vote_authors: dict[str, str] = {}


    # --- building -------------------------------------------------------------------

    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        self.files: dict[str, FileRec] = {}
        self.aliases: dict[str, str] = {}
        self.by_key: dict[str, str] = {}
        for key, (md5, sha1, sha256) in core_hashes().items():
            self._add_file(FileRec(C.FILES[key], md5, sha1, sha256))
            self.by_key[key] = sha256
        self.urls: dict[str, URLSpec] = {url_sha256(u): s for u, s in C.URLS.items()}
        self.rels, edge_objects = build_edges(self.by_key)
        self.objects.update(edge_objects)
        self.res_by_host: defaultdict[str, list[Row]] = defaultdict(list)
        self.res_by_ip: defaultdict[str, list[Row]] = defaultdict(list)
        self.res_index: dict[str, Row] = {}
        for ip, host, date in sorted(C.RESOLUTIONS, key=lambda r: -r[2]):
            self.res_by_host[host].append((ip, host, date))
            self.res_by_ip[ip].append((ip, host, date))
            self.res_index[ip + host] = (ip, host, date)
        self._seed_community()

    def _add_file(self, rec: FileRec) -> None:
        self.files[rec.sha256] = rec
        self.aliases[rec.md5] = rec.sha256
        self.aliases[rec.sha1] = rec.sha256

    def _seed_community(self) -> None:
        for ref, text, date, salt in community.seeded_comments(self.seed, self._catalogue_ref):
            self._store_comment(ref, text, date, salt, append=True)
        for ref, verdict, date, salt in community.seeded_votes(self.seed, self._catalogue_ref):
            self._store_vote(ref, verdict, date, salt, None, append=True)
        for (kind, name), (harmless, malicious) in C.VOTES.items():
            totals = {"harmless": harmless, "malicious": malicious}
            self.patches[self._catalogue_ref(kind, name)]["total_votes"] = totals

    def _catalogue_ref(self, kind: str, name: str) -> Ref:
        if kind == "file":
            return ("file", self.by_key[name])
        if kind == "url":
            return ("url", url_sha256(name))
        return (kind, name)

    # --- community objects --------------------------------------------------------------

    def _store_comment(self, ref: Ref, text: str, date: int, salt: str, *, append: bool) -> JSON:
        cid = community.comment_id(ref, salt)
        attrs = community.comment_attributes(cid, text, date, seeded=append)
        self.objects[("comment", cid)] = {"attributes": attrs}
        ids = self.comments[ref]
        ids.append(cid) if append else ids.insert(0, cid)
        return {"type": "comment", "id": cid, "attributes": attrs}

    def _store_vote(self, ref: Ref, verdict: str, date: int, salt: str, author: str | None, *, append: bool) -> JSON:
        vid = community.vote_id(ref, salt)
        attrs = community.vote_attributes(verdict, date)
        self.objects[("vote", vid)] = {"attributes": attrs}
        ids = self.votes[ref]
        ids.append(vid) if append else ids.insert(0, vid)
        if author is not None:
            self.vote_authors[vid] = author
        return {"type": "vote", "id": vid, "attributes": attrs}

    def add_comment(self, ref: Ref, text: str, date: int) -> JSON:
        self._build()
        return self._store_comment(ref, text, date, f"session-{len(self.comments[ref])}-{date}", append=False)

    def add_vote(self, ref: Ref, verdict: str, date: int, author: str) -> JSON:
        self._build()
        vote = self._store_vote(ref, verdict, date, f"session-{author}-{date}", author, append=False)
        totals = dict(self.attributes(ref).get("total_votes") or {})
        totals[verdict] = int(totals.get(verdict) or 0) + 1
        self.patches[ref]["total_votes"] = {k: totals.get(k, 0) for k in ("harmless", "malicious")}
        return vote

    def has_voted(self, ref: Ref, author: str) -> bool:
        return any(self.vote_authors.get(v) == author for v in self.votes.get(ref, ()))

    # --- generated families ---------------------------------------------------------

    def _ensure_fillers(self) -> list[FileRec]:
        if self._fillers is None:
            self._build()
            fillers = [families.filler_record(self.seed, i) for i in range(C.FILLER_COUNT)]
            for rec in fillers:
                self._add_file(rec)
            self._fillers = fillers
        return self._fillers

    def is_filler(self, sha256: str) -> bool:
        rec = self.files.get(sha256) if self._built else None
        return rec is not None and rec.spec.key.startswith("filler-")

    def dga_name(self, i: int) -> str:
        return families.dga_name(self.seed, i)

    def _dga_count(self) -> int:
        self._build()
        return C.SINKHOLE_RESOLUTIONS - len(self.res_by_ip.get(C.SINKHOLE, ()))

    def _dga_date(self, i: int) -> int:
        return families.dga_date(self.seed, i)

    def dga_index(self, name: str) -> int | None:
        if self._dga_index is None:
            self._dga_index = {self.dga_name(i): i for i in range(self._dga_count())}
        return self._dga_index.get(name)

    def _generated_domain_spec(self, name: str) -> DomainSpec | None:
        spec = families.node_domain_spec(name)
        if spec is not None:
            return spec
        if families.looks_like_dga(name):
            i = self.dga_index(name)
            if i is not None:
                return families.dga_domain_spec(self.seed, i, name)
        return None

    def node_names(self) -> list[str]:
        return families.node_names()

    # --- lookups --------------------------------------------------------------------

    def file_sha256(self, file_hash: str) -> str | None:
        """The sha256 of a known file given any of its hashes, or None."""
        self._build()
        h = file_hash.lower()
        for _ in range(2):
            if ("file", h) in self.created or h in self.files:
                return h
            if h in self.aliases:
                return self.aliases[h]
            if self._fillers is not None:
                break
            self._ensure_fillers()
        return None

    def domain_exists(self, name: str) -> bool:
        self._build()
        return name in C.DOMAINS or ("domain", name) in self.created or self._generated_domain_spec(name) is not None

    def ip_exists(self, ip: str) -> bool:
        return ip in C.IPS or ("ip_address", ip) in self.created

    def url_exists(self, url_id: str) -> bool:
        self._build()
        return url_id in self.urls or ("url", url_id) in self.created

    def content(self, sha256: str) -> bytes | None:
        """The bytes a download of this file returns (None when the demo does not have them)."""
        if sha256 in self.created_content:
            return self.created_content[sha256]
        rec = self.files.get(sha256) if self._built else None
        return harmless_content(rec.spec.key, rec.spec.size) if rec else None

    def url_of(self, url_id: str) -> str | None:
        self._build()
        spec = self.urls.get(url_id)
        if spec is not None:
            return spec.url
        created = self.created.get(("url", url_id))
        return created.get("url") if created else None

    # --- attributes -----------------------------------------------------------------

    def attributes(self, ref: Ref) -> JSON:
        """Current attributes (base plus session patches); {} when unknown."""
        base = self._base(ref)
        patch = self.patches.get(ref)
        if base is None:
            return {}
        return {**base, **patch} if patch else base

    def _base(self, ref: Ref) -> JSON | None:
        self._build()
        if ref in self.created:
            return self.created[ref]
        if ref in self._cache:
            return self._cache[ref]
        if ref in self._gen_cache:
            self._gen_cache.move_to_end(ref)
            return self._gen_cache[ref]
        attrs, generated = self._make(ref)
        if attrs is None:
            return None
        if generated:
            self._gen_cache[ref] = attrs
            if len(self._gen_cache) > _GEN_CACHE_SIZE:
                self._gen_cache.popitem(last=False)
        else:
            self._cache[ref] = attrs
        return attrs

    def _make(self, ref: Ref) -> tuple[JSON | None, bool]:
        kind, ident = ref
        if kind == "file":
            rec = self.files.get(ident)
            if rec is None:
                self._ensure_fillers()
                rec = self.files.get(ident)
            if rec is None:
                return None, False
            return file_attributes(rec.spec, rec.md5, rec.sha1, rec.sha256), rec.spec.key.startswith("filler-")
        if kind == "domain":
            domain = C.DOMAINS.get(ident)
            generated = domain is None
            domain = domain or self._generated_domain_spec(ident)
            if domain is None:
                return None, False
            a, aaaa = self._latest_ips(ident)
            return domain_attributes(domain, a, aaaa), generated
        if kind == "ip_address":
            ip = C.IPS.get(ident)
            return (ip_attributes(ip), False) if ip else (None, False)
        if kind == "url":
            url = self.urls.get(ident)
            if url is None:
                return None, False
            body = self.by_key.get(url.body, "") if url.body else ""
            return url_attributes(url, body), False
        return None, False

    def _latest_ips(self, host: str) -> tuple[list[str], list[str]]:
        rows = self.resolutions_of_host(host)
        a = [ip for ip, _, _ in rows if ":" not in ip][:1]
        aaaa = [ip for ip, _, _ in rows if ":" in ip][:1]
        return a, aaaa

    # --- resolutions ----------------------------------------------------------------

    def resolutions_of_host(self, host: str) -> Sequence[Row]:
        self._build()
        rows = self.res_by_host.get(host)
        if rows:
            return rows
        i = self.dga_index(host) if "." in host and host.count(".") == 1 else None
        if i is not None:
            return [(C.SINKHOLE, host, self._dga_date(i))]
        return []

    def resolutions_of_ip(self, ip: str) -> Sequence[Row]:
        self._build()
        rows = self.res_by_ip.get(ip, [])
        if ip == C.SINKHOLE:
            return Concat(rows, LazySeq(self._dga_count(), lambda i: (C.SINKHOLE, self.dga_name(i), self._dga_date(i))))
        return rows

    def resolution(self, rid: str) -> Row | None:
        self._build()
        if rid in self.res_index:
            return self.res_index[rid]
        if rid.startswith(C.SINKHOLE):
            i = self.dga_index(rid[len(C.SINKHOLE):])
            if i is not None:
                return (C.SINKHOLE, self.dga_name(i), self._dga_date(i))
        return None

    def resolution_attributes(self, row: Row) -> JSON:
        ip, host, date = row
        return {
            "date": date, "host_name": host, "ip_address": ip, "resolver": "VirusTotal",
            "host_name_last_analysis_stats": self._host_stats(host),
            "ip_address_last_analysis_stats": self.attributes(("ip_address", ip)).get("last_analysis_stats") or {},
        }

    def _host_stats(self, host: str) -> JSON:
        """A domain's stats; for generated names without building the whole report."""
        ref = ("domain", host)
        if host in C.DOMAINS or ref in self.created or ref in self.patches:
            return self.attributes(ref).get("last_analysis_stats") or {}
        spec = self._generated_domain_spec(host)
        if spec is None:
            return {}
        return eng.host_stats(eng.HOST_ENGINES, salt=spec.name, malicious=spec.malicious, suspicious=spec.suspicious)

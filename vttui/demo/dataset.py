"""The demo's objects and the graph between them, built lazily and kept coherent.

Every edge is stored once and its reverse derived (a file's ``contacted_domains`` make
the domains' ``communicating_files``; one resolution list feeds both the domain and the
IP side). Big lists (2,500 sinkhole resolutions, 140 subdomains, 58 extra samples) are
generated on demand from their index, so building a backend costs almost nothing.

Base attributes of catalogue objects are cached and never mutated; what a session
changes (votes, new analyses) lives in ``patches`` and is laid over them when read.
"""

from __future__ import annotations

import functools
import hashlib
import html
import ipaddress
import re
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ..vt.refs import COLLECTION_OF_TYPE
from . import builders as B
from . import catalogue as C
from . import engines as eng
from . import sandbox

Ref = tuple[str, str]

#: A well-formed SHA-256 that the demo always answers with 404 NotFoundError.
NOT_FOUND_SHA256 = hashlib.sha256(b"vttui demo: this file was never seen").hexdigest()

_LINK_COLLECTION = {**COLLECTION_OF_TYPE, "resolution": "resolutions", "vote": "votes", "whois": "whois"}
_COMMENT_PREFIX = {"file": "f", "url": "u", "domain": "d", "ip_address": "i"}
_NODE = re.compile(r"^node-(\d{3})\.update-relay\.test$")
_HASHTAG = re.compile(r"#([A-Za-z0-9][A-Za-z0-9_-]{0,63})")
_GEN_CACHE_SIZE = 512


class LazySeq(Sequence):
    """A read-only sequence whose items are computed from their index."""

    def __init__(self, length: int, item: Callable[[int], Any]) -> None:
        self._len, self._item = length, item

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list: ...
    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        return self._item(index)


class Concat(Sequence):
    """Several sequences read as one (a short real list followed by a generated one)."""

    def __init__(self, *parts: Sequence) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        for part in self._parts:
            if index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator:
        for part in self._parts:
            yield from part


def url_sha256(url: str) -> str:
    """The v3 id of a URL: sha256 of the (already canonical) URL string."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def canonical_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


@functools.cache
def core_hashes() -> dict[str, tuple[str, str, str]]:
    """(md5, sha1, sha256) of every catalogue file's harmless content, by key."""
    out = {}
    for key, spec in C.FILES.items():
        content = B.harmless_content(key, spec.size)
        out[key] = (hashlib.md5(content).hexdigest(), hashlib.sha1(content).hexdigest(),
                    hashlib.sha256(content).hexdigest())
    return out


def demo_iocs() -> dict[str, str]:
    """Named entry points into the demo data, for docs, tests and screenshots."""
    h = core_hashes()
    return {
        "detected_file": h["detected_file"][2], "detected_file_md5": h["detected_file"][0],
        "detected_file_sha1": h["detected_file"][1], "pe_file": h["detected_file"][2],
        "clean_file": h["clean_file"][2], "clean_pdf": h["clean_pdf"][2], "non_pe_file": h["clean_pdf"][2],
        "script_file": h["dropped_script"][2], "dropped_dll": h["dropped_dll"][2],
        "execution_parent": h["parent_doc"][2],
        "domain": C.C2, "parent_domain": C.C2_ZONE, "clean_domain": C.CDN, "phishing_domain": C.PHISH,
        "ip": C.C2_IP, "ipv6": C.CDN_IP6, "clean_ip": C.CDN_IP, "sinkhole_ip": C.SINKHOLE,
        "url": C.U_PHISH, "url_id": url_sha256(C.U_PHISH), "clean_url": C.U_CDN, "c2_url": C.U_GATE,
        "not_found": NOT_FOUND_SHA256, "not_found_domain": "never-registered.invalid", "not_found_ip": "192.0.2.254",
    }


@dataclass(frozen=True, slots=True)
class FileRec:
    spec: B.FileSpec
    md5: str
    sha1: str
    sha256: str


class Dataset:
    """All demo objects of one backend, plus what the session added."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._built = False
        self._fillers: list[FileRec] | None = None
        self._dga_index: dict[str, int] | None = None
        self._cache: dict[Ref, dict] = {}
        self._gen_cache: OrderedDict[Ref, dict] = OrderedDict()
        self._behaviours: dict[str, dict] | None = None
        #: Attribute overrides laid over base attributes (votes, fresh analyses).
        self.patches: dict[Ref, dict] = defaultdict(dict)
        #: Objects created in the session (new uploads, new URLs): full attributes.
        self.created: dict[Ref, dict] = {}
        self.created_content: dict[str, bytes] = {}
        #: Comments, votes, whois records, collections: full objects by (type, id).
        self.objects: dict[Ref, dict] = {}
        self.comments: dict[Ref, list[str]] = defaultdict(list)
        self.votes: dict[Ref, list[str]] = defaultdict(list)
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
        self.urls: dict[str, B.URLSpec] = {url_sha256(u): s for u, s in C.URLS.items()}
        self.rels: dict[tuple[str, str, str], list[Ref]] = defaultdict(list)
        self._build_edges()
        self.res_by_host: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        self.res_by_ip: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        self.res_index: dict[str, tuple[str, str, int]] = {}
        for ip, host, date in sorted(C.RESOLUTIONS, key=lambda r: -r[2]):
            self.res_by_host[host].append((ip, host, date))
            self.res_by_ip[ip].append((ip, host, date))
            self.res_index[ip + host] = (ip, host, date)
        self._seed_community()

    def _add_file(self, rec: FileRec) -> None:
        self.files[rec.sha256] = rec
        self.aliases[rec.md5] = rec.sha256
        self.aliases[rec.sha1] = rec.sha256

    def _link(self, a: Ref, rel: str, b: Ref) -> None:
        items = self.rels[(a[0], a[1], rel)]
        if b not in items:
            items.append(b)

    def _build_edges(self) -> None:
        f = lambda key: ("file", self.by_key[key])  # noqa: E731
        for key, edges in C.EDGES.items():
            me = f(key)
            for d in edges.contacted_domains:
                self._link(me, "contacted_domains", ("domain", d))
                self._link(("domain", d), "communicating_files", me)
            for ip in edges.contacted_ips:
                self._link(me, "contacted_ips", ("ip_address", ip))
                self._link(("ip_address", ip), "communicating_files", me)
            for u in edges.contacted_urls:
                self._link(me, "contacted_urls", ("url", url_sha256(u)))
            for k in edges.dropped_files:
                self._link(me, "dropped_files", f(k))
            for k in edges.execution_parents:
                self._link(me, "execution_parents", f(k))
                self._link(f(k), "dropped_files", me)
            for k in edges.bundled_files:
                self._link(me, "bundled_files", f(k))
        for host, keys in C.REFERRERS.items():
            kind = "ip_address" if canonical_ip(host) else "domain"
            for k in keys:
                self._link((kind, host), "referrer_files", f(k))
        coll_id = B.hexid("collection", C.COLLECTION["name"])
        self.objects[("collection", coll_id)] = {"attributes": {
            "name": C.COLLECTION["name"], "description": C.COLLECTION["description"],
            "creation_date": B.T - 10 * B.DAY, "last_modification_date": B.T - 2 * B.DAY,
            "tags": ["vexbot", "loader", "phishing"], "source_region": "EU", "targeted_industries": ["finance"],
            "files_count": 2, "domains_count": 1, "ip_addresses_count": 1, "urls_count": 0,
        }}
        for kind, name in C.COLLECTION["members"]:
            ident = self.by_key[name] if kind == "file" else name
            self._link((kind, ident), "collections", ("collection", coll_id))
        for i, (registrar, days) in enumerate((("Hostvale Domains Ltd.", 2), ("Hostvale Domains Ltd.", 39))):
            wid = B.hexid("whois", C.C2, i)
            self.objects[("whois", wid)] = {"attributes": {
                "first_seen_date": B.T - days * B.DAY, "last_updated": B.T - days * B.DAY + B.DAY,
                "registrar_name": registrar, "whois_map": {
                    "Domain Name": C.C2_ZONE.upper(), "Registrar": registrar,
                    "Creation Date": B.iso(B.T - 39 * B.DAY), "Name Server": "NS1.HOSTVALE-DNS.TEST | NS2.HOSTVALE-DNS.TEST",
                    "Registrant Country": "IS", "Domain Status": "clientTransferProhibited" if i == 0 else "ok"}}}
            self._link(("domain", C.C2), "historical_whois", ("whois", wid))

    def _seed_community(self) -> None:
        for (kind, name), texts in C.COMMENTS.items():
            ref = self._catalogue_ref(kind, name)
            date = B.T - 2 * B.HOUR
            for i, text in enumerate(texts):
                date -= 5 * B.HOUR + eng.hnum(self.seed, "c", ref, i) % (9 * B.HOUR)
                self._store_comment(ref, text, date, f"{i}", append=True)
        for (kind, name), (harmless, malicious) in C.VOTES.items():
            ref = self._catalogue_ref(kind, name)
            date = B.T - 3 * B.HOUR
            total = harmless + malicious
            for i in range(total):
                # Spread the harmless votes evenly among the malicious ones (exact counts).
                verdict = "harmless" if (i * harmless) % total < harmless else "malicious"
                date -= 3 * B.HOUR + eng.hnum(self.seed, "vd", ref, i) % (20 * B.HOUR)
                self._store_vote(ref, verdict, date, f"seed-{i}", None, append=True)
            self.patches[ref]["total_votes"] = {"harmless": harmless, "malicious": malicious}

    def _catalogue_ref(self, kind: str, name: str) -> Ref:
        if kind == "file":
            return ("file", self.by_key[name])
        if kind == "url":
            return ("url", url_sha256(name))
        return (kind, name)

    # --- community objects --------------------------------------------------------------

    def _store_comment(self, ref: Ref, text: str, date: int, salt: str, *, append: bool) -> dict:
        cid = f"{_COMMENT_PREFIX.get(ref[0], 'x')}-{ref[1]}-{B.hexid('comment', ref, salt, n=8)}"
        attrs = {
            "date": date, "text": text, "html": html.escape(text).replace("\n", "<br />"),
            "tags": sorted({t.lower() for t in _HASHTAG.findall(text)}),
            "votes": {"positive": eng.hnum("cv", cid) % 7 if append else 0, "negative": 0, "abuse": 0},
        }
        self.objects[("comment", cid)] = {"attributes": attrs}
        ids = self.comments[ref]
        ids.append(cid) if append else ids.insert(0, cid)
        return {"type": "comment", "id": cid, "attributes": attrs}

    def _store_vote(self, ref: Ref, verdict: str, date: int, salt: str, author: str | None, *, append: bool) -> dict:
        vid = f"{_COMMENT_PREFIX.get(ref[0], 'x')}-{ref[1]}-{B.hexid('vote', ref, salt, n=8)}"
        attrs = {"date": date, "verdict": verdict, "value": 1 if verdict == "harmless" else -1}
        self.objects[("vote", vid)] = {"attributes": attrs}
        ids = self.votes[ref]
        ids.append(vid) if append else ids.insert(0, vid)
        if author is not None:
            self.vote_authors[vid] = author
        return {"type": "vote", "id": vid, "attributes": attrs}

    def add_comment(self, ref: Ref, text: str, date: int) -> dict:
        self._build()
        return self._store_comment(ref, text, date, f"session-{len(self.comments[ref])}-{date}", append=False)

    def add_vote(self, ref: Ref, verdict: str, date: int, author: str) -> dict:
        self._build()
        vote = self._store_vote(ref, verdict, date, f"session-{author}-{date}", author, append=False)
        totals = dict(self.attributes(ref).get("total_votes") or {})
        totals[verdict] = int(totals.get(verdict) or 0) + 1
        self.patches[ref]["total_votes"] = {"harmless": totals.get("harmless", 0), "malicious": totals.get("malicious", 0)}
        return vote

    def has_voted(self, ref: Ref, author: str) -> bool:
        return any(self.vote_authors.get(v) == author for v in self.votes.get(ref, ()))

    # --- generated families ---------------------------------------------------------

    def _ensure_fillers(self) -> list[FileRec]:
        if self._fillers is None:
            self._build()
            fillers = []
            for i in range(C.FILLER_COUNT):
                h = eng.hnum(self.seed, "filler", i)
                key = f"filler-{i:02d}"
                family = C.FILLER_FAMILIES[h % len(C.FILLER_FAMILIES)]
                kind = "dll" if (h >> 5) % 5 == 0 else "pe"
                word = C.FILLER_WORDS[(h >> 9) % len(C.FILLER_WORDS)]
                spec = B.FileSpec(
                    key=key, name=f"{word}_{(h >> 17) % 9000 + 1000}.{'dll' if kind == 'dll' else 'exe'}",
                    size=4096 + (h >> 23) % 20480, kind=kind, malicious=18 + (h >> 31) % 45, family=family,
                    first_seen=B.T - (6 + 5 * i) * B.DAY, analysed=B.T - (1 + i % 23) * B.DAY,
                    times_submitted=1 + (h >> 37) % 12, tags=("peexe" if kind == "pe" else "pedll", "long-sleeps"),
                    reputation=-int((h >> 41) % 30),
                )
                content = B.harmless_content(key, spec.size)
                rec = FileRec(spec, hashlib.md5(content).hexdigest(), hashlib.sha1(content).hexdigest(),
                              hashlib.sha256(content).hexdigest())
                self._add_file(rec)
                fillers.append(rec)
            self._fillers = fillers
        return self._fillers

    def is_filler(self, sha256: str) -> bool:
        rec = self.files.get(sha256) if self._built else None
        return rec is not None and rec.spec.key.startswith("filler-")

    def dga_name(self, i: int) -> str:
        digest = hashlib.sha256(f"{self.seed}\x1fdga\x1f{i}".encode()).digest()
        length = 9 + digest[0] % 6
        label = "".join(chr(97 + b % 26) for b in digest[1:1 + length])
        return f"{label}.{C.DGA_TLDS[digest[-1] % len(C.DGA_TLDS)]}"

    def _dga_count(self) -> int:
        self._build()
        return C.SINKHOLE_RESOLUTIONS - len(self.res_by_ip.get(C.SINKHOLE, ()))

    def _dga_date(self, i: int) -> int:
        return B.T - 3 * B.DAY - i * 2 * B.HOUR - eng.hnum(self.seed, "dgad", i) % B.HOUR

    def dga_index(self, name: str) -> int | None:
        if self._dga_index is None:
            self._dga_index = {self.dga_name(i): i for i in range(self._dga_count())}
        return self._dga_index.get(name)

    def _generated_domain_spec(self, name: str) -> B.DomainSpec | None:
        m = _NODE.match(name)
        if m and 1 <= int(m.group(1)) <= C.NODE_COUNT:
            return B.DomainSpec(name, created=B.T - 39 * B.DAY, malicious=int(m.group(1)) % 4,
                                analysed=B.T - (2 + int(m.group(1)) % 30) * B.DAY)
        if name.count(".") == 1 and name.rsplit(".", 1)[-1] in C.DGA_TLDS:
            i = self.dga_index(name)
            if i is not None:
                h = eng.hnum(self.seed, "dgaspec", i)
                return B.DomainSpec(
                    name, created=B.T - (60 + h % 400) * B.DAY, registrar="Example CERT Takedown Registrar",
                    malicious=2 + h % 7, categories=(("Forcepoint ThreatSeeker", "malicious web sites"),),
                    tags=("dga",), nameservers=("ns1.sinkhole.example", "ns2.sinkhole.example"), privacy=False,
                    analysed=B.T - (3 + h % 90) * B.DAY,
                )
        return None

    def node_names(self) -> list[str]:
        return [f"node-{i:03d}.{C.C2_ZONE}" for i in range(1, C.NODE_COUNT + 1)]

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

    def content(self, sha256: str) -> bytes | None:
        """The bytes a download of this file returns (None when the demo does not have them)."""
        if sha256 in self.created_content:
            return self.created_content[sha256]
        rec = self.files.get(sha256) if self._built else None
        return B.harmless_content(rec.spec.key, rec.spec.size) if rec else None

    def url_of(self, url_id: str) -> str | None:
        self._build()
        spec = self.urls.get(url_id)
        if spec is not None:
            return spec.url
        created = self.created.get(("url", url_id))
        return created.get("url") if created else None

    # --- attributes -----------------------------------------------------------------

    def attributes(self, ref: Ref) -> dict:
        """Current attributes (base plus session patches); {} when unknown."""
        base = self._base(ref)
        patch = self.patches.get(ref)
        if base is None:
            return {}
        return {**base, **patch} if patch else base

    def _base(self, ref: Ref) -> dict | None:
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

    def _make(self, ref: Ref) -> tuple[dict | None, bool]:
        kind, ident = ref
        if kind == "file":
            rec = self.files.get(ident)
            if rec is None:
                self._ensure_fillers()
                rec = self.files.get(ident)
            if rec is None:
                return None, False
            return B.file_attributes(rec.spec, rec.md5, rec.sha1, rec.sha256), rec.spec.key.startswith("filler-")
        if kind == "domain":
            spec = C.DOMAINS.get(ident)
            generated = spec is None
            spec = spec or self._generated_domain_spec(ident)
            if spec is None:
                return None, False
            a, aaaa = self._latest_ips(ident)
            return B.domain_attributes(spec, a, aaaa), generated
        if kind == "ip_address":
            spec = C.IPS.get(ident)
            return (B.ip_attributes(spec), False) if spec else (None, False)
        if kind == "url":
            spec = self.urls.get(ident)
            return (B.url_attributes(spec), False) if spec else (None, False)
        return None, False

    def _latest_ips(self, host: str) -> tuple[list[str], list[str]]:
        rows = self.resolutions_of_host(host)
        a = [ip for ip, _, _ in rows if ":" not in ip][:1]
        aaaa = [ip for ip, _, _ in rows if ":" in ip][:1]
        return a, aaaa

    # --- resolutions ----------------------------------------------------------------

    def resolutions_of_host(self, host: str) -> Sequence[tuple[str, str, int]]:
        self._build()
        rows = self.res_by_host.get(host)
        if rows:
            return rows
        if "." in host and host.count(".") == 1 and self.dga_index(host) is not None:
            i = self.dga_index(host)
            return [(C.SINKHOLE, host, self._dga_date(i))]
        return []

    def resolutions_of_ip(self, ip: str) -> Sequence[tuple[str, str, int]]:
        self._build()
        rows = self.res_by_ip.get(ip, [])
        if ip == C.SINKHOLE:
            return Concat(rows, LazySeq(self._dga_count(), lambda i: (C.SINKHOLE, self.dga_name(i), self._dga_date(i))))
        return rows

    def resolution(self, rid: str) -> tuple[str, str, int] | None:
        self._build()
        if rid in self.res_index:
            return self.res_index[rid]
        if rid.startswith(C.SINKHOLE):
            i = self.dga_index(rid[len(C.SINKHOLE):])
            if i is not None:
                return (C.SINKHOLE, self.dga_name(i), self._dga_date(i))
        return None

    def resolution_attributes(self, row: tuple[str, str, int]) -> dict:
        ip, host, date = row
        return {
            "date": date, "host_name": host, "ip_address": ip, "resolver": "VirusTotal",
            "host_name_last_analysis_stats": self._host_stats(host),
            "ip_address_last_analysis_stats": self.attributes(("ip_address", ip)).get("last_analysis_stats") or {},
        }

    def _host_stats(self, host: str) -> dict:
        """A domain's stats; for generated names without building the whole report."""
        ref = ("domain", host)
        if host in C.DOMAINS or ref in self.created or ref in self.patches:
            return self.attributes(ref).get("last_analysis_stats") or {}
        spec = self._generated_domain_spec(host)
        if spec is None:
            return {}
        return eng.host_stats(eng.HOST_ENGINES, salt=spec.name, malicious=spec.malicious, suspicious=spec.suspicious)

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
        parent = B.registered_domain(name)
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
        from urllib.parse import urlsplit

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

    def behaviour_summary(self, sha256: str) -> dict:
        self._build()
        if sha256 != self.by_key["detected_file"]:
            return {}
        domains = [d for _, d in self.rels[("file", sha256, "contacted_domains")]]
        ips = [i for _, i in self.rels[("file", sha256, "contacted_ips")]]
        urls = [self.url_of(u) or "" for _, u in self.rels[("file", sha256, "contacted_urls")]]
        dns = [(d, [ip for ip, _, _ in self.resolutions_of_host(d) if ip in ips]) for d in domains]
        ports: dict[str, int] = {}
        from urllib.parse import urlsplit

        for u in urls:
            parts = urlsplit(u)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            host = parts.hostname or ""
            targets = [host] if canonical_ip(host) else [ip for ip, _, _ in self.resolutions_of_host(host) if ip in ips]
            for ip in targets:
                ports.setdefault(ip, port)
        traffic = [(ip, ports.get(ip, 443)) for ip in ips]
        dropped = []
        for _, sha in self.rels[("file", sha256, "dropped_files")]:
            spec = self.files[sha].spec
            folder = "Local\\Temp" if spec.kind == "ps1" else "Roaming\\Microsoft\\Libs"
            dropped.append((f"C:\\Users\\<USER>\\AppData\\{folder}\\{spec.name}", sha))
        return sandbox.behaviour_summary(sha256=sha256, name=self.files[sha256].spec.name, family=C.FAMILY,
                                         dns=dns, traffic=traffic, urls=urls, dropped=dropped)

    def _behaviour_objects(self) -> dict[str, dict]:
        if self._behaviours is None:
            self._build()
            sha = self.by_key["detected_file"]
            summary = self.behaviour_summary(sha)
            self._behaviours = {
                f"{sha}_{name}": sandbox.file_behaviour(summary, name, has_pcap, i)
                for i, (name, has_pcap) in enumerate(C.SANDBOXES)
            }
        return self._behaviours

    def file_behaviour(self, behaviour_id: str) -> dict | None:
        return self._behaviour_objects().get(behaviour_id)

    def pcap(self, behaviour_id: str) -> bytes | None:
        attrs = self.file_behaviour(behaviour_id)
        if not attrs or not attrs.get("has_pcap"):
            return None
        return sandbox.pcap_bytes(C.C2, C.C2_IP)

    # --- rendering ------------------------------------------------------------------

    def render(self, ref: Ref, base: str) -> dict | None:
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
            attrs = self.file_behaviour(ident)
            if attrs is None:
                return None
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
        kind = B.kind_of_head(head)
        info = B._KINDS[kind]
        results = eng.file_results(md5=md5, analysis_date=date, malicious=0,
                                   file_kind="pe" if kind in ("pe", "dll") else "other")
        self.created[("file", sha256)] = {
            "md5": md5, "sha1": sha1, "sha256": sha256, "size": size, "names": [name] if name else [],
            **({"meaningful_name": name} if name else {}),
            "type_description": info["type_description"], "type_tag": info["type_tag"],
            "type_extension": info["type_extension"], "type_tags": list(info["type_tags"]), "magic": info["magic"],
            "magika": info["magika"], "tags": list(info["type_tags"][-1:]),
            "first_submission_date": date, "last_submission_date": date, "last_analysis_date": date,
            "last_modification_date": date, "times_submitted": 1, "unique_sources": 1, "reputation": 0,
            "total_votes": {"harmless": 0, "malicious": 0},
            "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results),
        }
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
        spec = B.URLSpec(url, first_seen=date, analysed=date, times_submitted=1)
        attrs = B.url_attributes(spec)
        self.created[("url", uid)] = attrs
        return uid


def _refresh_results(results: dict, date: int) -> dict:
    """The same verdicts, with engine update dates moved to the new analysis."""
    out = {}
    for name, entry in results.items():
        entry = dict(entry) if isinstance(entry, dict) else {}
        if entry.get("engine_update"):
            entry["engine_update"] = eng.ymd(date)
        out[name] = entry
    return out

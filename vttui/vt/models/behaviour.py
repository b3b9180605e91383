"""Sandbox behaviour: the merged summary of a file and each sandbox's own report.

``GET /files/{id}/behaviour_summary`` answers with the attributes themselves (no type,
no id); a sandbox report (``file_behaviour``) carries the same sections inside a normal
object. :class:`BehaviourSections` reads them for both, as typed lists an analyst scans
(processes, files, registry, mutexes, DNS, HTTP, IP traffic, commands, ATT&CK
signatures, Sigma and IDS hits). Every host, IP, URL and hash in them is a
:class:`~.pivots.Pivot`: openable only when it is a valid indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from ..ioc import is_url_sha256_id
from ..refs import ObjectRef
from .analysis import FileBehaviour
from .base import VTObject
from .coerce import as_dict, as_int, as_list, as_str, one_line, str_list
from .fields import Date, Int, Str, StrList
from .pivots import FILE, HOST, NETWORK, Pivot, pivot, unique_refs
from .severity import severity_of, severity_rank

__all__ = [
    "AttackSignature",
    "BehaviourSections",
    "BehaviourSummary",
    "DNSLookup",
    "DroppedFile",
    "HTTPConversation",
    "IDSAlert",
    "IPTraffic",
    "ProcessNode",
    "RegistryValue",
    "SandboxReport",
    "SigmaHit",
]

#: Process trees deeper than this are cut (a hostile reply can nest forever).
MAX_TREE_DEPTH = 32
#: Items read from any one list (a sandbox can log 100,000 opened files).
MAX_ITEMS = 5000


@dataclass(frozen=True, slots=True)
class ProcessNode:
    pid: str
    name: str
    children: tuple[ProcessNode, ...] = ()


@dataclass(frozen=True, slots=True)
class DroppedFile:
    path: str
    sha256: Pivot  # leads to the dropped file when the hash is a real one
    kind: str = ""


@dataclass(frozen=True, slots=True)
class RegistryValue:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class DNSLookup:
    host: Pivot
    resolved: tuple[Pivot, ...] = ()


@dataclass(frozen=True, slots=True)
class HTTPConversation:
    url: Pivot
    method: str = ""
    status: int | None = None
    request_headers: tuple[tuple[str, str], ...] = ()
    response_headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class IPTraffic:
    ip: Pivot
    port: int | None = None
    protocol: str = ""


@dataclass(frozen=True, slots=True)
class AttackSignature:
    """An ATT&CK technique a sandbox signature pointed at (``mitre_attack_techniques``)."""

    technique: str
    description: str
    severity: str  # critical, high, medium, low, info or unknown


@dataclass(frozen=True, slots=True)
class SigmaHit:
    title: str
    level: str
    source: str = ""
    author: str = ""
    description: str = ""
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class IDSAlert:
    message: str
    severity: str
    category: str = ""
    source: str = ""
    rule_id: str = ""
    #: Hosts, IPs and URLs named in the alert's context.
    targets: tuple[Pivot, ...] = ()


def _items(raw: Any) -> list[Any]:
    return as_list(raw)[:MAX_ITEMS]


def _headers(raw: Any) -> tuple[tuple[str, str], ...]:
    """Headers as (name, value): VirusTotal sends a dict, or a list of ``{key, value}``."""
    out: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        for k, v in list(raw.items())[:MAX_ITEMS]:
            if isinstance(k, str):
                out.append((k, ", ".join(str_list(v)) if isinstance(v, list) else as_str(v)))
    else:
        for item in _items(raw):
            d = as_dict(item)
            name = as_str(d.get("key") or d.get("name"))
            if name:
                out.append((name, as_str(d.get("value"))))
    return tuple(out)


def _tree(raw: Any, depth: int = 0) -> tuple[ProcessNode, ...]:
    if depth >= MAX_TREE_DEPTH:
        return ()
    out: list[ProcessNode] = []
    for item in _items(raw):
        d = as_dict(item)
        name, pid = as_str(d.get("name")), as_str(d.get("process_id"))
        children = _tree(d.get("children"), depth + 1)
        if name or pid or children:
            out.append(ProcessNode(pid, name, children))
    return tuple(out)


def _context_targets(raw: Any) -> tuple[Pivot, ...]:
    """The URL, host and destination of an IDS alert's ``alert_context`` (a dict or a list)."""
    contexts = [raw] if isinstance(raw, dict) else _items(raw)
    out: list[Pivot] = []
    for ctx in contexts:
        d = as_dict(ctx)
        # The source is the sandbox itself: not worth a pivot.
        for key, kinds in (("url", NETWORK), ("hostname", HOST), ("dest_ip", HOST)):
            text = as_str(d.get(key))
            if text and all(p.text != text for p in out):
                out.append(pivot(text, *kinds))
    return tuple(out)


class BehaviourSections(VTObject):
    """The sections a behaviour summary and a sandbox report share."""

    verdicts = StrList()
    verdict_labels = StrList()
    verdict_confidence = Int()

    processes_created = StrList()
    processes_terminated = StrList()
    processes_injected = StrList()
    processes_killed = StrList()
    commands = StrList("command_executions")
    files_written = StrList()
    files_deleted = StrList()
    files_opened = StrList()
    registry_keys_opened = StrList()
    registry_keys_deleted = StrList()
    mutexes_created = StrList()
    mutexes_opened = StrList()
    modules_loaded = StrList()
    calls_highlighted = StrList()
    text_highlighted = StrList()

    @cached_property
    def process_tree(self) -> list[ProcessNode]:
        return list(_tree(self.attributes.get("processes_tree")))

    @cached_property
    def files_dropped(self) -> list[DroppedFile]:
        out = []
        for item in _items(self.attributes.get("files_dropped")):
            if isinstance(item, str):  # some sandboxes list bare paths
                out.append(DroppedFile(item, Pivot("")))
                continue
            d = as_dict(item)
            path, sha = as_str(d.get("path")), as_str(d.get("sha256"))
            if path or sha:
                out.append(DroppedFile(path, pivot(sha, *FILE), as_str(d.get("type"))))
        return out

    @cached_property
    def registry_keys_set(self) -> list[RegistryValue]:
        out = []
        for item in _items(self.attributes.get("registry_keys_set")):
            if isinstance(item, str):
                out.append(RegistryValue(item, ""))
                continue
            d = as_dict(item)
            key = as_str(d.get("key"))
            if key:
                out.append(RegistryValue(key, as_str(d.get("value"))))
        return out

    @cached_property
    def dns_lookups(self) -> list[DNSLookup]:
        out = []
        for item in _items(self.attributes.get("dns_lookups")):
            d = as_dict(item)
            host = as_str(d.get("hostname"))
            ips = tuple(pivot(ip, *HOST) for ip in str_list(d.get("resolved_ips"))[:MAX_ITEMS])
            if host or ips:
                out.append(DNSLookup(pivot(host, *HOST), ips))
        return out

    @cached_property
    def http_conversations(self) -> list[HTTPConversation]:
        out = []
        for item in _items(self.attributes.get("http_conversations")):
            d = as_dict(item)
            url = as_str(d.get("url"))
            if not url:
                continue
            out.append(HTTPConversation(
                pivot(url, *NETWORK), as_str(d.get("request_method")).upper(), as_int(d.get("response_status_code")),
                _headers(d.get("request_headers")), _headers(d.get("response_headers")),
            ))  # fmt: skip
        return out

    @cached_property
    def ip_traffic(self) -> list[IPTraffic]:
        out = []
        for item in _items(self.attributes.get("ip_traffic")):
            d = as_dict(item)
            ip = as_str(d.get("destination_ip"))
            if ip:
                port = as_int(d.get("destination_port"))
                port = port if port is not None and 0 <= port <= 65535 else None
                out.append(IPTraffic(pivot(ip, *HOST), port, as_str(d.get("transport_layer_protocol"))))
        return out

    @cached_property
    def attack_techniques(self) -> list[AttackSignature]:
        """ATT&CK techniques with the signature that found each, most severe first.

        Current replies list ``mitre_attack_techniques``; older ones (2021) a dict
        ``attack_techniques`` of technique id -> signatures. Both are read.
        """
        out: list[AttackSignature] = []
        for item in _items(self.attributes.get("mitre_attack_techniques")):
            d = as_dict(item)
            tid = as_str(d.get("id"))
            if tid:
                out.append(AttackSignature(tid, as_str(d.get("signature_description")), severity_of(d.get("severity"))))
        for tid, sigs in list(as_dict(self.attributes.get("attack_techniques")).items())[:MAX_ITEMS]:
            if not isinstance(tid, str) or not tid:
                continue
            for sig in _items(sigs) or [{}]:
                s = as_dict(sig)
                out.append(AttackSignature(tid, as_str(s.get("description")), severity_of(s.get("severity"))))
        out.sort(key=lambda a: (severity_rank(a.severity), a.technique))
        return out

    @cached_property
    def sigma_hits(self) -> list[SigmaHit]:
        out = []
        for item in _items(self.attributes.get("sigma_analysis_results")):
            d = as_dict(item)
            title = as_str(d.get("rule_title"))
            if title:
                out.append(SigmaHit(
                    title, severity_of(d.get("rule_level")), as_str(d.get("rule_source")),
                    as_str(d.get("rule_author")), as_str(d.get("rule_description")), as_str(d.get("rule_id")),
                ))  # fmt: skip
        out.sort(key=lambda s: severity_rank(s.level))
        return out

    @cached_property
    def ids_alerts(self) -> list[IDSAlert]:
        out = []
        for item in _items(self.attributes.get("ids_alerts")):
            d = as_dict(item)
            message = as_str(d.get("rule_msg"))
            if message:
                out.append(IDSAlert(
                    message, severity_of(d.get("alert_severity")), as_str(d.get("rule_category")),
                    as_str(d.get("rule_source")), as_str(d.get("rule_id")), _context_targets(d.get("alert_context")),
                ))  # fmt: skip
        out.sort(key=lambda a: severity_rank(a.severity))
        return out

    @cached_property
    def pivots(self) -> list[Pivot]:
        """Every pivot in the report (DNS, HTTP, IP traffic, dropped files, IDS), in that order."""
        out: list[Pivot] = []
        for lookup in self.dns_lookups:
            out += [lookup.host, *lookup.resolved]
        out += [c.url for c in self.http_conversations]
        out += [t.ip for t in self.ip_traffic]
        out += [f.sha256 for f in self.files_dropped]
        for alert in self.ids_alerts:
            out += alert.targets
        return out

    @property
    def pivot_refs(self) -> list[ObjectRef]:
        """The distinct objects the report leads to."""
        return unique_refs(self.pivots)

    @property
    def has_content(self) -> bool:
        """Whether any section holds anything (clean files get an empty summary)."""
        return any(k in _SECTION_KEYS and v not in (None, [], {}, "") for k, v in self.attributes.items())


_SECTION_KEYS = frozenset({
    "processes_tree", "processes_created", "processes_terminated", "processes_injected", "processes_killed",
    "command_executions", "files_written", "files_deleted", "files_dropped", "files_opened", "registry_keys_set",
    "registry_keys_opened", "registry_keys_deleted", "mutexes_created", "mutexes_opened", "dns_lookups",
    "http_conversations", "ip_traffic", "mitre_attack_techniques", "attack_techniques", "sigma_analysis_results",
    "ids_alerts", "verdicts", "modules_loaded", "calls_highlighted",
})  # fmt: skip


class BehaviourSummary(BehaviourSections):
    """The merged summary of every sandbox that ran a file (``/files/{id}/behaviour_summary``)."""

    @classmethod
    def from_summary(cls, data: Any, sha256: Any = "") -> BehaviourSummary:
        """View the reply's ``data`` (the summary's attributes; a whole reply is unwrapped too)."""
        d = as_dict(data)
        if "data" in d and len(d) <= 3 and isinstance(d.get("data"), dict):
            d = d["data"]
        return cls({"type": "behaviour_summary", "id": as_str(sha256), "attributes": d})

    @property
    def title(self) -> str:
        return one_line(f"Behaviour of {self.id}" if self.id else "Behaviour summary")


class SandboxReport(BehaviourSections, FileBehaviour):
    """One sandbox's report on a file (``file_behaviour``; id ``<sha256>_<sandbox name>``)."""

    analysis_date = Date()
    last_modification_date = Date()
    behash = Str()

    @property
    def has_pcap(self) -> bool:
        """Only a literal true counts: the pcap download is offered on this alone."""
        return self.attributes.get("has_pcap") is True

    @property
    def has_html_report(self) -> bool:
        return self.attributes.get("has_html_report") is True

    @property
    def has_evtx(self) -> bool:
        return self.attributes.get("has_evtx") is True

    @property
    def has_memdump(self) -> bool:
        return self.attributes.get("has_memdump") is True

    @property
    def verdict(self) -> str:
        """``malicious``, ``suspicious``, ``harmless`` or ``""`` from the sandbox's verdicts."""
        words = {v.strip().upper() for v in self.verdicts}
        if words & _MALICIOUS:
            return "malicious"
        if words & {"SUSPICIOUS"}:
            return "suspicious"
        if words & {"CLEAN", "HARMLESS", "BENIGN"}:
            return "harmless"
        return ""

    @property
    def file_sha256(self) -> str:
        """The file the report is about (the id's part before the sandbox name)."""
        head = self.id.split("_", 1)[0]
        return head.lower() if is_url_sha256_id(head) else ""

    @property
    def when(self) -> datetime | None:
        return self.analysis_date or self.last_modification_date


_MALICIOUS = frozenset({"MALWARE", "TROJAN", "RANSOM", "RANSOMWARE", "SPREADER", "BANKER", "STEALER", "RAT",
                        "BACKDOOR", "DROPPER", "LOADER", "MINER", "EXPLOIT", "PHISHING", "MALICIOUS"})

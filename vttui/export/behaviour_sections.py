"""The Behaviour tab as sections: what a file did in the sandboxes, in the order analysts scan.

Shared by the TUI's Behaviour tab and the exports, like :mod:`.sections` for Details:
verdicts and the sandboxes that ran it, ATT&CK techniques by tactic, processes and
commands, files, registry, mutexes, DNS, HTTP, IP traffic, Sigma and IDS hits. Rows that
name a host, an address, a URL, a file or a sandbox report carry it in ``Table.refs``
(the pivot of enter, and the report whose pcap ``P`` downloads). Values stay raw: each
renderer escapes them its own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..vt.models import BehaviourSections, MitreTrees, Pivot, ProcessNode, SandboxReport
from ..vt.refs import ObjectRef
from .sections import MAX_ROWS, Row, Section, Table, fmt_date

__all__ = ["behaviour_sections"]

#: Process tree rows shown (a tree is flattened, depth first).
MAX_TREE_ROWS = 500


def _rows(*pairs: tuple[str, Any]) -> list[Row]:
    out = []
    for label, value in pairs:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value[:MAX_ROWS])
        elif isinstance(value, datetime):
            value = fmt_date(value)
        elif value is None:
            value = ""
        if value != "":
            out.append(Row(label, str(value)))
    return out


def _table(columns: list[str], rows: list[list[Any]], refs: list[ObjectRef | None] | None = None) -> Table:
    shown = rows[:MAX_ROWS]
    kept = list(refs[: len(shown)]) if refs and any(refs) else []
    cells = [["" if c is None else str(c) for c in row] for row in shown]
    return Table(columns, cells, max(0, len(rows) - len(shown)), kept)


def _list_table(title: str, items: Sequence[str]) -> Table | None:
    return _table([title], [[i] for i in items]) if items else None


def _tables(*tables: Table | None) -> list[Table]:
    return [t for t in tables if t is not None and t.rows]


def _flatten(nodes: Sequence[ProcessNode], depth: int = 0, out: list[list[str]] | None = None) -> list[list[str]]:
    out = [] if out is None else out
    for node in nodes:
        if len(out) >= MAX_TREE_ROWS:
            break
        out.append([node.pid, ("  " * depth + ("└ " if depth else "")) + node.name])
        _flatten(node.children, depth + 1, out)
    return out


def _first_ref(pivots: Sequence[Pivot]) -> ObjectRef | None:
    return next((p.ref for p in pivots if p.ref is not None), None)


def _sandboxes(reports: Sequence[SandboxReport]) -> Section:
    rows = [[r.sandbox_name or r.id, r.verdict or "no verdict", ", ".join(r.verdicts), fmt_date(r.when),
             "yes" if r.has_pcap else "no"] for r in reports]
    refs: list[ObjectRef | None] = [ObjectRef("file_behaviour", r.id) if r.id else None for r in reports]
    return Section("sandboxes", f"Sandboxes ({len(reports)})",
                   tables=[_table(["Sandbox", "Verdict", "Verdicts", "Analysed", "PCAP"], rows, refs)])


def _mitre(trees: MitreTrees | None, summary: BehaviourSections) -> Section | None:
    if trees is not None and not trees.is_empty:
        rows = []
        for tactic in trees.tactics:
            for t in tactic.techniques:
                signature = t.signatures[0].description if t.signatures else ""
                tactic_name = f"{tactic.name} ({tactic.id})"
                rows.append([tactic_name, t.id, t.name, t.severity, ", ".join(t.sandboxes), signature])
        table = _table(["Tactic", "Technique", "Name", "Severity", "Sandboxes", "Signature"], rows)
        return Section("mitre", f"MITRE ATT&CK ({len(trees.techniques)} techniques)", tables=[table])
    techniques = summary.attack_techniques  # no tree: the summary's own list
    if not techniques:
        return None
    rows = [[a.technique, a.severity, a.description] for a in techniques]
    table = _table(["Technique", "Severity", "Signature"], rows)
    return Section("mitre", f"MITRE ATT&CK ({len({a.technique for a in techniques})} techniques)", tables=[table])


def behaviour_sections(
    summary: BehaviourSections,
    trees: MitreTrees | None = None,
    sandboxes: Sequence[SandboxReport] = (),
) -> list[Section]:
    """The sections of a behaviour summary (or of one sandbox's report), empty ones dropped."""
    s = summary
    out: list[Section | None] = [
        Section("verdicts", "Verdicts", _rows(
            ("Verdicts", s.verdicts), ("Labels", s.verdict_labels), ("Confidence", s.verdict_confidence),
            ("Tags", s.tags))),
        _sandboxes(sandboxes) if sandboxes else None,
        _mitre(trees, s),
        Section("processes", "Processes", tables=_tables(
            _table(["PID", "Process tree"], _flatten(s.process_tree)) if s.process_tree else None,
            _list_table("Created", s.processes_created), _list_table("Terminated", s.processes_terminated),
            _list_table("Injected", s.processes_injected), _list_table("Killed", s.processes_killed))),
        Section("commands", f"Commands ({len(s.commands)})", tables=_tables(_list_table("Command line", s.commands))),
        Section("files", "Files", tables=_tables(
            _table(["Dropped", "SHA-256", "Type"], [[f.path, f.sha256.text, f.kind] for f in s.files_dropped],
                   [f.sha256.ref for f in s.files_dropped]) if s.files_dropped else None,
            _list_table("Written", s.files_written), _list_table("Deleted", s.files_deleted),
            _list_table("Opened", s.files_opened))),
        Section("registry", "Registry", tables=_tables(
            _table(["Key set", "Value"], [[r.key, r.value] for r in s.registry_keys_set])
            if s.registry_keys_set else None,
            _list_table("Key deleted", s.registry_keys_deleted), _list_table("Key opened", s.registry_keys_opened))),
        Section("mutexes", "Mutexes", tables=_tables(
            _list_table("Created", s.mutexes_created), _list_table("Opened", s.mutexes_opened))),
        Section("dns", f"DNS lookups ({len(s.dns_lookups)})", tables=_tables(_table(
            ["Host", "Resolved to"], [[d.host.text, ", ".join(p.text for p in d.resolved)] for d in s.dns_lookups],
            [d.host.ref or _first_ref(d.resolved) for d in s.dns_lookups]))),
        Section("http", f"HTTP conversations ({len(s.http_conversations)})", tables=_tables(_table(
            ["Method", "URL", "Status", "User-Agent"],
            [[c.method, c.url.text, "" if c.status is None else c.status,
              next((v for k, v in c.request_headers if k.lower() == "user-agent"), "")] for c in s.http_conversations],
            [c.url.ref for c in s.http_conversations]))),
        Section("ip", f"IP traffic ({len(s.ip_traffic)})", tables=_tables(_table(
            ["Destination", "Port", "Protocol"], [[t.ip.text, "" if t.port is None else t.port, t.protocol]
                                                  for t in s.ip_traffic], [t.ip.ref for t in s.ip_traffic]))),
        Section("sigma", f"Sigma rules ({len(s.sigma_hits)})", tables=_tables(_table(
            ["Rule", "Level", "Source", "Author"], [[h.title, h.level, h.source, h.author] for h in s.sigma_hits]))),
        Section("ids", f"IDS alerts ({len(s.ids_alerts)})", tables=_tables(_table(
            ["Alert", "Severity", "Category", "Targets"],
            [[a.message, a.severity, a.category, ", ".join(p.text for p in a.targets)] for a in s.ids_alerts],
            [_first_ref(a.targets) for a in s.ids_alerts]))),
        Section("highlights", "Highlights", _rows(
            ("Calls", s.calls_highlighted), ("Text", s.text_highlighted), ("Modules loaded", s.modules_loaded))),
    ]
    return [section for section in out if section is not None and not section.empty]

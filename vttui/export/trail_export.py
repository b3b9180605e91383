"""Exports of the investigation trail: Markdown for a ticket, JSON, Graphviz DOT, Mermaid.

Markdown and JSON list every visit (first-visit order) and every pivot in the order it
was made, repeats included. The graphs draw each distinct pivot (source,
relationship, target) once. Every string is cleaned and escaped for its format.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..vt.errors import ErrorKind, VTError
from ..vt.refs import TYPE_LABELS, ObjectRef
from ..vt.sanitize import clean_line
from .json_out import dumps
from .markdown import md, table
from .trail import Trail, Visit

TRAIL_FORMATS = ("markdown", "json", "dot", "mermaid")
#: The file extension of each trail format (for default file names).
TRAIL_EXTENSIONS = {"markdown": ".md", "json": ".json", "dot": ".dot", "mermaid": ".mmd"}
LABEL_MAX = 48
_FILL = {"malicious": "#f4cccc", "suspicious": "#fff2cc", "clean": "#d9ead3", "unknown": "#eeeeee",
         "not found": "#ffffff", "error": "#eeeeee"}
_CLASS = {"not found": "notfound"}  # Mermaid class names are single words


class TrailFormatError(VTError):
    """An unknown trail format (a programming or input error, exit code 2)."""

    kind = ErrorKind.INVALID


def _iso(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _nodes(trail: Trail) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], Visit | None]]:
    """Node ids (n0, n1...) for every visited or pivoted-to object, in first-seen order."""
    ids: dict[tuple[str, str], str] = {}
    visits: dict[tuple[str, str], Visit | None] = {}
    for key, visit in trail.visits.items():
        ids[key] = f"n{len(ids)}"
        visits[key] = visit
    for p in trail.pivots:
        for ref in (p.source, p.target):
            key = (ref.type, ref.id)
            if key not in ids:
                ids[key] = f"n{len(ids)}"
                visits[key] = None
    return ids, visits


def _edges(trail: Trail) -> list[tuple[tuple[str, str], str, tuple[str, str]]]:
    seen = set()
    edges = []
    for p in trail.pivots:
        edge = ((p.source.type, p.source.id), p.relationship, (p.target.type, p.target.id))
        if edge not in seen:
            seen.add(edge)
            edges.append(edge)
    return edges


def _short(text: str) -> str:
    text = clean_line(text)
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _label_lines(key: tuple[str, str], visit: Visit | None) -> list[str]:
    obj_type, obj_id = key
    lines = [f"{TYPE_LABELS.get(obj_type, obj_type)}: {_short(obj_id)}"]
    if visit is not None:
        if visit.title and visit.title != obj_id:
            lines.append(_short(visit.title))
        verdict = visit.verdict + (f" {visit.ratio}" if visit.ratio else "")
        lines.append(clean_line(verdict))
        if visit.note:
            lines.append(_short(visit.note))
    return lines


# --- markdown and json ------------------------------------------------------------------


def _ref_text(ref: ObjectRef) -> str:
    return f"{TYPE_LABELS.get(ref.type, ref.type)} {ref.id}"


def _verdict_text(v: Visit) -> str:
    """What the visit's verdict column says: a lookup that failed says so, not "unknown"."""
    if v.loaded or v.note:
        return v.verdict
    return f"{v.verdict} (not loaded)"


def trail_markdown(trail: Trail) -> str:
    visits = list(trail.visits.values())
    lines = [
        "# Investigation trail",
        "",
        f"Started {md(_iso(trail.started))}; {len(visits)} objects visited, {len(trail.pivots)} pivots.",
        "",
        "## Objects visited",
        "",
    ]
    lines += table(
        ["No.", "Type", "Object", "Name", "Verdict", "Ratio", "Threat label", "First visited", "Note"],
        (
            [i + 1, TYPE_LABELS.get(v.ref.type, v.ref.type), v.ref.id, v.title if v.title != v.ref.id else "",
             _verdict_text(v), v.ratio, v.threat_label, _iso(v.first_seen), v.note]
            for i, v in enumerate(visits)
        ),
    )
    lines += ["", "## Pivots", ""]
    if trail.pivots:
        lines += table(
            ["No.", "From", "Relationship", "To", "At"],
            (
                [i + 1, _ref_text(p.source), p.relationship, _ref_text(p.target), _iso(p.at)]
                for i, p in enumerate(trail.pivots)
            ),
        )
    else:
        lines.append("No pivots yet.")
    return "\n".join(lines) + "\n"


def trail_data(trail: Trail) -> dict[str, Any]:
    """The trail as plain data (what the JSON export holds)."""
    return {
        "started": _iso(trail.started),
        "visits": [
            {"type": v.ref.type, "id": v.ref.id, "title": v.title, "verdict": v.verdict, "ratio": v.ratio,
             "threat_label": v.threat_label, "first_seen": _iso(v.first_seen), "loaded": v.loaded,
             "note": v.note}
            for v in trail.visits.values()
        ],
        "pivots": [
            {"from": {"type": p.source.type, "id": p.source.id}, "relationship": p.relationship,
             "to": {"type": p.target.type, "id": p.target.id}, "at": _iso(p.at)}
            for p in trail.pivots
        ],
    }


def trail_json(trail: Trail) -> str:
    return dumps(trail_data(trail), dates=False) + "\n"


# --- graphs -----------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A DOT double-quoted string; backslashes and quotes escaped (no DOT escapes survive)."""
    return '"' + clean_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def trail_dot(trail: Trail) -> str:
    ids, visits = _nodes(trail)
    lines = [
        "digraph trail {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for key, node in ids.items():
        visit = visits[key]
        label = "\\n".join(dot_string(x)[1:-1] for x in _label_lines(key, visit))
        fill = _FILL.get(visit.verdict if visit else "unknown", _FILL["unknown"])
        lines.append(f'  {node} [label="{label}", fillcolor="{fill}", tooltip={dot_string(key[1])}];')
    for source, rel, target in _edges(trail):
        lines.append(f"  {ids[source]} -> {ids[target]} [label={dot_string(rel)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "|": "#124;"}


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: characters Mermaid reads as syntax become entity codes."""
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in clean_line(text))


def trail_mermaid(trail: Trail) -> str:
    ids, visits = _nodes(trail)
    lines = ["flowchart LR"]
    classes: dict[str, list[str]] = {}
    for key, node in ids.items():
        visit = visits[key]
        label = "<br/>".join(mermaid_text(x) for x in _label_lines(key, visit))
        lines.append(f'  {node}["{label}"]')
        verdict = visit.verdict if visit and visit.verdict in _FILL else "unknown"
        classes.setdefault(_CLASS.get(verdict, verdict), []).append(node)
    for source, rel, target in _edges(trail):
        lines.append(f'  {ids[source]} -->|"{mermaid_text(rel)}"| {ids[target]}')
    fills = {_CLASS.get(k, k): v for k, v in _FILL.items()}
    for name, nodes in classes.items():
        lines.append(f"  classDef {name} fill:{fills[name]}")
        lines.append(f"  class {','.join(nodes)} {name}")
    return "\n".join(lines) + "\n"


def export_trail(trail: Trail, fmt: str) -> str:
    """The trail in ``fmt``: one of TRAIL_FORMATS."""
    writers = {"markdown": trail_markdown, "json": trail_json, "dot": trail_dot, "mermaid": trail_mermaid}
    try:
        return writers[fmt](trail)
    except KeyError:
        raise TrailFormatError(f"Unknown trail format {fmt!r}; valid formats: {', '.join(TRAIL_FORMATS)}.") from None

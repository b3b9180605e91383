"""Answers in VT4AI's envelope, ``{"data": ..., "format": ...}``, made by vttui's exporters.

The envelope is written as text around the exporter's own output (JSON from
``export.render`` is embedded as is; Markdown, XML and CSV become one JSON string), so
what a caller gets is exactly what ``vttui lookup --format X`` prints, and stays valid
whatever VirusTotal sent (hostile strings, lone surrogates, deep nesting).

Shapes, per VT4AI: on its report routes ``data`` for ``json`` is the object's (trimmed)
attributes and for ``raw`` its untrimmed attributes; on its relationships route it is
``{"attributes": ..., "relationships": {REL: {"data": [...], "meta": {...}}}}``. vttui's
own routes (``/api/v1/lookup`` and the like) answer with whole objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..export import render
from ..export.json_out import clean_str, dump_raw, dumps
from ..export.templates import Template, UnknownTemplateError, apply_template

#: Formats a caller may ask for (VT4AI's four, plus CSV which vttui's exporter has too).
FORMATS = ("json", "markdown", "xml", "raw", "csv")


def resolve_template(name: str | None, templates: Mapping[str, Template]) -> Template | None:
    """The template called ``name`` among those loaded at start-up (None: no trimming)."""
    if name is None or name == "":
        return None
    found = templates.get(name)
    if found is None:
        raise UnknownTemplateError(name, templates)
    return found


def _string(text: str) -> str:
    return json.dumps(clean_str(text), ensure_ascii=False)


def envelope(data: str, fmt: str, meta: Mapping[str, Any] | None = None) -> str:
    """The JSON text ``{"data": <data>, "format": fmt[, "meta": meta]}``; ``data`` is JSON text."""
    text = '{"data": ' + data.strip() + ', "format": ' + json.dumps(fmt)
    if meta:
        text += ', "meta": ' + dumps(dict(meta), dates=False, indent=None)
    return text + "}"


def error_text(message: str) -> str:
    return json.dumps({"detail": clean_str(message)}, ensure_ascii=False)


def _attributes(obj: Mapping[str, Any]) -> Any:
    attrs = obj.get("attributes")
    return attrs if isinstance(attrs, dict) else {}


def report(obj: dict[str, Any], fmt: str, template: Template | None, *, attributes_only: bool) -> str:
    """One object as ``data`` JSON text. ``attributes_only``: VT4AI's shape for json and raw."""
    if fmt == "raw":
        return dump_raw(_attributes(obj) if attributes_only else obj)
    if fmt == "json":
        if attributes_only:
            return dumps(_attributes(apply_template(obj, template)), indent=None)
        return render(obj, "json", template=template)
    return _string(render(obj, fmt, template=template))


def relations(obj: dict[str, Any], relationship: str, items: Sequence[dict[str, Any]], page_meta: Mapping[str, Any],
              fmt: str, template: Template | None, source: str) -> str:
    """A relationship page (full related objects) as ``data`` JSON text, in VT4AI's shape
    for json and raw; Markdown, XML and CSV render the page's items."""
    if fmt in ("json", "raw"):
        trim = fmt == "json"
        value = {
            "attributes": _attributes(apply_template(obj, template) if trim else obj),
            "relationships": {relationship: {
                "data": [apply_template(item, template) for item in items] if trim else list(items),
                "meta": dict(page_meta),
            }},
        }
        return dumps(value, indent=None) if trim else dump_raw(value)
    return _string(render(list(items), fmt, template=template, relationship=relationship, source=source))


def listing(items: Sequence[dict[str, Any]], fmt: str, template: Template | None, *, relationship: str,
            source: str) -> str:
    """A list of objects (comments, votes) as ``data`` JSON text."""
    if fmt == "raw":
        return dump_raw(list(items))
    if fmt == "json":
        return render(list(items), "json", template=template)
    return _string(render(list(items), fmt, template=template, relationship=relationship, source=source))


def plain(value: Any) -> str:
    """Any of vttui's own JSON values (descriptors, catalogues) as ``data`` JSON text."""
    return dumps(value, dates=False, indent=None)

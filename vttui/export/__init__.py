"""Exports: one object, a relationship page or a batch as JSON, Markdown, XML, raw or CSV.

    render(obj_or_reply_or_items, "markdown", template=get_template("essential"))
    render_batch([obj1, obj2], "json")
    export_trail(trail, "mermaid")          # vttui.export.trail_export

What ``render`` accepts: one object dict, a whole v3 reply (``{"data": ...}``), or a
list of object dicts (a relationship page). ``raw`` dumps exactly what it was given (a
reply stays a reply); every other format works on the objects, trimmed by the template.

Shapes per format:

=========  ======================  ==========================  =========================
format     one object              list (relationship page)    batch (render_batch)
=========  ======================  ==========================  =========================
json       the object              array of objects            array of objects
markdown   a report                a table of the items        reports separated by ---
xml        <vttui-export> with one <object> per object (the root carries ``relationship``)
raw        the input, untouched    the input, untouched        array of the inputs
csv        detections (all         one row per item            detections
           engines), with the                                  (the same columns)
           object's type and id
=========  ======================  ==========================  =========================

No format ever carries the API key: :func:`redact` is applied by the CLI and the TUI
to whatever they write, whatever the data holds.

A report served from the persistent cache says how old it is (``fetched``: see
:mod:`.provenance`): a ``vttui`` member in JSON and XML, a line in Markdown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..vt.errors import ErrorKind, VTError
from .provenance import provenance, with_meta, with_note
from .templates import (
    BUILTIN_TEMPLATES,
    Template,
    TemplateError,
    UnknownTemplateError,
    apply_template,
    get_template,
    load_templates,
)

if TYPE_CHECKING:
    from ..vt.cache import FetchInfo

__all__ = [
    "BUILTIN_TEMPLATES",
    "FORMATS",
    "FORMAT_EXTENSIONS",
    "Template",
    "TemplateError",
    "UnknownFormatError",
    "UnknownTemplateError",
    "apply_template",
    "get_template",
    "load_templates",
    "redact",
    "render",
    "render_batch",
]

FORMATS = ("json", "markdown", "xml", "raw", "csv")
FORMAT_EXTENSIONS = {"json": ".json", "markdown": ".md", "xml": ".xml", "raw": ".json", "csv": ".csv"}


class UnknownFormatError(VTError):
    kind = ErrorKind.INVALID

    def __init__(self, fmt: str) -> None:
        super().__init__(f"Unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}.")


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UnknownFormatError(fmt)


def _objects(value: Any) -> dict[str, Any] | list[Any]:
    """The object (dict) or items (list) inside whatever ``render`` was given."""
    if isinstance(value, dict) and "data" in value and not isinstance(value.get("type"), str):
        data = value.get("data")
        if isinstance(data, list):
            return [d for d in data if isinstance(d, dict)]
        return data if isinstance(data, dict) else {}
    if isinstance(value, (list, tuple)):
        return [d for d in value if isinstance(d, dict)]
    return value if isinstance(value, dict) else {}


def render(
    value: Any,
    fmt: str,
    *,
    template: Template | str | None = None,
    relationship: str | None = None,
    source: str | None = None,
    fetched: FetchInfo | None = None,
    defang: bool = False,
    source_type: str | None = None,
) -> str:
    """``value`` (an object, a reply or a list of objects) as text in ``fmt``.

    ``relationship`` and ``source`` (what the items are related to, e.g. "file abc")
    label a list in Markdown and XML; ``source_type`` (the type of that object) lets a
    CSV of resolutions give the other side's verdict counts. ``defang`` (Markdown and
    CSV only) disarms every URL, domain and IPv4 address in the output, for tickets.
    """
    _check(fmt)
    if defang:
        return _defanged(render(value, fmt, template=template, relationship=relationship, source=source,
                                fetched=fetched, source_type=source_type), fmt)
    from . import csv_out, json_out, markdown, xml_out  # only when exporting: keeps start-up light

    if fmt == "raw":
        return json_out.dump_raw(value) + "\n"
    template = get_template(template)
    found = _objects(value)
    if isinstance(found, list):
        items = [apply_template(o, template) for o in found]
        if fmt == "json":
            return json_out.dumps(items) + "\n"
        if fmt == "markdown":
            return markdown.page_markdown(items, relationship=relationship, source=source)
        if fmt == "xml":
            return xml_out.to_xml(items, relationship=relationship, source=source)
        return csv_out.page_csv(items, source_type)
    obj = apply_template(found, template)
    meta = provenance(fetched)
    if fmt == "json":
        return json_out.dumps(with_meta(obj, meta)) + "\n"
    if fmt == "markdown":
        return with_note(markdown.object_markdown(obj), meta)
    if fmt == "xml":
        return xml_out.to_xml([with_meta(obj, meta)])
    return csv_out.detections_csv(obj)


def render_batch(
    values: Iterable[Any],
    fmt: str,
    *,
    template: Template | str | None = None,
    fetched: Sequence[FetchInfo | None] | None = None,
    defang: bool = False,
) -> str:
    """Several looked-up objects as one document in ``fmt`` (input order kept).
    ``fetched`` holds each value's fetch info (for reports served from the cache)."""
    _check(fmt)
    if defang:
        return _defanged(render_batch(values, fmt, template=template, fetched=fetched), fmt)
    from . import csv_out, json_out, markdown, xml_out

    values = list(values)
    if fmt == "raw":
        return json_out.dump_raw(values) + "\n"
    template = get_template(template)
    objects = []
    metas = []
    for n, v in enumerate(values):
        found = _objects(v)
        if isinstance(found, dict):
            objects.append(apply_template(found, template))
            metas.append(provenance(fetched[n] if fetched is not None and n < len(fetched) else None))
    if fmt == "json":
        return json_out.dumps([with_meta(o, m) for o, m in zip(objects, metas, strict=True)]) + "\n"
    if fmt == "markdown":
        if not any(metas):
            return markdown.batch_markdown(objects)
        return markdown.SEPARATOR.join(
            with_note(markdown.object_markdown(o), m).rstrip("\n") for o, m in zip(objects, metas, strict=True)) + "\n"
    if fmt == "xml":
        return xml_out.to_xml([with_meta(o, m) for o, m in zip(objects, metas, strict=True)])
    return csv_out.batch_detections_csv(objects)


def _defanged(text: str, fmt: str) -> str:
    from ..vt.ioc import defang_text
    from .triage_export import DefangNotSupportedError

    if fmt not in ("markdown", "csv"):
        raise DefangNotSupportedError()
    return defang_text(text)


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` masked (all but its last 4 characters)."""
    if not secret or len(secret) < 8:
        return text
    return text.replace(secret, "***" + secret[-4:])

"""XML export: well-formed and parseable whatever the data.

Shape::

    <?xml version="1.0" encoding="UTF-8"?>
    <vttui-export generator="vttui" count="1">
      <object type="file" id="...">
        <attributes>
          <last_analysis_results>
            <Sangfor_Engine_Zero key="Sangfor Engine Zero">...</Sangfor_Engine_Zero>
          </last_analysis_results>
          <names><item>a.exe</item><item>b.exe</item></names>
          <first_submission_date iso="2019-01-01T00:00:00Z">1546300800</first_submission_date>
          <size type="int">1234</size>
          <signature_info null="true"/>
        </attributes>
      </object>
    </vttui-export>

Element names are made valid (ASCII letters, digits, ``_ - .``; never starting with a
digit, ``-``, ``.`` or ``xml``); when a name had to change, the original key is in a
``key`` attribute. Text is escaped and stripped of characters XML forbids (controls,
lone surrogates, U+FFFE/U+FFFF) and of terminal escapes. Nesting deeper than
``MAX_DEPTH`` is cut and marked ``truncated="true"``. Numbers and booleans carry a
``type`` attribute so a reader can restore them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..vt.sanitize import clean_line, clean_text
from .json_out import is_date_key, iso_date

MAX_DEPTH = 64
ROOT = "vttui-export"

# XML 1.0 forbids these outright; C1 controls are allowed but never wanted.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NAME_BAD = re.compile(r"[^A-Za-z0-9_.-]")


def xml_text(value: Any) -> str:
    """Escaped element text: no escapes, no controls, nothing XML forbids."""
    return escape(_ILLEGAL.sub("", clean_text(value)))


def xml_attr(value: Any) -> str:
    """A quoted attribute value (one line)."""
    return quoteattr(_ILLEGAL.sub("", clean_line(value)))


def xml_name(key: Any) -> str:
    """A valid element name for any key (the original goes in a ``key`` attribute)."""
    name = _NAME_BAD.sub("_", str(key) if key is not None else "")
    if not name or not (name[0].isalpha() or name[0] == "_") or name[:3].lower() == "xml":
        name = "_" + name
    return name


def _scalar(value: Any) -> tuple[str, dict[str, str]]:
    """(text, extra attributes) for a leaf value."""
    if value is None:
        return "", {"null": "true"}
    if isinstance(value, bool):
        return ("true" if value else "false"), {"type": "bool"}
    if isinstance(value, int):
        return str(value), {"type": "int"}
    if isinstance(value, float):
        if not math.isfinite(value):
            return "", {"null": "true"}
        return repr(value), {"type": "float"}
    return clean_text(value), {}


def _open(name: str, attrs: dict[str, str]) -> str:
    parts = [name] + [f"{k}={xml_attr(v)}" for k, v in attrs.items()]
    return "<" + " ".join(parts)


def _element(key: Any, value: Any, depth: int, out: list[str], *, item: bool = False) -> None:
    name = "item" if item else xml_name(key)
    attrs: dict[str, str] = {}
    if not item and name != key:
        attrs["key"] = clean_line(key)
    pad = "  " * depth
    if depth > MAX_DEPTH:
        attrs["truncated"] = "true"
        out.append(f"{pad}{_open(name, attrs)}/>")
        return
    if isinstance(value, dict):
        if not value:
            out.append(f"{pad}{_open(name, attrs)}/>")
            return
        out.append(f"{pad}{_open(name, attrs)}>")
        for k, v in value.items():
            _element(k, v, depth + 1, out)
        out.append(f"{pad}</{name}>")
        return
    if isinstance(value, (list, tuple)):
        attrs["list"] = "true"
        if not value:
            out.append(f"{pad}{_open(name, attrs)}/>")
            return
        out.append(f"{pad}{_open(name, attrs)}>")
        for v in value:
            _element(None, v, depth + 1, out, item=True)
        out.append(f"{pad}</{name}>")
        return
    text, extra = _scalar(value)
    attrs.update(extra)
    if not item and is_date_key(key):
        iso = iso_date(value)
        if iso:
            attrs["iso"] = iso
    body = xml_text(text) if text else ""
    if body:
        out.append(f"{pad}{_open(name, attrs)}>{body}</{name}>")
    else:
        out.append(f"{pad}{_open(name, attrs)}/>")


def _object(obj: Any, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if not isinstance(obj, dict):
        _element("value", obj, depth, out)
        return
    attrs = {}
    for key in ("type", "id"):
        if obj.get(key) is not None:
            attrs[key] = clean_line(obj.get(key))
    rest = {k: v for k, v in obj.items() if k not in ("type", "id")}
    if not rest:
        out.append(f"{pad}{_open('object', attrs)}/>")
        return
    out.append(f"{pad}{_open('object', attrs)}>")
    for k, v in rest.items():
        _element(k, v, depth + 1, out)
    out.append(f"{pad}</object>")


def root_open(**root_attrs: Any) -> str:
    """The prolog and opening root tag of a document written as it arrives (no count)."""
    attrs = {"generator": "vttui"}
    attrs.update({k: clean_line(v) for k, v in root_attrs.items() if v is not None})
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_open(ROOT, attrs)}>\n'


def object_xml(obj: Any) -> str:
    """One ``object`` element (with its newline), as :func:`to_xml` writes it."""
    out: list[str] = []
    _object(obj, 1, out)
    return "\n".join(out) + "\n"


def root_close() -> str:
    return f"</{ROOT}>\n"


def to_xml(objects: Iterable[Any], **root_attrs: Any) -> str:
    """One document: a ``vttui-export`` root with one ``object`` element per object."""
    objects = list(objects)
    attrs = {"generator": "vttui", "count": str(len(objects))}
    attrs.update({k: clean_line(v) for k, v in root_attrs.items() if v is not None})
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    if not objects:
        out.append(f"{_open(ROOT, attrs)}/>")
        return "\n".join(out) + "\n"
    out.append(f"{_open(ROOT, attrs)}>")
    for obj in objects:
        _object(obj, 1, out)
    out.append(f"</{ROOT}>")
    return "\n".join(out) + "\n"

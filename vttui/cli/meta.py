"""Offline reference commands: `vttui templates [NAME]` and `vttui relationship-types [TYPE]`.

Neither needs a key or the network.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..config import config_dir
from ..export.templates import Template, TemplateError, get_template, load_templates
from ..vt.errors import EXIT_CODES, ErrorKind, InvalidArgumentError
from ..vt.relationships import CATALOGUE, Relationship, relationships_for
from ..vt.sanitize import clean_line
from . import output
from .registry import command

#: Names users type for object types.
TYPE_ALIASES = {
    "file": "file", "files": "file", "hash": "file",
    "url": "url", "urls": "url",
    "domain": "domain", "domains": "domain",
    "ip": "ip_address", "ip_address": "ip_address", "ip-address": "ip_address", "ip_addresses": "ip_address",
    "collection": "collection", "collections": "collection",
}


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


# --- templates --------------------------------------------------------------------------


def _template_data(t: Template) -> dict[str, Any]:
    return {
        "name": t.name,
        "description": t.description,
        "source": t.source,
        "rules": {k: {"keep": list(r.keep), "drop": list(r.drop)} for k, r in t.rules.items()},
    }


def _show_template(t: Template) -> None:
    _out(f"{clean_line(t.name)} ({clean_line(t.source)})")
    _out(f"  {clean_line(t.description)}" if t.description else "  (no description)")
    if not t.rules:
        _out("  keeps every field")
    for type_name, rule in t.rules.items():
        _out(f"  [{clean_line(type_name)}]")
        if rule.keep:
            _out("    keep: " + ", ".join(clean_line(p) for p in rule.keep))
        if rule.drop:
            _out("    drop: " + ", ".join(clean_line(p) for p in rule.drop))


def _templates_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME", help="show one template's rules")
    p.add_argument("--json", action="store_true", help="print as JSON")


@command("templates", "list export templates (built-in and yours) with descriptions")(_templates_args)
async def templates(args: argparse.Namespace, _client: object) -> int:
    if args.name:
        t = get_template(str(args.name))
        assert t is not None  # a name gives a template, or UnknownTemplateError
        if args.json:
            _out(json.dumps(_template_data(t), indent=2, ensure_ascii=False))
        else:
            _show_template(t)
        return 0
    errors: list[TemplateError] = []
    found = load_templates(errors=errors)
    if args.json:
        _out(json.dumps([_template_data(t) for t in found.values()], indent=2, ensure_ascii=False))
    else:
        width = max(len(n) for n in found)
        for t in found.values():
            source = "built-in" if t.source == "built-in" else "user"
            _out(f"{clean_line(t.name):<{width}}  {source:<8}  {clean_line(t.description)}")
        _out()
        _out(f"Your templates go in {config_dir() / 'templates'}/NAME.toml; "
             "`vttui templates NAME` shows a template's rules.")
    for error in errors:
        output.error(error.message)
    return EXIT_CODES[ErrorKind.INVALID] if errors else 0


templates.offline = True  # type: ignore[attr-defined]


# --- relationship types -----------------------------------------------------------------


def _flags(rel: Relationship) -> str:
    flags = []
    if rel.premium:
        flags.append("premium")
    if rel.cap is not None:
        flags.append(f"capped at {rel.cap}")
    if not rel.in_tree:
        flags.append("own tab in the TUI")
    return f" [{', '.join(flags)}]" if flags else ""


def _rel_data(rel: Relationship) -> dict[str, Any]:
    return {"name": rel.name, "description": rel.description, "targets": list(rel.targets),
            "premium": rel.premium, "cap": rel.cap}


def _types_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("type", nargs="?", metavar="TYPE", help="file, url, domain or ip_address (default: all)")
    p.add_argument("--json", action="store_true", help="print as JSON")


@command("relationship-types", "list the relationships of each object type, with descriptions")(_types_args)
async def relationship_types(args: argparse.Namespace, _client: object) -> int:
    if args.type:
        object_type = TYPE_ALIASES.get(args.type.strip().lower())
        if object_type is None:
            raise InvalidArgumentError(
                f"Unknown object type {clean_line(args.type)!r}; valid: {', '.join(CATALOGUE)}."
            )
        types = [object_type]
    else:
        types = list(CATALOGUE)
    if args.json:
        data = {t: [_rel_data(r) for r in relationships_for(t)] for t in types}
        _out(json.dumps(data, indent=2))
        return 0
    for n, object_type in enumerate(types):
        if n:
            _out()
        _out(object_type)
        rels = relationships_for(object_type)
        width = max(len(r.name) for r in rels)
        for rel in rels:
            targets = "/".join(rel.targets)
            _out(f"  {rel.name:<{width}}  {rel.description} -> {targets}{_flags(rel)}")
    return 0


relationship_types.offline = True  # type: ignore[attr-defined]

"""Templates: named field selections per object type (keep-lists and drop-lists).

A template trims an object's ``attributes`` before any format renders it; the top-level
``type`` and ``id`` and every other key outside ``attributes`` (``links``,
``relationships``, ``context_attributes``) are always kept. Rules are given per object
type, or under ``"*"`` for every type; for one object the ``"*"`` rule and the rule of its
type are combined (their lists are joined).

Paths are dotted and relative to ``attributes``:

* ``last_analysis_stats`` keeps (or drops) that whole field;
* ``*`` matches any one key at that level, or every item of a list:
  ``last_analysis_results.*.result``;
* a digit segment picks a list item by index (``names.0``); any other segment reached
  on a list applies to each item (``crowdsourced_yara_results.rule_name``);
* keys holding a dot, a star or a backslash are written with a backslash before it:
  ``last_analysis_results.Dr\\.Web.result`` (in TOML use a literal string,
  ``'last_analysis_results.Dr\\.Web.result'``). Spaces need nothing:
  ``last_analysis_results.Sangfor Engine Zero``.

``keep`` empty (in both rules) means keep everything; ``drop`` is applied after ``keep``.

User templates are TOML files in ``<config dir>/templates/NAME.toml``::

    description = "What I paste into a ticket"

    ["*"]
    keep = ["last_analysis_stats", "reputation"]

    [file]
    keep = ["meaningful_name", "sha256", 'last_analysis_results.*.result']
    drop = ['last_analysis_results.Dr\\.Web']

A user template with the name of a built-in one replaces it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..vt.errors import ErrorKind, VTError
from ..vt.refs import COLLECTION_OF_TYPE

__all__ = [
    "BUILTIN_TEMPLATES",
    "OBJECT_TYPES",
    "Rule",
    "Template",
    "TemplateError",
    "UnknownTemplateError",
    "apply_template",
    "get_template",
    "load_templates",
    "parse_path",
]

#: Types a rule may name (plus "*").
OBJECT_TYPES: tuple[str, ...] = tuple(
    sorted(set(COLLECTION_OF_TYPE) | {"resolution", "vote", "whois", "ssl_cert", "submission", "screenshot",
                                      "sigma_analysis", "reference", "threat_actor"})
)


class TemplateError(VTError):
    """A template (usually a user's TOML file) is malformed; the message names the file."""

    kind = ErrorKind.INVALID
    default_message = "The template is not valid."


class UnknownTemplateError(VTError):
    """No template has that name; the message lists the valid ones."""

    kind = ErrorKind.INVALID
    default_message = "There is no template of that name."

    def __init__(self, name: str, valid: Iterable[str]) -> None:
        self.name = name
        self.valid = tuple(sorted(valid))
        super().__init__(f"Unknown template {name!r}; valid templates: {', '.join(self.valid)}.")


# --- paths ------------------------------------------------------------------------------

STAR = object()  # the wildcard segment (a sentinel, so a key "*" written as \* differs)
Segment = Any  # str or STAR
Path_ = tuple[Segment, ...]


def parse_path(text: str) -> Path_:
    """Split a dotted path into segments; ``\\`` escapes ``.``, ``*`` and ``\\``."""
    if not isinstance(text, str) or not text:
        raise ValueError("a path cannot be empty")
    segments: list[Segment] = []
    current: list[str] = []
    escaped_any = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise ValueError(f"path {text!r} ends with a lone backslash")
            current.append(text[i + 1])
            escaped_any = True
            i += 2
            continue
        if ch == ".":
            segments.append(_segment(current, escaped_any, text))
            current, escaped_any = [], False
        else:
            current.append(ch)
        i += 1
    segments.append(_segment(current, escaped_any, text))
    return tuple(segments)


def _segment(chars: list[str], escaped: bool, text: str) -> Segment:
    seg = "".join(chars)
    if not seg:
        raise ValueError(f"path {text!r} has an empty segment (two dots, or a dot at an end)")
    if seg == "*" and not escaped:
        return STAR
    return seg


def format_path(path: Path_) -> str:
    """The text of a parsed path (inverse of parse_path)."""
    out = []
    for seg in path:
        if seg is STAR:
            out.append("*")
        else:
            out.append(seg.replace("\\", "\\\\").replace(".", "\\.").replace("*", "\\*"))
    return ".".join(out)


# --- templates --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    description: str
    rules: Mapping[str, Rule] = field(default_factory=dict)
    #: "built-in" or the file it came from.
    source: str = "built-in"

    def paths_for(self, object_type: str) -> tuple[list[Path_], list[Path_]]:
        """The (keep, drop) paths for an object type: the "*" rule joined with its own."""
        keep: list[Path_] = []
        drop: list[Path_] = []
        for key in ("*", object_type):
            rule = self.rules.get(key)
            if rule is not None:
                keep.extend(parse_path(p) for p in rule.keep)
                drop.extend(parse_path(p) for p in rule.drop)
        return keep, drop

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.rules)


def _builtin(name: str, description: str, rules: dict[str, dict[str, list[str]]]) -> Template:
    return Template(name, description,
                    {t: Rule(tuple(r.get("keep", ())), tuple(r.get("drop", ()))) for t, r in rules.items()})


_VERDICT = ["last_analysis_stats", "last_analysis_date", "reputation", "total_votes", "tags",
            # which engines said what (the Markdown report lists the ones that flagged it)
            "last_analysis_results.*.category", "last_analysis_results.*.result"]

BUILTIN_TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _builtin("essential", "What an analyst pastes into a ticket: identity, verdict, key facts", {
            "file": {"keep": [*_VERDICT, "sha256", "sha1", "md5", "meaningful_name", "size", "type_description",
                              "first_submission_date", "last_submission_date", "times_submitted",
                              "popular_threat_classification.suggested_threat_label", "signature_info.verified",
                              "signature_info.product", "signature_info.signers"]},
            "url": {"keep": [*_VERDICT, "url", "last_final_url", "title", "first_submission_date",
                             "last_http_response_code", "threat_names", "categories"]},
            "domain": {"keep": [*_VERDICT, "registrar", "creation_date", "expiration_date", "categories",
                                "last_dns_records", "last_dns_records_date"]},
            "ip_address": {"keep": [*_VERDICT, "network", "asn", "as_owner", "country", "continent"]},
            "analysis": {"keep": ["status", "date", "stats"]},
        }),
        _builtin("detections", "Verdicts only: stats and every engine's answer, threat names, rule hits", {
            "*": {"keep": ["last_analysis_stats", "last_analysis_results", "last_analysis_date", "reputation",
                           "total_votes"]},
            "file": {"keep": ["meaningful_name", "popular_threat_classification", "sandbox_verdicts",
                              "crowdsourced_yara_results", "crowdsourced_ids_stats", "sigma_analysis_stats",
                              "threat_severity"]},
            "url": {"keep": ["url", "threat_names", "categories"]},
            "domain": {"keep": ["categories"]},
            "analysis": {"keep": ["status", "date", "stats", "results"]},
        }),
        _builtin("network", "Network facts for domains and IPs: DNS, whois, certificate, ASN", {
            "*": {"keep": ["last_analysis_stats", "reputation"]},
            "domain": {"keep": ["registrar", "creation_date", "expiration_date", "last_update_date", "tld",
                                "last_dns_records", "last_dns_records_date", "whois", "whois_date",
                                "last_https_certificate", "last_https_certificate_date", "jarm",
                                "popularity_ranks", "categories"]},
            "ip_address": {"keep": ["network", "asn", "as_owner", "country", "continent",
                                    "regional_internet_registry", "whois", "whois_date",
                                    "last_https_certificate", "last_https_certificate_date", "jarm"]},
            "url": {"keep": ["url", "last_final_url", "last_http_response_code", "last_http_response_headers",
                             "redirection_chain", "outgoing_links", "tld"]},
            "file": {"keep": ["sha256", "meaningful_name"]},
        }),
        _builtin("full", "Everything VirusTotal returned (no trimming)", {}),
    )
}


# --- loading ----------------------------------------------------------------------------


def _user_dir(config_dir: Path | str | None) -> Path:
    if config_dir is None:
        from ..config import config_dir as default_dir

        config_dir = default_dir()
    return Path(config_dir) / "templates"


def load_template_file(path: Path) -> Template:
    """One user template; TemplateError naming the file when it is malformed."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"Cannot read template {where}: {exc.strerror or exc}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"Template {where} is not valid TOML: {exc}.") from None
    description = data.pop("description", "")
    data.pop("name", None)  # the file name is the template's name
    if not isinstance(description, str):
        raise TemplateError(f"Template {where}: 'description' must be a string.")
    rules: dict[str, Rule] = {}
    for type_name, table in data.items():
        if type_name != "*" and type_name not in OBJECT_TYPES:
            raise TemplateError(
                f"Template {where}: [{type_name}] is not an object type; use one of "
                f"{', '.join(OBJECT_TYPES)} or \"*\"."
            )
        if not isinstance(table, dict):
            raise TemplateError(f"Template {where}: {type_name!r} must be a table with keep and/or drop lists.")
        unknown = set(table) - {"keep", "drop"}
        if unknown:
            raise TemplateError(f"Template {where}: [{type_name}] has unknown keys {', '.join(sorted(unknown))} "
                                "(only keep and drop).")
        lists = {}
        for key in ("keep", "drop"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
                raise TemplateError(f"Template {where}: [{type_name}] {key} must be a list of strings.")
            for p in value:
                try:
                    parse_path(p)
                except ValueError as exc:
                    raise TemplateError(f"Template {where}: [{type_name}] {key}: {exc}.") from None
            lists[key] = tuple(value)
        rules[type_name] = Rule(lists["keep"], lists["drop"])
    return Template(path.stem, description, rules, source=where)


def load_templates(config_dir: Path | str | None = None, *,
                   errors: list[TemplateError] | None = None) -> dict[str, Template]:
    """Built-in templates plus the user's (which win on a name clash).

    A malformed user file raises TemplateError, unless ``errors`` is given: then the
    error is appended there and the file skipped (for listings).
    """
    templates = dict(BUILTIN_TEMPLATES)
    folder = _user_dir(config_dir)
    try:
        files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    except OSError:
        files = []
    for path in files:
        try:
            templates[path.stem] = load_template_file(path)
        except TemplateError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return templates


def get_template(name: str | Template | None, config_dir: Path | str | None = None) -> Template | None:
    """The template called ``name`` (None passes through); UnknownTemplateError lists the valid names."""
    if name is None or isinstance(name, Template):
        return name
    folder = _user_dir(config_dir)
    try:
        user_file = next((p for p in folder.glob("*.toml") if p.stem == name), None) if folder.is_dir() else None
    except OSError:
        user_file = None
    if user_file is not None:
        return load_template_file(user_file)  # a broken file of this name is an error
    if name in BUILTIN_TEMPLATES:
        return BUILTIN_TEMPLATES[name]
    raise UnknownTemplateError(name, load_templates(config_dir, errors=[]))


# --- applying ---------------------------------------------------------------------------

_MISSING = object()


def _matches(seg: Segment, key: Any) -> bool:
    return seg is STAR or seg == key


def _list_step(seg: Segment, index: int) -> bool | None:
    """How a segment meets list item ``index``: True consumes it, None passes through, False misses."""
    if seg is STAR:
        return True
    if seg.isascii() and seg.isdigit():
        return int(seg) == index
    return None


def _keep(value: Any, paths: list[Path_]) -> Any:
    """The parts of ``value`` reached by ``paths`` (containers rebuilt, nothing mutated)."""
    if any(not p for p in paths):
        return value
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            rest = [p[1:] for p in paths if _matches(p[0], key)]
            if rest:
                kept = _keep(child, rest)
                if kept is not _MISSING:
                    out[key] = kept
        return out if out else _MISSING
    if isinstance(value, list):
        items = []
        for index, child in enumerate(value):
            rest = []
            for p in paths:
                step = _list_step(p[0], index)
                if step is True:
                    rest.append(p[1:])
                elif step is None:
                    rest.append(p)
            if rest:
                kept = _keep(child, rest)
                if kept is not _MISSING:
                    items.append(kept)
        return items if items else _MISSING
    return _MISSING


def _drop(value: Any, paths: list[Path_]) -> Any:
    """``value`` without the parts reached by ``paths`` (untouched parts are shared)."""
    if any(not p for p in paths):
        return _MISSING
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            rest = [p[1:] for p in paths if _matches(p[0], key)]
            if not rest:
                out[key] = child
                continue
            left = _drop(child, rest)
            if left is not _MISSING:
                out[key] = left
        return out
    if isinstance(value, list):
        items = []
        for index, child in enumerate(value):
            rest = []
            for p in paths:
                step = _list_step(p[0], index)
                if step is True:
                    rest.append(p[1:])
                elif step is None:
                    rest.append(p)
            if not rest:
                items.append(child)
                continue
            left = _drop(child, rest)
            if left is not _MISSING:
                items.append(left)
        return items
    return value


def select(attributes: Any, keep: list[Path_], drop: list[Path_]) -> dict[str, Any]:
    """Attributes trimmed by keep- and drop-paths (keep empty means keep all)."""
    attrs = attributes if isinstance(attributes, dict) else {}
    if keep:
        kept = _keep(attrs, keep)
        attrs = kept if isinstance(kept, dict) else {}
    if drop:
        left = _drop(attrs, drop)
        attrs = left if isinstance(left, dict) else {}
    return attrs


def apply_template(obj: Any, template: Template | None) -> Any:
    """A trimmed copy of one object dict (the input is never modified).

    Non-dicts and objects without attributes are returned as they are, as is
    everything when ``template`` is None.
    """
    if template is None or not isinstance(obj, dict):
        return obj
    kind = obj.get("type")
    object_type = kind if isinstance(kind, str) else ""
    keep, drop = template.paths_for(object_type)
    if not keep and not drop:
        return obj
    out = {k: v for k, v in obj.items() if k != "attributes"}
    if "attributes" in obj or keep:
        out["attributes"] = select(obj.get("attributes"), keep, drop)
    return out

"""File reports: hashes, names, type, threat classification, PE, signature, tool output."""

from __future__ import annotations

from typing import Any

from .base import SandboxVerdict, VTObject
from .coerce import as_dict, as_float, as_int, as_list, as_str, one_line, pick_rows, str_list
from .fields import Date, Int, Str, StrDict, StrList

__all__ = ["File"]


def _value_counts(v: Any) -> list[tuple[str, int]]:
    """``[{"value": x, "count": n}]`` lists of popular_threat_classification."""
    out = []
    for item in as_list(v):
        d = as_dict(item)
        value = as_str(d.get("value"))
        if value:
            out.append((value, max(as_int(d.get("count"), 0) or 0, 0)))
    return out


class File(VTObject):
    md5 = Str()
    sha1 = Str()
    ssdeep = Str()
    tlsh = Str()
    vhash = Str()
    authentihash = Str()
    permhash = Str()
    telfhash = Str()
    imphash = Str(path="pe_info.imphash")

    @property
    def sha256(self) -> str:
        return as_str(self.attributes.get("sha256")) or self.id

    names = StrList()
    meaningful_name = Str()

    @property
    def title(self) -> str:
        names = self.names
        return one_line(self.meaningful_name or (names[0] if names else "") or self.sha256)

    size = Int(minimum=0)
    type_description = Str()
    magic = Str()
    magika = Str()
    threat_label = Str(path="popular_threat_classification.suggested_threat_label")

    @property
    def threat_categories(self) -> list[tuple[str, int]]:
        return _value_counts(self.attr("popular_threat_classification.popular_threat_category"))

    @property
    def threat_families(self) -> list[tuple[str, int]]:
        return _value_counts(self.attr("popular_threat_classification.popular_threat_name"))

    #: Google's severity level, e.g. ``SEVERITY_HIGH`` (empty when not given).
    threat_severity = Str(path="threat_severity.threat_severity_level")
    first_submission_date = Date()
    last_submission_date = Date()
    times_submitted = Int()
    unique_sources = Int()

    # PE ---------------------------------------------------------------------------------

    @property
    def pe_info(self) -> dict[Any, Any]:
        return as_dict(self.attributes.get("pe_info"))

    @property
    def pe_sections(self) -> list[dict[str, str | int | float | None]]:
        out: list[dict[str, str | int | float | None]] = []
        for item in as_list(self.pe_info.get("sections")):
            s = as_dict(item)
            if not s:
                continue
            out.append({
                "name": as_str(s.get("name")),
                "virtual_address": as_int(s.get("virtual_address")),
                "virtual_size": as_int(s.get("virtual_size")),
                "raw_size": as_int(s.get("raw_size")),
                "entropy": as_float(s.get("entropy")),
                "md5": as_str(s.get("md5")),
                "chi2": as_float(s.get("chi2")),
                "flags": as_str(s.get("flags")),
            })  # fmt: skip
        return out

    @property
    def pe_imports(self) -> list[tuple[str, list[str]]]:
        out = []
        for item in as_list(self.pe_info.get("import_list")):
            d = as_dict(item)
            library = as_str(d.get("library_name"))
            functions = str_list(d.get("imported_functions"))
            if library or functions:
                out.append((library, functions))
        return out

    pe_exports = StrList(path="pe_info.exports")
    pe_entry_point = Int(path="pe_info.entry_point")
    pe_timestamp = Date(path="pe_info.timestamp")
    pe_machine_type = Int(path="pe_info.machine_type")

    @property
    def pe_resource_types(self) -> dict[str, int]:
        out = {}
        for k, v in as_dict(self.pe_info.get("resource_types")).items():
            n = as_int(v)
            if isinstance(k, str) and n is not None:
                out[k] = n
        return out

    # signature --------------------------------------------------------------------------

    @property
    def signature_info(self) -> dict[Any, Any]:
        return as_dict(self.attributes.get("signature_info"))

    @property
    def signature(self) -> dict[str, str]:
        """The text fields of ``signature_info`` under snake_case names; empty ones left out.

        VirusTotal's keys hold spaces ("signing date", "counter signers"); nested
        details (x509, signers details) are left to :attr:`signature_info`.
        """
        out: dict[str, str] = {}
        for key, value in self.signature_info.items():
            text = as_str(value).strip()
            if isinstance(key, str) and text:
                out[key.strip().lower().replace(" ", "_").replace("-", "_")] = text
        return out

    # classification tools ---------------------------------------------------------------

    @property
    def trid(self) -> list[tuple[str, float | None]]:
        out = []
        for item in as_list(self.attributes.get("trid")):
            d = as_dict(item)
            file_type = as_str(d.get("file_type"))
            if file_type:
                out.append((file_type, as_float(d.get("probability"))))
        return out

    @property
    def detect_it_easy(self) -> list[str]:
        """Detect It Easy findings as ``Type: Name (version)`` lines."""
        out = []
        for item in as_list(self.attr("detectiteasy.values")):
            d = as_dict(item)
            name = as_str(d.get("name"))
            if not name:
                continue
            kind, version = as_str(d.get("type")), as_str(d.get("version"))
            out.append(f"{kind + ': ' if kind else ''}{name}{f' ({version})' if version else ''}")
        return out

    packers = StrDict()
    exiftool = StrDict()

    @property
    def sandbox_verdicts(self) -> list[SandboxVerdict]:
        out = []
        for key, item in as_dict(self.attributes.get("sandbox_verdicts")).items():
            d = as_dict(item)
            name = as_str(d.get("sandbox_name")) or as_str(key)
            if not name or not d:
                continue
            out.append(SandboxVerdict(
                sandbox=name,
                category=as_str(d.get("category")),
                classifications=tuple(str_list(d.get("malware_classification"))),
                malware_names=tuple(str_list(d.get("malware_names"))),
                confidence=as_int(d.get("confidence")),
            ))  # fmt: skip
        return out

    @property
    def crowdsourced_yara(self) -> list[dict[str, str]]:
        keys = ("rule_name", "ruleset_name", "ruleset_id", "author", "source", "description")
        return pick_rows(self.attributes.get("crowdsourced_yara_results"), keys, "rule_name")

    @property
    def crowdsourced_ids(self) -> list[dict[str, str]]:
        keys = ("rule_msg", "rule_id", "alert_severity", "rule_category", "rule_source", "rule_url")
        return pick_rows(self.attributes.get("crowdsourced_ids_results"), keys, "rule_msg")

    @property
    def sigma_rules(self) -> list[dict[str, str]]:
        keys = ("rule_title", "rule_level", "rule_source", "rule_author", "rule_description", "rule_id")
        return pick_rows(self.attributes.get("sigma_analysis_results"), keys, "rule_title")

"""Type-aware sections of a report (hashes, PE, signature, whois, DNS...).

One description of "what matters about this object", used by the Details tab and the
Markdown export alike, so both show the same facts. Values are raw (untrusted) strings:
each renderer escapes them its own way. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..vt.models import URL, Collection, Domain, File, IPAddress, Pivot, Reference, ThreatActor, VTObject, as_str
from ..vt.refs import ObjectRef

#: Rows shown per list (names, imports...) before "… N more".
MAX_ROWS = 200


@dataclass(slots=True)
class Row:
    label: str
    value: str
    #: Where enter on this row goes (a pivot), when the value names an object.
    ref: ObjectRef | None = None

    @property
    def copy(self) -> str:
        return self.value


@dataclass(slots=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    more: int = 0  # rows left out
    #: The pivot of each row (parallel to ``rows``; empty when no row leads anywhere).
    refs: list[ObjectRef | None] = field(default_factory=list)

    def ref(self, index: int) -> ObjectRef | None:
        return self.refs[index] if 0 <= index < len(self.refs) else None


@dataclass(slots=True)
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    text: str | None = None  # a block such as whois
    #: attribute names this section covers (so the raw tree can show the rest)
    covers: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.rows and not any(t.rows for t in self.tables) and not self.text


def fmt_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def fmt_size(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n:,} B"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit} ({n:,} bytes)"
    return f"{n:,} B"


def _rows(*pairs: tuple[str, Any]) -> list[Row]:
    out = []
    for label, value in pairs:
        if value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, datetime):
            value = fmt_date(value)
        elif isinstance(value, (list, tuple)):
            value = ", ".join(as_str(v) for v in value[:MAX_ROWS])
        out.append(Row(label, as_str(value)))
    return out


def _table(columns: list[str], rows: list[list[Any]], refs: list[ObjectRef | None] | None = None) -> Table:
    shown = rows[:MAX_ROWS]
    kept = list(refs[: len(shown)]) if refs and any(refs) else []
    return Table(columns, [[as_str(c) for c in row] for row in shown], max(0, len(rows) - len(shown)), kept)


def _pivot_table(columns: list[str], rows: list[list[Any]], pivots: list[Pivot]) -> Table:
    """A table whose rows lead to the objects of ``pivots`` (one per row)."""
    return _table(columns, rows, [p.ref for p in pivots])


def _with_refs(rows: list[Row], refs: dict[str, ObjectRef | None]) -> list[Row]:
    for row in rows:
        row.ref = refs.get(row.label)
    return rows


def _kv_table(title_key: str, title_value: str, mapping: dict[str, Any]) -> Table:
    return _table([title_key, title_value], [[k, v] for k, v in mapping.items()])


# --- per type ---------------------------------------------------------------------------


def _file_sections(f: File) -> list[Section]:
    out = [
        Section("hashes", "Hashes", _rows(
            ("SHA-256", f.sha256), ("SHA-1", f.sha1), ("MD5", f.md5), ("ssdeep", f.ssdeep),
            ("TLSH", f.tlsh), ("vhash", f.vhash), ("imphash", f.imphash), ("authentihash", f.authentihash),
            ("permhash", f.permhash), ("telfhash", f.telfhash),
        ), covers=("sha256", "sha1", "md5", "ssdeep", "tlsh", "vhash", "authentihash", "permhash", "telfhash")),
        Section("file", "File", _rows(
            ("Type", f.type_description), ("Magic", f.magic), ("Magika", f.magika),
            ("Size", fmt_size(f.size)), ("Meaningful name", f.meaningful_name),
            ("First submitted", f.first_submission_date), ("Last submitted", f.last_submission_date),
            ("Last analysed", f.last_analysis_date), ("Times submitted", f.times_submitted),
            ("Unique sources", f.unique_sources), ("Tags", f.tags),
        ), covers=("type_description", "magic", "magika", "size", "meaningful_name", "first_submission_date",
                   "last_submission_date", "last_analysis_date", "times_submitted", "unique_sources", "tags",
                   "type_tag", "type_tags", "type_extension")),
    ]
    names = f.names
    if names:
        out.append(Section("names", f"Names ({len(names)})", tables=[_table(["Name"], [[n] for n in names])],
                           covers=("names",)))
    threat = _rows(
        ("Threat label", f.threat_label),
        ("Categories", [f"{v} ({c})" for v, c in f.threat_categories]),
        ("Families", [f"{v} ({c})" for v, c in f.threat_families]),
        ("Severity", f.threat_severity),
    )
    verdicts = f.sandbox_verdicts
    tables = []
    if verdicts:
        tables.append(_table(["Sandbox", "Category", "Malware names", "Confidence"], [
            [v.sandbox, v.category, ", ".join(v.malware_names or v.classifications),
             v.confidence if v.confidence is not None else ""]
            for v in verdicts
        ]))
    if threat or tables:
        out.append(Section("threat", "Threat", threat, tables,
                           covers=("popular_threat_classification", "sandbox_verdicts", "threat_severity")))
    sig = f.signature
    if sig:
        out.append(Section("signature", "Signature", _rows(*sig.items()), covers=("signature_info",)))
    pe = f.pe_info
    if pe:
        pe_rows = _rows(
            ("Compiled", f.pe_timestamp), ("Entry point", f.pe_entry_point),
            ("Machine type", f.pe_machine_type), ("imphash", f.imphash),
        )
        pe_tables = []
        sections = f.pe_sections
        if sections:
            cols = ["name", "virtual_address", "virtual_size", "raw_size", "entropy", "md5"]
            pe_tables.append(_table(["Section", "Virtual address", "Virtual size", "Raw size", "Entropy", "MD5"],
                                    [[_fmt_cell(s.get(c)) for c in cols] for s in sections]))
        imports = f.pe_imports
        if imports:
            pe_tables.append(_table(
                ["Library", "Imported functions"],
                [[lib, ", ".join(funcs[:40]) + (f" … {len(funcs) - 40} more" if len(funcs) > 40 else "")]
                 for lib, funcs in imports]))
        exports = f.pe_exports
        if exports:
            pe_tables.append(_table(["Exported function"], [[e] for e in exports]))
        resources = f.pe_resource_types
        if resources:
            pe_tables.append(_kv_table("Resource type", "Count", resources))
        out.append(Section("pe", "Portable Executable", pe_rows, pe_tables, covers=("pe_info",)))
    trid = f.trid
    if trid:
        trid_rows = [[t, f"{p:.1f} %" if p is not None else ""] for t, p in trid]
        out.append(Section("trid", "TrID", tables=[_table(["File type", "Probability"], trid_rows)], covers=("trid",)))
    die = f.detect_it_easy
    packers = f.packers
    if die or packers:
        out.append(Section("packers", "Packers and compilers", _rows(("Detect It Easy", die), *packers.items()),
                           covers=("detectiteasy", "packers")))
    yara = f.crowdsourced_yara
    ids = f.crowdsourced_ids
    sigma = f.sigma_rules
    if yara or ids or sigma:
        tables = []
        if yara:
            tables.append(_table(["YARA rule", "Ruleset", "Author", "Source"],
                                 [[y.get("rule_name", ""), y.get("ruleset_name", ""), y.get("author", ""),
                                   y.get("source", "")] for y in yara]))
        if ids:
            tables.append(_table(["IDS alert", "Severity", "Category"],
                                 [[i.get("rule_msg", ""), i.get("alert_severity", ""), i.get("rule_category", "")]
                                  for i in ids]))
        if sigma:
            tables.append(_table(["Sigma rule", "Level", "Source"],
                                 [[s.get("rule_title", ""), s.get("rule_level", ""), s.get("rule_source", "")]
                                  for s in sigma]))
        out.append(Section("rules", "Crowdsourced rules", tables=tables, covers=(
            "crowdsourced_yara_results", "crowdsourced_ids_results", "crowdsourced_ids_stats",
            "sigma_analysis_results", "sigma_analysis_summary", "sigma_analysis_stats")))
    exif = f.exiftool
    if exif:
        out.append(Section("exiftool", "ExifTool", tables=[_kv_table("Field", "Value", exif)], covers=("exiftool",)))
    return out


def _fmt_cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:#x}" if value > 4096 else str(value)
    return as_str(value)


def _url_sections(u: URL) -> list[Section]:
    location = u.network_location_ref
    out = [Section("url", "URL", _with_refs(_rows(
        ("URL", u.url), ("Final URL", u.final_url), ("Network location", location.id if location else ""),
        ("Title", u.page_title), ("Status", u.status),
        ("Content type", u.content_type), ("Content length", fmt_size(u.content_length)),
        ("Content SHA-256", u.content_sha256), ("First submitted", u.first_submission_date),
        ("Last submitted", u.last_submission_date), ("Last analysed", u.last_analysis_date),
        ("Times submitted", u.times_submitted), ("Threat names", u.threat_names), ("Tags", u.tags),
    ), {"Final URL": u.final_url_pivot.ref, "Network location": location, "Content SHA-256": u.body_ref}),
        covers=("url", "last_final_url", "title", "last_http_response_code", "last_http_response_content_length",
               "last_http_response_content_sha256", "first_submission_date", "last_submission_date",
               "last_analysis_date", "times_submitted", "threat_names", "tags", "tld"))]
    chain = u.redirection_chain
    if chain:
        table = _pivot_table(["#", "URL"], [[i + 1, x] for i, x in enumerate(chain)], u.redirection_pivots)
        out.append(Section("redirects", "Redirection chain", tables=[table], covers=("redirection_chain",)))
    headers = u.response_headers
    if headers:
        out.append(Section("headers", "Response headers", tables=[_kv_table("Header", "Value", headers)],
                           covers=("last_http_response_headers",)))
    if u.categories:
        out.append(Section("categories", "Categories", tables=[_kv_table("Source", "Category", u.categories)],
                           covers=("categories",)))
    links = u.outgoing_links
    if links:
        table = _pivot_table(["URL"], [[x] for x in links], u.outgoing_link_pivots)
        out.append(Section("links", f"Outgoing links ({len(links)})", tables=[table], covers=("outgoing_links",)))
    trackers = u.trackers
    if trackers:
        table = _pivot_table(["Tracker", "Id", "URL"], [list(t) for t in trackers], u.tracker_pivots)
        out.append(Section("trackers", "Trackers", tables=[table], covers=("trackers",)))
    meta = u.html_meta
    if meta:
        out.append(Section("html_meta", "HTML meta",
                           tables=[_table(["Name", "Content"], [[k, ", ".join(v)] for k, v in meta.items()])],
                           covers=("html_meta",)))
    cookies = u.cookies
    if cookies:
        out.append(Section("cookies", "Cookies", tables=[_kv_table("Cookie", "Value", cookies)],
                           covers=("last_http_response_cookies",)))
    return out


def _cert_section(obj: Domain | IPAddress) -> Section | None:
    cert = obj.ssl_cert
    if not obj.certificate:
        return None
    # The names stay one row (the certificate reads as one block); their pivots are
    # ``cert.san_pivots``, and the only name is a pivot of the row itself.
    sans = cert.san_pivots
    return Section("certificate", "HTTPS certificate", _with_refs(_rows(
        ("Subject", cert.subject_text), ("Issuer", cert.issuer_text),
        ("Valid from", cert.not_before), ("Valid until", cert.not_after),
        ("Alternative names", cert.sans), ("Serial number", cert.serial_number),
        ("SHA-256 thumbprint", cert.thumbprint_sha256), ("SHA-1 thumbprint", cert.thumbprint),
        ("Public key", cert.public_key_algorithm), ("Signature algorithm", cert.signature_algorithm),
        ("Retrieved", obj.certificate_date),
    ), {"Alternative names": sans[0].ref if len(sans) == 1 else None}),
        covers=("last_https_certificate", "last_https_certificate_date"))


def _whois_section(obj: Domain | IPAddress) -> Section | None:
    if not obj.whois:
        return None
    return Section("whois", "Whois", _rows(("Retrieved", obj.whois_date)), text=obj.whois,
                   covers=("whois", "whois_date"))


def _domain_sections(d: Domain) -> list[Section]:
    out = [Section("domain", "Domain", _rows(
        ("Registrar", d.registrar), ("Created", d.creation_date), ("Expires", d.expiration_date),
        ("Updated", d.last_update_date), ("TLD", d.tld), ("JARM", d.jarm), ("Tags", d.tags),
    ), covers=("registrar", "creation_date", "expiration_date", "last_update_date", "tld", "jarm", "tags"))]
    if d.categories:
        out.append(Section("categories", "Categories", tables=[_kv_table("Source", "Category", d.categories)],
                           covers=("categories",)))
    ranks = d.popularity_ranks
    if ranks:
        out.append(Section("popularity", "Popularity ranks",
                           tables=[_table(["Source", "Rank"], [list(r) for r in ranks])], covers=("popularity_ranks",)))
    records = d.dns_records
    if records:
        title = "DNS records"
        if d.last_dns_records_date:
            title += f" ({fmt_date(d.last_dns_records_date)})"
        table = _pivot_table(["Type", "Value", "TTL"],
                             [[t, v, ttl if ttl is not None else ""] for t, v, ttl in records],
                             d.dns_pivots)
        out.append(Section("dns", title, tables=[table], covers=("last_dns_records", "last_dns_records_date")))
    for section in (_cert_section(d), _whois_section(d)):
        if section is not None:
            out.append(section)
    return out


def _ip_sections(ip: IPAddress) -> list[Section]:
    out = [Section("network", "Network", _rows(
        ("Network", ip.network), ("ASN", f"AS{ip.asn}" if ip.asn is not None else None), ("Owner", ip.as_owner),
        ("Country", ip.country), ("Continent", ip.continent), ("Registry", ip.regional_internet_registry),
        ("JARM", ip.jarm), ("Tags", ip.tags),
    ), covers=("network", "asn", "as_owner", "country", "continent", "regional_internet_registry", "jarm", "tags"))]
    context = ip.crowdsourced_context
    if context:
        out.append(Section("context", "Crowdsourced context", tables=[_table(
            ["Title", "Source", "Details"],
            [[c.get("title", ""), c.get("source", ""), c.get("details", "")] for c in context])],
            covers=("crowdsourced_context",)))
    for section in (_cert_section(ip), _whois_section(ip)):
        if section is not None:
            out.append(section)
    return out


def _collection_sections(c: Collection) -> list[Section]:
    counts = [(label, n) for _rel, label, n in c.ioc_counts if n is not None]
    out = [Section("collection", "Collection", _rows(
        ("Name", c.name), ("Type", c.collection_type), ("Origin", c.origin), ("Owner", c.owner),
        ("Created", c.creation_date), ("Updated", c.last_modification_date), ("Tags", c.tags),
        ("Also known as", c.alt_names), ("Source region", c.source_region),
        ("Targeted industries", c.targeted_industries), ("Targeted regions", c.targeted_regions),
    ), tables=[_table(["IoCs", "Count"], [list(p) for p in counts])] if counts else [],
        covers=("name", "collection_type", "origin", "owner", "creation_date", "last_modification_date", "tags",
                "alt_names", "source_region", "targeted_industries", "targeted_regions", "targeted_industries_tree",
                "targeted_regions_hierarchy", "files_count", "domains_count", "urls_count", "ip_addresses_count"))]
    if c.description:
        out.append(Section("description", "Description", text=c.description, covers=("description",)))
    return out


def _threat_actor_sections(a: ThreatActor) -> list[Section]:
    out = [Section("actor", "Threat actor", _rows(
        ("Name", a.name), ("Aliases", a.aliases), ("First seen", a.first_seen_date), ("Last seen", a.last_seen_date),
        ("Source region", a.source_region), ("Sponsor region", a.sponsor_region), ("Motivations", a.motivations),
        ("Targeted industries", a.targeted_industries), ("Targeted regions", a.targeted_regions),
        ("Related objects", a.related_entities_count), ("Updated", a.last_modification_date),
    ), covers=("name", "aliases", "first_seen_date", "last_seen_date", "source_region", "sponsor_region",
               "motivations", "targeted_industries", "targeted_regions", "targeted_industries_tree",
               "targeted_regions_hierarchy", "related_entities_count", "last_modification_date"))]
    if a.description:
        out.append(Section("description", "Description", text=a.description, covers=("description",)))
    return out


def sections_for(obj: VTObject) -> list[Section]:
    """The sections worth showing for this object, in reading order; empty ones dropped."""
    if isinstance(obj, File):
        sections = _file_sections(obj)
    elif isinstance(obj, URL):
        sections = _url_sections(obj)
    elif isinstance(obj, Domain):
        sections = _domain_sections(obj)
    elif isinstance(obj, IPAddress):
        sections = _ip_sections(obj)
    elif isinstance(obj, Collection):
        sections = _collection_sections(obj)
    elif isinstance(obj, ThreatActor):
        sections = _threat_actor_sections(obj)
    elif isinstance(obj, Reference):
        sections = [Section("reference", "Reference", _rows(
            ("Title", obj.title), ("URL", obj.url), ("Author", obj.author), ("Source", obj.source),
            ("Published", obj.creation_date)), covers=("title", "url", "author", "source", "creation_date"))]
    else:
        sections = []
    return [s for s in sections if not s.empty]


#: Attributes the header or the Detections tab already show.
SHOWN_ELSEWHERE = (
    "last_analysis_results", "last_analysis_stats", "reputation", "total_votes",
)


def uncovered_attributes(obj: VTObject, sections: list[Section]) -> dict[str, Any]:
    """Attributes no section shows: the raw tree lists these."""
    covered = set(SHOWN_ELSEWHERE)
    for section in sections:
        covered.update(section.covers)
    return {k: v for k, v in obj.attributes.items() if k not in covered}

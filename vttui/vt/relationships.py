"""The catalogue of v3 relationships per object type, with one-line descriptions.

Used by the relations tree (what can be expanded, what is premium-only), by the CLI
(`vttui relationship-types`) and by the demo backend (which relationships exist).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Relationship:
    name: str
    description: str
    #: Object types the related items have ("resolution", "domain", ...).
    targets: tuple[str, ...]
    #: Needs a premium (VT Enterprise) key; public keys get 403 ForbiddenError.
    premium: bool = False
    #: The server never returns more than this many items (and then gives no cursor).
    cap: int | None = None
    #: Shown in the relations tree (comments and votes have tabs of their own).
    in_tree: bool = True

    @property
    def single(self) -> bool:
        """Relationships that point at exactly one object (parent, network_location...)."""
        return self.name in _SINGLE


_SINGLE = {"parent", "immediate_parent", "last_serving_ip_address", "network_location"}


def _r(
    name: str, description: str, *targets: str, premium: bool = False, cap: int | None = None, in_tree: bool = True
) -> Relationship:
    return Relationship(name, description, tuple(targets), premium, cap, in_tree)


_COMMON_TAIL = (
    _r("comments", "Community comments", "comment", in_tree=False),
    _r("votes", "Community votes", "vote", in_tree=False),
    _r("user_votes", "Your own votes", "vote", in_tree=False),
    _r("graphs", "VirusTotal graphs that include it", "graph"),
    _r("collections", "Collections (IoC lists) that contain it", "collection"),
    _r("related_threat_actors", "Threat actors associated with it", "threat_actor"),
    _r("related_references", "References (reports, articles) that mention it", "reference", premium=True),
)

FILE = (
    _r("contacted_domains", "Domains the file contacted when run in a sandbox", "domain"),
    _r("contacted_ips", "IP addresses the file contacted when run", "ip_address"),
    _r("contacted_urls", "URLs the file requested when run", "url"),
    _r("dropped_files", "Files written to disk when it ran", "file"),
    _r("execution_parents", "Files that executed this file", "file"),
    _r("bundled_files", "Files inside it (archives, installers)", "file"),
    _r("pe_resource_children", "Files found in its PE resources", "file"),
    _r("pe_resource_parents", "Files that carry it as a PE resource", "file"),
    _r("behaviours", "Sandbox behaviour reports", "file_behaviour"),
    _r("sigma_analysis", "Sigma rule matches in sandbox logs", "sigma_analysis"),
    _r("embedded_domains", "Domains found in its content", "domain", premium=True),
    _r("embedded_ips", "IP addresses found in its content", "ip_address", premium=True),
    _r("embedded_urls", "URLs found in its content", "url", premium=True),
    _r("itw_domains", "Domains it was downloaded from (in the wild)", "domain", premium=True),
    _r("itw_ips", "IP addresses it was downloaded from", "ip_address", premium=True),
    _r("itw_urls", "URLs it was downloaded from", "url", premium=True),
    _r("compressed_parents", "Archives that contain it", "file", premium=True),
    _r("email_attachments", "Files attached to it (for emails)", "file", premium=True),
    _r("email_parents", "Emails that carry it as an attachment", "file", premium=True),
    _r("overlay_children", "Files in its overlay", "file", premium=True),
    _r("overlay_parents", "Files that carry it in their overlay", "file", premium=True),
    _r("pcap_children", "Files extracted from it (for PCAPs)", "file", premium=True),
    _r("pcap_parents", "PCAPs it was extracted from", "file", premium=True),
    _r("memory_pattern_domains", "Domains found in its memory at run time", "domain", premium=True),
    _r("memory_pattern_ips", "IP addresses found in its memory at run time", "ip_address", premium=True),
    _r("memory_pattern_urls", "URLs found in its memory at run time", "url", premium=True),
    _r("carbonblack_children", "Files it created (Carbon Black telemetry)", "file", premium=True),
    _r("carbonblack_parents", "Files that created it (Carbon Black telemetry)", "file", premium=True),
    _r("similar_files", "Files similar to it", "file", premium=True),
    _r("submissions", "Submissions of the file", "submission", premium=True),
    _r("screenshots", "Screenshots taken in sandboxes", "screenshot", premium=True),
    _r("urls_for_embedded_js", "URLs that embed it as JavaScript", "url", premium=True),
    _r("analyses", "Past analyses of the file", "analysis", premium=True),
) + _COMMON_TAIL

DOMAIN = (
    _r("resolutions", "IP addresses it resolved to (passive DNS)", "resolution"),
    _r("communicating_files", "Files that contacted it when run", "file"),
    _r("referrer_files", "Files that contain it in their strings", "file"),
    _r("subdomains", "Its subdomains", "domain", cap=100),
    _r("siblings", "Domains under the same parent", "domain"),
    _r("parent", "Its parent domain", "domain"),
    _r("immediate_parent", "Its immediate parent domain", "domain"),
    _r("historical_whois", "Past whois records", "whois"),
    _r("historical_ssl_certificates", "Past TLS certificates", "ssl_cert"),
    _r("caa_records", "Domains in its CAA records", "domain"),
    _r("cname_records", "Domains in its CNAME records", "domain"),
    _r("mx_records", "Domains in its MX records", "domain"),
    _r("ns_records", "Domains in its NS records", "domain"),
    _r("soa_records", "Domains in its SOA records", "domain"),
    _r("related_comments", "Comments on its related objects", "comment", in_tree=False),
    _r("downloaded_files", "Files downloaded from it", "file", premium=True),
    _r("urls", "URLs under it", "url", premium=True),
) + _COMMON_TAIL

IP_ADDRESS = (
    _r("resolutions", "Domains that resolved to it (passive DNS)", "resolution"),
    _r("communicating_files", "Files that contacted it when run", "file"),
    _r("referrer_files", "Files that contain it in their strings", "file"),
    _r("historical_whois", "Past whois records", "whois"),
    _r("historical_ssl_certificates", "Past TLS certificates", "ssl_cert"),
    _r("related_comments", "Comments on its related objects", "comment", in_tree=False),
    _r("downloaded_files", "Files downloaded from it", "file", premium=True),
    _r("urls", "URLs served from it", "url", premium=True),
) + _COMMON_TAIL

URL = (
    _r("last_serving_ip_address", "The IP that served it last", "ip_address"),
    _r("network_location", "Its domain or IP", "domain", "ip_address"),
    _r("related_comments", "Comments on its related objects", "comment", in_tree=False),
    _r("analyses", "Past analyses of the URL", "analysis", premium=True),
    _r("communicating_files", "Files that requested it when run", "file", premium=True),
    _r("contacted_domains", "Domains contacted while loading it", "domain", premium=True),
    _r("contacted_ips", "IP addresses contacted while loading it", "ip_address", premium=True),
    _r("downloaded_files", "Files downloaded from it", "file", premium=True),
    _r("embedded_js_files", "JavaScript files it embeds", "file", premium=True),
    _r("redirecting_urls", "URLs that redirect to it", "url", premium=True),
    _r("redirects_to", "URLs it redirects to", "url", premium=True),
    _r("referrer_files", "Files that contain it", "file", premium=True),
    _r("referrer_urls", "URLs that link to it", "url", premium=True),
    _r("submissions", "Submissions of the URL", "submission", premium=True),
) + _COMMON_TAIL

#: A collection's IoC lists (its content), and what it is about.
COLLECTION = (
    _r("files", "Files in the collection", "file"),
    _r("domains", "Domains in the collection", "domain"),
    _r("urls", "URLs in the collection", "url"),
    _r("ip_addresses", "IP addresses in the collection", "ip_address"),
    _r("threat_actors", "Threat actors it is about", "threat_actor"),
    _r("references", "Reports and articles it cites", "reference"),
    _r("comments", "Community comments", "comment", in_tree=False),
)

CATALOGUE: dict[str, tuple[Relationship, ...]] = {
    "file": FILE,
    "domain": DOMAIN,
    "ip_address": IP_ADDRESS,
    "url": URL,
    "collection": COLLECTION,
}

_INDEX: dict[tuple[str, str], Relationship] = {
    (obj_type, rel.name): rel for obj_type, rels in CATALOGUE.items() for rel in rels
}


def relationships_for(object_type: str, *, tree_only: bool = False) -> tuple[Relationship, ...]:
    """Relationships valid for an object type, in the order a user scans them."""
    rels = CATALOGUE.get(object_type, ())
    return tuple(r for r in rels if r.in_tree) if tree_only else rels


def get_relationship(object_type: str, name: str) -> Relationship | None:
    return _INDEX.get((object_type, name))

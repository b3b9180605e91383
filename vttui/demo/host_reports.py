"""Domain, IP address and URL reports of the demo: whois, DNS, certificates, HTTP.

Pure and deterministic: the same spec gives the same attributes.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from . import engines as eng
from .specs import DAY, DomainSpec, IPSpec, T, URLSpec, cert_time, hexid, iso, registered_domain


def _expiry(created: int) -> int:
    """The next yearly renewal after "now" (registrations renew in whole years)."""
    years = max(1, -(-(T - created) // (365 * DAY)))
    return created + years * 365 * DAY


def _updated(created: int) -> int:
    return max(created + 2 * DAY, T - 61 * DAY)


# --- domains and IPs ----------------------------------------------------------------


def domain_whois(spec: DomainSpec) -> str:
    reg_slug = spec.registrar.split()[0].lower()
    expires = _expiry(spec.created)
    lines = [
        f"Domain Name: {spec.name.upper()}",
        f"Registry Domain ID: D{eng.hnum('regid', spec.name) % 10**12}-{spec.name.rsplit('.', 1)[-1].upper()}",
        f"Registrar WHOIS Server: whois.{reg_slug}-domains.test", f"Registrar URL: https://www.{reg_slug}-domains.test",
        f"Updated Date: {iso(_updated(spec.created))}", f"Creation Date: {iso(spec.created)}",
        f"Registry Expiry Date: {iso(expires)}", f"Registrar: {spec.registrar}", "Registrar IANA ID: 9999",
        f"Registrar Abuse Contact Email: abuse@{reg_slug}-domains.test", "Registrar Abuse Contact Phone: +1.5555550123",
        "Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited",
    ]
    lines += [f"Name Server: {ns.upper()}" for ns in spec.nameservers]
    lines.append("DNSSEC: unsigned")
    if spec.privacy:
        lines += ["Registrant Organization: Privacy Guard Example ehf", "Registrant State/Province: Capital Region",
                  "Registrant Country: IS", f"Registrant Email: {hexid('mail', spec.name, n=17)}@privacy-guard.example",
                  "Admin Email: REDACTED FOR PRIVACY", "Tech Email: REDACTED FOR PRIVACY"]
    else:
        lines += [f"Registrant Organization: {spec.name.split('.')[-2].capitalize()} Example Inc.",
                  "Registrant Country: US", "Registrant State/Province: CA",
                  f"Registrant Email: hostmaster@{registered_domain(spec.name)}"]
    return "\n".join(lines)


def certificate(host: str, issuer: tuple[str, str, str], not_before: int, days: int = 90,
                sans: tuple[str, ...] = ()) -> dict[str, Any]:
    names = list(sans) or ([host] if host.count(".") > 1 else [host, f"*.{host}"])
    pki = issuer[2].replace(" ", "").lower()
    return {
        "cert_signature": {"signature_algorithm": "sha256RSA", "signature": hexid("sig", host, n=512)},
        "extensions": {
            "key_usage": ["digitalSignature", "keyEncipherment"], "extended_key_usage": ["serverAuth", "clientAuth"],
            "CA": False, "subject_key_identifier": hexid("ski", host, n=40),
            "authority_key_identifier": {"keyid": hexid("aki", issuer[2], n=40)},
            "ca_information_access": {"CA Issuers": f"http://pki.trust-services.example/{pki}.crt",
                                      "OCSP": "http://ocsp.trust-services.example"},
            "subject_alternative_name": names, "certificate_policies": ["2.23.140.1.2.1"],
            "crl_distribution_points": [f"http://crl.trust-services.example/{pki}.crl"],
        },
        "validity": {"not_before": cert_time(not_before), "not_after": cert_time(not_before + days * DAY)},
        "size": 1296, "version": "V3",
        "public_key": {"algorithm": "RSA",
                       "rsa": {"modulus": hexid("mod", host, n=512), "exponent": "010001", "key_size": 2048}},
        "thumbprint_sha256": hexid("tp256", host), "thumbprint": hexid("tp1", host, n=40),
        "serial_number": hexid("serial", host, n=32),
        "issuer": {"C": issuer[0], "O": issuer[1], "CN": issuer[2]}, "subject": {"CN": host},
    }


def dns_records(spec: DomainSpec, a: list[str], aaaa: list[str]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = [{"type": "A", "ttl": 300, "value": ip} for ip in a]
    records += [{"type": "AAAA", "ttl": 300, "value": ip} for ip in aaaa]
    records += [{"type": "NS", "ttl": 86400, "value": ns} for ns in spec.nameservers]
    if spec.mx:
        records.append({"type": "MX", "ttl": 3600, "priority": 10, "value": spec.mx})
    records += [{"type": "TXT", "ttl": 3600, "value": txt} for txt in spec.txt]
    zone = registered_domain(spec.name)
    records.append({"type": "SOA", "ttl": 3600, "value": spec.nameservers[0], "rname": f"hostmaster.{zone}",
                    "serial": int(_dt.datetime.fromtimestamp(spec.analysed, _dt.UTC).strftime("%Y%m%d01")),
                    "refresh": 10800, "retry": 3600, "expire": 604800, "minimum": 3600})
    if not spec.malicious:
        records.append({"type": "CAA", "ttl": 3600, "flag": 0, "tag": "issue", "value": "trust-services.example"})
    return records


def domain_attributes(spec: DomainSpec, a: list[str], aaaa: list[str]) -> dict[str, Any]:
    results = eng.host_results(eng.HOST_ENGINES, salt=spec.name, malicious=spec.malicious,
                               suspicious=spec.suspicious, verdict=spec.verdict)
    attrs = {
        "tld": spec.name.rsplit(".", 1)[-1], "creation_date": spec.created, "expiration_date": _expiry(spec.created),
        "last_update_date": _updated(spec.created), "registrar": spec.registrar, "whois": domain_whois(spec),
        "whois_date": spec.analysed - 3 * DAY, "reputation": spec.reputation, "tags": list(spec.tags),
        "categories": dict(spec.categories),
        "popularity_ranks": {name: {"rank": rank, "timestamp": spec.analysed - DAY} for name, rank in spec.popularity},
        "jarm": ("2ad2ad0002ad2ad00042d42d00000" + hexid("jarm", spec.name, n=33)) if (a or aaaa) else "",
        "last_dns_records": dns_records(spec, a, aaaa), "last_dns_records_date": spec.analysed,
        "last_analysis_date": spec.analysed, "last_modification_date": spec.analysed + 15 * 60,
        "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results, kind="host"),
        "total_votes": {"harmless": 0, "malicious": 0},
    }
    if a or aaaa:
        attrs["last_https_certificate"] = certificate(spec.name, spec.issuer, spec.analysed - 30 * DAY,
                                                      sans=spec.sans)
        attrs["last_https_certificate_date"] = spec.analysed
    if not attrs["jarm"]:
        del attrs["jarm"]
    return attrs


def ip_whois(spec: IPSpec) -> str:
    if spec.rir == "ARIN":
        return "\n".join([
            f"NetRange: {spec.network}", f"CIDR: {spec.network}", f"NetName: {spec.as_owner.split()[0].upper()}-NET",
            f"NetHandle: NET-{spec.ip.replace('.', '-').replace(':', '-')}-1", "NetType: Direct Allocation",
            f"OriginAS: AS{spec.asn}", f"Organization: {spec.as_owner} ({spec.org or 'EXMPL'})",
            "RegDate: 2019-04-02", "Updated: 2025-11-18", f"OrgName: {spec.as_owner}", f"OrgId: {spec.org or 'EXMPL'}",
            "Address: 100 Example Way", f"City: {spec.city or 'Springfield'}", "StateProv: CA", "PostalCode: 90000",
            f"Country: {spec.country}", f"OrgAbuseEmail: abuse@{spec.as_owner.split()[0].lower()}.example",
            "OrgAbusePhone: +1-555-555-0199",
        ])
    return "\n".join([
        f"inetnum: {spec.network}", f"netname: {spec.as_owner.split()[0].upper()}-{spec.country}",
        f"country: {spec.country}", f"org: ORG-{spec.org or 'EX1'}-RIPE", "admin-c: EXA1-RIPE", "tech-c: EXA1-RIPE",
        "status: ASSIGNED PA", "mnt-by: EXAMPLE-MNT", "created: 2024-02-11T09:15:02Z",
        "last-modified: 2026-05-30T17:44:10Z", "source: RIPE", f"organisation: ORG-{spec.org or 'EX1'}-RIPE",
        f"org-name: {spec.as_owner}", "org-type: OTHER", f"address: {spec.city or 'Example City'}",
        f"abuse-mailbox: abuse@{spec.as_owner.split()[0].lower()}.example", f"route: {spec.network}",
        f"origin: AS{spec.asn}", "source: RIPE # Filtered",
    ])


def ip_attributes(spec: IPSpec) -> dict[str, Any]:
    results = eng.host_results(eng.HOST_ENGINES, salt=spec.ip, malicious=spec.malicious,
                               suspicious=spec.suspicious, verdict=spec.verdict)
    attrs = {
        "asn": spec.asn, "as_owner": spec.as_owner, "country": spec.country, "continent": spec.continent,
        "network": spec.network, "regional_internet_registry": spec.rir, "whois": ip_whois(spec),
        "whois_date": spec.analysed - 5 * DAY, "reputation": spec.reputation, "tags": list(spec.tags),
        "last_analysis_date": spec.analysed, "last_modification_date": spec.analysed + 20 * 60,
        "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results, kind="host"),
        "total_votes": {"harmless": 0, "malicious": 0},
        "jarm": "3fd3fd0003fd3fd0003fd3fd3fd3fd" + hexid("jarm", spec.ip, n=32),
    }
    if spec.context:
        attrs["crowdsourced_context"] = [
            {"title": title, "details": details, "severity": severity, "timestamp": spec.analysed - 6 * DAY,
             "source": "Example Threat Exchange"} for title, details, severity in spec.context]
    if spec.tls_host:
        attrs["last_https_certificate"] = certificate(spec.tls_host, ("US", "Example Trust Services", "ETS R3"),
                                                      spec.analysed - 20 * DAY)
        attrs["last_https_certificate_date"] = spec.analysed
    return attrs


# --- URLs ---------------------------------------------------------------------------


def url_attributes(spec: URLSpec, body_sha256: str = "") -> dict[str, Any]:
    """A URL report; ``body_sha256`` names the demo file that was the page's body, if any."""
    from urllib.parse import urlsplit

    results = eng.host_results(eng.URL_ENGINES, salt=spec.url, malicious=spec.malicious,
                               suspicious=spec.suspicious, verdict=spec.verdict)
    chain = list(spec.redirects) or [spec.url]
    final = chain[-1]
    host = urlsplit(spec.url).hostname or ""
    day = _dt.datetime.fromtimestamp(spec.analysed, _dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {"date": day, "content-type": spec.content_type, "server": spec.server,
               "content-length": str(spec.content_length), "connection": "keep-alive", "cache-control": "no-store"}
    if spec.status in (301, 302):
        headers["location"] = chain[1] if len(chain) > 1 else spec.url
    if spec.cookies:
        headers["set-cookie"] = "; ".join(f"{k}={v}" for k, v in spec.cookies) + "; path=/; HttpOnly"
    attrs = {
        "url": spec.url, "last_final_url": final, "redirection_chain": chain, "title": spec.title,
        "tld": host.rsplit(".", 1)[-1] if "." in host and not host.replace(".", "").isdigit() else "",
        "last_http_response_code": spec.status, "last_http_response_content_length": spec.content_length,
        "last_http_response_content_sha256": body_sha256 or hexid("body", spec.url),
        "last_http_response_headers": headers, "last_http_response_cookies": dict(spec.cookies),
        "html_meta": {"viewport": ["width=device-width, initial-scale=1"]} if "html" in spec.content_type else {},
        "outgoing_links": list(spec.outgoing), "categories": dict(spec.categories),
        "threat_names": list(spec.threat_names),
        "tags": list(spec.tags), "trackers": _trackers(spec), "targeted_brand": {},
        "first_submission_date": spec.first_seen, "last_submission_date": spec.analysed,
        "last_analysis_date": spec.analysed, "last_modification_date": spec.analysed + 4 * 60,
        "times_submitted": spec.times_submitted, "reputation": spec.reputation,
        "total_votes": {"harmless": 0, "malicious": 0},
        "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results, kind="host"),
    }
    return attrs


def _trackers(spec: URLSpec) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, ident, script in spec.trackers:
        out.setdefault(name, []).append({"id": ident, "url": script, "timestamp": spec.analysed})
    return out

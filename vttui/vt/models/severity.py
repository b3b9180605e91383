"""One severity scale for sandbox signatures, ATT&CK techniques, Sigma and IDS hits.

VirusTotal spells severities several ways (``INFO``, ``IMPACT_SEVERITY_HIGH``,
``SIGNATURE_SEVERITY_MEDIUM``, ``SEVERITY_HIGH``, ``high``); everything is read into
critical, high, medium, low, info or unknown, so sorting and colouring agree everywhere.
"""

from __future__ import annotations

from typing import Any

from .coerce import as_str

__all__ = ["SEVERITIES", "severity_of", "severity_rank"]

#: Most severe first.
SEVERITIES = ("critical", "high", "medium", "low", "info", "unknown")
_ALIASES = {"informational": "info", "information": "info", "moderate": "medium", "severe": "high"}
_PREFIXES = ("impact_severity_", "signature_severity_", "alert_severity_", "severity_")


def severity_of(raw: Any) -> str:
    """The severity a raw value names; ``unknown`` for anything else."""
    text = as_str(raw).strip().lower()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    text = _ALIASES.get(text, text)
    return text if text in SEVERITIES else "unknown"


def severity_rank(severity: str) -> int:
    """0 for critical .. 5 for unknown: the sort key, most severe first."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        return len(SEVERITIES) - 1

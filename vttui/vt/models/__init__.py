"""Tolerant, read-only views over VirusTotal v3 objects, one module per object kind.

Every string and number in a v3 reply is attacker-controlled (names, comments, whois,
engine verdicts) and the API itself is inconsistent over the years (dates as strings,
ids as numbers, fields missing on old objects). The views therefore never raise: each
accessor tolerates absence, ``null`` and wrong types and falls back to a sensible
default (:mod:`.coerce` decides what counts; :mod:`.fields` declares the simple
accessors). They never copy or mutate the dict they wrap (it may be shared with the
cache) and compute everything lazily, so wrapping a 1 MB object costs nothing until asked.

Nothing here imports textual; turning these values into screen content is the job of
``vttui.tui.text``.
"""

from __future__ import annotations

from .analysis import Analysis, FileBehaviour
from .base import AnalysisStats, EngineResult, SandboxVerdict, VTObject
from .behaviour import (
    AttackSignature,
    BehaviourSections,
    BehaviourSummary,
    DNSLookup,
    DroppedFile,
    HTTPConversation,
    IDSAlert,
    IPTraffic,
    ProcessNode,
    RegistryValue,
    SandboxReport,
    SigmaHit,
)
from .coerce import as_datetime, as_dict, as_float, as_int, as_list, as_str, get_path
from .domain import Domain
from .file import File
from .ip import IPAddress
from .mitre import MitreSignature, MitreTactic, MitreTechnique, MitreTrees
from .network import SSLCert, Whois
from .pivots import Pivot, pivot, pivot_ref, unique_refs
from .reply import VIEW_OF_TYPE, parse_reply, wrap
from .resolution import Resolution
from .severity import SEVERITIES, severity_of, severity_rank
from .social import Comment, Vote
from .threat import COLLECTION_IOC_RELATIONSHIPS, Collection, Reference, ThreatActor
from .url import URL

__all__ = [
    "AnalysisStats",
    "EngineResult",
    "SandboxVerdict",
    "VTObject",
    "File",
    "URL",
    "Domain",
    "IPAddress",
    "Analysis",
    "Comment",
    "Vote",
    "Resolution",
    "Whois",
    "SSLCert",
    "FileBehaviour",
    "SandboxReport",
    "BehaviourSections",
    "BehaviourSummary",
    "AttackSignature",
    "DNSLookup",
    "DroppedFile",
    "HTTPConversation",
    "IDSAlert",
    "IPTraffic",
    "ProcessNode",
    "RegistryValue",
    "SigmaHit",
    "MitreTrees",
    "MitreTactic",
    "MitreTechnique",
    "MitreSignature",
    "Collection",
    "ThreatActor",
    "Reference",
    "COLLECTION_IOC_RELATIONSHIPS",
    "Pivot",
    "pivot",
    "pivot_ref",
    "unique_refs",
    "SEVERITIES",
    "severity_of",
    "severity_rank",
    "as_int",
    "as_float",
    "as_str",
    "as_list",
    "as_dict",
    "as_datetime",
    "get_path",
    "VIEW_OF_TYPE",
    "wrap",
    "parse_reply",
]

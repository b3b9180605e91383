"""Object references: which VirusTotal collection an object lives in, and its path.

Kept apart from the client so models, the demo backend, exports and the TUI can name
objects without importing any networking code.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

#: v3 object type -> collection name in the URL path.
COLLECTION_OF_TYPE: dict[str, str] = {
    "file": "files",
    "url": "urls",
    "domain": "domains",
    "ip_address": "ip_addresses",
    "analysis": "analyses",
    "comment": "comments",
    "collection": "collections",
    "graph": "graphs",
    "user": "users",
    "file_behaviour": "file_behaviours",
    "threat_actor": "threat_actors",
    "reference": "references",
}
TYPE_OF_COLLECTION: dict[str, str] = {v: k for k, v in COLLECTION_OF_TYPE.items()}

#: Object types a user can open as a report.
REPORT_TYPES = ("file", "url", "domain", "ip_address")

#: Short human names for object types.
TYPE_LABELS: dict[str, str] = {
    "file": "file",
    "url": "URL",
    "domain": "domain",
    "ip_address": "IP",
    "analysis": "analysis",
    "comment": "comment",
    "resolution": "resolution",
    "vote": "vote",
    "collection": "collection",
    "threat_actor": "threat actor",
    "reference": "reference",
    "file_behaviour": "sandbox report",
}


def path_segment(ident: str) -> str:
    """An id made safe for one URL path segment. Ids in relationship lists come from the
    API (attacker-controlled): '../' or '?' must never change which endpoint is called."""
    # errors="replace": a lone surrogate (hostile ids have them) becomes "?", never a crash.
    if ident in (".", ".."):
        return quote(ident, safe="").replace(".", "%2E")
    return quote(str(ident), safe=":=@+-_.~", errors="replace")


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """A VirusTotal object by type and id (the id as the API takes it in a path)."""

    type: str
    id: str

    @property
    def collection(self) -> str:
        try:
            return COLLECTION_OF_TYPE[self.type]
        except KeyError:
            raise ValueError(f"no collection for object type {self.type!r}") from None

    @property
    def path(self) -> str:
        return f"/{self.collection}/{path_segment(self.id)}"

    @classmethod
    def of(cls, data: dict[str, object]) -> ObjectRef:
        """The ref of an object or descriptor dict (``{"type": ..., "id": ...}``)."""
        return cls(str(data.get("type") or ""), str(data.get("id") or ""))

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"

"""From a reply body to views: the view class of each object type, and the envelope."""

from __future__ import annotations

from typing import Any

from .analysis import Analysis
from .base import VTObject
from .behaviour import SandboxReport
from .coerce import as_dict
from .domain import Domain
from .file import File
from .ip import IPAddress
from .network import SSLCert, Whois
from .resolution import Resolution
from .social import Comment, Vote
from .threat import Collection, Reference, ThreatActor
from .url import URL

__all__ = ["VIEW_OF_TYPE", "parse_reply", "wrap"]

VIEW_OF_TYPE: dict[str, type[VTObject]] = {
    "file": File,
    "url": URL,
    "domain": Domain,
    "ip_address": IPAddress,
    "analysis": Analysis,
    "comment": Comment,
    "vote": Vote,
    "resolution": Resolution,
    "whois": Whois,
    "ssl_cert": SSLCert,
    "file_behaviour": SandboxReport,
    "collection": Collection,
    "threat_actor": ThreatActor,
    "reference": Reference,
}


def wrap(data: Any, *, meta: Any = None) -> VTObject:
    """The view for an object dict, chosen by its ``type``; unknown types get VTObject."""
    t = as_dict(data).get("type")
    cls = VIEW_OF_TYPE.get(t, VTObject) if isinstance(t, str) else VTObject
    return cls(data, meta=meta)


def _looks_like_object(d: dict[Any, Any]) -> bool:
    """A bare object without the ``{"data": ...}`` envelope (feeds, vt-py dumps)."""
    return isinstance(d.get("type"), str) and bool(d.get("type")) and ("id" in d or "attributes" in d)


def parse_reply(body: Any) -> list[VTObject] | VTObject | None:
    """The view(s) in a whole v3 reply.

    A list for list replies (non-object items skipped), one view for an object (with
    the reply's ``meta``), None when ``data`` is a string, null or missing (errors,
    ``download_url``). A bare object without the envelope is accepted too.
    """
    if not isinstance(body, dict):
        return None
    if "data" not in body:
        return wrap(body) if _looks_like_object(body) else None
    data = body["data"]
    if isinstance(data, list):
        return [wrap(item) for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        return wrap(data, meta=body.get("meta"))
    return None

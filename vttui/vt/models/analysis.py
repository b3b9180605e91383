"""Analyses (the answer to a scan, polled until completed) and sandbox reports."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, ClassVar

from ..refs import ObjectRef
from .base import VTObject, make_ref
from .coerce import as_dict, as_str, get_path, one_line
from .fields import Date, Str

__all__ = ["Analysis", "FileBehaviour"]

_MD5_TS_RE = re.compile(r"([0-9a-fA-F]{32}):[0-9]+")
_URL_ANALYSIS_RE = re.compile(r"u-([0-9a-fA-F]{64})-[0-9]+")


def _ref_from_analysis_id(analysis_id: str) -> ObjectRef | None:
    """What an analysis id names: ``u-<sha256>-<ts>`` is a URL, base64 ``md5:ts`` a file."""
    m = _URL_ANALYSIS_RE.fullmatch(analysis_id)
    if m:
        return ObjectRef("url", m.group(1).lower())
    if not analysis_id or len(analysis_id) > 200:
        return None
    try:
        decoded = base64.b64decode(analysis_id + "=" * (-len(analysis_id) % 4), validate=True)
        m = _MD5_TS_RE.fullmatch(decoded.decode("ascii"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return ObjectRef("file", m.group(1).lower()) if m else None


class Analysis(VTObject):
    _RESULTS_KEY: ClassVar[str] = "results"
    _STATS_KEY: ClassVar[str] = "stats"

    @classmethod
    def from_reply(cls, reply: Any) -> Analysis:
        """The analysis of a whole ``/analyses/{id}`` reply, keeping its ``meta``."""
        reply = as_dict(reply)
        return cls(reply.get("data"), meta=reply.get("meta"))

    @property
    def status(self) -> str:
        """``queued``, ``in-progress``, ``completed`` or whatever else VirusTotal said."""
        return as_str(self.attributes.get("status")).strip().lower()

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    date = Date()

    @property
    def item_ref(self) -> ObjectRef | None:
        """The file or URL analysed: from ``relationships.item``, the reply meta, or the id."""
        refs = self.relationship_descriptors("item")
        if refs:
            return refs[0]
        url_ref = make_ref("url", get_path(self._meta, "url_info.id"))
        file_ref = make_ref("file", get_path(self._meta, "file_info.sha256"))
        from_id = _ref_from_analysis_id(self.id)
        # A URL analysis' meta also names the sha256 of the page it fetched: prefer the URL.
        if from_id is not None and from_id.type == "url":
            return url_ref or from_id
        return file_ref or url_ref or from_id


class FileBehaviour(VTObject):
    """One sandbox report (``file_behaviour``); its id is ``<sha256>_<sandbox name>``."""

    sandbox_name = Str()

    @property
    def title(self) -> str:
        return one_line(self.sandbox_name or self.id)

"""The async VirusTotal v3 client: one httpx.AsyncClient, the cache, the rate limiter.

Every request goes through ``_send`` (limiter, retries, typed errors). Every GET goes
through ``_get_cached`` (canonical key, LRU, single-flight), so nothing is fetched twice
in a session and concurrent identical lookups cost one request.

The class is assembled from layers with one job each: the wire (:mod:`.client_wire`),
the cache (:mod:`.client_cache`), reading objects (:mod:`.client_objects`), writes and
analyses (:mod:`.client_writes`), downloads (:mod:`.client_downloads`), analyst
endpoints (:mod:`.analyst`) and the persistent store (:mod:`.client_store`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .analyst import AnalystEndpoints
from .client_downloads import Consumer, DownloadEndpoints
from .client_objects import MAX_PAGE_LIMIT, ObjectEndpoints
from .client_wire import (
    _REDACT,
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_DOWNLOAD,
    DEFAULT_MAX_REPLY,
    DEFAULT_UPLOAD_DEADLINE,
    DOWNLOAD_MIN_RATE,
    DOWNLOAD_WINDOW,
    PARSED_OVERHEAD,
    UNKNOWN_429_PAUSE,
    ClientStats,
    Progress,
    RecentRequests,
    Sleep,
)
from .client_writes import MAX_UPLOAD, SMALL_UPLOAD_LIMIT, UPLOAD_CHUNK, WriteEndpoints
from .ioc import IOC, IOCType, classify

__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_MAX_DOWNLOAD", "DEFAULT_MAX_REPLY", "DEFAULT_UPLOAD_DEADLINE",
    "DOWNLOAD_MIN_RATE", "DOWNLOAD_WINDOW", "MAX_PAGE_LIMIT", "MAX_UPLOAD", "PARSED_OVERHEAD", "SMALL_UPLOAD_LIMIT",
    "UNKNOWN_429_PAUSE", "UPLOAD_CHUNK", "_REDACT", "ClientStats", "Consumer", "Progress", "RecentRequests", "Sleep",
    "VTClient",
]


class VTClient(ObjectEndpoints, WriteEndpoints, DownloadEndpoints, AnalystEndpoints):
    """Async client for the VirusTotal API v3. Use as ``async with VTClient(key) as vt``.

    Sandbox reports, ATT&CK trees, Intelligence search, collections and threat actors
    come from :class:`~.analyst.AnalystEndpoints`. ``store`` (see :mod:`vttui.vt.store`)
    keeps replies beyond the process, behind the in-memory cache; without one the client
    is memory-only. It is closed with the client unless ``close_store=False``.
    """

    async def lookup(self, ioc: IOC | str, *, relationships: Sequence[str] = ()) -> dict[str, Any]:
        """Look up anything the user typed (defanged or not). Analyses included."""
        if isinstance(ioc, str):
            ioc = classify(ioc)
        if ioc.type is IOCType.ANALYSIS:
            data: dict[str, Any] = (await self.get_analysis(ioc.value))["data"]
            return data
        return await self.get_object(ioc.ref, relationships=relationships)

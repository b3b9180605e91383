"""What REST routes and MCP tools ask of a client, with one rule added: a request that would
queue for quota longer than the server allows is refused at once (429 with Retry-After)
instead of hanging its caller for minutes.

Everything else (cache, aliases, single-flight, retries, the quota ledger) is the client's.
"""

from __future__ import annotations

from typing import Any

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.paging import Page
from ..vt.refs import ObjectRef, path_segment
from .problems import estimated_wait


class Fetcher:
    def __init__(self, client: VTClient, max_wait: float) -> None:
        self.client = client
        self.max_wait = max_wait

    def check_room(self, cached: bool = False) -> None:
        if cached:
            return
        state = self.client.limiter.state()
        if state.per_day is not None and not state.left_day:
            raise E.QuotaExceededError(resets_at=state.resets_at)
        wait = estimated_wait(state)
        if wait > self.max_wait:
            raise E.TooManyRequestsError(
                f"The VirusTotal quota has no room for about {wait:.0f} s; try again then.", retry_after=wait)

    async def object(self, ref: ObjectRef) -> dict[str, Any]:
        self.check_room(self.client.is_cached(ref.path))
        return await self.client.get_object(ref)

    async def related(self, ref: ObjectRef, relationship: str, limit: int, cursor: str | None) -> Page:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        self.check_room(self.client.is_cached(f"{ref.path}/{relationship}", params))
        return await self.client.get_related(ref, relationship, limit=limit, cursor=cursor)

    async def analysis(self, analysis_id: str) -> dict[str, Any]:
        self.check_room(self.client.is_cached(f"/analyses/{path_segment(analysis_id)}"))
        body = await self.client.get_analysis(analysis_id)
        data = body.get("data")
        if not isinstance(data, dict):
            raise E.MalformedResponseError("VirusTotal's reply had no analysis in it.")
        return data

    async def scan_url(self, url: str) -> dict[str, Any]:
        self.check_room()
        return await self.client.scan_url(url)

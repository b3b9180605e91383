"""GET handlers for what an analyst opens VirusTotal for beyond a report: ATT&CK trees
and Intelligence search.

Intelligence search is premium on VirusTotal; here too: only the demo's premium key
(:data:`~.base.DEMO_PREMIUM_KEY`) may search, any other key gets VirusTotal's own 403
``ForbiddenError``. Search cursors are opaque and bound to their query, like the
relationship cursors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from .base import FORBIDDEN_MESSAGE, JSON, Segments
from .errors import Fail
from .protocol import DemoRequest, DemoResponse
from .reads import ReadHandlers
from .search import ORDERS, QueryError, order_key, parse_query

__all__ = ["SEARCH_DEFAULT_LIMIT", "SEARCH_MAX_LIMIT", "IntelHandlers"]

SEARCH_DEFAULT_LIMIT = 10
SEARCH_MAX_LIMIT = 300
#: How far back VirusTotal says the search looked (``meta.days_back``).
DAYS_BACK = 90


class IntelHandlers(ReadHandlers):
    """ATT&CK trees and Intelligence search."""

    async def _get_mitre_trees(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        ref = self._resolve("files", seg[1])
        return DemoResponse.json({
            "data": self.dataset.mitre_trees(ref[1]),
            "links": {"self": f"{request.base_url}/files/{ref[1]}/behaviour_mitre_trees"},
        })

    async def _get_search(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        if not self._premium(request):
            raise Fail(403, "ForbiddenError", FORBIDDEN_MESSAGE)
        text = request.query.get("query", "")
        try:
            query = parse_query(text)
        except QueryError as exc:
            raise Fail(400, "InvalidArgumentError", str(exc)) from None
        limit = self._search_limit(request)
        descriptors = request.query.get("descriptors_only", "").lower() == "true"
        items = [(ref[1], self.dataset.attributes(ref)) for ref in self.dataset.searchable(query.entity)]
        hits = [(ident, attrs) for ident, attrs in items if attrs and query.matches(ident, attrs)]
        hits.sort(key=self._order(request, query.entity))
        total = len(hits)
        key = ("search", f"{query.entity}|{text}")
        cursor = request.query.get("cursor") or None
        start = self._start(key, "search", cursor, total)
        end = min(total, start + limit)
        base = request.base_url
        page = [(query.entity, ident) for ident, _ in hits[start:end]]
        data = [self._descriptor(ref) if descriptors else self._full(ref, base) for ref in page]
        params = {k: v for k, v in request.query.items() if k != "cursor"}
        self_url = f"{base}/intelligence/search?{urlencode(params)}"
        if cursor:
            self_url += f"&cursor={quote(cursor, safe='')}"
        meta: JSON = {"total_hits": total, "allowed_orders": ORDERS[query.entity], "days_back": DAYS_BACK}
        links: JSON = {"self": self_url}
        if end < total:
            meta["cursor"] = self._cursor(key, "search", total - end)
            links["next"] = f"{base}/intelligence/search?{urlencode(params)}&cursor={quote(meta['cursor'], safe='')}"
        return DemoResponse.json({"data": data, "meta": meta, "links": links})

    @staticmethod
    def _search_limit(request: DemoRequest) -> int:
        raw = request.query.get("limit")
        if raw is None or raw == "":
            return SEARCH_DEFAULT_LIMIT
        try:
            limit = int(raw)
        except ValueError:
            raise Fail(400, "InvalidArgumentError", f'Invalid limit "{raw[:50]}"') from None
        if not 1 <= limit <= SEARCH_MAX_LIMIT:
            raise Fail(400, "InvalidArgumentError",
                       f"Invalid limit {limit}: it must be between 1 and {SEARCH_MAX_LIMIT}")
        return limit

    @staticmethod
    def _order(request: DemoRequest, entity: str) -> Callable[[tuple[str, JSON]], Any]:
        raw = request.query.get("order", "")
        if not raw:
            return order_key(entity)
        field, desc = (raw[:-1], raw.endswith("-")) if raw[-1:] in "+-" else (raw, True)
        if field not in ORDERS[entity]:
            allowed = ", ".join(ORDERS[entity])
            raise Fail(400, "InvalidArgumentError", f'Invalid order "{raw[:50]}"; allowed: {allowed}')

        def key(item: tuple[str, JSON]) -> tuple[float, str]:
            ident, attrs = item
            if field == "positives":
                value = (attrs.get("last_analysis_stats") or {}).get("malicious")
            elif field == "ip":
                value = 0
            else:
                value = attrs.get(field)
            number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
            return (-number if desc else number, ident)

        return key

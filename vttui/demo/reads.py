"""GET handlers of the demo router: objects, relationship lists and their cursors, users.

Cursors are opaque, bound to their list and counted from the end of the list, so a
comment posted while someone pages does not make them see an item twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from urllib.parse import quote

from ..vt.relationships import Relationship
from .base import JSON, BackendBase, Segments
from .dataset import Ref
from .errors import Fail, not_found
from .protocol import DemoRequest, DemoResponse

__all__ = ["DEFAULT_LIMIT", "EMBEDDED_LIMIT", "MAX_LIMIT", "ReadHandlers"]

DEFAULT_LIMIT = 10
MAX_LIMIT = 40
EMBEDDED_LIMIT = 10


class ReadHandlers(BackendBase):
    """Objects (with embedded relationships), relationship lists, single objects, users."""

    # --- objects --------------------------------------------------------------------

    async def _get_object(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        ref = self._resolve(seg[0], seg[1])
        wanted = [n.strip() for n in request.query.get("relationships", "").split(",") if n.strip()]
        premium = self._premium(request)
        rels = [self._relationship(ref, name, premium=premium) for name in dict.fromkeys(wanted)]
        base = request.base_url
        data = self.dataset.render(ref, base)
        if data is None:
            raise not_found("Resource", seg[1])
        if rels:
            data = dict(data)
            data["relationships"] = {rel.name: self._embedded(ref, rel, base, request) for rel in rels}
        return DemoResponse.json({"data": data})

    def _embedded(self, ref: Ref, rel: Relationship, base: str, request: DemoRequest) -> JSON:
        items = self.dataset.related(ref, rel.name, author=self._key(request))
        obj_url = self._object_url(ref, base)
        links = {"self": f"{obj_url}/relationships/{rel.name}", "related": f"{obj_url}/{rel.name}"}
        if rel.single:
            return {"data": self._descriptor(items[0]) if len(items) else None, "links": links}
        total = self._total(items, rel)
        out: JSON = {"data": [self._descriptor(item) for item in items[:min(EMBEDDED_LIMIT, total)]]}
        links["self"] += f"?limit={EMBEDDED_LIMIT}"
        meta: JSON = {"count": total}
        if total > EMBEDDED_LIMIT:
            cursor = self._cursor(ref, rel.name, total - EMBEDDED_LIMIT)
            meta["cursor"] = cursor
            links["next"] = f"{obj_url}/relationships/{rel.name}?cursor={quote(cursor, safe='')}&limit={EMBEDDED_LIMIT}"
        out["meta"] = meta
        out["links"] = links
        return out

    # --- relationships --------------------------------------------------------------

    async def _get_relationship(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        return self._list(request, seg[0], seg[1], seg[2], descriptors=False)

    async def _get_descriptors(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        return self._list(request, seg[0], seg[1], seg[3], descriptors=True)

    def _list(
        self, request: DemoRequest, collection: str, raw_id: str, name: str, *, descriptors: bool
    ) -> DemoResponse:
        ref = self._resolve(collection, raw_id)
        rel = self._relationship(ref, name, premium=self._premium(request))
        base = request.base_url
        obj_url = self._object_url(ref, base)
        path = f"{obj_url}/relationships/{name}" if descriptors else f"{obj_url}/{name}"
        items = self.dataset.related(ref, name, author=self._key(request))
        render = self._descriptor if descriptors else (lambda item: self._full(item, base))
        if rel.single:
            return DemoResponse.json({"data": render(items[0]) if len(items) else None, "links": {"self": path}})
        limit = self._limit(request)
        total = self._total(items, rel)
        cursor = request.query.get("cursor") or None
        start = self._start(ref, name, cursor, total)
        end = min(total, start + limit)
        self_url = f"{path}?limit={limit}" + (f"&cursor={quote(cursor, safe='')}" if cursor else "")
        links: JSON = {"self": self_url}
        if descriptors:
            links["related"] = f"{obj_url}/{name}"
        body: JSON = {"data": [render(item) for item in items[start:end]], "links": links}
        if total:
            body["meta"] = {"count": total}
        if end < total:
            next_cursor = self._cursor(ref, name, total - end)
            body["meta"]["cursor"] = next_cursor
            links["next"] = f"{path}?cursor={quote(next_cursor, safe='')}&limit={limit}"
        return DemoResponse.json(body)

    def _full(self, item: Ref, base: str) -> JSON:
        return self.dataset.render(item, base) or self._descriptor(item)

    @staticmethod
    def _limit(request: DemoRequest) -> int:
        raw = request.query.get("limit")
        if raw is None or raw == "":
            return DEFAULT_LIMIT
        try:
            limit = int(raw)
        except ValueError:
            raise Fail(400, "InvalidArgumentError", f'Invalid limit "{raw[:50]}"') from None
        if not 1 <= limit <= MAX_LIMIT:
            raise Fail(400, "InvalidArgumentError", f"Invalid limit {limit}: it must be between 1 and {MAX_LIMIT}")
        return limit

    def _cursor(self, ref: Ref, name: str, remaining: int) -> str:
        """An opaque cursor: how many items remain after the page, signed for this list."""
        payload = f"{remaining}:{self._sign(ref, name, remaining)}"
        return base64.urlsafe_b64encode(payload.encode()).decode()

    def _sign(self, ref: Ref, name: str, remaining: int) -> str:
        return hashlib.sha256(f"{self._cursor_secret}|{ref[0]}|{ref[1]}|{name}|{remaining}".encode()).hexdigest()[:12]

    def _start(self, ref: Ref, name: str, cursor: str | None, total: int) -> int:
        if not cursor:
            return 0
        try:
            raw = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4)).decode("ascii")
            count, sig = raw.split(":", 1)
            remaining = int(count)
            if remaining < 0 or sig != self._sign(ref, name, remaining):
                raise ValueError(cursor)
        except (ValueError, UnicodeError, binascii.Error):
            raise Fail(400, "InvalidArgumentError", f'Invalid cursor "{cursor[:100]}"') from None
        return max(0, total - remaining)

    # --- single objects of other kinds ---------------------------------------------

    async def _get_resolution(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        data = self.dataset.render(("resolution", seg[1]), request.base_url)
        if data is None:
            raise not_found("Resolution", seg[1])
        return DemoResponse.json({"data": data})

    async def _get_comment(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        data = self.dataset.render(("comment", seg[1]), request.base_url)
        if data is None:
            raise not_found("Comment", seg[1])
        return DemoResponse.json({"data": data})

    async def _get_behaviour(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        data = self.dataset.render(("file_behaviour", seg[1]), request.base_url)
        if data is None:
            raise not_found("Resource", seg[1])
        return DemoResponse.json({"data": data})

    async def _get_pcap(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        pcap = self.dataset.pcap(seg[1])
        if pcap is None:
            raise not_found("Resource", f"{seg[1]}/pcap")
        return DemoResponse(200, [("content-type", "application/vnd.tcpdump.pcap"),
                                  ("content-disposition", 'attachment; filename="capture.pcap"')], pcap)

    async def _get_behaviour_summary(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        ref = self._resolve("files", seg[1])
        return DemoResponse.json({"data": self.dataset.behaviour_summary(ref[1])})

    # --- users and quotas -----------------------------------------------------------

    def _check_user(self, request: DemoRequest, ident: str) -> None:
        if ident not in ("me", "vttui-demo", self._key(request)):
            raise not_found("User", ident)

    async def _get_user(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        self._check_user(request, seg[1])
        return DemoResponse.json({"data": {
            "type": "user", "id": "vttui-demo", "links": {"self": f"{request.base_url}/users/vttui-demo"},
            "attributes": {"status": "active", "user_since": 1735689600, "reputation": 0,
                           "privileges": {"downloads-tier-2": {"granted": False}, "intelligence": {"granted": False}},
                           "quotas": self._quotas()},
        }})

    async def _get_quotas(self, request: DemoRequest, seg: Segments) -> DemoResponse:
        self._check_user(request, seg[1])
        return DemoResponse.json({"data": self._quotas()})

    def _quotas(self) -> JSON:
        used = self.api_calls

        def quota(allowed: int, n: int) -> JSON:
            return {"user": {"used": n, "allowed": allowed},
                    "group": {"used": n, "allowed": allowed * 4, "inherited_from": "vttui-demo-group"}}

        return {
            "api_requests_hourly": quota(240, used), "api_requests_daily": quota(500, used),
            "api_requests_monthly": quota(15_500, used),
            "intelligence_searches_monthly": {"user": {"used": 0, "allowed": 0}},
            "intelligence_downloads_monthly": {"user": {"used": 0, "allowed": 0}},
            "collections_creation_monthly": {"user": {"used": 0, "allowed": 20}},
        }

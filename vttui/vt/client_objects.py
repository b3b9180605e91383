"""Reading VirusTotal objects: reports, relationships, comments, votes, a file's
behaviour summary and the account's quotas. All GETs, all through the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import errors as E
from .client_cache import CachedClient
from .ioc import url_id
from .paging import Page, Paginator
from .refs import ObjectRef, path_segment
from .validate import check_object, check_ref, is_user_id

MAX_PAGE_LIMIT = 40


class ObjectEndpoints(CachedClient):
    """The read-only endpoints of :class:`~vttui.vt.client.VTClient`."""

    async def get_object(self, ref: ObjectRef, *, relationships: Sequence[str] = ()) -> dict[str, Any]:
        """The object's data dict. ``relationships`` adds descriptors when a fetch happens
        anyway (one request for the object and a first look at its relations).

        The ref must be a valid indicator of its type (ids from replies are checked before
        any request), and the reply must be that object (MalformedResponseError if not)."""
        check_ref(ref)
        body = self.cache.get(self._key(ref.path))
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            cached: dict[str, Any] = body["data"]
            return cached
        params = {"relationships": ",".join(relationships)} if relationships else None
        body = await self._get_cached(ref.path, params, store_as=ref.path,
                                      check=lambda reply: check_object(ref, reply))
        data = body.get("data")
        if not isinstance(data, dict):
            self._invalidate(ref.path)
            raise E.MalformedResponseError("VirusTotal's reply had no object in it.")
        return data

    async def get_file(self, file_hash: str) -> dict[str, Any]:
        return await self.get_object(ObjectRef("file", file_hash.lower()))

    async def get_url(self, url_or_id: str) -> dict[str, Any]:
        ident = url_or_id if "://" not in url_or_id else url_id(url_or_id)
        return await self.get_object(ObjectRef("url", ident))

    async def get_domain(self, domain: str) -> dict[str, Any]:
        return await self.get_object(ObjectRef("domain", domain.lower()))

    async def get_ip(self, ip: str) -> dict[str, Any]:
        return await self.get_object(ObjectRef("ip_address", ip))

    # --- relationships, comments, votes -----------------------------------------------

    async def get_related(
        self, ref: ObjectRef, relationship: str, *, limit: int = 10, cursor: str | None = None,
        descriptors: bool = False,
    ) -> Page:
        """One page of a relationship: full objects, or descriptors only."""
        check_ref(ref)
        sub = f"relationships/{relationship}" if descriptors else relationship
        return await self._page(f"{ref.path}/{sub}", limit, cursor)

    def iter_related(
        self, ref: ObjectRef, relationship: str, *, limit: int = MAX_PAGE_LIMIT, cursor: str | None = None,
        descriptors: bool = False, max_items: int | None = None,
    ) -> Paginator:
        check_ref(ref)
        sub = f"relationships/{relationship}" if descriptors else relationship
        return self._paginator(f"{ref.path}/{sub}", limit, cursor, max_items)

    async def get_comments(self, ref: ObjectRef, *, limit: int = 10, cursor: str | None = None) -> Page:
        check_ref(ref)
        return await self._page(f"{ref.path}/comments", limit, cursor)

    def iter_comments(self, ref: ObjectRef, *, limit: int = MAX_PAGE_LIMIT, cursor: str | None = None,
                    max_items: int | None = None) -> Paginator:
        check_ref(ref)
        return self._paginator(f"{ref.path}/comments", limit, cursor, max_items)

    async def get_votes(self, ref: ObjectRef, *, limit: int = 10, cursor: str | None = None) -> Page:
        check_ref(ref)
        return await self._page(f"{ref.path}/votes", limit, cursor)

    def iter_votes(self, ref: ObjectRef, *, limit: int = MAX_PAGE_LIMIT, cursor: str | None = None,
                   max_items: int | None = None) -> Paginator:
        check_ref(ref)
        return self._paginator(f"{ref.path}/votes", limit, cursor, max_items)

    async def _page(self, path: str, limit: int, cursor: str | None) -> Page:
        limit = max(1, min(int(limit), MAX_PAGE_LIMIT))
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return Page.from_reply(await self._get_cached(path, params))

    def _paginator(self, path: str, limit: int, cursor: str | None, max_items: int | None) -> Paginator:
        return Paginator(lambda c, lim: self._page(path, lim, c), limit=limit, cursor=cursor, max_items=max_items)

    async def network_location(self, ref: ObjectRef) -> dict[str, Any] | None:
        """The domain or IP object a URL lives on."""
        check_ref(ref)
        body = await self._get_cached(f"{ref.path}/network_location")
        data = body.get("data")
        return data if isinstance(data, dict) else None


    async def behaviour_summary(self, file_ref: ObjectRef) -> dict[str, Any]:
        check_ref(file_ref)
        body = await self._get_cached(f"{file_ref.path}/behaviour_summary")
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def overall_quotas(self, user_id: str | None = None) -> dict[str, Any]:
        """The key's quotas and usage (cached for a minute; the count moves).

        VirusTotal names the account by user id or by API key. The key goes in a URL
        path at most once: without a known user id, :meth:`learn_user_id` asks for it
        (by key), and every later call names the account by id.
        """
        ident = user_id or self.user_id or await self.learn_user_id()
        body = await self._get_cached(f"/users/{path_segment(ident)}/overall_quotas", ttl=60.0)
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def learn_user_id(self) -> str:
        """The account's user id, asked for once by key (``GET /users/{key}``), then kept
        in ``user_id``; ``learned_user_id`` tells the caller it is new (worth saving)."""
        if self.user_id:
            return self.user_id
        if not self.api_key:
            raise E.MissingAPIKeyError()
        body = await self._send_json("GET", f"/users/{path_segment(self.api_key)}")
        raw = body.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        uid = data.get("id")
        if data.get("type") != "user" or not isinstance(uid, str) or not is_user_id(uid) or uid == self.api_key:
            raise E.MalformedResponseError("VirusTotal did not say which account this API key belongs to.")
        self.user_id = self.learned_user_id = uid
        return uid

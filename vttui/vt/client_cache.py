"""The client's cache layer: canonical keys (md5 and sha256 share one entry), the LRU,
single-flight and the persistent store behind them. Every GET of the client goes through
``_get_cached``, so nothing is fetched twice and concurrent identical lookups cost one
request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from .client_wire import PARSED_OVERHEAD, WireClient
from .ioc import url_id
from .models.coerce import as_dict
from .refs import COLLECTION_OF_TYPE, REPORT_TYPES, ObjectRef


class CachedClient(WireClient):
    """GETs through the cache, what replies teach (aliases, seeded objects), invalidation."""

    def _canonical_path(self, path: str) -> str:
        parts = path.split("/")
        if len(parts) >= 3 and parts[1] in ("files", "urls"):
            parts[2] = self.aliases.resolve(parts[1], parts[2])
        return "/".join(parts)

    def _key(self, path: str, params: dict[str, Any] | None = None) -> str:
        key = self._canonical_path(path)
        if params:
            key += "?" + urlencode(sorted((k, str(v)) for k, v in params.items() if v is not None))
        return key

    async def _get_cached(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        ttl: float | None = None,
        store_as: str | None = None,
        check: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """GET through the cache. ``store_as`` files the reply under another path (an
        object fetched with ``?relationships=`` is still that object). ``check`` vets the
        reply before anything is learned from it or cached."""
        key = self._key(store_as) if store_as else self._key(path, params)
        hit: dict[str, Any] | None = self.cache.get(key)
        if hit is not None:
            return hit
        persist = self.persist
        if persist is not None:  # an earlier run or another process may have it
            stored = await self._from_store(path, params, store_as)
            if stored is not None:
                return stored
            key = self._key(store_as) if store_as else self._key(path, params)

        async def network() -> tuple[dict[str, Any], Awaitable[None] | None]:
            response = await self._send("GET", path, params=params, parse_json=True)
            body = response.extensions["vt_json"]
            if check is not None:
                check(body)
            size = len(response.content)
            self.stats.bytes_received += size
            seeds = self._learn(body, path, size)
            # Re-key after learning aliases, so md5 and sha256 share one entry.
            final = self._key(store_as) if store_as else self._key(path, params)
            self.cache.put(final, body, size * PARSED_OVERHEAD, ttl)
            # The reply goes to the store after the caller has it (not on the view's time).
            return body, self._save_reply(final, response.content, seeds) if persist is not None else None

        async def fetch() -> dict[str, Any]:
            if persist is None:
                return (await network())[0]
            # One request for all processes: the others wait for the reply in the store.
            return await persist.single_flight(key, lambda: self._from_store(path, params, store_as), network)

        return await self.flights.run(key, fetch)

    def _learn(self, body: dict[str, Any], path: str, size: int) -> list[tuple[str, dict[str, Any]]]:
        """Record id aliases from a reply, and seed the object cache from full objects,
        so pivoting to something already listed costs no request. Returns the seeds
        (key, object) for the persistent store."""
        data = body.get("data")
        parts = path.split("/")
        if isinstance(data, dict) and len(parts) == 3:
            self._alias_object(data, requested_id=parts[2])
            return []
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        share = max(1, size // max(1, len(items)))
        seeds: list[tuple[str, dict[str, Any]]] = []
        for item in items:
            if isinstance(item, dict) and item.get("type") in REPORT_TYPES and isinstance(item.get("attributes"), dict):
                self._alias_object(item)
                key = self._key(ObjectRef.of(item).path)
                seeds.append((key, item))
                if key not in self.cache:
                    self.cache.put(key, {"data": item}, share * PARSED_OVERHEAD)
        return seeds

    def _alias_object(self, obj: dict[str, Any], requested_id: str | None = None) -> None:
        otype, oid = obj.get("type"), obj.get("id")
        if not isinstance(oid, str) or not oid:
            return
        attrs = as_dict(obj.get("attributes"))
        if otype == "file":
            for field in ("md5", "sha1", "sha256"):
                value = attrs.get(field)
                if isinstance(value, str):
                    self.aliases.add("files", value.lower(), oid)
        elif otype == "url":
            url = attrs.get("url")
            if isinstance(url, str) and url:
                self.aliases.add("urls", url_id(url), oid)
        if requested_id and otype in ("file", "url"):
            self.aliases.add(COLLECTION_OF_TYPE[otype], requested_id, oid)

    def canonical_ref(self, ref: ObjectRef) -> ObjectRef:
        """The ref under which the object is cached (sha256 for files and URLs)."""
        if ref.type in ("file", "url"):
            return ObjectRef(ref.type, self.aliases.resolve(ref.collection, ref.id))
        return ref

    def cached_object(self, ref: ObjectRef) -> dict[str, Any] | None:
        """The object's data if it is cached, without counting a hit or miss."""
        body = self.cache.peek(self._key(ref.path))
        if body is None and self.persist is not None:
            body = self._from_store_sync(ref.path)  # SQLite: sub-millisecond, same frame
        return body.get("data") if isinstance(body, dict) else None

    def is_cached(self, path: str, params: dict[str, Any] | None = None) -> bool:
        return self._key(path, params) in self.cache

    def forget(self, ref: ObjectRef) -> None:
        """Drop everything cached about an object (the user asked for a fresh copy)."""
        self._invalidate(ref.path)
        self._invalidate_prefix(ref.path + "/")

    def _invalidate(self, path: str) -> None:
        key = self._canonical_path(path)
        self.cache.invalidate(key)
        self.cache.invalidate_prefix(key + "?")
        self._forget_stored(key)

    def _invalidate_prefix(self, path: str) -> None:
        self.cache.invalidate_prefix(self._canonical_path(path))
        self._forget_stored(self._canonical_path(path), prefix=True)


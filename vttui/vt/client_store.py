"""The client's persistent half: replies from the store, saving new ones, the learned user
id and reconciling the quota with the server. A mixin of :class:`~vttui.vt.client.VTClient`
so ``client.py`` only gains the calls.

Without a store (a bare ``VTClient()``, ``--no-store``, the demo) none of this runs and
the client behaves as it always did: memory only.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any

from .cache import AliasTable, FetchInfo, ResponseCache
from .refs import ObjectRef
from .validate import is_user_id

if TYPE_CHECKING:
    from .persist import Persistence
    from .ratelimit import RateLimiter
    from .store.base import Entry, Store, StoredReply
    from .store.policy import StoreOptions

#: Parsed JSON takes several times the bytes of the reply (same figure as the client's).
PARSED_OVERHEAD = 4
USER_META = "user_id"
#: The UTC day of the last start-up reconciliation with the server's count (see
#: :meth:`StoreMixin.quota_reconcile_due`).
QUOTA_META = "quota_reconciled_day"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StoreMixin:
    """Methods of VTClient that talk to the persistent store."""

    cache: ResponseCache
    aliases: AliasTable
    limiter: RateLimiter
    api_key: str | None
    user_id: str | None
    persist: Persistence | None
    _close_store: bool

    if TYPE_CHECKING:
        stats: Any

        def _key(self, path: str, params: dict[str, Any] | None = None) -> str: ...

        async def overall_quotas(self, user_id: str | None = None) -> dict[str, Any]: ...

    def _attach_store(self, store: Store | None, options: StoreOptions | None, close_store: bool) -> None:
        self.persist = None
        self._close_store = close_store
        if store is not None:
            from .persist import Persistence
            from .store.policy import StoreOptions

            self.persist = Persistence(store, options or StoreOptions())
            self.aliases.journal = []

    @property
    def store(self) -> Store | None:
        return self.persist.store if self.persist is not None else None

    @property
    def store_notice(self) -> str | None:
        """Short words for the status line when the store fell back (None: all is well)."""
        return getattr(self.store, "notice", None)

    def fetch_info(self, ref: ObjectRef | str) -> FetchInfo | None:
        """When the cached copy of an object (or any GET path) was fetched, and whether it
        came from the store: what "cached 3 h ago" is made of."""
        path = ref if isinstance(ref, str) else ref.path
        return self.cache.info(self._key(path))

    def refresh_all(self) -> None:
        """``--refresh``: nothing stored before now is served; fresh replies are still saved."""
        if self.persist is not None:
            self.persist.fresh_after = time.time()

    # --- reading -----------------------------------------------------------------------

    def _alias_target(self, path: str) -> tuple[str, str] | None:
        """(collection, id) when the id may be an alias the store knows (md5, sha1, a URL's
        base64 id); None for a sha256, which is already canonical (no round trip for it)."""
        parts = path.split("/")
        if len(parts) < 3 or parts[1] not in ("files", "urls") or _SHA256.match(parts[2]):
            return None
        if self.aliases.resolve(parts[1], parts[2]) != parts[2]:
            return None  # known here already
        return parts[1], parts[2]

    def _adopt(self, key: str, reply: StoredReply) -> dict[str, Any] | None:
        """A stored reply into the memory cache (marked as from the store)."""
        try:
            body = reply.json()
        except ValueError:
            return None
        remaining = reply.expires_at - time.time()
        ttl = max(1.0, min(self.cache.ttl, remaining))
        self.cache.put(key, body, len(reply.body) * PARSED_OVERHEAD, ttl, info=FetchInfo(reply.fetched_at, True))
        self.stats.store_hits += 1
        return body

    async def _from_store(self, path: str, params: dict[str, Any] | None = None,
                          store_as: str | None = None) -> dict[str, Any] | None:
        persist = self.persist
        if persist is None:
            return None
        target = self._alias_target(store_as or path)
        if target is not None:
            canonical = await persist.resolve(*target)
            if canonical:
                self.aliases.add(target[0], target[1], canonical, journal=False)
        key = self._key(store_as) if store_as else self._key(path, params)
        hit = self.cache.peek(key)
        if isinstance(hit, dict):
            return hit
        reply = await persist.load(key)
        return self._adopt(key, reply) if reply is not None else None

    def _from_store_sync(self, path: str) -> dict[str, Any] | None:
        """The same, synchronously (SQLite, memory); None where the store cannot (Redis)."""
        persist = self.persist
        if persist is None or not persist.store.sync_reads:
            return None
        target = self._alias_target(path)
        if target is not None:
            canonical = persist.resolve_sync(*target)
            if canonical:
                self.aliases.add(target[0], target[1], canonical, journal=False)
        key = self._key(path)
        reply = persist.load_sync(key)
        return self._adopt(key, reply) if reply is not None else None

    # --- writing -----------------------------------------------------------------------

    async def _save_reply(self, key: str, content: bytes, seeds: list[tuple[str, dict[str, Any]]]) -> None:
        """Store a reply as received, the objects it listed (unless stored already) and the
        aliases learned from it."""
        persist = self.persist
        if persist is None:
            return
        now = time.time()
        entries: list[Entry | None] = [persist.entry(key, content, now)]
        for seed_key, item in seeds:
            if seed_key != key:
                entries.append(persist.entry(seed_key, json.dumps({"data": item}).encode(), now, replace=False))
        journal = self.aliases.journal
        aliases = list(journal) if journal else []
        if journal:
            journal.clear()
        await persist.save(entries, aliases)

    def _forget_stored(self, path: str, *, prefix: bool = False) -> None:
        if self.persist is not None:
            self.persist.forget(path, prefix=prefix)

    # --- the account ---------------------------------------------------------------------

    async def prepare(self) -> None:
        """At start: find out now whether the store answers (it falls back and says so if
        not), and recall the user id learned by an earlier run."""
        persist = self.persist
        if persist is None:
            return
        await persist.store.ping()
        if not self.user_id:
            learned = await persist.store.get_meta(USER_META)  # (the store is the key's own)
            if learned and is_user_id(learned) and learned != self.api_key:
                self.user_id = learned

    async def quota_reconcile_due(self) -> bool:
        """Whether asking the server for today's count is worth a request at start-up:
        once a UTC day per key when a store keeps the count across restarts meanwhile. The
        quota call is a request like any other, and on a public key (4 a minute) one at
        every start held back the user's first lookups."""
        if self.persist is None:
            return True
        return await self.persist.store.get_meta(QUOTA_META) != _utc_day()

    async def reconcile_quota(self) -> dict[str, Any]:
        """Adopt the server's count of today's requests (it may know of other tools using
        the key); returns the quotas. A user id learned on the way is kept in the store."""
        data = await self.overall_quotas()
        learned = getattr(self, "learned_user_id", None)
        if learned and self.persist is not None:
            await self.persist.store.set_meta(USER_META, learned)
        used = _dict(_dict(data.get("api_requests_daily")).get("user")).get("used")
        if isinstance(used, int) and not isinstance(used, bool) and used >= 0:
            self.limiter.sync_used_today(used)
            await self.limiter.drain()
        if self.persist is not None:
            await self.persist.store.set_meta(QUOTA_META, _utc_day())
        return data

    async def _close_store_layer(self) -> None:
        persist = self.persist
        await self.limiter.drain()
        if persist is None:
            return
        await persist.drain()
        if self._close_store:
            await persist.store.close()


def _utc_day() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

"""What an analyst opens VirusTotal for beyond a report: sandbox reports and ATT&CK trees,
Intelligence search, collections and threat actors.

A mixin of :class:`~.client.VTClient`, kept in its own module so the client stays small.
Every GET goes through the client's cache (``_get_cached``: canonical keys, single-flight),
so nothing is fetched twice, and search hits seed the object cache, so opening one costs
nothing. Intelligence search is premium: the first 403 is remembered for the session,
so a public key spends at most one request on it and then gets the same plain answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from . import errors as E
from .paging import Page, Paginator
from .refs import ObjectRef
from .relationships import get_relationship, relationships_for

__all__ = ["MAX_SEARCH_LIMIT", "SEARCH_TTL", "AnalystEndpoints"]

#: VirusTotal returns at most this many search hits a page.
MAX_SEARCH_LIMIT = 300
#: Search hits change as samples arrive; a repeated query within ten minutes is free.
SEARCH_TTL = 600.0
MAX_QUERY = 4096

SEARCH_FORBIDDEN = (
    "Intelligence search needs a premium key; this VirusTotal key is not allowed to search "
    "(it answered 403). Nothing else is affected."
)
THREAT_ACTOR_FORBIDDEN = "Threat actors need a VirusTotal key with the Threat Landscape module (it answered 403)."


class _Client(Protocol):
    """What the mixin needs from the client (see :class:`~.client.VTClient`)."""

    _search_denied: E.ForbiddenError | None

    async def _get_cached(self, path: str, params: dict[str, Any] | None = None, *, ttl: float | None = None,
                          store_as: str | None = None) -> dict[str, Any]: ...

    async def get_object(self, ref: ObjectRef, *, relationships: Sequence[str] = ()) -> dict[str, Any]: ...

    async def get_related(self, ref: ObjectRef, relationship: str, *, limit: int = 10, cursor: str | None = None,
                          descriptors: bool = False) -> Page: ...

    def iter_related(self, ref: ObjectRef, relationship: str, *, limit: int = 40, cursor: str | None = None,
                     descriptors: bool = False, max_items: int | None = None) -> Paginator: ...

    async def search(self, query: str, *, limit: int = 10, cursor: str | None = None, order: str | None = None,
                     descriptors_only: bool = False) -> Page: ...


def _ident(value: str, what: str) -> str:
    ident = value.strip() if isinstance(value, str) else ""
    if not ident or len(ident) > 512 or not ident.isprintable():
        raise E.InvalidArgumentError(f"That is not a {what} id.")
    return ident


def _forbidden(message: str, exc: E.ForbiddenError) -> E.ForbiddenError:
    return E.ForbiddenError(message, code=exc.code, status=exc.status, detail=exc.detail)


class AnalystEndpoints:
    """Sandbox reports, ATT&CK trees, Intelligence search, collections, threat actors."""

    #: The 403 a search got, kept for the session (a public key does not ask twice).
    _search_denied: E.ForbiddenError | None = None

    # --- sandboxes ----------------------------------------------------------------------

    async def behaviour_mitre_trees(self: _Client, file_ref: ObjectRef) -> dict[str, Any]:
        """``data`` of ``/files/{id}/behaviour_mitre_trees``: sandbox name -> tree (or None).
        View it with :class:`~.models.MitreTrees`."""
        body = await self._get_cached(f"{file_ref.path}/behaviour_mitre_trees")
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def behaviours(self: _Client, file_ref: ObjectRef, *, limit: int = 10, cursor: str | None = None) -> Page:
        """One page of the file's sandbox reports (``file_behaviour`` objects; view them with
        :class:`~.models.SandboxReport`; the pcap of one is ``download_pcap(report.id)``)."""
        return await self.get_related(file_ref, "behaviours", limit=limit, cursor=cursor)

    def iter_behaviours(self: _Client, file_ref: ObjectRef, *, limit: int = 40, cursor: str | None = None,
                        max_items: int | None = None) -> Paginator:
        return self.iter_related(file_ref, "behaviours", limit=limit, cursor=cursor, max_items=max_items)

    # --- Intelligence search --------------------------------------------------------------

    async def search(self: _Client, query: str, *, limit: int = 10, cursor: str | None = None,
                     order: str | None = None, descriptors_only: bool = False) -> Page:
        """One page of VirusTotal Intelligence hits (premium keys only).

        ``page.count`` is the server's ``total_hits``; ``page.cursor`` the next page's.
        A public key gets :class:`ForbiddenError` saying so, after one request at most:
        the 403 is remembered for the session.
        """
        text = query.strip() if isinstance(query, str) else ""
        if not text:
            raise E.InvalidArgumentError("The search query is empty.")
        if len(text) > MAX_QUERY:
            raise E.InvalidArgumentError(f"The search query is too long ({len(text)} characters).")
        if self._search_denied is not None:
            raise _forbidden(self._search_denied.message, self._search_denied)
        params: dict[str, Any] = {"query": text, "limit": max(1, min(int(limit), MAX_SEARCH_LIMIT))}
        if cursor:
            params["cursor"] = cursor
        if order:
            params["order"] = order
        if descriptors_only:
            params["descriptors_only"] = "true"
        try:
            body = await self._get_cached("/intelligence/search", params, ttl=SEARCH_TTL)
        except E.ForbiddenError as exc:
            denied = _forbidden(SEARCH_FORBIDDEN, exc)
            self._search_denied = denied
            raise _forbidden(SEARCH_FORBIDDEN, exc) from None
        except E.BadRequestError as exc:
            # What was wrong with the query is in VirusTotal's words (untrusted: shown as text).
            why = (exc.detail or "").strip()[:300]
            raise type(exc)(f"VirusTotal refused the query{': ' + why if why else '.'}", code=exc.code,
                            status=exc.status, detail=exc.detail) from None
        page = Page.from_reply(body)
        hits = page.meta.get("total_hits")
        if page.count is None and isinstance(hits, int) and not isinstance(hits, bool) and hits >= 0:
            page.count = hits
        return page

    def iter_search(self: _Client, query: str, *, limit: int = 40, cursor: str | None = None,
                    max_items: int | None = None, order: str | None = None) -> Paginator:
        """Every hit of a search, page by page (resumable from ``.cursor``, as relationships)."""

        async def fetch(page_cursor: str | None, page_limit: int) -> Page:
            return await self.search(query, limit=page_limit, cursor=page_cursor, order=order)

        return Paginator(fetch, limit=max(1, min(int(limit), MAX_SEARCH_LIMIT)), cursor=cursor, max_items=max_items)

    @property
    def search_denied(self) -> bool:
        """Whether this key was refused Intelligence search in this session."""
        return self._search_denied is not None

    # --- collections and threat actors ------------------------------------------------------

    async def get_collection(self: _Client, collection_id: str) -> dict[str, Any]:
        """A collection object (view it with :class:`~.models.Collection`)."""
        return await self.get_object(ObjectRef("collection", _ident(collection_id, "collection")))

    async def collection_items(self: _Client, collection_id: str, relationship: str, *, limit: int = 10,
                               cursor: str | None = None, descriptors: bool = False) -> Page:
        """One page of a collection's IoCs (``files``, ``domains``, ``urls``, ``ip_addresses``)
        or of what it is about (``threat_actors``, ``references``)."""
        ref = ObjectRef("collection", _ident(collection_id, "collection"))
        return await self.get_related(ref, _collection_relationship(relationship), limit=limit, cursor=cursor,
                                      descriptors=descriptors)

    def iter_collection_items(self: _Client, collection_id: str, relationship: str, *, limit: int = 40,
                              cursor: str | None = None, max_items: int | None = None) -> Paginator:
        ref = ObjectRef("collection", _ident(collection_id, "collection"))
        return self.iter_related(ref, _collection_relationship(relationship), limit=limit, cursor=cursor,
                                 max_items=max_items)

    async def get_threat_actor(self: _Client, actor_id: str) -> dict[str, Any]:
        """A threat actor by UUID or name (view it with :class:`~.models.ThreatActor`)."""
        try:
            return await self.get_object(ObjectRef("threat_actor", _ident(actor_id, "threat actor")))
        except E.ForbiddenError as exc:
            raise _forbidden(THREAT_ACTOR_FORBIDDEN, exc) from None

    async def get_reference(self: _Client, reference_id: str) -> dict[str, Any]:
        """A reference (report, article) object (view it with :class:`~.models.Reference`)."""
        return await self.get_object(ObjectRef("reference", _ident(reference_id, "reference")))


def _collection_relationship(name: str) -> str:
    rel = get_relationship("collection", name)
    if rel is None:
        valid = ", ".join(r.name for r in relationships_for("collection") if r.in_tree)
        raise E.InvalidArgumentError(f"{name!r} is not a list of a collection; valid: {valid}.")
    return rel.name

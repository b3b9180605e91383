"""The async VirusTotal v3 client: one httpx.AsyncClient, the cache, the rate limiter.

Every request goes through ``_send`` (limiter, retries, typed errors). Every GET goes
through ``_get_cached`` (canonical key, LRU, single-flight), so nothing is fetched twice
in a session and concurrent identical lookups cost one request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx

from . import errors as E
from .analyst import AnalystEndpoints
from .cache import AliasTable, ResponseCache, SingleFlight
from .client_store import StoreMixin
from .ioc import IOC, IOCType, classify, url_id
from .paging import Page, Paginator
from .ratelimit import RateLimiter
from .refs import COLLECTION_OF_TYPE, REPORT_TYPES, ObjectRef, path_segment
from .bodies import Throughput, decoded_chunks, read_capped
from .sanitize import clean_comment, clean_line
from .validate import check_analysis, check_object, check_ref, is_user_id
from .transport import error_from_response, map_transport_error, parse_json_body, was_not_sent

if TYPE_CHECKING:
    from .store.base import Store
    from .store.policy import StoreOptions

DEFAULT_BASE_URL = "https://www.virustotal.com/api/v3"
SMALL_UPLOAD_LIMIT = 32 * 1024 * 1024
MAX_UPLOAD = 650 * 1024 * 1024
UPLOAD_CHUNK = 1024 * 1024
MAX_PAGE_LIMIT = 40
#: Parsed JSON takes several times the bytes of the reply; the byte bound is kept honest.
PARSED_OVERHEAD = 4
#: Total seconds for one API request, retries and their pauses included (network.deadline).
DEFAULT_DEADLINE = 120.0
#: The same for an upload, whose body may take long on a slow link (network.upload_deadline).
DEFAULT_UPLOAD_DEADLINE = 3600.0
#: Largest decompressed API reply read into memory (network.max_reply_mb).
DEFAULT_MAX_REPLY = 32 * 1024 * 1024
#: Largest download written to disk (network.max_download_mb): 650 MB samples, zipped.
DEFAULT_MAX_DOWNLOAD = 700 * 1024 * 1024
#: A download must move at least this many bytes a second, over every window of
#: DOWNLOAD_WINDOW seconds (a total deadline would cut big samples on slow links).
DOWNLOAD_MIN_RATE = 1024.0
DOWNLOAD_WINDOW = 30.0
#: Pause after a 429 that says neither when to come back (no Retry-After) nor that it
#: comes from VirusTotal (no v3 error body): a proxy's limit, not VirusTotal's minute.
UNKNOWN_429_PAUSE = 2.0

Progress = Callable[[int, int | None], None]
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")
#: Takes a download's chunks and its announced size (None: unknown).
Consumer = Callable[[AsyncIterator[bytes], int | None], Awaitable[T]]


class _RedactKeys(logging.Filter):
    """Masks API keys in httpx's own log lines (it logs every URL at INFO, and the quota
    endpoint carries the key in its path)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.keys:
            text = record.getMessage()
            if any(key in text for key in self.keys):
                for key in self.keys:
                    text = text.replace(key, "***" + key[-4:])
                record.msg, record.args = text, None
        return True


_REDACT = _RedactKeys()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_REDACT)


@dataclass(slots=True)
class ClientStats:
    requests: int = 0  # requests that reached the network (retries included)
    retries: int = 0
    bytes_received: int = 0
    store_hits: int = 0  # replies served from the persistent store (an earlier run, another process)



class RecentRequests(list[tuple[str, str]]):
    """The latest ``LIMIT`` requests, oldest first (a list, so tests compare it to one)."""

    LIMIT = 1000

    def append(self, item: tuple[str, str]) -> None:
        super().append(item)
        if len(self) > self.LIMIT:
            del self[: len(self) - self.LIMIT]

class VTClient(AnalystEndpoints, StoreMixin):
    """Async client for the VirusTotal API v3. Use as ``async with VTClient(key) as vt``.

    Sandbox reports, ATT&CK trees, Intelligence search, collections and threat actors
    come from :class:`~.analyst.AnalystEndpoints`. ``store`` (see :mod:`vttui.vt.store`)
    keeps replies beyond the process, behind the in-memory cache; without one the client
    is memory-only. It is closed with the client unless ``close_store=False``.
    """

    #: Where the key came from ("VT_API_KEY", "-k/--apikey", "config file", ...), for
    #: the status line and ``vttui quota``; set by whoever built the client.
    key_source: str | None = None

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        cache: ResponseCache | None = None,
        timeout: float = 30.0,
        upload_timeout: float = 600.0,
        proxy: str | None = None,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        user_agent: str | None = None,
        trust_env: bool = True,
        user_id: str | None = None,
        deadline: float = DEFAULT_DEADLINE,
        upload_deadline: float = DEFAULT_UPLOAD_DEADLINE,
        max_reply_bytes: int = DEFAULT_MAX_REPLY,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD,
        clock: Callable[[], float] | None = None,
        store: Store | None = None,
        store_options: StoreOptions | None = None,
        close_store: bool = True,
    ) -> None:
        from .. import __version__

        self.api_key = api_key
        if api_key and len(api_key) > 4:
            _REDACT.keys.add(api_key)
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter if limiter is not None else RateLimiter()
        self.cache = cache if cache is not None else ResponseCache()
        self.aliases = AliasTable()
        self._attach_store(store, store_options, close_store)
        self.flights: SingleFlight[dict[str, Any]] = SingleFlight()
        self.stats = ClientStats()
        #: (method, path) of the latest requests sent, the API key masked; bounded, so a
        #: long session does not grow it for ever. For tests, benchmarks and debugging.
        self.request_log = RecentRequests()
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.upload_timeout = upload_timeout
        self.reply_timeout = min(upload_timeout, timeout * 4)
        self.deadline = deadline
        self.upload_deadline = upload_deadline
        self.max_reply_bytes = max_reply_bytes
        self.max_download_bytes = max_download_bytes
        self.download_min_rate = DOWNLOAD_MIN_RATE
        self.download_window = DOWNLOAD_WINDOW
        self.user_id = user_id
        #: Set when the user id was learned from VirusTotal in this session (not configured).
        self.learned_user_id: str | None = None
        self._sleep = sleep
        #: What deadlines are measured on (the event loop's clock unless a test fakes it).
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []
        base = urlsplit(self.base_url)
        self._origin = (base.scheme, base.netloc)
        # Only encodings bodies.py inflates under its cap (never brotli/zstd, if installed).
        headers = {"user-agent": user_agent or f"vttui/{__version__}", "accept": "application/json",
                   "accept-encoding": "gzip, deflate"}
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            headers=headers,
            proxy=proxy if transport is None else None,
            trust_env=trust_env and transport is None,
            follow_redirects=False,
        )

    # --- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> "VTClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._close_store_layer()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    def on_request(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every request that reached the network (UI counters)."""
        self._listeners.append(listener)

    # --- the wire ----------------------------------------------------------------------

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.base_url + path_or_url

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc) == self._origin

    def _mask(self, text: str) -> str:
        key = self.api_key
        return text.replace(key, "***" + key[-4:]) if key and len(key) > 4 else text

    def _headers(self, url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        # The key only ever goes to VirusTotal's own origin, never to a redirect target.
        if self._same_origin(url):
            if not self.api_key:
                raise E.MissingAPIKeyError()
            headers["x-apikey"] = self.api_key
        return headers

    def _pause(self, attempt: int, retry_after: float | None) -> float:
        delay: float = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        delay *= 0.5 + random.random() / 2  # jitter: concurrent clients do not retry in step
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_cap))
        return delay

    def _retry_pause(self, started: float, budget: float, attempt: int, retry_after: float | None,
                     counts_quota: bool = False) -> float | None:
        """The pause before retry ``attempt``, or None when waiting it (and, after a 429,
        the limiter's hold) would not leave time inside the deadline."""
        pause = self._pause(attempt, retry_after)
        wait = max(pause, self.limiter.state().next_slot_in) if counts_quota else pause
        now = self._clock or asyncio.get_running_loop().time
        if now() - started + wait >= budget:
            return None
        return pause

    async def _exchange(self, request: httpx.Request, remaining: float, stream: bool) -> httpx.Response:
        """One attempt, bounded by ``remaining`` seconds from sending to the last byte (slow
        headers, a dripping body and silence all count). The body is read through the size
        cap and the response rebuilt around it; a streamed success (or redirect) is
        returned unread for the caller to consume."""
        async with asyncio.timeout(remaining):
            response = await self._http.send(request, stream=True)
            try:
                if stream and (response.status_code < 300 or response.is_redirect):
                    return response
                body = await read_capped(response, self.max_reply_bytes)
            finally:
                if not (stream and (response.status_code < 300 or response.is_redirect)):
                    await response.aclose()
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    def _deadline_error(self, budget: float, attempts: int) -> E.VTError:
        setting = "network.upload_deadline" if budget == self.upload_deadline != self.deadline else "network.deadline"
        tries = f" over {attempts} attempts" if attempts > 1 else ""
        return E.RequestDeadlineError(
            f"VirusTotal did not finish answering within {budget:g} s{tries} ({setting}); the server is "
            "slow or not answering. Try again later, or raise the deadline."
        )

    async def _send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: Callable[[], AsyncIterator[bytes]] | None = None,
        idempotent: bool | None = None,
        timeout: httpx.Timeout | float | None = None,
        stream: bool = False,
        parse_json: bool = False,
        deadline: float | None = None,
    ) -> httpx.Response:
        """Send one request through the limiter, with retries where they are safe.

        Everything from the first attempt to the final answer (every attempt, reading each
        reply, the pauses between retries) must fit in ``deadline`` seconds (default
        ``self.deadline``): a retry whose pause would not fit is not made. The wait for the
        local rate limiter's first slot is not counted (it is our own pacing, shown in the
        status line). Replies are read under ``self.max_reply_bytes``. A redirect is
        never followed, except by downloads (``stream``), which handle it themselves.

        With ``parse_json`` the body is parsed inside the retry loop (a truncated reply
        to a GET is retried) and left in ``response.extensions["vt_json"]``.
        """
        url = self._url(path_or_url)
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        counts_quota = url.startswith(self.base_url)
        req_headers = self._headers(url, headers)
        budget = self.deadline if deadline is None else deadline
        now = self._clock or asyncio.get_running_loop().time
        started: float | None = None
        attempt = 0
        while True:
            slot = await self.limiter.acquire() if counts_quota else None
            if started is None:
                started = now()
            remaining = budget - (now() - started)
            if remaining <= 0:
                raise self._deadline_error(budget, attempt)
            request = self._http.build_request(
                method, url, params=params, json=json, data=data, headers=req_headers,
                content=content() if content is not None else None,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            try:
                response = await self._exchange(request, remaining, stream)
            except TimeoutError as exc:  # the deadline, not a per-read timeout (those are httpx's)
                late = self._deadline_error(budget, attempt + 1)
                if not idempotent:
                    raise E.WriteOutcomeUnknownError(_unknown_outcome(late)) from exc
                raise late from exc
            except httpx.HTTPError as exc:
                error = map_transport_error(exc)
                if slot is not None and was_not_sent(exc):
                    # Refused, no DNS, no proxy: VirusTotal never saw it, so it costs no quota.
                    await self.limiter.refund(slot)
                if not idempotent and not was_not_sent(exc):
                    raise E.WriteOutcomeUnknownError() from exc
                pause = self._retry_pause(started, budget, attempt + 1, None)
                if error.retryable and attempt < self.max_retries and pause is not None:
                    attempt += 1
                    self.stats.retries += 1
                    await self._sleep(pause)
                    continue
                raise error from exc
            except E.MalformedResponseError as bad:  # over the cap, or a corrupt compressed body
                if not idempotent:
                    raise E.WriteOutcomeUnknownError(_unknown_outcome(bad)) from bad
                raise
            finally:
                self._count(method, url)
            if response.is_redirect and not stream:
                redirected = _redirect_error(response)
                if not idempotent:
                    raise E.WriteOutcomeUnknownError(_unknown_outcome(redirected), status=response.status_code)
                raise redirected
            if response.status_code < 400:
                if not parse_json:
                    return response
                try:
                    response.extensions["vt_json"] = parse_json_body(response)
                    return response
                except E.MalformedResponseError as error:
                    pause = self._retry_pause(started, budget, attempt + 1, None)
                    if idempotent and attempt < self.max_retries and pause is not None:
                        attempt += 1
                        self.stats.retries += 1
                        await self._sleep(pause)
                        continue
                    if not idempotent:
                        # The server accepted the write; only its reply was garbled.
                        raise E.WriteOutcomeUnknownError(_unknown_outcome(error), status=response.status_code) from error
                    raise
            error = error_from_response(response)
            self._after_error(error)
            retry = error.retryable and attempt < self.max_retries
            if not idempotent:
                # A write is resent only when the server certainly did not act on it.
                retry = retry and isinstance(error, E.TooManyRequestsError)
            pause = self._retry_pause(started, budget, attempt + 1, error.retry_after, counts_quota) if retry else None
            if pause is not None:
                attempt += 1
                self.stats.retries += 1
                await self._sleep(pause)
                continue
            if retry or (attempt and error.retry_after is None):  # cut short by the deadline, or no hint
                _explain_gave_up(error, attempt + 1, now() - started)
            if not idempotent and _outcome_unknown(error):
                raise E.WriteOutcomeUnknownError(_unknown_outcome(error), status=error.status, detail=error.detail) from error
            raise error

    def _count(self, method: str, url: str) -> None:
        self.stats.requests += 1
        path = url[len(self.base_url):] if url.startswith(self.base_url) else urlsplit(url).path
        self.request_log.append((method, self._mask(path)))
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener()

    def _after_error(self, error: E.VTError) -> None:
        if isinstance(error, E.TooManyRequestsError):
            if error.retry_after is not None:
                hold = error.retry_after
            elif error.code:  # VirusTotal's own 429: its window is a minute
                hold = 60.0
            else:  # a proxy's or a server's 429 saying nothing: do not stall a minute on it
                hold = UNKNOWN_429_PAUSE
            self.limiter.penalise(hold)
        elif isinstance(error, E.QuotaExceededError):
            state = self.limiter.state()
            if state.per_day is not None and state.used_day >= state.per_day - 1:
                self.limiter.mark_day_spent()
            else:
                error.message = (
                    "VirusTotal says this key's quota is spent. If it was the per-minute "
                    f"allowance, requests resume within a minute; the daily quota resets at "
                    f"{state.resets_at:%H:%M} UTC."
                )
                error.args = (error.message,)
                self.limiter.penalise(60.0)

    async def _send_json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        response = await self._send(method, path, parse_json=True, **kw)
        self.stats.bytes_received += len(response.content)
        return response.extensions["vt_json"]

    # --- the cache -----------------------------------------------------------------------

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
        hit = self.cache.get(key)
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
        attrs = obj.get("attributes") if isinstance(obj.get("attributes"), dict) else {}
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

    # --- objects -------------------------------------------------------------------------

    async def get_object(self, ref: ObjectRef, *, relationships: Sequence[str] = ()) -> dict[str, Any]:
        """The object's data dict. ``relationships`` adds descriptors when a fetch happens
        anyway (one request for the object and a first look at its relations).

        The ref must be a valid indicator of its type (ids from replies are checked before
        any request), and the reply must be that object (MalformedResponseError if not)."""
        check_ref(ref)
        body = self.cache.get(self._key(ref.path))
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            return body["data"]
        params = {"relationships": ",".join(relationships)} if relationships else None
        body = await self._get_cached(ref.path, params, store_as=ref.path,
                                      check=lambda reply: check_object(ref, reply))
        data = body.get("data")
        if not isinstance(data, dict):
            self._invalidate(ref.path)
            raise E.MalformedResponseError("VirusTotal's reply had no object in it.")
        return data

    async def lookup(self, ioc: IOC | str, *, relationships: Sequence[str] = ()) -> dict[str, Any]:
        """Look up anything the user typed (defanged or not). Analyses included."""
        if isinstance(ioc, str):
            ioc = classify(ioc)
        if ioc.type is IOCType.ANALYSIS:
            return (await self.get_analysis(ioc.value))["data"]
        return await self.get_object(ioc.ref, relationships=relationships)

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
        self, ref: ObjectRef, relationship: str, *, limit: int = 10, cursor: str | None = None, descriptors: bool = False
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

    def iter_comments(self, ref: ObjectRef, *, limit: int = MAX_PAGE_LIMIT, cursor: str | None = None, max_items: int | None = None) -> Paginator:
        check_ref(ref)
        return self._paginator(f"{ref.path}/comments", limit, cursor, max_items)

    async def get_votes(self, ref: ObjectRef, *, limit: int = 10, cursor: str | None = None) -> Page:
        check_ref(ref)
        return await self._page(f"{ref.path}/votes", limit, cursor)

    def iter_votes(self, ref: ObjectRef, *, limit: int = MAX_PAGE_LIMIT, cursor: str | None = None, max_items: int | None = None) -> Paginator:
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

    async def add_comment(self, ref: ObjectRef, text: str) -> dict[str, Any]:
        """Post a comment (a write: never resent when its effect is unknown). Control and
        escape characters are removed first (:func:`clean_comment`): callers that want
        to show what is posted clean it the same way before asking."""
        check_ref(ref)
        text = clean_comment(text)
        if not text:
            raise E.InvalidArgumentError("A comment cannot be empty.")
        body = {"data": {"type": "comment", "attributes": {"text": text}}}
        reply = await self._send_json("POST", f"{ref.path}/comments", json=body)
        self._invalidate_prefix(f"{ref.path}/comments")
        return reply.get("data") if isinstance(reply.get("data"), dict) else {}

    async def add_vote(self, ref: ObjectRef, verdict: str) -> dict[str, Any]:
        """Cast a vote; a second vote on the same object raises AlreadyExistsError (409)."""
        check_ref(ref)
        if verdict not in ("malicious", "harmless"):
            raise E.InvalidArgumentError("A vote is either 'malicious' or 'harmless'.")
        body = {"data": {"type": "vote", "attributes": {"verdict": verdict}}}
        try:
            reply = await self._send_json("POST", f"{ref.path}/votes", json=body)
        except E.AlreadyExistsError as exc:
            raise E.AlreadyExistsError(
                "You have already voted on this; VirusTotal keeps one vote per user.",
                code=exc.code, status=exc.status, detail=exc.detail,
            ) from None
        self._invalidate_prefix(f"{ref.path}/votes")
        self._invalidate(ref.path)
        return reply.get("data") if isinstance(reply.get("data"), dict) else {}

    async def network_location(self, ref: ObjectRef) -> dict[str, Any] | None:
        """The domain or IP object a URL lives on."""
        check_ref(ref)
        body = await self._get_cached(f"{ref.path}/network_location")
        data = body.get("data")
        return data if isinstance(data, dict) else None

    # --- submissions and analyses -----------------------------------------------------

    async def get_upload_url(self) -> str:
        """A fresh single-use upload URL for files over 32 MB (never cached)."""
        body = await self._send_json("GET", "/files/upload_url")
        url = body.get("data")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise E.MalformedResponseError("VirusTotal did not return a usable upload URL.")
        return url

    async def upload_file(
        self, path: str | os.PathLike[str], *, progress: Progress | None = None, password: str | None = None
    ) -> dict[str, Any]:
        """Upload a file (streamed from disk) and return the analysis descriptor.

        Up to 32 MB goes to POST /files; larger files, up to 650 MB, to a fresh upload URL.
        """
        file_path = Path(path)
        try:
            size = file_path.stat().st_size
        except OSError as exc:
            raise E.InvalidArgumentError(f"Cannot read {file_path.name}: {exc.strerror or exc}.") from None
        if not file_path.is_file():
            raise E.InvalidArgumentError(f"{file_path.name} is not a regular file.")
        if size > MAX_UPLOAD:
            raise E.UploadTooLargeError(
                f"{file_path.name} is {size / 2**20:.0f} MB; VirusTotal accepts files up to 650 MB."
            )
        target = await self.get_upload_url() if size > SMALL_UPLOAD_LIMIT else "/files"
        boundary = "vttui-" + secrets.token_hex(16)
        fields = [("password", password)] if password else []
        head, tail = _multipart_frame(boundary, _safe_filename(file_path.name), fields)
        total = len(head) + size + len(tail)

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            yield head
            sent += len(head)
            with open(file_path, "rb") as fh:
                while True:
                    chunk = await asyncio.to_thread(fh.read, UPLOAD_CHUNK)
                    if not chunk:
                        break
                    sent += len(chunk)
                    if progress:
                        progress(min(sent, total), total)
                    yield chunk
            yield tail
            if progress:
                progress(total, total)

        headers = {"content-type": f"multipart/form-data; boundary={boundary}", "content-length": str(total)}
        # Sending may take long (each chunk may wait up to upload_timeout); the reply, once
        # the body is sent, must not: a server that never answers is a failure in minutes.
        timeout = httpx.Timeout(connect=15.0, write=self.upload_timeout, read=self.reply_timeout, pool=15.0)
        reply = await self._send_json("POST", target, content=body, headers=headers, idempotent=False, timeout=timeout,
                                      deadline=self.upload_deadline)
        return _analysis_descriptor(reply)

    async def scan_url(self, url: str) -> dict[str, Any]:
        """Submit a URL for scanning; returns the analysis descriptor."""
        ioc = classify(url)
        if ioc.type is not IOCType.URL:
            raise E.InvalidIOCError(f"Only URLs can be scanned this way, not a {ioc.label}.")
        reply = await self._send_json("POST", "/urls", data={"url": ioc.value})
        return _analysis_descriptor(reply)

    async def reanalyse(self, ref: ObjectRef) -> dict[str, Any]:
        """Ask VirusTotal to analyse a file or URL again; returns the analysis descriptor."""
        if ref.type not in ("file", "url"):
            raise E.InvalidArgumentError("Only files and URLs can be re-analysed.")
        check_ref(ref)
        reply = await self._send_json("POST", f"{ref.path}/analyse")
        self._invalidate(ref.path)
        return _analysis_descriptor(reply)

    async def get_analysis(self, analysis_id: str) -> dict[str, Any]:
        """The whole analysis reply (data and meta). Completed analyses are cached."""
        path = f"/analyses/{path_segment(analysis_id)}"
        cached = self.cache.get(path)
        if cached is not None:
            return cached
        stored = await self._from_store(path) if self.persist is not None else None
        if stored is not None:
            return stored  # only completed analyses are ever stored
        body = await self.flights.run(("analysis", path), lambda: self._send_json("GET", path))
        check_analysis(body, submitted=False)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        attrs = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
        if attrs.get("status") == "completed":
            self.cache.put(path, body, len(str(body)))
            self._analysis_completed(body)
            if self.persist is not None:
                self.persist.spawn(self._save_reply(path, json.dumps(body).encode(), []))
        return body

    def _analysis_completed(self, body: dict[str, Any]) -> None:
        """Drop the stale report of whatever the analysis was about."""
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        file_info = meta.get("file_info") if isinstance(meta.get("file_info"), dict) else {}
        url_info = meta.get("url_info") if isinstance(meta.get("url_info"), dict) else {}
        for field in ("sha256", "sha1", "md5"):
            if isinstance(file_info.get(field), str):
                self._invalidate(f"/files/{file_info[field]}")
        if isinstance(url_info.get("id"), str):
            self._invalidate(f"/urls/{url_info['id']}")
        if isinstance(url_info.get("url"), str):
            self._invalidate(f"/urls/{url_id(url_info['url'])}")

    async def wait_for_analysis(
        self,
        analysis_id: str,
        *,
        timeout: float = 600.0,
        first_delay: float = 5.0,
        max_delay: float = 60.0,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> dict[str, Any]:
        """Poll until the analysis completes; backs off; raises AnalysisTimeoutError at the limit."""
        loop_clock = clock or asyncio.get_running_loop().time
        start = loop_clock()
        delay = first_delay
        while True:
            body = await self.get_analysis(analysis_id)
            if on_update is not None:
                with contextlib.suppress(Exception):
                    on_update(body)
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            attrs = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
            if attrs.get("status") == "completed":
                return body
            if loop_clock() - start + delay > timeout:
                raise E.AnalysisTimeoutError(
                    f"The analysis was still {attrs.get('status') or 'pending'} after "
                    f"{int(timeout)} s; it may complete later (id {analysis_id})."
                )
            await self._sleep(delay)
            delay = min(max_delay, delay * 2)

    # --- files: behaviour, downloads --------------------------------------------------

    async def behaviour_summary(self, file_ref: ObjectRef) -> dict[str, Any]:
        check_ref(file_ref)
        body = await self._get_cached(f"{file_ref.path}/behaviour_summary")
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def download_url(self, file_hash: str) -> str:
        check_ref(ObjectRef("file", file_hash))
        body = await self._send_json("GET", f"/files/{path_segment(file_hash)}/download_url")
        url = body.get("data")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise E.MalformedResponseError("VirusTotal did not return a usable download URL.")
        return url

    async def download_file(self, file_hash: str, dest: str | os.PathLike[str], *, progress: Progress | None = None) -> Path:
        """Stream a sample to ``dest`` (mode 0600, never executable). Premium keys only."""
        return await self.download_file_into(
            file_hash, lambda chunks, total: _stream_to_file(chunks, Path(dest), total, progress))

    async def download_file_into(self, file_hash: str, consume: Consumer[T]) -> T:
        """Stream a sample into ``consume(chunks, total)`` (e.g. straight into an encrypted
        ZIP, so the bare sample never touches the disk). Premium keys only."""
        check_ref(ObjectRef("file", file_hash))
        try:
            return await self._download_into(f"/files/{path_segment(file_hash)}/download", consume)
        except E.ForbiddenError as exc:
            raise E.ForbiddenError(
                "Downloading samples needs a premium VirusTotal key; this key is not allowed to.",
                code=exc.code, status=exc.status, detail=exc.detail,
            ) from None

    async def download_pcap(self, behaviour_id: str, dest: str | os.PathLike[str], *, progress: Progress | None = None) -> Path:
        return await self._download_into(f"/file_behaviours/{path_segment(behaviour_id)}/pcap",
                                         lambda chunks, total: _stream_to_file(chunks, Path(dest), total, progress))

    async def _download_into(self, path: str, consume: Consumer[T]) -> T:
        response = await self._send("GET", path, stream=True)
        hops = 0
        while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
            location = response.headers.get("location")
            await response.aclose()
            if not location:
                raise E.MalformedResponseError("VirusTotal redirected the download nowhere.")
            location = str(response.url.join(location))
            response = await self._send("GET", location, stream=True)
            hops += 1
        limit = self.max_download_bytes

        def too_large() -> E.VTError:
            return E.ReplyTooLargeError(
                f"The download is larger than {limit / 2**20:g} MB (network.max_download_mb); vttui stopped it "
                "and kept nothing."
            )

        rate = Throughput(asyncio.get_running_loop().time, window=self.download_window, min_rate=self.download_min_rate)
        try:
            total = _int_header(response.headers.get("content-length"))
            chunks = decoded_chunks(response, limit, too_large, check=rate)
            return await consume(chunks, total)
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        finally:
            await response.aclose()

    # --- account -------------------------------------------------------------------------

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
        if data.get("type") != "user" or not is_user_id(uid) or uid == self.api_key:
            raise E.MalformedResponseError("VirusTotal did not say which account this API key belongs to.")
        self.user_id = self.learned_user_id = uid
        return uid


def _outcome_unknown(error: E.VTError) -> bool:
    """After a write was sent, which failures leave its effect unknown: anything but a clear
    refusal (4xx, 429) or 503, which VirusTotal sends before acting."""
    status = error.status or 0
    if 400 <= status < 500 or isinstance(error, E.TransientError):
        return False
    return True


def _unknown_outcome(error: E.VTError) -> str:
    return (f"{error.message.rstrip('.')}. The request had been sent, so it may or may not have "
            "taken effect: check before trying again.")


def _explain_gave_up(error: E.VTError, attempts: int, waited: float) -> None:
    """Say why a 429 was not waited out further: the deadline, or the missing hint."""
    if not isinstance(error, E.TooManyRequestsError):
        return
    why = ("without saying when to retry (no Retry-After)" if error.retry_after is None
           else f"asking to wait {error.retry_after:g} s")
    who = "VirusTotal" if error.code else "the server (VirusTotal or a proxy on the way)"
    error.message = (f"Too many requests: {who} answered 429 {attempts} times {why}; vttui stopped after "
                     f"{waited:.0f} s rather than keep waiting. Try again in a minute.")
    error.args = (error.message,)


def _redirect_error(response: httpx.Response) -> E.VTError:
    """A plain message naming where an API call was redirected, made safe to print."""
    location = response.headers.get("location") or ""
    try:
        target = urlsplit(str(response.request.url.join(location))) if location else None
    except (ValueError, httpx.InvalidURL):
        target = None
    if target is not None and target.scheme and target.hostname:
        port = f":{target.port}" if target.port else ""
        where = clean_line(f"{target.scheme}://{target.hostname}{port}{target.path}", 120)
        to = f" to {where}"
    else:
        to = " to no usable address"
    return E.RedirectedError(
        f"The VirusTotal API address answered with a redirect (HTTP {response.status_code}){to}; vttui does not "
        "follow redirects on API calls, so nothing more was sent. Check VT_API_URL / network.base_url and any proxy.",
        status=response.status_code,
    )


def _analysis_descriptor(reply: dict[str, Any]) -> dict[str, Any]:
    return check_analysis(reply, submitted=True)


def _safe_filename(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '"\\\r\n')
    return cleaned[:200] or "upload.bin"


def _multipart_frame(boundary: str, filename: str, fields: Iterable[tuple[str, str]]) -> tuple[bytes, bytes]:
    head = b""
    for name, value in fields:
        head += (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ).encode()
    head += (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode()


def _int_header(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _stream_to_file(chunks: AsyncIterator[bytes], dest: Path, total: int | None, progress: Progress | None) -> Path:
    """Write to a private temp file beside ``dest``, then move it into place (mode 0600)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".vttui-", suffix=".part", dir=dest.parent)
    os.fchmod(fd, 0o600)
    received = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            async for chunk in chunks:
                await asyncio.to_thread(fh.write, chunk)
                received += len(chunk)
                if progress:
                    progress(received, total)
        os.replace(tmp_name, dest)
        os.chmod(dest, 0o600)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return dest

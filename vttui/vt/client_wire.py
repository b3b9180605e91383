"""The client's wire: one httpx.AsyncClient, the rate limiter, retries, deadlines and
typed errors. Every request of :class:`~vttui.vt.client.VTClient` goes through ``_send``.

The base of the client's layers (cache, objects, writes, downloads are built on it), kept
apart so the retry and deadline rules can be read in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

import httpx

from . import errors as E
from .bodies import read_capped
from .cache import AliasTable, ResponseCache, SingleFlight
from .client_store import StoreMixin
from .ratelimit import RateLimiter
from .transport import (
    error_from_response,
    explain_gave_up,
    map_transport_error,
    outcome_unknown,
    parse_json_body,
    redirect_error,
    unknown_outcome,
    was_not_sent,
)

if TYPE_CHECKING:
    from .store.base import Store
    from .store.policy import StoreOptions

DEFAULT_BASE_URL = "https://www.virustotal.com/api/v3"
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


class WireClient(StoreMixin):
    """Sending requests: the limiter, retries where they are safe, deadlines, size caps."""


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

    async def __aenter__(self) -> Self:
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
                    raise E.WriteOutcomeUnknownError(unknown_outcome(late)) from exc
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
                    raise E.WriteOutcomeUnknownError(unknown_outcome(bad)) from bad
                raise
            finally:
                self._count(method, url)
            if response.is_redirect and not stream:
                redirected = redirect_error(response)
                if not idempotent:
                    raise E.WriteOutcomeUnknownError(unknown_outcome(redirected), status=response.status_code)
                raise redirected
            if response.status_code < 400:
                if not parse_json:
                    return response
                try:
                    response.extensions["vt_json"] = parse_json_body(response)
                    return response
                except E.MalformedResponseError as garbled:
                    pause = self._retry_pause(started, budget, attempt + 1, None)
                    if idempotent and attempt < self.max_retries and pause is not None:
                        attempt += 1
                        self.stats.retries += 1
                        await self._sleep(pause)
                        continue
                    if not idempotent:
                        # The server accepted the write; only its reply was garbled.
                        raise E.WriteOutcomeUnknownError(unknown_outcome(garbled),
                                                         status=response.status_code) from garbled
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
                explain_gave_up(error, attempt + 1, now() - started)
            if not idempotent and outcome_unknown(error):
                raise E.WriteOutcomeUnknownError(unknown_outcome(error), status=error.status,
                                                 detail=error.detail) from error
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
        body: dict[str, Any] = response.extensions["vt_json"]
        return body

"""Make the demo backend misbehave like the real network: latency, quotas, faults, hostile data.

Each factory returns a middleware (``async def mw(request, call_next)``) for
:class:`~vttui.demo.DemoServer` or :class:`~vttui.demo.DemoTransport`; :func:`chain`
composes them, the first being the outermost::

    rec = record()
    server = DemoServer(backend, middleware=chain(rec, quota(60), faults(0.3, seed=7), latency(0.01)))

Everything is deterministic for a seed: whether (and how) a request fails depends on the
seed, the request (method and target) and how many times that same request was seen
before, never on timing or on the order in which concurrent requests arrive. So a test
that retries a request sees a fresh draw, and two runs with one seed see the same faults.

Writes are special. A fault on a POST is injected either *before* the backend sees it
(the effect certainly did not happen: a proxy's 502, a 503, a connection dropped before
the request was handled) or *after* (the effect happened, the reply was lost or garbled:
a 504, a dropped or truncated reply, a reply that never comes). Both are recorded, so a
test can assert that no write was ever applied twice.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from vttui.demo.protocol import Action, DemoRequest, DemoResponse, Handler, Middleware

from .hostile import BIDI, ESCAPES, MARKUP, hostile_middleware

__all__ = [
    "ALL_KINDS",
    "RETRYABLE_KINDS",
    "Exchange",
    "Faults",
    "Injection",
    "Latency",
    "Quota",
    "Recorder",
    "chain",
    "faults",
    "hostile",
    "hostile_errors",
    "latency",
    "quota",
    "record",
]

#: Every fault :func:`faults` can inject.
ALL_KINDS: tuple[str, ...] = (
    "transient",  # 503 TransientError (v3 JSON body)
    "deadline",  # 504 DeadlineExceededError (v3 JSON body)
    "html",  # 502 HTML page from a proxy
    "plain404",  # 404 with a plain-text body (no v3 error object)
    "truncated",  # Content-Length larger than the body, then the connection drops
    "cut",  # a JSON body cut short (Content-Length agrees: valid HTTP, invalid JSON)
    "malformed",  # a body that is not JSON at all (Content-Length agrees)
    "drop",  # the connection closes without a reply
    "hang",  # no reply ever comes
)
#: Faults a client can safely retry on a GET (everything but the plain-text 404).
RETRYABLE_KINDS: tuple[str, ...] = tuple(k for k in ALL_KINDS if k != "plain404")

#: On a POST these happen before the backend is called (nothing was done) ...
_POST_BEFORE = frozenset({"transient", "html", "plain404"})
#: ... these after it (it was done; the reply is lost or garbled) ...
_POST_AFTER = frozenset({"deadline", "truncated", "cut", "malformed"})
#: ... and these either way (seeded coin).

PROXY_502 = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>corporate-proxy/1.0</center></body></html>\n"
)
PLAIN_404 = "404 page not found\n"


Predicate = Callable[[DemoRequest], bool]


def chain(*middlewares: Middleware | None) -> Middleware:
    """One middleware running ``middlewares`` in order (the first sees the request first)."""
    mws = [m for m in middlewares if m is not None]

    async def run(request: DemoRequest, call_next: Handler) -> DemoResponse:
        async def step(index: int, req: DemoRequest) -> DemoResponse:
            if index == len(mws):
                return await call_next(req)
            return await mws[index](req, lambda r: step(index + 1, r))

        return await step(0, request)

    return run


# --- recording --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request as a middleware saw it, and what went back."""

    method: str
    target: str  # path?query relative to the API root (or the raw path outside it)
    status: int  # 0 when the connection was dropped or left hanging
    action: str  # "reply", "close" or "hang"
    in_api: bool = True

    @property
    def ok(self) -> bool:
        return self.action == "reply" and 200 <= self.status < 400


class Recorder:
    """Records every request that reaches it and the outcome, in arrival order."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        method, target, in_api = request.method, request.target, request.in_api
        reply = await call_next(request)
        with self._lock:
            self.exchanges.append(Exchange(method, target, reply.status, str(reply.action), in_api))
        return reply

    def targets(self, method: str | None = "GET") -> list[str]:
        return [e.target for e in list(self.exchanges) if method is None or e.method == method]

    def clear(self) -> None:
        with self._lock:
            self.exchanges.clear()


def record() -> Recorder:
    return Recorder()


# --- latency ------------------------------------------------------------------------------


class Latency:
    """Waits ``seconds`` (plus up to ``jitter``, seeded) before passing each request on."""

    def __init__(self, seconds: float, *, jitter: float = 0.0, seed: int = 0, only: Predicate | None = None) -> None:
        if seconds < 0 or jitter < 0:
            raise ValueError("latency cannot be negative")
        self.seconds = seconds
        self.jitter = jitter
        self.only = only
        self._rng = random.Random(seed)
        self.delayed = 0

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        if self.only is None or self.only(request):
            delay = self.seconds + (self._rng.random() * self.jitter if self.jitter else 0.0)
            self.delayed += 1
            if delay > 0:
                await asyncio.sleep(delay)
        return await call_next(request)


def latency(seconds: float, *, jitter: float = 0.0, seed: int = 0, only: Predicate | None = None) -> Latency:
    return Latency(seconds, jitter=jitter, seed=seed, only=only)


# --- quota --------------------------------------------------------------------------------


class Quota:
    """A per-minute allowance, enforced like VirusTotal: 429 with a v3 error body.

    ``code`` is ``QuotaExceededError`` (the allowance is spent) or ``TooManyRequestsError``
    (slow down). Requests refused do not count. ``Retry-After`` says when the oldest
    request leaves the window, or ``retry_after`` when given (tests use a small one).
    Requests about the user (``/users/...``) are free, as in the demo backend.
    """

    CODES = ("QuotaExceededError", "TooManyRequestsError")

    def __init__(
        self,
        per_minute: int,
        *,
        code: str = "QuotaExceededError",
        clock: Callable[[], float] = time.monotonic,
        retry_after: float | None = None,
        window: float = 60.0,
    ) -> None:
        if code not in self.CODES:
            raise ValueError(f"code must be one of {self.CODES}")
        if per_minute < 0:
            raise ValueError("per_minute cannot be negative")
        self.per_minute = per_minute
        self.code = code
        self.clock = clock
        self.retry_after = retry_after
        self.window = window
        self._stamps: deque[float] = deque()
        self.allowed = 0
        self.refused = 0

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        segments = request.segments if request.in_api else ()
        if not request.in_api or segments[:1] == ("users",):
            return await call_next(request)
        now = self.clock()
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        if len(self._stamps) >= self.per_minute:
            self.refused += 1
            return self._refusal(now)
        self._stamps.append(now)
        self.allowed += 1
        return await call_next(request)

    def _refusal(self, now: float) -> DemoResponse:
        if self.retry_after is not None:
            wait = f"{self.retry_after:g}"
        else:
            oldest = self._stamps[0] if self._stamps else now
            wait = str(max(1, math.ceil(oldest + self.window - now)))
        message = "Quota exceeded" if self.code == "QuotaExceededError" else "Too many requests"
        return DemoResponse.error(429, self.code, message, [("retry-after", wait)])


def quota(
    per_minute: int,
    code: str = "QuotaExceededError",
    clock: Callable[[], float] = time.monotonic,
    *,
    retry_after: float | None = None,
) -> Quota:
    return Quota(per_minute, code=code, clock=clock, retry_after=retry_after)


# --- faults -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Injection:
    """A request the fault middleware saw: the fault it got (None: passed untouched)."""

    serial: int
    method: str
    target: str
    kind: str | None
    #: Whether the backend handled the request (for a POST: whether it may have acted).
    backend_called: bool
    #: The backend's status when it was called (what the client would have got).
    backend_status: int | None = None

    @property
    def applied(self) -> bool:
        """The backend handled it successfully: a write took effect."""
        return self.backend_called and self.backend_status is not None and self.backend_status < 400


@dataclass
class Faults:
    """Injects faults into a ``rate`` share of requests, chosen among ``kinds``.

    ``only`` limits which requests can fail (default: everything in the API).
    """

    rate: float
    kinds: tuple[str, ...] = ALL_KINDS
    seed: int = 0
    only: Predicate | None = None
    seen: list[Injection] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate is a share between 0 and 1")
        unknown = set(self.kinds) - set(ALL_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}; valid: {ALL_KINDS}")
        self.kinds = tuple(self.kinds)
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    # --- what tests ask -------------------------------------------------------------

    @property
    def injected(self) -> list[Injection]:
        return [s for s in list(self.seen) if s.kind is not None]

    def received(self, method: str | None = None) -> list[Injection]:
        return [s for s in list(self.seen) if method is None or s.method == method]

    def applied(self, method: str = "POST", target: str | None = None) -> list[Injection]:
        """Requests (by default POSTs) the backend handled successfully, faulted or not."""
        return [s for s in list(self.seen) if s.method == method and s.applied
                and (target is None or s.target == target)]

    def kinds_injected(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.injected:
            out[s.kind] = out.get(s.kind, 0) + 1  # type: ignore[index]
        return out

    # --- the middleware -------------------------------------------------------------

    def _draw(self, request: DemoRequest) -> tuple[str | None, random.Random]:
        key = (request.method, request.target)
        with self._lock:
            n = self._counts.get(key, 0)
            self._counts[key] = n + 1
        rng = random.Random(f"{self.seed}|{request.method}|{request.target}|{n}")
        eligible = request.in_api and (self.only is None or self.only(request))
        if not eligible or rng.random() >= self.rate:
            return None, rng
        return rng.choice(self.kinds), rng

    def _note(self, request: DemoRequest, kind: str | None, called: bool, status: int | None) -> None:
        with self._lock:
            self.seen.append(Injection(len(self.seen), request.method, request.target, kind, called, status))

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        kind, rng = self._draw(request)
        if kind is None:
            reply = await call_next(request)
            self._note(request, None, True, reply.status)
            return reply
        write = request.method not in ("GET", "HEAD")
        if write:
            before = kind in _POST_BEFORE or (kind not in _POST_AFTER and rng.random() < 0.5)
        else:
            before = kind in ("transient", "deadline", "html", "plain404", "drop", "hang")
        if before:
            self._note(request, kind, False, None)
            return _fault_reply(kind, None)
        reply = await call_next(request)
        self._note(request, kind, True, reply.status)
        return _fault_reply(kind, reply)


def faults(
    rate: float,
    kinds: Iterable[str] = ALL_KINDS,
    seed: int = 0,
    *,
    only: Predicate | None = None,
) -> Faults:
    return Faults(rate, tuple(kinds), seed, only)


def _is_json(reply: DemoResponse) -> bool:
    return "json" in (reply.header("content-type") or "") and isinstance(reply.body, (bytes, bytearray))


def _fault_reply(kind: str, reply: DemoResponse | None) -> DemoResponse:
    """The faulty reply; ``reply`` is the backend's real one when it was called."""
    if kind == "transient":
        return DemoResponse.error(503, "TransientError", "Please try again later")
    if kind == "deadline":
        return DemoResponse.error(504, "DeadlineExceededError", "Deadline exceeded")
    if kind == "html":
        return DemoResponse.text(PROXY_502, 502, "text/html; charset=utf-8")
    if kind == "plain404":
        return DemoResponse.text(PLAIN_404, 404)
    if kind == "drop":
        return DemoResponse.close()
    if kind == "hang":
        return DemoResponse.hang()
    assert reply is not None
    body = bytes(reply.body) if isinstance(reply.body, (bytes, bytearray)) else b""
    if kind == "truncated" or not _is_json(reply):
        if len(body) < 2:
            return DemoResponse.close()  # nothing to cut: the connection just drops
        cut = DemoResponse(reply.status, list(reply.headers), body[: len(body) // 2], Action.REPLY)
        cut.set_header("content-length", str(len(body)))  # promise more than is sent
        return cut
    if kind == "cut":
        new = body[: max(1, len(body) // 2)]
    else:  # malformed
        new = b'{"data": {"type": "file", "id": "x", "attributes": {"size": 12,,}} <!-- not json'
    out = DemoResponse(reply.status, list(reply.headers), new, Action.REPLY)
    out.set_header("content-length", str(len(new)))
    return out


# --- hostile data -------------------------------------------------------------------------


def hostile(mode: str = "hostile") -> Middleware:
    """Every JSON reply made hostile (``mode``: ``hostile`` or ``wrong_types``); see hostile.py."""
    return hostile_middleware(mode)


def hostile_errors() -> Middleware:
    """Error replies whose code and message are hostile (markup, escapes, bidi, 20,000 chars)."""

    async def middleware(request: DemoRequest, call_next: Handler) -> DemoResponse:
        reply = await call_next(request)
        if reply.status < 400 or not _is_json(reply):
            return reply
        try:
            payload = json.loads(reply.body)
            code = payload["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return reply
        message = f"{MARKUP}{ESCAPES}{BIDI}" + "E" * 20_000
        new = DemoResponse.error(
            reply.status,
            f"{code}",
            message,
            [(k, v) for k, v in reply.headers if k.lower() not in ("content-type", "content-length")],
        )
        body = json.loads(new.body)
        body["error"]["extra"] = {"code": ["wrong", "type"], "message": 5}
        new.body = json.dumps(body).encode()
        return new

    return middleware

"""From vttui's typed errors to HTTP statuses, and the quota as response headers.

400 bad input, 401 a caller's key or token is wrong, 403 not allowed (premium-only, or
writes disabled), 404 unknown to VirusTotal, 409 already exists, 413 too large, 429 quota
(with Retry-After), 502/503/504 VirusTotal or the network misbehaved. When the server
answers with its own key, VirusTotal rejecting that key is the operator's problem, not
the caller's: 502, not 401.
"""

from __future__ import annotations

import datetime as dt
import math

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.ratelimit import WINDOW, LimiterState


def status_for(exc: E.VTError, *, caller_key: bool) -> int:
    if isinstance(exc, E.UploadTooLargeError):
        return 413
    if isinstance(exc, E.ConfigError):
        return 500
    kind = exc.kind
    if kind is E.ErrorKind.INVALID:
        return 400
    if kind is E.ErrorKind.NOT_FOUND:
        return 404
    if kind is E.ErrorKind.AUTH:
        if isinstance(exc, E.ForbiddenError):
            return 403
        return 401 if caller_key else 502
    if kind is E.ErrorKind.QUOTA:
        return 429
    if kind is E.ErrorKind.CONFLICT:
        return 409
    if isinstance(exc, E.TransientError):
        return 503
    if isinstance(exc, (E.DeadlineExceededError, E.RequestTimeoutError, E.AnalysisTimeoutError)):
        return 504
    if kind is E.ErrorKind.CANCELLED:
        return 503
    return 502


def message_for(exc: E.VTError, status: int, *, caller_key: bool) -> str:
    if status == 502 and exc.kind is E.ErrorKind.AUTH and not caller_key:
        return ("VirusTotal refused this server's own API key; the server's operator needs to "
                "check it (callers cannot fix this).")
    return exc.message


def _until(when: dt.datetime) -> float:
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def retry_after(exc: E.VTError, client: VTClient | None) -> int:
    """Whole seconds a caller should wait after a quota error (at least 1)."""
    seconds: float | None = None
    resets_at = getattr(exc, "resets_at", None)
    if isinstance(resets_at, dt.datetime) and (exc.retry_after is None or not isinstance(exc, E.TooManyRequestsError)):
        seconds = _until(resets_at)
    if seconds is None and exc.retry_after is not None:
        seconds = exc.retry_after
    if seconds is None and client is not None:
        seconds = client.limiter.state().next_slot_in or None
    return max(1, math.ceil(seconds if seconds is not None else WINDOW))


def estimated_wait(state: LimiterState) -> float:
    """Roughly how long a new request would queue behind the limiter."""
    if state.per_minute is None:
        return state.next_slot_in
    ahead = max(0, state.waiting - (state.left_minute or 0))
    return state.next_slot_in + WINDOW * (ahead // state.per_minute)


def rate_headers(client: VTClient) -> dict[str, str]:
    """X-RateLimit-* from the client's quota ledger: the per-minute window when the key has
    one, else the daily budget; nothing when the key is unlimited."""
    state = client.limiter.state()
    headers: dict[str, str] = {}
    if state.per_minute is not None:
        headers["X-RateLimit-Limit"] = str(state.per_minute)
        headers["X-RateLimit-Remaining"] = str(state.left_minute or 0)
        headers["X-RateLimit-Reset"] = str(math.ceil(state.next_slot_in) if not state.left_minute else 0)
    elif state.per_day is not None:
        headers["X-RateLimit-Limit"] = str(state.per_day)
        headers["X-RateLimit-Remaining"] = str(state.left_day or 0)
        headers["X-RateLimit-Reset"] = str(math.ceil(_until(state.resets_at)))
    if state.per_day is not None:
        headers["X-RateLimit-Limit-Day"] = str(state.per_day)
        headers["X-RateLimit-Remaining-Day"] = str(state.left_day or 0)
    return headers

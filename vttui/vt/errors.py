"""Typed errors for everything that can go wrong talking to VirusTotal.

Every failure the VirusTotal layer can raise is a :class:`VTError`. Each carries a
``message`` written for a person (it is what the TUI and the CLI show) and a ``kind``
that the CLI maps to its exit code. No raw httpx exception ever leaves the layer.
"""

from __future__ import annotations

import datetime as _dt
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """Broad families of failure; each maps to one CLI exit code."""

    INVALID = "invalid"  # bad input, caught before or by the API (exit 2)
    NOT_FOUND = "not_found"  # exit 3
    AUTH = "auth"  # bad key, inactive user, premium-only (exit 4)
    QUOTA = "quota"  # quota spent or too many requests (exit 5)
    NETWORK = "network"  # offline, timeout, TLS, proxy, server trouble (exit 6)
    CONFLICT = "conflict"  # already exists, e.g. a second vote (exit 7)
    CANCELLED = "cancelled"  # the user stopped it (exit 130)


#: Exit codes of the headless CLI, by error kind. Documented in the README.
EXIT_CODES: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 2,
    ErrorKind.NOT_FOUND: 3,
    ErrorKind.AUTH: 4,
    ErrorKind.QUOTA: 5,
    ErrorKind.NETWORK: 6,
    ErrorKind.CONFLICT: 7,
    ErrorKind.CANCELLED: 130,
}


class VTError(Exception):
    """Base of every error raised by the VirusTotal layer."""

    kind: ErrorKind = ErrorKind.NETWORK
    #: Safe to repeat the request that caused this (only ever for idempotent requests).
    retryable: bool = False
    default_message = "Something went wrong talking to VirusTotal."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        detail: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code
        self.status = status
        #: What the server said, verbatim (untrusted; shown escaped, never as markup).
        self.detail = detail
        #: Seconds the server asked us to wait, when it said so.
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.kind, 1)

    def __str__(self) -> str:
        return self.message


# --- Problems with the input, found before any request -------------------------------


class InvalidIOCError(VTError):
    """The text is not something VirusTotal can look up; no request was made."""

    kind = ErrorKind.INVALID
    default_message = "That is not a hash, URL, domain or IP address."


class UnknownTLDError(InvalidIOCError):
    """Well formed, but its top-level domain is not in the public list: a typo, a file
    name, or an alternative root the user may still want to look up (``any_tld``)."""


class UploadTooLargeError(VTError):
    kind = ErrorKind.INVALID
    default_message = "The file is larger than VirusTotal accepts (650 MB)."


class ConfigError(VTError):
    kind = ErrorKind.INVALID
    default_message = "The configuration is not valid."


class MissingAPIKeyError(VTError):
    kind = ErrorKind.AUTH
    default_message = (
        "No VirusTotal API key. Set VT_API_KEY, run `vttui` to enter one, or use --demo."
    )


class CancelledByUser(VTError):
    kind = ErrorKind.CANCELLED
    default_message = "Cancelled."


# --- Errors VirusTotal reported (v3 error codes) -------------------------------------


class APIError(VTError):
    """VirusTotal answered with an error code."""

    kind = ErrorKind.NETWORK
    default_message = "VirusTotal reported an error."


class BadRequestError(APIError):
    kind = ErrorKind.INVALID
    default_message = "VirusTotal rejected the request as malformed."


class InvalidArgumentError(BadRequestError):
    default_message = "VirusTotal says an argument of the request is not valid."


class NotAvailableYetError(BadRequestError):
    default_message = "VirusTotal does not have this yet; try again in a moment."


class UnselectiveContentQueryError(BadRequestError):
    default_message = "The content search query is not selective enough."


class UnsupportedContentQueryError(BadRequestError):
    default_message = "The content search query is not supported."


class AuthenticationRequiredError(APIError):
    kind = ErrorKind.AUTH
    default_message = "VirusTotal needs an API key for this request."


class WrongCredentialsError(AuthenticationRequiredError):
    default_message = "This API key was rejected by VirusTotal."


class UserNotActiveError(AuthenticationRequiredError):
    default_message = "The VirusTotal account of this API key is not active."


class ForbiddenError(APIError):
    kind = ErrorKind.AUTH
    default_message = "Not allowed with this API key (this usually needs a premium key)."


class NotFoundError(APIError):
    kind = ErrorKind.NOT_FOUND
    default_message = "VirusTotal has no record of this."


class AlreadyExistsError(APIError):
    kind = ErrorKind.CONFLICT
    default_message = "That already exists on VirusTotal."


class FailedDependencyError(APIError):
    kind = ErrorKind.NETWORK
    default_message = "VirusTotal could not complete the request (a dependency failed)."


class QuotaExceededError(APIError):
    """A quota of the key is spent. Waiting seconds will not help: never loop on it."""

    kind = ErrorKind.QUOTA
    default_message = "The API key's quota is spent."

    def __init__(self, message: str | None = None, *, resets_at: _dt.datetime | None = None, **kw: Any) -> None:
        self.resets_at = resets_at
        if message is None:
            message = quota_message(resets_at)
        super().__init__(message, **kw)


class TooManyRequestsError(APIError):
    """Requests came too fast; slowing down helps."""

    kind = ErrorKind.QUOTA
    retryable = True
    default_message = "Too many requests to VirusTotal; slowing down."


class TransientError(APIError):
    retryable = True
    default_message = "VirusTotal had a temporary problem (503)."


class DeadlineExceededError(APIError):
    retryable = True
    default_message = "VirusTotal took too long to answer (504)."


class ServerError(APIError):
    """Any other 5xx, or an unknown error code."""

    default_message = "VirusTotal answered with a server error."


class MalformedResponseError(VTError):
    """The reply was not the JSON we expect (plain text, HTML from a proxy, truncated)."""

    kind = ErrorKind.NETWORK
    default_message = "VirusTotal's reply could not be understood."


class ReplyTooLargeError(MalformedResponseError):
    """A reply (or a download) grew past its cap; reading stopped there."""

    default_message = "VirusTotal's reply was larger than vttui accepts."


class PagingError(MalformedResponseError):
    """A paged list that loops (a cursor seen before) or stalls (an empty page with a
    cursor): the walk stops there rather than repeat items or spin."""

    default_message = "VirusTotal's paged list did not advance; stopped."


class RedirectedError(MalformedResponseError):
    """An API call was answered with a redirect: never followed (the key would go along)."""

    default_message = "VirusTotal's API answered with a redirect, which vttui does not follow."


# --- Transport failures --------------------------------------------------------------


class TransportError(VTError):
    kind = ErrorKind.NETWORK
    retryable = True
    default_message = "Could not reach VirusTotal."


class OfflineError(TransportError):
    default_message = "Could not reach VirusTotal: the network is unreachable or the connection was refused."


class RequestTimeoutError(TransportError):
    default_message = "VirusTotal did not answer in time."


class RequestDeadlineError(TransportError):
    """The whole exchange (every attempt and the pauses between them) ran out of time.
    Not retried: the deadline is the total."""

    retryable = False
    default_message = "VirusTotal did not finish answering in time."


class TransferTooSlowError(TransportError):
    """A download kept going, but too slowly to ever finish."""

    retryable = False
    default_message = "The download became too slow; it was stopped."


class TLSError(TransportError):
    retryable = False
    default_message = "The secure connection to VirusTotal failed (TLS/certificate problem)."


class ProxyError(TransportError):
    default_message = "The proxy refused or failed the connection to VirusTotal."


class WriteOutcomeUnknownError(TransportError):
    """A write was sent but no reply came back: it may or may not have taken effect.

    Never retried automatically; the user decides after checking.
    """

    retryable = False
    default_message = (
        "The connection failed after the request was sent, so it may or may not have "
        "taken effect. Check before trying again."
    )


class AnalysisTimeoutError(VTError):
    kind = ErrorKind.NETWORK
    default_message = "The analysis did not finish in time; it may still complete later."


# --- Mapping from v3 error codes -----------------------------------------------------

CODE_TO_ERROR: dict[str, type[APIError]] = {
    "BadRequestError": BadRequestError,
    "InvalidArgumentError": InvalidArgumentError,
    "NotAvailableYet": NotAvailableYetError,
    "NotAvailableYetError": NotAvailableYetError,
    "UnselectiveContentQueryError": UnselectiveContentQueryError,
    "UnsupportedContentQueryError": UnsupportedContentQueryError,
    "AuthenticationRequiredError": AuthenticationRequiredError,
    "WrongCredentialsError": WrongCredentialsError,
    "UserNotActiveError": UserNotActiveError,
    "ForbiddenError": ForbiddenError,
    "NotFoundError": NotFoundError,
    "AlreadyExistsError": AlreadyExistsError,
    "FailedDependencyError": FailedDependencyError,
    "QuotaExceededError": QuotaExceededError,
    "TooManyRequestsError": TooManyRequestsError,
    "TransientError": TransientError,
    "DeadlineExceededError": DeadlineExceededError,
}

STATUS_TO_ERROR: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    409: AlreadyExistsError,
    424: FailedDependencyError,
    429: TooManyRequestsError,
    503: TransientError,
    504: DeadlineExceededError,
}


def next_utc_midnight(now: _dt.datetime | None = None) -> _dt.datetime:
    now = now or _dt.datetime.now(_dt.UTC)
    tomorrow = (now + _dt.timedelta(days=1)).date()
    return _dt.datetime.combine(tomorrow, _dt.time(0, 0), tzinfo=_dt.UTC)


def quota_message(resets_at: _dt.datetime | None) -> str:
    if resets_at is None:
        return "The API key's quota is spent; wait for it to reset or use another key."
    return f"Daily quota spent; resets at {resets_at:%H:%M} UTC."


def error_from_reply(status: int, code: str | None, detail: str | None, retry_after: float | None = None) -> APIError:
    """Build the typed error for an error reply from VirusTotal."""
    cls = CODE_TO_ERROR.get(code or "") or STATUS_TO_ERROR.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIError
    kw: dict[str, Any] = dict(code=code, status=status, detail=detail, retry_after=retry_after)
    if cls is QuotaExceededError:
        return QuotaExceededError(resets_at=next_utc_midnight(), **kw)
    if cls is NotFoundError and detail:
        return NotFoundError(_not_found_message(detail), **kw)
    return cls(**kw)


#: The noun for each object type in "VirusTotal has no record of this <noun>."
_NOUNS = {"file": "file", "url": "URL", "domain": "domain", "ip_address": "IP address", "analysis": "analysis"}


def not_found_message(object_type: str) -> str:
    """The not-found sentence for an object type, for when the server's reply did not
    say what it had not found (a compatible server, or a detail in another shape)."""
    noun = _NOUNS.get(object_type)
    return f"VirusTotal has no record of this {noun}." if noun else NotFoundError.default_message


def _not_found_message(detail: str) -> str:
    # VirusTotal says e.g. 'File "abc" not found'; keep the kind of thing, not the id.
    first = detail.split(" ", 1)[0].strip().strip('"')
    what = {
        "File": "file",
        "URL": "URL",
        "Domain": "domain",
        "IP": "IP address",
        "Resource": "item",
    }.get(first)
    return f"VirusTotal has no record of this {what}." if what else NotFoundError.default_message

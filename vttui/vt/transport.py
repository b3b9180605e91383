"""Turn httpx failures and raw replies into typed VTErrors and parsed JSON.

Kept separate from the client so the mapping from "what the wire did" to "what to tell
a person" is in one small place, testable on its own.
"""

from __future__ import annotations

import email.utils
import json
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from . import errors as E
from .sanitize import clean_line


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (now if now is not None else time.time())
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0
    return min(seconds, 3600.0)


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLError):
            return True
        text = str(cur)
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "TLS" in text:
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def was_not_sent(exc: httpx.HTTPError) -> bool:
    """True when the request certainly never reached the server (safe to resend a POST)."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError))


def map_transport_error(exc: httpx.HTTPError) -> E.VTError:
    """A typed, human error for an httpx transport failure."""
    if isinstance(exc, httpx.ProxyError):
        return E.ProxyError()
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return E.RequestTimeoutError("Connecting to VirusTotal timed out; the network may be down.")
        return E.RequestTimeoutError()
    if isinstance(exc, httpx.ConnectError):
        if _is_tls_failure(exc):
            return E.TLSError()
        return E.OfflineError()
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return E.OfflineError("The connection to VirusTotal was dropped before the reply was complete.")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return E.ConfigError("The VirusTotal API address is not a valid http(s) URL; check VT_API_URL.")
    if isinstance(exc, httpx.DecodingError):
        return E.MalformedResponseError("VirusTotal's reply could not be decoded.")
    return E.TransportError()


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def error_from_response(response: httpx.Response) -> E.VTError:
    """The typed error for a reply with status >= 400, whatever its body looks like."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    body = response.content or b""
    code: str | None = None
    detail: str | None = None
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        err = parsed["error"]
        code = str(err["code"]) if err.get("code") is not None else None
        detail = str(err["message"])[:2000] if err.get("message") is not None else None
    elif _looks_like_html(body, response.headers.get("content-type", "")) and status not in E.STATUS_TO_ERROR:
        err = E.ServerError(
            f"A proxy or gateway answered with an HTML error page (HTTP {status}) instead of VirusTotal.",
            status=status,
        )
        err.retryable = status in (500, 502, 503, 504)
        return err
    error = E.error_from_reply(status, code, detail, retry_after)
    if isinstance(error, E.ServerError) and status in (500, 502):
        error.retryable = True
    return error


def parse_json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a successful reply, or MalformedResponseError."""
    body = response.content or b""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        if _looks_like_html(body, response.headers.get("content-type", "")):
            err = E.MalformedResponseError(
                "Got an HTML page instead of VirusTotal's JSON reply (a proxy or captive portal?)."
            )
        elif not body.strip():
            err = E.MalformedResponseError("VirusTotal sent an empty reply.")
        else:
            err = E.MalformedResponseError("VirusTotal's reply was cut short or is not valid JSON.")
        err.retryable = True
        raise err from None
    if not isinstance(parsed, dict):
        err = E.MalformedResponseError("VirusTotal's reply did not have the expected shape.")
        err.retryable = True
        raise err
    return parsed


def outcome_unknown(error: E.VTError) -> bool:
    """After a write was sent, which failures leave its effect unknown: anything but a clear
    refusal (4xx, 429) or 503, which VirusTotal sends before acting."""
    status = error.status or 0
    return not (400 <= status < 500 or isinstance(error, E.TransientError))


def unknown_outcome(error: E.VTError) -> str:
    return (f"{error.message.rstrip('.')}. The request had been sent, so it may or may not have "
            "taken effect: check before trying again.")


def explain_gave_up(error: E.VTError, attempts: int, waited: float) -> None:
    """Say why a 429 was not waited out further: the deadline, or the missing hint."""
    if not isinstance(error, E.TooManyRequestsError):
        return
    why = ("without saying when to retry (no Retry-After)" if error.retry_after is None
           else f"asking to wait {error.retry_after:g} s")
    who = "VirusTotal" if error.code else "the server (VirusTotal or a proxy on the way)"
    error.message = (f"Too many requests: {who} answered 429 {attempts} times {why}; vttui stopped after "
                     f"{waited:.0f} s rather than keep waiting. Try again in a minute.")
    error.args = (error.message,)


def redirect_error(response: httpx.Response) -> E.VTError:
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

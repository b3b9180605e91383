"""Check a new API key once, cheaply, before it replaces the old one.

Why: a mistyped key used to be discovered on the next lookup, as a 401 in the middle of
an investigation. One request when the key is saved says at once whether VirusTotal
takes it. The request is ``GET /users/{key}``: VirusTotal does not count user lookups
against the API quota (the offline demo mirrors that), and the answer names the
account, so the caller can keep the user id and the key need not go in a URL again.

It bypasses the client's rate limiter on purpose: the limiter and its ledger belong to
the *current* key, and a check must not wait behind (or spend) that key's minute. It is
one attempt, bounded by a short deadline, never retried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

from . import errors as E
from .apikey import key_problem
from .refs import path_segment
from .transport import error_from_response, map_transport_error
from .validate import is_user_id

if TYPE_CHECKING:
    from .client import VTClient

#: Seconds the whole check may take.
CHECK_DEADLINE = 20.0

KeyStatus = Literal["ok", "rejected", "unchecked"]


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """The outcome: ``ok`` (VirusTotal knows the key), ``rejected`` (it refused it, or it
    cannot be a key) or ``unchecked`` (no answer either way: offline, server trouble)."""

    status: KeyStatus
    message: str
    #: The account the key belongs to, when VirusTotal said (save it with the key).
    user_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _rejected(error: E.VTError) -> bool:
    if isinstance(error, (E.AuthenticationRequiredError, E.NotFoundError)):
        return True  # 401 wrong key or inactive user; 404: no account has this key
    return isinstance(error, E.ForbiddenError) and error.code in ("UserNotActiveError", "WrongCredentialsError")


async def check_key(client: VTClient, key: str, *, deadline: float = CHECK_DEADLINE) -> KeyCheck:
    """Ask VirusTotal (at ``client``'s address, through its proxy) whether ``key`` works."""
    problem = key_problem(key)
    if problem is not None:
        return KeyCheck("rejected", f"This key {problem}")
    request = client._http.build_request("GET", f"{client.base_url}/users/{path_segment(key)}",
                                         headers={"x-apikey": key})
    try:
        response = await client._exchange(request, deadline, False)
    except TimeoutError:
        return KeyCheck("unchecked", f"VirusTotal did not answer within {deadline:g} s, so the key could not "
                                     "be checked; it will be tried on the next request.")
    except httpx.HTTPError as exc:
        return KeyCheck("unchecked", f"{map_transport_error(exc).message} The key could not be checked; it "
                                     "will be tried on the next request.")
    except E.VTError as exc:  # a reply over the size cap, a corrupt compressed body
        return KeyCheck("unchecked", f"{exc.message} The key could not be checked.")
    if response.status_code >= 400:
        error = error_from_response(response)
        if _rejected(error):
            return KeyCheck("rejected", f"VirusTotal refused this key ({error.message}) Check that it is the "
                                        "whole key from your VirusTotal profile (API key page).")
        return KeyCheck("unchecked", f"{error.message} The key could not be checked; it will be tried on the "
                                     "next request.")
    return _verdict(response.content, key)


def _verdict(body: bytes, key: str) -> KeyCheck:
    try:
        parsed: Any = json.loads(body)
    except (ValueError, RecursionError):
        parsed = None
    data = parsed.get("data") if isinstance(parsed, dict) else None
    uid = data.get("id") if isinstance(data, dict) and data.get("type") == "user" else None
    if not is_user_id(uid) or uid == key:
        return KeyCheck("unchecked", "The server accepted the key but did not answer like VirusTotal; "
                                     "it will be tried on the next request.")
    assert isinstance(uid, str)
    return KeyCheck("ok", f"VirusTotal accepts this key (account {uid}).", uid)

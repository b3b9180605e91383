"""A hostile variant of the demo data: every string VirusTotal could send, weaponised.

Used by tests (and by the fake server's hostile mode) to prove that nothing from the API
can restyle or drive the screen, break an export, or crash anything. Ids, types, cursors
and links stay intact so navigation still works; everything else gets hostile payloads:
markup, terminal escapes (OSC 52 clipboard writes, title changes, screen clears), bidi
overrides, NULs, lone surrogates, 20,000-character lines, formula and Markdown/XML
breakers; plus deep nesting, huge lists and wrong types in every field.
"""

from __future__ import annotations

import json
from typing import Any

from vttui.demo.protocol import DemoRequest, DemoResponse

MARKUP = "[/] [@click=app.quit]quit[/] [bold red on white]restyled[/] [link=https://evil.test]x[/link]"
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned-title\x07\x1b[2J\x1b[H\x1b[31mred\x9b1m"
BIDI = "invoice\u202egpj.exe\u2066\u2069\u200b"
BREAKERS = "| a | b |\n# heading\n`code` <script>alert(1)</script> ]]><!-- & \"' =cmd|'/C calc'!A0"
CONTROL = "nul\x00bell\x07bs\x08del\x7f\ud800lone\ufffe\uffff"
LONG = "L" * 20_000

PAYLOADS = (MARKUP, ESCAPES, BIDI, BREAKERS, CONTROL)

#: Keys whose values are structural: left alone so the app can still navigate.
PROTECTED = {"id", "type", "cursor", "self", "next", "related", "links", "meta", "data"}
#: Values that must keep their shape for the demo to stay coherent.
KEEP_VALUES = {"sha256", "sha1", "md5", "url", "ip_address", "host_name", "status", "verdict"}


def hostile_string(original: str, n: int) -> str:
    payload = PAYLOADS[n % len(PAYLOADS)]
    if n % 7 == 3:
        payload = payload + LONG
    return f"{original}{payload}"


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _deep(levels: int) -> Any:
    value: Any = MARKUP
    for i in range(levels):
        value = {f"level{i}[/]": value}
    return value


def hostilize(value: Any, *, key: str = "", counter: _Counter | None = None) -> Any:
    """A hostile copy of ``value`` (any part of a v3 reply)."""
    counter = counter or _Counter()
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in PROTECTED and k != "data":
                out[k] = v
            elif k == "last_analysis_results" and isinstance(v, dict):
                out[k] = {
                    hostile_string(name, counter.next()): hostilize(r, key=name, counter=counter)
                    for name, r in v.items()
                }
            else:
                out[k] = hostilize(v, key=k, counter=counter)
        return out
    if isinstance(value, list):
        return [hostilize(v, key=key, counter=counter) for v in value]
    if isinstance(value, str):
        if key in KEEP_VALUES:
            return value
        return hostile_string(value, counter.next())
    return value


def hostile_reply(reply: Any) -> Any:
    """A whole reply made hostile; single objects also get deep, huge and mistyped extras."""
    out = hostilize(reply)
    data = out.get("data") if isinstance(out, dict) else None
    if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
        data["attributes"].update(_extra_attributes())
    elif isinstance(data, list) and data and isinstance(data[0], dict) and isinstance(data[0].get("attributes"), dict):
        data[0]["attributes"].update({k: v for k, v in _extra_attributes().items() if k != "zz_huge_list"})
    return out


def _extra_attributes() -> dict[str, Any]:
    return {
        "zz_hostile[/]": MARKUP,
        "zz_escape\x1b]52;c;ZXZpbA==\x07": ESCAPES,
        "zz_long": LONG,
        "zz_deep": _deep(60),
        "zz_huge_list": [f"item {i} {MARKUP if i % 1000 == 0 else ''}" for i in range(14_000)],
        "zz_wrong_types": {"size": "big", "reputation": "bad", "last_analysis_stats": "none", "tags": 5},
        "zz_float": 1e308,
        "zz_negative": -2**63,
    }


WRONG_TYPES = (None, "x", -1, 1e308, [], {}, True)


def wrong_types(value: Any, *, depth: int = 0, counter: _Counter | None = None) -> Any:
    """A copy where attribute values are swapped for values of the wrong type."""
    counter = counter or _Counter()
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in PROTECTED:
                out[k] = wrong_types(v, depth=depth + 1, counter=counter) if k == "data" else v
            elif k == "attributes" and isinstance(v, dict):
                out[k] = {ak: WRONG_TYPES[counter.next() % len(WRONG_TYPES)] for ak in v}
            else:
                out[k] = wrong_types(v, depth=depth + 1, counter=counter)
        return out
    if isinstance(value, list):
        return [wrong_types(v, depth=depth + 1, counter=counter) for v in value]
    return value


def hostile_middleware(mode: str = "hostile"):
    """A demo middleware that rewrites every JSON reply (``mode``: hostile or wrong_types)."""
    transform = hostile_reply if mode == "hostile" else wrong_types

    async def middleware(request: DemoRequest, call_next) -> DemoResponse:
        response = await call_next(request)
        if request.method != "GET" or response.status >= 400 or not isinstance(response.body, (bytes, bytearray)):
            return response
        if "json" not in (response.header("content-type") or ""):
            return response
        try:
            payload = json.loads(response.body)
        except ValueError:
            return response
        body = json.dumps(transform(payload)).encode()
        response.body = body
        response.set_header("content-length", str(len(body)))
        return response

    return middleware

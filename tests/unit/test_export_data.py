"""Shared data for the export tests: the real samples and a hostile dataset.

The hostile objects hold everything an attacker (or a decade of API drift) can put in a
v3 reply: Markdown and XML syntax, terminal escapes, control characters, lone
surrogates, non-characters, bidi overrides, keys that are not valid names, deep
nesting, NaN and huge numbers. Other test_export_* modules import from here.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest

from tests.unit.test_samples import sample_files

NASTY = (
    "pipe | pipe || `tick` ``` fence\nnew line\r\ncarriage \x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07"
    " <script>alert(1)</script> ]]> &amp; & [link](http://evil.test) ![img](x) *em* _em_ "
    "# heading \x00\x01\x08\x0b\x0c\x1f\x7f\x85\x9b lone \ud800 surrogate \udfff \ufffe\uffff "
    "\u202eevil\u202c \u2028sep\u2029 @here $x$ ~~s~~ {brace} \\backslash"
)
HOSTILE_KEYS = ["", "1st", "a:b", "xml_thing", "XMLish", "Sangfor Engine Zero", "Dr.Web", "<k>", "a b\nc",
                "-dash", ".dot", "emoji 😀", "tab\tkey", "\ud800", "quote\"'"]


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for i in range(levels):
        value = {"level": value} if i % 2 else [value]
    return value


def hostile_file() -> dict[str, Any]:
    """A file object full of hostile strings, keys and numbers."""
    results = {
        name: {"category": "malicious", "result": NASTY, "method": NASTY, "engine_name": name,
               "engine_version": NASTY, "engine_update": "20240101"}
        for name in ("Sangfor Engine Zero", "Dr.Web", "Trend Micro", NASTY[:40])
    }
    results["Clean Engine"] = {"category": "undetected", "result": None, "method": "blacklist"}
    attrs: dict[str, Any] = {
        "meaningful_name": NASTY,
        "names": [NASTY, "ok.exe", NASTY * 3],
        "md5": "0" * 32,
        "sha256": "a" * 64,
        "size": 2**80,
        "reputation": float("nan"),
        "times_submitted": float("inf"),
        "unique_sources": -float("inf"),
        "huge": 1e308,
        "tags": [NASTY, "peexe"],
        "type_description": NASTY,
        "magic": NASTY,
        "first_submission_date": 1502841089,
        "last_analysis_date": "1675704494",
        "creation_date": 1e300,
        "last_modification_date": NASTY,
        "last_analysis_stats": {"malicious": 4, "suspicious": "1", "undetected": None, "harmless": "x",
                                "type-unsupported": 2},
        "last_analysis_results": results,
        "popular_threat_classification": {"suggested_threat_label": NASTY},
        "signature_info": {"product": NASTY, "verified": NASTY, "signers": NASTY},
        "exiftool": {k: NASTY for k in HOSTILE_KEYS},
        "weird_keys": {k: NASTY for k in HOSTILE_KEYS},
        "deep": deep(300),
        "mixed_list": [None, True, False, 0, -1, 1.5, NASTY, [], {}, [[NASTY]], {"": None}],
        "total_votes": {"harmless": "many", "malicious": -3},
        "whois": NASTY + "\n```\n````\nline",
        "pe_info": {"imports": NASTY, "sections": [{"name": NASTY, "entropy": float("nan")}]},
    }
    return {"type": "file", "id": "a" * 64, "links": {"self": NASTY}, "attributes": attrs,
            "relationships": {"contacted_domains": {"data": [{"type": "domain", "id": NASTY}],
                                                    "meta": {"cursor": "abc"}}}}


def hostile_domain() -> dict[str, Any]:
    return {
        "type": "domain",
        "id": "evil|domain`.test",
        "attributes": {
            "registrar": NASTY,
            "whois": NASTY,
            "whois_date": 1785404487,
            "creation_date": -5,
            "categories": {NASTY: NASTY, "Forcepoint ThreatSeeker": "phishing"},
            "last_dns_records": [{"type": NASTY, "value": NASTY, "ttl": "x"}, "junk", None],
            "last_https_certificate": {"subject": {"CN": NASTY}, "validity": {"not_before": "2023-01-01 00:00:00",
                                                                             "not_after": NASTY}},
            "last_analysis_stats": {"malicious": 1},
            "last_analysis_results": {"Bad|Engine": {"category": "malicious", "result": NASTY}},
            "popularity_ranks": {NASTY: {"rank": NASTY}},
        },
    }


def hostile_ip() -> dict[str, Any]:
    return {"type": "ip_address", "id": "198.51.100.7", "attributes": {
        "as_owner": NASTY, "country": NASTY, "asn": NASTY, "network": NASTY, "whois": NASTY,
        "crowdsourced_context": [{"title": NASTY, "source": NASTY, "details": NASTY}],
        "last_analysis_stats": {"malicious": 0, "harmless": 3},
    }}


def hostile_url() -> dict[str, Any]:
    return {"type": "url", "id": "b" * 64, "attributes": {
        "url": "http://evil.test/" + NASTY, "title": NASTY, "last_final_url": NASTY,
        "last_http_response_headers": {NASTY: NASTY, "Content-Type": "text/html"},
        "redirection_chain": [NASTY, 5, None], "outgoing_links": [NASTY],
        "html_meta": {NASTY: [NASTY]}, "trackers": {NASTY: [{"id": NASTY, "url": NASTY}]},
        "categories": {NASTY: NASTY}, "last_analysis_stats": {"suspicious": 2},
    }}


def hostile_objects() -> list[dict[str, Any]]:
    return [
        hostile_file(),
        hostile_domain(),
        hostile_ip(),
        hostile_url(),
        {"type": "resolution", "id": NASTY, "attributes": {"host_name": NASTY, "ip_address": NASTY, "date": NASTY}},
        {
            "type": "analysis",
            "id": NASTY,
            "attributes": {
                "status": NASTY,
                "stats": {"malicious": 1},
                "results": {NASTY: {"category": "malicious", "result": NASTY}},
            },
        },
        {"type": 5, "id": None, "attributes": NASTY},
        {"type": NASTY, "id": ["list", "id"], "attributes": {k: NASTY for k in HOSTILE_KEYS}},
        {},
    ]


def sample_bodies() -> list[tuple[str, Any]]:
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sample_files()]


def sample_objects() -> list[tuple[str, dict[str, Any]]]:
    """Every object dict in the samples (list replies give one per item)."""
    out = []
    for name, body in sample_bodies():
        data = body.get("data") if isinstance(body, dict) and "data" in body else body
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            if isinstance(item, dict):
                out.append((f"{name}[{i}]", item))
    return out


def equal_modulo(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN (for checking inputs were not mutated)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal_modulo(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal_modulo(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# --- the dataset itself ---------------------------------------------------------------


def test_samples_are_there():
    assert len(sample_bodies()) == 58
    assert len(sample_objects()) > 58


def test_hostile_dataset_holds_what_it_claims():
    text = json.dumps(hostile_objects(), ensure_ascii=True, allow_nan=True)
    for needle in ("\\u001b", "\\ud800", "\\ufffe", "\\u202e", "|", "`", "<script>", "]]>", "NaN", "Infinity"):
        assert needle in text


@pytest.mark.parametrize("builder", [hostile_file, hostile_domain, hostile_ip, hostile_url])
def test_builders_return_fresh_copies(builder):
    a, b = builder(), builder()
    assert a is not b and equal_modulo(a, copy.deepcopy(b))

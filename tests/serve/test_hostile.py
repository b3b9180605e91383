"""Hostile data: with every string VirusTotal sends weaponised (markup, escapes, bidi, NULs, lone
surrogates, 20,000-character lines, deep nesting, 14,000-item lists, wrong types), every
answer in every format is still valid, and no escape sequence gets through."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from tests.support.faults import chain, hostile, hostile_errors
from vttui.demo import demo_iocs

IOCS = demo_iocs()
ROUTES = [
    f"/api/v1/files/{IOCS['detected_file']}",
    f"/api/v1/urls/{IOCS['url_id']}",
    f"/api/v1/lookup?ioc={IOCS['detected_file']}",
    f"/api/v1/files/{IOCS['detected_file']}/relationships/contacted_domains?limit=5",
    f"/api/v1/domains/{IOCS['domain']}/comments",
    f"/api/v1/domains/{IOCS['domain']}/relationships/resolutions",
]


def _strict_json(text: str):
    # Python's json accepts lone surrogates; a strict reader (UTF-8 bytes) does not.
    text.encode("utf-8")
    return json.loads(text)


def check_format(fmt: str, data) -> None:
    if fmt in ("json", "raw"):
        assert isinstance(data, (dict, list))
        return
    assert isinstance(data, str)
    if fmt in ("markdown", "csv"):
        assert "\x1b" not in data and "\x9b" not in data and "\u202e" not in data
    if fmt == "xml":
        ET.fromstring(data.encode("utf-8"))
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data)))
        assert rows and all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.parametrize("mode", ["hostile", "wrong_types"])
async def test_every_format_stays_valid_with_hostile_data(served, mode):
    s = await served(middleware=hostile(mode))
    for route in ROUTES:
        for fmt in ("json", "raw", "markdown", "xml", "csv"):
            sep = "&" if "?" in route else "?"
            response = await s.get(f"{route}{sep}format={fmt}")
            assert response.status_code == 200, (route, fmt, response.text[:300])
            assert response.headers["content-type"] == "application/json"
            body = _strict_json(response.text)
            assert body["format"] == fmt
            check_format(fmt, body["data"])
            assert "\x1b" not in response.text  # raw JSON escapes it, never sends it


async def test_hostile_error_replies_become_plain_errors(served):
    s = await served(middleware=chain(hostile_errors()))
    for route in (f"/api/v1/files/{IOCS['not_found']}", f"/api/v1/domains/{IOCS['not_found_domain']}"):
        response = await s.get(route)
        assert response.status_code == 404
        detail = _strict_json(response.text)["detail"]
        assert len(detail) < 300 and "\x1b" not in detail and "[@click" not in detail

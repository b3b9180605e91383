"""Submissions: refused unless writes were enabled; URL scans and streamed file uploads when
they are; a POST whose outcome is unknown is never resent."""

from __future__ import annotations

import hashlib
import os
import tempfile

import pytest

from tests.support.faults import faults
from vttui.serve.config import ServeConfig

WRITES = ServeConfig(allow_writes=True)


async def test_writes_are_403_unless_enabled(served):
    s = await served()
    scan = await s.http.post("/api/v1/urls", json={"url": "http://example.test/"})
    upload = await s.http.post("/api/v1/files", files={"file": ("a.bin", b"hello")})
    for response in (scan, upload):
        assert response.status_code == 403
        assert "--allow-writes" in response.json()["detail"]
    assert s.upstream(None) == []


async def test_url_scan_as_json_or_form(served):
    s = await served(WRITES)
    as_json = await s.http.post("/api/v1/urls", json={"url": "hxxp://scan-me[.]example[.]test/path"})
    assert as_json.status_code == 200
    body = as_json.json()
    assert body["format"] == "json" and body["data"]["type"] == "analysis" and body["data"]["id"]
    as_form = await s.http.post("/api/v1/urls", data={"url": "http://other.example.test/"})
    assert as_form.status_code == 200
    assert s.upstream("POST") == ["/urls", "/urls"]
    analysis = s.backend.analyses[body["data"]["id"]]
    assert analysis.url == "http://scan-me.example.test/path"  # refanged before it left


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"json": {"url": "example.com"}}, "not a URL"),
    ({"json": {"link": "http://x.test/"}}, "JSON"),
    ({"content": b"url=http://x.test/", "headers": {"content-type": "text/plain"}}, "JSON"),
])
async def test_bad_scan_requests_are_400(served, kwargs, words):
    s = await served(WRITES)
    response = await s.http.post("/api/v1/urls", **kwargs)
    assert response.status_code == 400 and words in response.json()["detail"]
    assert s.upstream(None) == []


async def test_file_upload_is_streamed_to_a_private_folder_then_removed(served, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    s = await served(WRITES)
    content = os.urandom(300_000)

    async def body():
        for i in range(0, len(content), 65536):
            yield content[i:i + 65536]

    raw = await s.http.post("/api/v1/files", params={"filename": "../../etc/sample.exe"}, content=body(),
                            headers={"content-type": "application/octet-stream"})
    assert raw.status_code == 200
    multipart = await s.http.post("/api/v1/files", files={"file": ("report.pdf", content[:1000])},
                                  data={"password": "infected"})
    assert multipart.status_code == 200
    first = s.backend.analyses[raw.json()["data"]["id"]]
    assert first.sha256 == hashlib.sha256(content).hexdigest() and first.size == len(content)
    assert first.name == "sample.exe"  # no path from the caller survives
    second = s.backend.analyses[multipart.json()["data"]["id"]]
    assert second.sha256 == hashlib.sha256(content[:1000]).hexdigest() and second.name == "report.pdf"
    assert list(tmp_path.iterdir()) == []


async def test_multipart_without_a_file_part_is_400(served):
    s = await served(WRITES)
    response = await s.http.post("/api/v1/files", data={"note": "no file"}, files={"other": ("x", b"1")})
    assert response.status_code == 400 and "'file'" in response.json()["detail"]
    assert s.upstream(None) == []


async def test_upload_declared_over_650_mb_is_413_before_reading(served):
    s = await served(WRITES)

    async def never_read():
        raise AssertionError("the body was read")
        yield b""  # pragma: no cover

    response = await s.http.post("/api/v1/files", content=never_read(),
                                 headers={"content-length": str(700 * 1024 * 1024),
                                          "content-type": "application/octet-stream"})
    assert response.status_code == 413 and "650 MB" in response.json()["detail"]


async def test_a_scan_whose_outcome_is_unknown_is_not_resent(served):
    injected = faults(1.0, kinds=("deadline",), only=lambda r: r.method == "POST")
    s = await served(WRITES, middleware=injected)
    response = await s.http.post("/api/v1/urls", json={"url": "http://once.example.test/"})
    assert response.status_code in (502, 504)
    assert "may or may not have taken effect" in response.json()["detail"]
    assert len(injected.received("POST")) == 1

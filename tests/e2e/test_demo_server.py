"""The demo backend over a real loopback socket, hit by a plain httpx client."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading

import httpx
import pytest

from tests.support.server import DemoServer
from vttui.demo import DemoBackend, DemoRequest, DemoResponse, demo_iocs

pytestmark = pytest.mark.e2e

IOCS = demo_iocs()
KEY = DemoBackend.DEMO_API_KEY


@pytest.fixture(scope="module")
def server():
    with DemoServer(DemoBackend()) as srv:
        yield srv


@pytest.fixture
async def client(server):
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-apikey": KEY}, timeout=60) as c:
        yield c


async def completed_analysis(client: httpx.AsyncClient, analysis_id: str) -> dict:
    for _ in range(10):
        body = (await client.get(f"/analyses/{analysis_id}")).json()
        if body["data"]["attributes"]["status"] == "completed":
            return body
    raise AssertionError("analysis never completed")


async def test_lookup_over_the_socket(server, client):
    assert server.base_url.startswith("http://127.0.0.1:") and server.port > 0
    r = await client.get(f"/files/{IOCS['detected_file_md5']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()["data"]
    assert data["id"] == IOCS["detected_file"]
    assert data["links"]["self"] == f"{server.base_url}/files/{IOCS['detected_file']}"
    missing = await client.get(f"/files/{IOCS['not_found']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFoundError"


async def test_paged_relationship_over_the_socket(client):
    seen: list[str] = []
    url: str | None = f"/ip_addresses/{IOCS['sinkhole_ip']}/communicating_files?limit=40"
    pages = 0
    while url:
        body = (await client.get(url)).json()
        seen += [item["id"] for item in body["data"]]
        url = body["links"].get("next")
        pages += 1
    assert pages == 2 and len(seen) == 60 == len(set(seen)) and IOCS["detected_file"] in seen


async def test_streamed_40mb_upload_through_an_upload_url(server, client, tmp_path):
    path = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        for i in range(40):
            piece = block[i:] + block[:i]
            digest.update(piece)
            fh.write(piece)
    upload_url = (await client.get("/files/upload_url")).json()["data"]
    assert upload_url.startswith(f"{server.origin}/_upload/")
    with open(path, "rb") as fh:
        r = await client.post(upload_url, files={"file": ("big.bin", fh)})
    assert r.status_code == 200, r.text
    body = await completed_analysis(client, r.json()["data"]["id"])
    info = body["meta"]["file_info"]
    assert info["sha256"] == digest.hexdigest() and info["size"] == 40 << 20
    report = (await client.get(f"/files/{info['sha256']}")).json()["data"]
    assert report["attributes"]["size"] == 40 << 20
    with open(path, "rb") as fh:
        again = await client.post(upload_url, files={"file": ("big.bin", fh)})
    assert again.status_code == 400  # upload URLs are single-use


async def test_chunked_request_body(client):
    pieces = [b"first piece of a chunked body\n", b"x" * 70_000, b"last\n"]

    async def body():
        yield b'--ChUnK\r\nContent-Disposition: form-data; name="file"; filename="chunked.txt"\r\n\r\n'
        for piece in pieces:
            yield piece
        yield b"\r\n--ChUnK--\r\n"

    r = await client.post("/files", content=body(), headers={"content-type": "multipart/form-data; boundary=ChUnK"})
    assert r.request.headers.get("transfer-encoding") == "chunked" and "content-length" not in r.request.headers
    assert r.status_code == 200, r.text
    done = await completed_analysis(client, r.json()["data"]["id"])
    assert done["meta"]["file_info"]["sha256"] == hashlib.sha256(b"".join(pieces)).hexdigest()


async def test_unread_body_does_not_break_keep_alive(server):
    transport = httpx.AsyncHTTPTransport()
    async with httpx.AsyncClient(base_url=server.base_url, transport=transport, headers={"x-apikey": KEY}) as c:
        r = await c.post("/no/such/thing/here/x", content=b"z" * 300_000)
        assert r.status_code == 404
        r = await c.post(f"/domains/{IOCS['domain']}/comments", content=b"{broken")
        assert r.status_code == 400
        assert (await c.get(f"/domains/{IOCS['domain']}")).status_code == 200


async def test_refused_upload_answers_413_after_reading_the_body():
    backend = DemoBackend()
    backend.max_direct_upload = 100_000
    with DemoServer(backend) as srv:
        async with httpx.AsyncClient(base_url=srv.base_url, headers={"x-apikey": KEY}) as c:
            r = await c.post("/files", files={"file": ("big.bin", b"y" * 300_000)})
            assert r.status_code == 413 and r.json()["error"]["code"] == "BadRequestError"
            assert (await c.get(f"/domains/{IOCS['domain']}")).status_code == 200


async def test_middleware_can_delay_drop_hang_or_answer_html():
    arrived, release = threading.Event(), threading.Event()
    seen: list[str] = []

    async def middleware(request: DemoRequest, call_next):
        seen.append(request.path)
        if request.path.startswith("/slow/"):
            arrived.set()
            await asyncio.to_thread(release.wait, 10)
            request.path = request.path[len("/slow"):]
            return await call_next(request)
        if request.path == "/drop":
            return DemoResponse.close()
        if request.path == "/hang":
            return DemoResponse.hang()
        if request.path == "/gateway":
            return DemoResponse.text("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "text/html")
        if request.path == "/truncated":
            reply = DemoResponse.json({"data": {"id": "cut short"}})
            reply.body = reply.body[:9]
            reply.set_header("content-length", "40")
            return reply
        return await call_next(request)

    with DemoServer(DemoBackend(), middleware=middleware) as srv:
        async with httpx.AsyncClient(base_url=srv.base_url, headers={"x-apikey": KEY}) as c:
            slow = asyncio.create_task(c.get(f"/slow/domains/{IOCS['domain']}"))
            assert await asyncio.to_thread(arrived.wait, 10)
            assert not slow.done()  # held by the middleware
            release.set()
            r = await slow
            assert r.status_code == 200 and r.json()["data"]["id"] == IOCS["domain"]

            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                await c.get("/drop")
            with pytest.raises(httpx.ReadTimeout):
                await c.get("/hang", timeout=httpx.Timeout(5.0, read=0.2))
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get("/truncated")
            r = await c.get("/gateway")
            assert r.status_code == 502 and r.headers["content-type"] == "text/html"
            assert r.text.startswith("<html>")
            assert (await c.get(f"/ip_addresses/{IOCS['ip']}")).status_code == 200
    assert "/drop" in seen and "/gateway" in seen

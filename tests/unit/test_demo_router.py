"""The demo backend behaves like VirusTotal v3, driven through the real httpx stack."""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections import deque
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vttui.demo import (
    NOT_FOUND_SHA256,
    DemoBackend,
    DemoRequest,
    DemoResponse,
    DemoTransport,
    demo_iocs,
    url_sha256,
)
from vttui.demo.multipart import MultipartParser
from vttui.vt.relationships import relationships_for

IOCS = demo_iocs()
KEY = DemoBackend.DEMO_API_KEY
BASE = "https://demo.vttui.invalid/api/v3"
START = 1_790_000_000


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def backend(clock: FakeClock) -> DemoBackend:
    return DemoBackend(clock=clock)


@pytest.fixture
async def client(backend: DemoBackend):
    async with httpx.AsyncClient(transport=DemoTransport(backend), base_url=BASE, headers={"x-apikey": KEY}) as c:
        yield c


async def get_json(client: httpx.AsyncClient, url: str, status: int = 200, **kw) -> dict:
    r = await client.get(url, **kw)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


async def walk(client: httpx.AsyncClient, path: str, limit: int = 40) -> tuple[list[dict], int]:
    """Every item of a list, following meta.cursor; also returns the number of pages."""
    items: list[dict] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = await get_json(client, path, params=params)
        pages += 1
        assert len(body["data"]) <= limit
        items += body["data"]
        cursor = (body.get("meta") or {}).get("cursor")
        if not cursor:
            assert "next" not in body["links"]
            return items, pages
        assert pages < 500


def error_of(r: httpx.Response) -> tuple[int, str, str]:
    err = r.json()["error"]
    return r.status_code, err["code"], err["message"]


def multipart(name: str, data: bytes, boundary: str = "b0undary") -> tuple[bytes, dict[str, str]]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


async def poll_until_completed(client: httpx.AsyncClient, analysis_id: str) -> tuple[list[str], dict]:
    statuses = []
    for _ in range(10):
        body = await get_json(client, f"/analyses/{analysis_id}")
        statuses.append(body["data"]["attributes"]["status"])
        if statuses[-1] == "completed":
            return statuses, body
    raise AssertionError(statuses)


# --- objects --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["detected_file", "detected_file_md5", "detected_file_sha1"])
async def test_file_lookup_by_each_hash_kind(client, kind):
    for ident in (IOCS[kind], IOCS[kind].upper()):
        body = await get_json(client, f"/files/{ident}")
        data = body["data"]
        assert data["type"] == "file"
        assert data["id"] == IOCS["detected_file"]
        assert data["links"]["self"] == f"{BASE}/files/{IOCS['detected_file']}"
        attrs = data["attributes"]
        assert attrs["md5"] == IOCS["detected_file_md5"] and attrs["sha1"] == IOCS["detected_file_sha1"]


async def test_detected_file_is_a_rich_pe_report(client):
    attrs = (await get_json(client, f"/files/{IOCS['detected_file']}"))["data"]["attributes"]
    stats = attrs["last_analysis_stats"]
    assert stats["malicious"] == 58 and stats["malicious"] + stats["undetected"] == 72
    assert sum(stats.values()) == len(attrs["last_analysis_results"]) >= 70
    results = attrs["last_analysis_results"]
    assert all(r["result"] is None for r in results.values() if r["category"] != "malicious")
    assert all(r["engine_update"] and "engine_version" in r for r in results.values())
    pe = attrs["pe_info"]
    assert {s["name"] for s in pe["sections"]} >= {".text", ".rdata", ".data", ".rsrc"}
    assert all(0 <= s["entropy"] <= 8 for s in pe["sections"])
    assert pe["import_list"] and "exports" not in pe and pe["rich_pe_header_hash"]
    for key in ("signature_info", "trid", "names", "tags", "popular_threat_classification", "sandbox_verdicts",
                "crowdsourced_yara_results", "exiftool", "magika"):
        assert attrs[key], key
    assert attrs["signature_info"]["verified"] != "Signed"


async def test_clean_files(client):
    signed = (await get_json(client, f"/files/{IOCS['clean_file']}"))["data"]["attributes"]
    assert signed["last_analysis_stats"]["malicious"] == 0 and signed["signature_info"]["verified"] == "Signed"
    pdf = (await get_json(client, f"/files/{IOCS['clean_pdf']}"))["data"]["attributes"]
    assert pdf["last_analysis_stats"]["malicious"] == 0 and pdf["type_tag"] == "pdf" and "pe_info" not in pdf


async def test_url_lookup_by_base64_and_sha256_ids(client):
    url = IOCS["url"]
    b64 = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    for ident in (b64, IOCS["url_id"]):
        data = (await get_json(client, f"/urls/{ident}"))["data"]
        assert data["id"] == IOCS["url_id"] == hashlib.sha256(url.encode()).hexdigest()
        attrs = data["attributes"]
        assert attrs["url"] == url and len(attrs["redirection_chain"]) == 3
        assert attrs["last_final_url"] == attrs["redirection_chain"][-1] != url
        assert attrs["title"] and attrs["last_http_response_headers"] and attrs["outgoing_links"]
        assert all("engine_version" not in r for r in attrs["last_analysis_results"].values())


async def test_domain_and_ip_lookups(client):
    domain = (await get_json(client, f"/domains/{IOCS['domain'].upper()}"))["data"]
    assert domain["id"] == IOCS["domain"]
    clean = (await get_json(client, f"/domains/{IOCS['clean_domain']}"))["data"]["attributes"]
    assert {r["type"] for r in clean["last_dns_records"]} >= {"A", "AAAA", "MX", "NS", "TXT", "SOA", "CAA"}
    assert "Registrar:" in clean["whois"] and clean["last_https_certificate"]["subject"]["CN"] == IOCS["clean_domain"]
    assert clean["categories"] and clean["popularity_ranks"] and clean["jarm"]
    ip = (await get_json(client, f"/ip_addresses/{IOCS['ip']}"))["data"]
    assert ip["attributes"]["asn"] and ip["attributes"]["as_owner"] and ip["attributes"]["whois"]
    long_form = "2001:0db8:0cdf:0000:0000:0000:0000:0044"
    ipv6 = (await get_json(client, f"/ip_addresses/{long_form}"))["data"]
    assert ipv6["id"] == IOCS["ipv6"] == "2001:db8:cdf::44"


async def test_not_found_and_malformed_ids(client):
    r = await client.get(f"/files/{NOT_FOUND_SHA256}")
    assert error_of(r) == (404, "NotFoundError", f'File "{NOT_FOUND_SHA256}" not found')
    r = await client.get("/domains/never-registered.invalid")
    assert error_of(r) == (404, "NotFoundError", 'Domain "never-registered.invalid" not found')
    assert error_of(await client.get("/ip_addresses/192.0.2.254"))[:2] == (404, "NotFoundError")
    assert error_of(await client.get(f"/urls/{'0' * 64}"))[:2] == (404, "NotFoundError")
    assert error_of(await client.get("/files/not-a-hash"))[:2] == (400, "InvalidArgumentError")
    assert error_of(await client.get("/ip_addresses/999.1.1.1"))[:2] == (400, "InvalidArgumentError")
    assert error_of(await client.get("/no/such/endpoint/here/at/all"))[:2] == (404, "NotFoundError")
    assert error_of(await client.get("/analyses/nope"))[:2] == (404, "NotFoundError")


async def test_authentication_errors(backend):
    async with httpx.AsyncClient(transport=DemoTransport(backend), base_url=BASE) as anonymous:
        r = await anonymous.get(f"/files/{IOCS['detected_file']}")
        assert error_of(r)[:2] == (401, "AuthenticationRequiredError")
        r = await anonymous.get(f"/files/{IOCS['detected_file']}", headers={"x-apikey": DemoBackend.REJECTED_API_KEY})
        assert error_of(r)[:2] == (401, "WrongCredentialsError")
        r = await anonymous.get(f"/files/{IOCS['detected_file']}", headers={"x-apikey": "any-other-key"})
        assert r.status_code == 200


async def test_wrong_method(client):
    r = await client.delete(f"/files/{IOCS['detected_file']}")
    assert error_of(r)[:2] == (405, "BadRequestError")
    assert r.headers["allow"] == "GET"
    assert (await client.get(f"/files/{IOCS['detected_file']}/analyse")).status_code == 405


async def test_links_use_the_base_url_the_request_came_in_on(backend):
    other = "http://127.0.0.1:9/api/v3"
    async with httpx.AsyncClient(transport=DemoTransport(backend), base_url=other, headers={"x-apikey": KEY}) as c:
        data = (await get_json(c, f"/domains/{IOCS['domain']}"))["data"]
        assert data["links"]["self"] == f"{other}/domains/{IOCS['domain']}"
        upload = (await get_json(c, "/files/upload_url"))["data"]
        assert upload.startswith("http://127.0.0.1:9/_upload/")


# --- relationships ------------------------------------------------------------------


async def test_relationship_paging_walks_every_page_without_gaps_or_repeats(client):
    path = f"/ip_addresses/{IOCS['sinkhole_ip']}/resolutions"
    first = await get_json(client, path, params={"limit": 40})
    assert first["meta"]["count"] == 2500 and len(first["data"]) == 40
    assert first["links"]["next"].startswith(f"{BASE}{path}?cursor=")
    items, pages = await walk(client, path, limit=40)
    ids = [item["id"] for item in items]
    assert len(ids) == 2500 and len(set(ids)) == 2500 and pages == 63
    assert all(
        item["type"] == "resolution" and item["attributes"]["ip_address"] == IOCS["sinkhole_ip"] for item in items
    )
    assert all(i["id"] == i["attributes"]["ip_address"] + i["attributes"]["host_name"] for i in items)
    dates = [item["attributes"]["date"] for item in items]
    assert dates == sorted(dates, reverse=True)
    descriptors, _ = await walk(client, f"/ip_addresses/{IOCS['sinkhole_ip']}/relationships/resolutions", limit=40)
    assert [d["id"] for d in descriptors] == ids


async def test_following_links_next_reaches_the_end(client):
    url = f"/ip_addresses/{IOCS['sinkhole_ip']}/communicating_files?limit=7"
    seen: list[str] = []
    while url:
        body = await get_json(client, url)
        assert body["meta"]["count"] == 60
        seen += [item["id"] for item in body["data"]]
        url = body["links"].get("next")
    assert len(seen) == 60 == len(set(seen)) and IOCS["detected_file"] in seen


async def test_descriptors_endpoint_returns_type_and_id_only(client):
    body = await get_json(client, f"/files/{IOCS['detected_file']}/relationships/contacted_domains")
    assert body["data"] and all(set(item) == {"type", "id"} for item in body["data"])
    assert body["links"]["related"] == f"{BASE}/files/{IOCS['detected_file']}/contacted_domains"
    full = await get_json(client, f"/files/{IOCS['detected_file']}/contacted_domains")
    assert [i["id"] for i in full["data"]] == [i["id"] for i in body["data"]]
    assert all(i["attributes"]["last_analysis_stats"] for i in full["data"])
    contacted = {i["id"] for i in body["data"]}
    assert IOCS["domain"] in contacted and IOCS["clean_domain"] in contacted and 3 <= len(contacted) <= 5


async def test_relationships_parameter_embeds_descriptors_with_cursor(client):
    ident = IOCS["detected_file"]
    body = await get_json(
        client, f"/files/{ident}", params={"relationships": "contacted_ips,comments,execution_parents"}
    )
    rels = body["data"]["relationships"]
    assert set(rels) == {"contacted_ips", "comments", "execution_parents"}
    ips = {d["id"] for d in rels["contacted_ips"]["data"]}
    assert IOCS["ip"] in ips and any(":" in ip for ip in ips) and "cursor" not in rels["contacted_ips"]["meta"]
    comments = rels["comments"]
    assert len(comments["data"]) == 10 and comments["meta"]["count"] == 25 and comments["meta"]["cursor"]
    next_page = await get_json(client, comments["links"]["next"])
    direct, _ = await walk(client, f"/files/{ident}/relationships/comments", limit=10)
    assert [d["id"] for d in comments["data"] + next_page["data"]] == [d["id"] for d in direct[:20]]


async def test_limit_and_cursor_validation(client):
    path = f"/ip_addresses/{IOCS['sinkhole_ip']}/resolutions"
    for bad in ("41", "0", "-1", "ten"):
        assert error_of(await client.get(path, params={"limit": bad}))[:2] == (400, "InvalidArgumentError"), bad
    assert len((await get_json(client, path, params={"limit": 40}))["data"]) == 40
    assert error_of(await client.get(path, params={"cursor": "garbage!"}))[:2] == (400, "InvalidArgumentError")
    other_list_cursor = (await get_json(client, f"/domains/{IOCS['parent_domain']}/subdomains"))["meta"]["cursor"]
    assert error_of(await client.get(path, params={"cursor": other_list_cursor}))[:2] == (400, "InvalidArgumentError")


async def test_premium_unknown_and_empty_relationships(client):
    ident = IOCS["detected_file"]
    for rel in ("embedded_urls", "itw_domains", "similar_files"):
        assert error_of(await client.get(f"/files/{ident}/{rel}"))[:2] == (403, "ForbiddenError")
        assert error_of(await client.get(f"/files/{ident}/relationships/{rel}"))[:2] == (403, "ForbiddenError")
    assert error_of(await client.get(f"/files/{ident}", params={"relationships": "embedded_urls"}))[0] == 403
    assert error_of(await client.get(f"/files/{ident}/no_such_rel"))[:2] == (400, "InvalidArgumentError")
    assert error_of(await client.get(f"/files/{ident}", params={"relationships": "bogus"}))[0] == 400
    empty = await get_json(client, f"/files/{IOCS['clean_pdf']}/contacted_domains")
    assert empty["data"] == [] and "cursor" not in (empty.get("meta") or {})
    for rel in relationships_for("file"):
        if not rel.premium:
            r = await client.get(f"/files/{IOCS['clean_pdf']}/{rel.name}")
            assert r.status_code == 200, rel.name


async def test_single_object_relationships(client):
    loc = (await get_json(client, f"/urls/{IOCS['url_id']}/network_location"))["data"]
    assert loc["type"] == "domain" and loc["id"] == urlsplit(IOCS["url"]).hostname
    serving = (await get_json(client, f"/urls/{IOCS['url_id']}/last_serving_ip_address"))["data"]
    assert serving["type"] == "ip_address" and serving["attributes"]["asn"]
    ip_url = "http://198.51.100.23:8080/cfg.bin"
    assert (await get_json(client, f"/urls/{url_sha256(ip_url)}/network_location"))["data"]["id"] == "198.51.100.23"
    parent = (await get_json(client, f"/domains/{IOCS['domain']}/parent"))["data"]
    assert parent["id"] == IOCS["parent_domain"]
    assert (await get_json(client, f"/domains/{IOCS['parent_domain']}/parent"))["data"] is None
    desc = await get_json(client, f"/domains/{IOCS['domain']}/relationships/parent")
    assert desc["data"] == {"type": "domain", "id": IOCS["parent_domain"]}


async def test_subdomains_are_capped_at_100_without_cursor(client):
    items, pages = await walk(client, f"/domains/{IOCS['parent_domain']}/relationships/subdomains", limit=40)
    assert len(items) == 100 == len({i["id"] for i in items}) and pages == 3
    siblings, _ = await walk(client, f"/domains/{IOCS['domain']}/relationships/siblings", limit=40)
    assert len(siblings) > 100 and IOCS["domain"] not in {s["id"] for s in siblings}


# --- comments and votes ---------------------------------------------------------------


async def test_comments_page_and_new_comment_is_first(client, clock):
    path = f"/files/{IOCS['detected_file']}/comments"
    items, pages = await walk(client, path, limit=10)
    assert len(items) == 25 and pages == 3
    assert all(item["type"] == "comment" and item["attributes"]["text"] for item in items)
    clock.now += 60
    r = await client.post(
        path, json={"data": {"type": "comment", "attributes": {"text": "Seen again #Vexbot #c2-panel"}}}
    )
    assert r.status_code == 200
    comment = r.json()["data"]
    assert comment["type"] == "comment" and comment["attributes"]["tags"] == ["c2-panel", "vexbot"]
    assert comment["attributes"]["date"] == int(clock.now)
    first = await get_json(client, path)
    assert first["data"][0]["id"] == comment["id"] and first["meta"]["count"] == 26
    assert (await get_json(client, f"/comments/{comment['id']}"))["data"]["attributes"]["text"].startswith("Seen again")


async def test_cursor_survives_a_comment_posted_while_paging(client):
    path = f"/domains/{IOCS['domain']}/comments"
    page1 = await get_json(client, path, params={"limit": 2})
    await client.post(path, json={"data": {"type": "comment", "attributes": {"text": "new one"}}})
    page2 = await get_json(client, path, params={"limit": 2, "cursor": page1["meta"]["cursor"]})
    ids1, ids2 = [i["id"] for i in page1["data"]], [i["id"] for i in page2["data"]]
    assert len(ids2) == 1 and not set(ids1) & set(ids2)


async def test_bad_comment_bodies(client):
    path = f"/files/{IOCS['detected_file']}/comments"
    assert (await client.post(path, content=b"{not json")).status_code == 400
    assert (
        await client.post(path, json={"data": {"type": "comment", "attributes": {"text": "  "}}})
    ).status_code == 400
    assert (await client.post(path, json={"data": {"type": "vote", "attributes": {"text": "x"}}})).status_code == 400
    assert (await client.post(f"/files/{NOT_FOUND_SHA256}/comments",
                              json={"data": {"type": "comment", "attributes": {"text": "x"}}})).status_code == 404


async def test_votes_page_post_and_conflict(client, backend):
    ident = IOCS["detected_file"]
    path = f"/files/{ident}/votes"
    items, pages = await walk(client, path, limit=10)
    assert len(items) == 23 and pages == 3
    totals = (await get_json(client, f"/files/{ident}"))["data"]["attributes"]["total_votes"]
    assert totals == {"harmless": sum(i["attributes"]["verdict"] == "harmless" for i in items),
                      "malicious": sum(i["attributes"]["verdict"] == "malicious" for i in items)}
    vote = {"data": {"type": "vote", "attributes": {"verdict": "malicious"}}}
    r = await client.post(path, json=vote)
    assert r.status_code == 200 and r.json()["data"]["attributes"]["verdict"] == "malicious"
    after = (await get_json(client, f"/files/{ident}"))["data"]["attributes"]["total_votes"]
    assert after == {"harmless": totals["harmless"], "malicious": totals["malicious"] + 1}
    assert (await get_json(client, path))["data"][0]["id"] == r.json()["data"]["id"]
    again = await client.post(path, json={"data": {"type": "vote", "attributes": {"verdict": "harmless"}}})
    assert error_of(again)[:2] == (409, "AlreadyExistsError")
    mine = await get_json(client, f"/files/{ident}/user_votes")
    assert [v["id"] for v in mine["data"]] == [r.json()["data"]["id"]]
    other = await client.post(path, json={"data": {"type": "vote", "attributes": {"verdict": "harmless"}}},
                              headers={"x-apikey": "second-key"})
    assert other.status_code == 200
    bad = await client.post(
        f"/domains/{IOCS['domain']}/votes", json={"data": {"type": "vote", "attributes": {"verdict": "evil"}}}
    )
    assert error_of(bad)[:2] == (400, "InvalidArgumentError")


# --- uploads and analyses -------------------------------------------------------------


async def test_upload_progresses_to_completed_and_creates_the_file(client):
    data = b"a harmless test upload\n" * 1000
    sha = hashlib.sha256(data).hexdigest()
    assert (await client.get(f"/files/{sha}")).status_code == 404
    r = await client.post("/files", files={"file": ("notes.txt", data)})
    assert r.status_code == 200
    analysis = r.json()["data"]
    assert analysis["type"] == "analysis" and analysis["links"]["self"] == f"{BASE}/analyses/{analysis['id']}"
    md5, epoch = base64.urlsafe_b64decode(analysis["id"]).decode().split(":")
    assert md5 == hashlib.md5(data).hexdigest() and epoch == str(START)
    statuses, body = await poll_until_completed(client, analysis["id"])
    assert statuses == ["queued", "in-progress", "completed"]
    info = body["meta"]["file_info"]
    assert info == {"sha256": sha, "md5": md5, "sha1": hashlib.sha1(data).hexdigest(), "size": len(data)}
    attrs = body["data"]["attributes"]
    assert attrs["stats"]["malicious"] == 0 and len(attrs["results"]) == sum(attrs["stats"].values())
    report = (await get_json(client, f"/files/{sha}"))["data"]
    assert report["id"] == sha and report["attributes"]["size"] == len(data)
    assert report["attributes"]["names"] == ["notes.txt"] and report["attributes"]["type_tag"] == "text"
    assert (await get_json(client, f"/files/{md5}"))["data"]["id"] == sha


async def test_uploading_a_known_file_refreshes_its_report(client, clock):
    ident = IOCS["clean_file"]
    before = (await get_json(client, f"/files/{ident}"))["data"]["attributes"]
    location = (await get_json(client, f"/files/{ident}/download_url"))["data"]
    content = (await client.get(location)).content
    clock.now += 3600
    analysis = (await client.post("/files", files={"file": ("again.exe", content)})).json()["data"]
    await poll_until_completed(client, analysis["id"])
    after = (await get_json(client, f"/files/{ident}"))["data"]["attributes"]
    assert after["last_analysis_date"] == int(clock.now) > before["last_analysis_date"]
    assert after["times_submitted"] == before["times_submitted"] + 1 and "again.exe" in after["names"]
    assert after["last_analysis_stats"] == before["last_analysis_stats"]


async def test_upload_url_is_absolute_and_single_use(client):
    url = (await get_json(client, "/files/upload_url"))["data"]
    assert re.fullmatch(r"https://demo\.vttui\.invalid/_upload/[\w-]+", url)
    body, headers = multipart("one.bin", b"first use")
    first = await client.post(url, content=body, headers=headers)
    assert first.status_code == 200 and first.json()["data"]["type"] == "analysis"
    second = await client.post(url, content=body, headers=headers)
    assert error_of(second)[:2] == (400, "BadRequestError")
    unknown = await client.post(url.rsplit("/", 1)[0] + "/nope", content=body, headers=headers)
    assert unknown.status_code == 404


async def test_upload_limits_and_bad_bodies(client, backend):
    backend.max_direct_upload = 1000
    body, headers = multipart("big.bin", b"x" * 2000)
    r = await client.post("/files", content=body, headers=headers)
    assert r.status_code == 413 and r.json()["error"]["code"] == "BadRequestError"
    assert "upload_url" in r.json()["error"]["message"]
    ok, headers = multipart("small.bin", b"x" * 999)
    assert (await client.post("/files", content=ok, headers=headers)).status_code == 200
    assert (await client.post("/files", content=b"raw bytes")).status_code == 400
    truncated = ok[: len(ok) // 2]
    assert (await client.post("/files", content=truncated, headers=headers)).status_code == 400
    no_file, headers = multipart("x", b"y")
    assert (await client.post("/files", content=no_file.replace(b'name="file"', b'name="other"'),
                              headers=headers)).status_code == 400


async def test_url_submission_and_reanalysis(client, clock):
    r = await client.post("/urls", data={"url": "HTTP://Fresh.Example.org"})
    assert r.status_code == 200
    canonical = "http://fresh.example.org/"
    uid = url_sha256(canonical)
    assert r.json()["data"]["id"] == f"u-{uid}-{START}"
    _, body = await poll_until_completed(client, r.json()["data"]["id"])
    assert body["meta"]["url_info"] == {"id": uid, "url": canonical}
    assert (await get_json(client, f"/urls/{uid}"))["data"]["attributes"]["url"] == canonical
    assert (await client.post("/urls", data={"nothing": "here"})).status_code == 400
    assert error_of(await client.post("/urls", data={"url": "not a url"}))[:2] == (400, "InvalidArgumentError")
    clock.now += 5
    again = await client.post(f"/urls/{IOCS['url_id']}/analyse")
    assert again.json()["data"]["id"] == f"u-{IOCS['url_id']}-{START + 5}"
    file_again = await client.post(f"/files/{IOCS['pe_file']}/analyse")
    assert file_again.status_code == 200 and file_again.json()["data"]["type"] == "analysis"
    assert (await client.post(f"/domains/{IOCS['domain']}/analyse")).status_code == 405


# --- downloads, sandboxes, quotas -------------------------------------------------------


@pytest.mark.parametrize("kind", ["detected_file", "clean_file", "clean_pdf", "dropped_dll"])
async def test_download_redirect_returns_bytes_that_hash_to_the_report(client, kind):
    ident = IOCS[kind]
    r = await client.get(f"/files/{ident}/download")
    assert r.status_code == 302
    content = (await client.get(r.headers["location"])).content
    attrs = (await get_json(client, f"/files/{ident}"))["data"]["attributes"]
    assert hashlib.sha256(content).hexdigest() == ident
    assert hashlib.md5(content).hexdigest() == attrs["md5"] and len(content) == attrs["size"]
    assert content.startswith(b"vttui demo sample ") and b"MZ" not in content[:2]


async def test_behaviour_summary_matches_the_relationships(client):
    ident = IOCS["detected_file"]
    summary = (await get_json(client, f"/files/{ident}/behaviour_summary"))["data"]

    async def ids(rel: str) -> set[str]:
        return {d["id"] for d in (await walk(client, f"/files/{ident}/relationships/{rel}"))[0]}

    assert {d["hostname"] for d in summary["dns_lookups"]} == await ids("contacted_domains")
    assert {t["destination_ip"] for t in summary["ip_traffic"]} == await ids("contacted_ips")
    assert {f["sha256"] for f in summary["files_dropped"]} == await ids("dropped_files")
    assert summary["processes_tree"] and summary["registry_keys_set"] and summary["mitre_attack_techniques"]
    behaviours = (await get_json(client, f"/files/{ident}/behaviours"))["data"]
    assert {b["id"] for b in behaviours} >= {f"{ident}_CAPE Sandbox", f"{ident}_Zenbox"}
    assert all(b["type"] == "file_behaviour" and isinstance(b["attributes"]["has_pcap"], bool) for b in behaviours)


async def test_pcap_is_a_valid_capture(client):
    ident = IOCS["detected_file"]
    r = await client.get(f"/file_behaviours/{ident}_CAPE Sandbox/pcap")
    assert r.status_code == 200
    data = r.content
    magic, major, minor, _, _, snaplen, linktype = struct.unpack("<IHHiIII", data[:24])
    assert (magic, major, minor, linktype) == (0xA1B2C3D4, 2, 4, 1)
    offset, packets = 24, []
    while offset < len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[offset:offset + 16])
        assert incl == orig <= snaplen
        packets.append(data[offset + 16:offset + 16 + incl])
        offset += 16 + incl
    assert offset == len(data) and len(packets) >= 4
    assert any(b"POST /gate.php" in p for p in packets) and any(
        b"\x03api\x0cupdate-relay\x04test" in p for p in packets
    )
    assert (await client.get(f"/file_behaviours/{ident}_VirusTotal Jujubox/pcap")).status_code == 404


async def test_quotas_count_requests(client, backend):
    for _ in range(3):
        await client.get(f"/domains/{IOCS['domain']}")
    body = await get_json(client, "/users/me/overall_quotas")
    daily = body["data"]["api_requests_daily"]
    assert daily["user"] == {"used": 3, "allowed": 500} and "group" in daily
    assert {"api_requests_hourly", "api_requests_monthly"} <= set(body["data"])
    assert (await get_json(client, f"/users/{KEY}/overall_quotas"))["data"]["api_requests_daily"]["user"]["used"] == 3
    assert (await client.get("/users/someone-else/overall_quotas")).status_code == 404
    assert backend.requests[:3] == [("GET", f"/domains/{IOCS['domain']}")] * 3


async def test_transport_runs_middleware_and_maps_actions(backend):
    async def middleware(request: DemoRequest, call_next):
        if request.path == "/close":
            return DemoResponse.close()
        if request.path == "/truncated":
            reply = DemoResponse.json({"data": {"id": "x"}})
            reply.body = reply.body[:5]
            reply.set_header("content-length", "30")
            return reply
        return await call_next(request)

    transport = DemoTransport(backend, middleware=middleware)
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers={"x-apikey": KEY}) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get("/close")
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get("/truncated")
        assert (await c.get(f"/domains/{IOCS['domain']}")).status_code == 200


async def test_backend_is_cheap_to_build():
    backend = DemoBackend()
    assert backend.requests == [] and backend.dataset._fillers is None and backend.dataset._dga_index is None


# --- the graph is coherent ------------------------------------------------------------

_COLL = {"file": "files", "domain": "domains", "ip_address": "ip_addresses", "url": "urls"}
_FOLLOW = {
    "file": (
        "contacted_domains",
        "contacted_ips",
        "contacted_urls",
        "dropped_files",
        "execution_parents",
        "bundled_files",
    ),
    "domain": ("communicating_files", "referrer_files", "resolutions", "subdomains", "siblings", "parent"),
    "ip_address": ("communicating_files", "referrer_files", "resolutions"),
    "url": ("network_location", "last_serving_ip_address"),
}


async def test_graph_is_coherent_in_both_directions(client, backend):
    dataset = backend.dataset
    edges: dict[tuple[tuple[str, str], str], list[tuple[str, str]]] = {}
    resolutions: dict[str, tuple[str, str]] = {}
    start = [("file", IOCS[k]) for k in ("detected_file", "clean_file", "clean_pdf")]
    start += [("domain", IOCS["phishing_domain"]), ("url", IOCS["url_id"])]
    queue, seen = deque(start), set(start)
    expanded: set[tuple[str, str]] = set()
    generated = {"dga": 0, "node": 0, "filler": 0}
    while queue:
        ref = queue.popleft()
        kind, ident = ref
        # Generated families are uniform: expand a sample over HTTP (all DGA names are checked
        # directly further down), every hand-made object in full.
        family = ("dga" if kind == "domain" and dataset.dga_index(ident) is not None
                  else "node" if kind == "domain" and ident.startswith("node-")
                  else "filler" if kind == "file" and dataset.is_filler(ident) else None)
        if family:
            generated[family] += 1
            if generated[family] % {"dga": 50, "node": 10, "filler": 4}[family] != 1:
                continue
        expanded.add(ref)
        data = (await get_json(client, f"/{_COLL[kind]}/{ident}"))["data"]
        assert (data["type"], data["id"]) == ref
        for rel in _FOLLOW[kind]:
            if rel == "resolutions":
                items, _ = await walk(client, f"/{_COLL[kind]}/{ident}/resolutions")
                for item in items:
                    attrs = item["attributes"]
                    assert item["id"] == attrs["ip_address"] + attrs["host_name"]
                    resolutions[item["id"]] = (attrs["ip_address"], attrs["host_name"])
                    assert ident in (attrs["ip_address"], attrs["host_name"])
                targets = [("resolution", item["id"]) for item in items]
                other = [("ip_address", a["attributes"]["ip_address"]) if kind == "domain"
                         else ("domain", a["attributes"]["host_name"]) for a in items]
            else:
                body = await get_json(client, f"/{_COLL[kind]}/{ident}/relationships/{rel}")
                if body["data"] is None or isinstance(body["data"], dict):
                    targets = [(body["data"]["type"], body["data"]["id"])] if body["data"] else []
                else:
                    targets = [
                        (d["type"], d["id"])
                        for d in (await walk(client, f"/{_COLL[kind]}/{ident}/relationships/{rel}"))[0]
                    ]
                other = targets
            edges[(ref, rel)] = targets
            for target in other:
                if target[0] in _COLL and target not in seen:
                    seen.add(target)
                    queue.append(target)

    def has(ref, rel, target) -> bool:
        return target in edges.get((ref, rel), [])

    checked = 0
    for (ref, rel), targets in edges.items():
        for target in targets:
            if rel in ("contacted_domains", "contacted_ips"):
                assert has(target, "communicating_files", ref), (ref, rel, target)
                checked += 1
            elif rel == "communicating_files" and target in expanded:
                back = "contacted_domains" if ref[0] == "domain" else "contacted_ips"
                assert has(target, back, ref), (ref, rel, target)
                checked += 1
            elif rel == "execution_parents":
                assert has(target, "dropped_files", ref)
            elif rel == "subdomains" and target in expanded:
                assert edges[(target, "parent")] == [ref]
            elif rel == "resolutions":
                ip, host = resolutions[target[1]]
                sides = [(("domain", host), rel), (("ip_address", ip), rel)]
                if all(side in edges for side in sides):
                    assert all(target in edges[side] for side in sides), target
                    checked += 1
    assert checked >= 100
    # Every referenced report object exists (the expanded ones were fetched above).
    assert generated["filler"] == 58 and generated["node"] == 140 and generated["dga"] == 2498
    for ref in seen - expanded:
        assert dataset.exists(ref), ref
    # The sinkhole's generated names, all of them: each resolves back to the sinkhole.
    sinkhole_ids = [rid for rid, (ip, _) in resolutions.items() if ip == IOCS["sinkhole_ip"]]
    assert len(sinkhole_ids) == 2500
    for rid in sinkhole_ids:
        ip, host = resolutions[rid]
        assert dataset.domain_exists(host)
        assert (ip, host) in {(r[0], r[1]) for r in dataset.resolutions_of_host(host)}
    # A sample of resolution ids resolve over HTTP too.
    for rid in sinkhole_ids[::250]:
        data = (await get_json(client, f"/resolutions/{rid}"))["data"]
        assert (data["attributes"]["ip_address"], data["attributes"]["host_name"]) == resolutions[rid]
    # The pivot chain of the demo: file -> C2 domain -> sinkhole IP -> communicating files -> file.
    c2 = ("domain", IOCS["domain"])
    assert has(("file", IOCS["detected_file"]), "contacted_domains", c2)
    assert any(resolutions[t[1]][0] == IOCS["sinkhole_ip"] for t in edges[(c2, "resolutions")])
    assert has(("ip_address", IOCS["sinkhole_ip"]), "communicating_files", ("file", IOCS["detected_file"]))


# --- the streaming multipart parser -----------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=3000), cuts=st.lists(st.integers(1, 97), max_size=40))
def test_multipart_parser_is_independent_of_chunking(payload, cuts):
    boundary = "XbOuNdArY"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\ninfected\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.bin\"\r\n\r\n").encode()
    body += payload + f"\r\n--{boundary}--\r\n".encode()
    parser = MultipartParser(boundary, keep_limit=1 << 20)
    pos = 0
    for cut in cuts:
        parser.feed(body[pos:pos + cut])
        pos += cut
    parser.feed(body[pos:])
    form = parser.close()
    assert form.fields == {"password": "infected"}
    assert form.file is not None and form.file.filename == "p.bin"
    assert form.file.size == len(payload) and form.file.sha256 == hashlib.sha256(payload).hexdigest()
    assert form.file.content == payload


async def test_large_upload_streams_with_flat_memory(client):
    import tracemalloc

    chunk = bytes(range(256)) * 256
    count = 512  # 32 MiB through the transport
    digest = hashlib.sha256()

    async def body():
        yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        for _ in range(count):
            digest.update(chunk)
            yield chunk
        yield b"\r\n--B--\r\n"

    url = (await get_json(client, "/files/upload_url"))["data"]
    tracemalloc.start()
    try:
        r = await client.post(url, content=body(), headers={"content-type": "multipart/form-data; boundary=B"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 200
    assert peak < 8 * 1024 * 1024, peak
    _, done = await poll_until_completed(client, r.json()["data"]["id"])
    assert done["meta"]["file_info"]["sha256"] == digest.hexdigest()
    assert done["meta"]["file_info"]["size"] == len(chunk) * count


def test_every_demo_file_is_the_hash_of_its_harmless_bytes(backend):
    dataset = backend.dataset
    dataset._ensure_fillers()
    assert len(dataset.files) >= 60
    for sha256, rec in dataset.files.items():
        content = dataset.content(sha256)
        assert content is not None and len(content) == rec.spec.size
        assert hashlib.sha256(content).hexdigest() == sha256 and hashlib.md5(content).hexdigest() == rec.md5
        assert content.startswith(b"vttui demo sample ") and b"EICAR" not in content
        attrs = dataset.attributes(("file", sha256))
        assert (attrs["md5"], attrs["sha1"], attrs["size"]) == (rec.md5, rec.sha1, rec.spec.size)
        assert sum(attrs["last_analysis_stats"].values()) == len(attrs["last_analysis_results"])


def test_demo_hosts_and_addresses_are_reserved(backend):
    import ipaddress

    from vttui.demo import catalogue

    documentation = [
        ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
    ]
    for ip in catalogue.IPS:
        assert any(ipaddress.ip_address(ip) in net for net in documentation), ip
    names = list(catalogue.DOMAINS) + [urlsplit(u).hostname for u in catalogue.URLS]
    names += [backend.dataset.dga_name(i) for i in range(0, 2498, 97)] + backend.dataset.node_names()[:3]
    for name in names:
        reserved = name.endswith((".test", ".example", ".invalid", ".example.com", ".example.net", ".example.org"))
        assert reserved or any(ipaddress.ip_address(name) in net for net in documentation), name


async def test_upload_url_refuses_files_over_the_limit(client, backend):
    backend.max_upload = 4096
    url = (await get_json(client, "/files/upload_url"))["data"]
    body, headers = multipart("too-big.bin", b"z" * 5000)
    r = await client.post(url, content=body, headers=headers)
    assert r.status_code == 413 and "larger than" in r.json()["error"]["message"]


async def test_file_behaviour_objects(client):
    ident = IOCS["detected_file"]
    data = (await get_json(client, f"/file_behaviours/{ident}_Zenbox"))["data"]
    assert data["type"] == "file_behaviour" and data["attributes"]["sandbox_name"] == "Zenbox"
    assert data["attributes"]["has_pcap"] is True and data["attributes"]["dns_lookups"]
    assert (await client.get(f"/file_behaviours/{ident}_Nope")).status_code == 404
    empty = await get_json(client, f"/files/{IOCS['clean_pdf']}/behaviour_summary")
    assert empty["data"] == {}

"""VTClient against respx: every endpoint, each error class, retries, cache, single-flight."""

from __future__ import annotations

import asyncio
import json
import os
import stat

import httpx
import pytest
import respx

from vttui.vt import errors as E
from vttui.vt.cache import ResponseCache
from vttui.vt.client import SMALL_UPLOAD_LIMIT, VTClient
from vttui.vt.ioc import url_id
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.refs import ObjectRef

BASE = "https://vt.test/api/v3"
KEY = "k" * 60 + "9z1X"
SHA256 = "a" * 64
MD5 = "b" * 32
SHA1 = "c" * 40


def file_obj(sha256=SHA256, md5=MD5, sha1=SHA1, **attrs):
    return {"type": "file", "id": sha256, "attributes": {"sha256": sha256, "md5": md5, "sha1": sha1, **attrs}}


class Sleeps:
    """A fake sleep that advances a fake clock, shared by the client and its limiter."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
async def client(sleeps):
    limiter = RateLimiter(None, None, clock=sleeps.clock, sleep=sleeps)
    c = VTClient(KEY, base_url=BASE, limiter=limiter, sleep=sleeps, trust_env=False)
    yield c
    await c.aclose()


def error_body(code, message="msg"):
    return {"error": {"code": code, "message": message}}


# --- lookups and the cache ---------------------------------------------------------------


@respx.mock
async def test_file_by_md5_then_sha1_and_sha256_are_cache_hits(client):
    route = respx.get(f"{BASE}/files/{MD5}").respond(json={"data": file_obj()})
    data = await client.get_file(MD5)
    assert data["id"] == SHA256
    assert route.calls.last.request.headers["x-apikey"] == KEY
    assert (await client.get_file(SHA1))["id"] == SHA256
    assert (await client.get_file(SHA256.upper()))["id"] == SHA256
    assert client.stats.requests == 1
    assert client.cache.stats().hits == 2


@respx.mock
async def test_url_by_string_then_by_sha256_id_is_a_hit(client):
    url = "http://www.google.com"
    sha_id = "d" * 64
    respx.get(f"{BASE}/urls/{url_id(url)}").respond(
        json={"data": {"type": "url", "id": sha_id, "attributes": {"url": url + "/"}}}
    )
    assert (await client.get_url(url))["id"] == sha_id
    assert (await client.get_url(sha_id))["id"] == sha_id
    assert (await client.lookup("hxxp://www[.]google[.]com"))["id"] == sha_id
    assert client.stats.requests == 1


@respx.mock
async def test_fifty_concurrent_lookups_make_one_request(client):
    gate = asyncio.Event()

    async def slow(request):
        await gate.wait()
        return httpx.Response(200, json={"data": file_obj()})

    route = respx.get(f"{BASE}/files/{SHA256}").mock(side_effect=slow)
    tasks = [asyncio.create_task(client.get_file(SHA256)) for _ in range(50)]
    await asyncio.sleep(0.01)
    gate.set()
    results = await asyncio.gather(*tasks)
    assert route.call_count == 1
    assert {r["id"] for r in results} == {SHA256}


@respx.mock
async def test_relationship_page_seeds_object_cache(client):
    domain = {"type": "domain", "id": "evil.test", "attributes": {"reputation": -5}}
    route = respx.get(f"{BASE}/files/{SHA256}/contacted_domains").respond(
        json={"data": [domain], "meta": {"count": 1}}
    )
    page = await client.get_related(ObjectRef("file", SHA256), "contacted_domains", limit=5)
    assert route.calls.last.request.url.params["limit"] == "5"
    assert [i["id"] for i in page.items] == ["evil.test"] and not page.has_more and page.count == 1
    assert (await client.get_domain("evil.test"))["attributes"]["reputation"] == -5
    assert client.stats.requests == 1
    # the same page again is a hit too
    await client.get_related(ObjectRef("file", SHA256), "contacted_domains", limit=5)
    assert client.stats.requests == 1


@respx.mock
async def test_descriptors_endpoint_and_cursor(client):
    route = respx.get(f"{BASE}/domains/x.test/relationships/resolutions").respond(
        json={"data": [{"type": "resolution", "id": "1.2.3.4x.test"}], "meta": {"cursor": "NEXT"}}
    )
    page = await client.get_related(ObjectRef("domain", "x.test"), "resolutions", descriptors=True, cursor="C1")
    assert route.calls.last.request.url.params["cursor"] == "C1"
    assert page.cursor == "NEXT" and page.has_more


@respx.mock
async def test_object_with_relationships_param_is_cached_as_the_object(client):
    route = respx.get(f"{BASE}/domains/x.test").respond(
        json={
            "data": {"type": "domain", "id": "x.test", "attributes": {}, "relationships": {"resolutions": {"data": []}}}
        }
    )
    await client.get_object(ObjectRef("domain", "x.test"), relationships=["resolutions", "subdomains"])
    assert route.calls.last.request.url.params["relationships"] == "resolutions,subdomains"
    await client.get_object(ObjectRef("domain", "x.test"))
    assert route.call_count == 1


@respx.mock
async def test_iter_related_walks_all_pages(client):
    pages = {
        None: (
            {
                "data": [{"type": "file", "id": f"{i:064x}", "attributes": {}} for i in range(40)],
                "meta": {"cursor": "p2"},
            }
        ),
        "p2": ({"data": [{"type": "file", "id": f"{i:064x}", "attributes": {}} for i in range(40, 55)], "meta": {}}),
    }

    def handler(request):
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    respx.get(f"{BASE}/ip_addresses/192.0.2.1/communicating_files").mock(side_effect=handler)
    items = await client.iter_related(ObjectRef("ip_address", "192.0.2.1"), "communicating_files").collect()
    assert len(items) == 55 and len({i["id"] for i in items}) == 55


# --- errors --------------------------------------------------------------------------------

ERROR_CASES = [
    (400, "BadRequestError", E.BadRequestError, 2),
    (400, "InvalidArgumentError", E.InvalidArgumentError, 2),
    (400, "NotAvailableYet", E.NotAvailableYetError, 2),
    (401, "AuthenticationRequiredError", E.AuthenticationRequiredError, 4),
    (401, "WrongCredentialsError", E.WrongCredentialsError, 4),
    (401, "UserNotActiveError", E.UserNotActiveError, 4),
    (403, "ForbiddenError", E.ForbiddenError, 4),
    (404, "NotFoundError", E.NotFoundError, 3),
    (409, "AlreadyExistsError", E.AlreadyExistsError, 7),
    (424, "FailedDependencyError", E.FailedDependencyError, 6),
    (429, "QuotaExceededError", E.QuotaExceededError, 5),
]


@pytest.mark.parametrize("status,code,cls,exit_code", ERROR_CASES)
@respx.mock
async def test_error_codes_map_to_types(client, status, code, cls, exit_code):
    route = respx.get(f"{BASE}/domains/x.test").respond(status, json=error_body(code, "server said <b>"))
    with pytest.raises(cls) as info:
        await client.get_domain("x.test")
    err = info.value
    assert type(err) is cls
    assert err.exit_code == exit_code
    assert err.message and "Traceback" not in err.message
    assert err.detail == "server said <b>"
    assert route.call_count == 1  # none of these is retried


@respx.mock
async def test_wrong_key_message(client):
    respx.get(f"{BASE}/domains/x.test").respond(401, json=error_body("WrongCredentialsError"))
    with pytest.raises(E.WrongCredentialsError, match="This API key was rejected by VirusTotal"):
        await client.get_domain("x.test")


@respx.mock
async def test_plain_text_404_is_not_found(client):
    respx.get(f"{BASE}/files/{SHA256}").respond(404, text="Not Found", headers={"content-type": "text/plain"})
    with pytest.raises(E.NotFoundError):
        await client.get_file(SHA256)


@respx.mock
async def test_not_found_message_names_the_kind(client):
    respx.get(f"{BASE}/files/{SHA256}").respond(404, json=error_body("NotFoundError", f'File "{SHA256}" not found'))
    with pytest.raises(E.NotFoundError, match="no record of this file"):
        await client.get_file(SHA256)


@respx.mock
async def test_html_from_proxy_is_explained_and_retried(client, sleeps):
    route = respx.get(f"{BASE}/domains/x.test").respond(
        502, text="<html><body>Bad gateway</body></html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(E.ServerError, match="HTML error page"):
        await client.get_domain("x.test")
    assert route.call_count == 4  # first try + 3 retries
    assert len(sleeps.calls) == 3


@respx.mock
async def test_html_with_200_is_malformed(client):
    respx.get(f"{BASE}/domains/x.test").respond(
        200, text="<!DOCTYPE html><html>captive portal</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(E.MalformedResponseError, match="HTML page"):
        await client.get_domain("x.test")


@respx.mock
async def test_truncated_json_retried_then_succeeds(client):
    route = respx.get(f"{BASE}/domains/x.test").mock(side_effect=[
        httpx.Response(200, content=b'{"data": {"type": "dom'),
        httpx.Response(200, json={"data": {"type": "domain", "id": "x.test", "attributes": {}}}),
    ])
    assert (await client.get_domain("x.test"))["id"] == "x.test"
    assert route.call_count == 2


@respx.mock
async def test_non_object_json_is_malformed(client):
    respx.get(f"{BASE}/domains/x.test").respond(200, json=[1, 2])
    with pytest.raises(E.MalformedResponseError):
        await client.get_domain("x.test")


@respx.mock
async def test_object_reply_without_object_is_malformed_and_not_cached(client):
    route = respx.get(f"{BASE}/domains/x.test").respond(200, json={"data": None})
    for _ in range(2):
        with pytest.raises(E.MalformedResponseError):
            await client.get_domain("x.test")
    assert route.call_count == 2


@pytest.mark.parametrize("exc,cls", [
    (httpx.ConnectError("[Errno 111] Connection refused"), E.OfflineError),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), E.TLSError),
    (httpx.ConnectTimeout("timed out"), E.RequestTimeoutError),
    (httpx.ReadTimeout("timed out"), E.RequestTimeoutError),
    (httpx.ProxyError("407 Proxy Authentication Required"), E.ProxyError),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), E.OfflineError),
    (httpx.ReadError("reset"), E.OfflineError),
])
@respx.mock
async def test_transport_errors_become_typed_errors(client, exc, cls):
    route = respx.get(f"{BASE}/domains/x.test").mock(side_effect=exc)
    with pytest.raises(cls) as info:
        await client.get_domain("x.test")
    assert not isinstance(info.value, httpx.HTTPError)
    assert info.value.exit_code == 6
    expected_calls = 1 if cls is E.TLSError else 4
    assert route.call_count == expected_calls


# --- retries ------------------------------------------------------------------------------


@respx.mock
async def test_503_then_success_with_backoff(client, sleeps):
    route = respx.get(f"{BASE}/domains/x.test").mock(side_effect=[
        httpx.Response(503, json=error_body("TransientError")),
        httpx.Response(504, json=error_body("DeadlineExceededError")),
        httpx.Response(200, json={"data": {"type": "domain", "id": "x.test", "attributes": {}}}),
    ])
    await client.get_domain("x.test")
    assert route.call_count == 3
    assert len(sleeps.calls) == 2
    # exponential with jitter: second wait drawn from [1, 2], first from [0.5, 1]
    assert 0.5 <= sleeps.calls[0] <= 1.0 and 1.0 <= sleeps.calls[1] <= 2.0


@respx.mock
async def test_retry_after_is_honoured_for_too_many_requests(client, sleeps):
    route = respx.get(f"{BASE}/domains/x.test").mock(side_effect=[
        httpx.Response(429, json=error_body("TooManyRequestsError"), headers={"retry-after": "17"}),
        httpx.Response(200, json={"data": {"type": "domain", "id": "x.test", "attributes": {}}}),
    ])
    await client.get_domain("x.test")
    assert route.call_count == 2
    assert sleeps.calls == [17.0]


@respx.mock
async def test_quota_exceeded_is_not_retried(client, sleeps):
    route = respx.get(f"{BASE}/domains/x.test").respond(429, json=error_body("QuotaExceededError"))
    with pytest.raises(E.QuotaExceededError) as info:
        await client.get_domain("x.test")
    assert route.call_count == 1 and sleeps.calls == []
    assert "UTC" in info.value.message


@respx.mock
async def test_daily_quota_message_when_the_day_is_spent(sleeps):
    limiter = RateLimiter(None, 3)
    async with VTClient(KEY, base_url=BASE, limiter=limiter, sleep=sleeps, trust_env=False) as c:
        respx.get(url__regex=rf"{BASE}/domains/ok\d\.test").mock(
            side_effect=lambda r: httpx.Response(
                200, json={"data": {"type": "domain", "id": r.url.path.rsplit("/", 1)[1], "attributes": {}}}
            )
        )
        respx.get(f"{BASE}/domains/x.test").respond(429, json=error_body("QuotaExceededError"))
        await c.get_domain("ok1.test")
        await c.get_domain("ok2.test")
        with pytest.raises(E.QuotaExceededError, match=r"Daily quota spent; resets at 00:00 UTC"):
            await c.get_domain("x.test")
        # no further request is even attempted today
        with pytest.raises(E.QuotaExceededError):
            await c.get_domain("ok3.test")
        assert c.stats.requests == 3


@respx.mock
async def test_post_not_retried_on_503(client):
    route = respx.post(f"{BASE}/files/{SHA256}/comments").respond(503, json=error_body("TransientError"))
    with pytest.raises(E.TransientError):
        await client.add_comment(ObjectRef("file", SHA256), "hello")
    assert route.call_count == 1


@respx.mock
async def test_post_with_unknown_outcome_is_not_retried(client):
    route = respx.post(f"{BASE}/files/{SHA256}/votes").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(E.WriteOutcomeUnknownError, match="may or may not have taken effect"):
        await client.add_vote(ObjectRef("file", SHA256), "malicious")
    assert route.call_count == 1


@respx.mock
async def test_post_retried_when_it_was_never_sent(client):
    route = respx.post(f"{BASE}/urls").mock(side_effect=[
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"data": {"type": "analysis", "id": "u-" + "e" * 64 + "-1"}}),
    ])
    analysis = await client.scan_url("hxxps://evil[.]test/x")
    assert analysis["id"].startswith("u-")
    assert route.call_count == 2
    assert route.calls.last.request.content == b"url=https%3A%2F%2Fevil.test%2Fx"


# --- writes -------------------------------------------------------------------------------


@respx.mock
async def test_comment_posts_body_and_invalidates_comment_pages(client):
    ref = ObjectRef("file", SHA256)
    listing = respx.get(f"{BASE}/files/{SHA256}/comments").respond(json={"data": [], "meta": {}})
    post = respx.post(f"{BASE}/files/{SHA256}/comments").respond(
        json={"data": {"type": "comment", "id": "f-1", "attributes": {"text": "hi #tag"}}}
    )
    await client.get_comments(ref)
    await client.get_comments(ref)
    assert listing.call_count == 1
    created = await client.add_comment(ref, "hi #tag")
    assert created["id"] == "f-1"
    assert json.loads(post.calls.last.request.content) == {
        "data": {"type": "comment", "attributes": {"text": "hi #tag"}}
    }
    await client.get_comments(ref)
    assert listing.call_count == 2


@respx.mock
async def test_second_vote_is_explained(client):
    respx.post(f"{BASE}/files/{SHA256}/votes").respond(409, json=error_body("AlreadyExistsError"))
    with pytest.raises(E.AlreadyExistsError, match="already voted"):
        await client.add_vote(ObjectRef("file", SHA256), "harmless")


async def test_invalid_vote_verdict_refused_without_request(client):
    with pytest.raises(E.InvalidArgumentError):
        await client.add_vote(ObjectRef("file", SHA256), "evil")
    assert client.stats.requests == 0


@respx.mock
async def test_vote_invalidates_object_and_votes(client):
    ref = ObjectRef("file", SHA256)
    obj = respx.get(f"{BASE}/files/{SHA256}").respond(json={"data": file_obj()})
    respx.post(f"{BASE}/files/{SHA256}/votes").respond(
        json={"data": {"type": "vote", "id": "v", "attributes": {"verdict": "malicious"}}}
    )
    await client.get_file(SHA256)
    await client.add_vote(ref, "malicious")
    await client.get_file(SHA256)
    assert obj.call_count == 2


@respx.mock
async def test_small_upload_streams_multipart(client, tmp_path):
    sample = tmp_path / "sample.bin"
    payload = os.urandom(300_000)
    sample.write_bytes(payload)
    route = respx.post(f"{BASE}/files").respond(json={"data": {"type": "analysis", "id": "YWJj"}})
    seen: list[tuple[int, int]] = []
    analysis = await client.upload_file(sample, progress=lambda d, t: seen.append((d, t)))
    assert analysis["id"] == "YWJj"
    request = route.calls.last.request
    body = request.content
    assert payload in body
    assert b'name="file"; filename="sample.bin"' in body
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["content-length"]) == len(body)
    assert seen[-1][0] == seen[-1][1] == len(body)


@respx.mock
async def test_large_upload_uses_a_fresh_upload_url_each_time(client, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:  # sparse: no disk or memory spent
        fh.truncate(SMALL_UPLOAD_LIMIT + 1)
    urls = iter(["https://vt.test/_ah/upload/one", "https://vt.test/_ah/upload/two"])
    get_url = respx.get(f"{BASE}/files/upload_url").mock(
        side_effect=lambda r: httpx.Response(200, json={"data": next(urls)})
    )
    sizes = []

    def receive(request):
        sizes.append(sum(len(chunk) for chunk in request.stream))
        return httpx.Response(200, json={"data": {"type": "analysis", "id": "x"}})

    one = respx.post("https://vt.test/_ah/upload/one").mock(side_effect=receive)
    two = respx.post("https://vt.test/_ah/upload/two").mock(side_effect=receive)
    small = respx.post(f"{BASE}/files")
    await client.upload_file(big)
    await client.upload_file(big)
    assert get_url.call_count == 2 and one.call_count == 1 and two.call_count == 1
    assert small.call_count == 0
    assert all(s > SMALL_UPLOAD_LIMIT for s in sizes)


async def test_too_large_upload_refused_before_any_request(client, tmp_path):
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(650 * 1024 * 1024 + 1)
    with pytest.raises(E.UploadTooLargeError, match="650 MB"):
        await client.upload_file(huge)
    assert client.stats.requests == 0


# --- analyses -----------------------------------------------------------------------------


def analysis(status, **meta):
    return {
        "data": {"type": "analysis", "id": "an1", "attributes": {"status": status, "stats": {"malicious": 3}}},
        "meta": meta,
    }


@respx.mock
async def test_wait_for_analysis_polls_with_backoff_and_refreshes_report(client, sleeps):
    respx.get(f"{BASE}/analyses/an1").mock(side_effect=[
        httpx.Response(200, json=analysis("queued")),
        httpx.Response(200, json=analysis("in-progress")),
        httpx.Response(200, json=analysis("completed", file_info={"sha256": SHA256})),
    ])
    file_route = respx.get(f"{BASE}/files/{SHA256}").respond(json={"data": file_obj()})
    await client.get_file(SHA256)
    updates = []
    body = await client.wait_for_analysis(
        "an1", first_delay=2, on_update=lambda b: updates.append(b["data"]["attributes"]["status"])
    )
    assert body["data"]["attributes"]["status"] == "completed"
    assert updates == ["queued", "in-progress", "completed"]
    assert sleeps.calls == [2, 4]
    await client.get_file(SHA256)  # the stale report was dropped
    assert file_route.call_count == 2


@respx.mock
async def test_wait_for_analysis_stops_at_its_limit(client, sleeps):
    route = respx.get(f"{BASE}/analyses/an1").respond(json=analysis("queued"))
    now = [0.0]

    async def advancing(seconds):
        sleeps.calls.append(seconds)
        now[0] += seconds

    client._sleep = advancing
    with pytest.raises(E.AnalysisTimeoutError, match="still queued"):
        await client.wait_for_analysis("an1", timeout=30, first_delay=5, clock=lambda: now[0])
    assert route.call_count == 3  # at 0, 5, 15; the next poll (35) would pass the limit
    assert sleeps.calls == [5, 10]


# --- downloads ------------------------------------------------------------------------------


@respx.mock
async def test_download_follows_redirect_without_leaking_the_key(client, tmp_path):
    respx.get(f"{BASE}/files/{SHA256}/download").respond(302, headers={"location": "https://storage.example/blob?sig=1"})
    blob = respx.get("https://storage.example/blob").respond(
        content=b"harmless bytes", headers={"content-length": "14"}
    )
    progress = []
    dest = await client.download_file(SHA256, tmp_path / SHA256, progress=lambda d, t: progress.append((d, t)))
    assert dest.read_bytes() == b"harmless bytes"
    assert "x-apikey" not in blob.calls.last.request.headers
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert progress[-1] == (14, 14)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".vttui-")]


@respx.mock
async def test_download_forbidden_says_premium(client, tmp_path):
    respx.get(f"{BASE}/files/{SHA256}/download").respond(403, json=error_body("ForbiddenError"))
    with pytest.raises(E.ForbiddenError, match="premium"):
        await client.download_file(SHA256, tmp_path / "x")
    assert not list(tmp_path.iterdir())


@respx.mock
async def test_download_connection_drop_leaves_no_partial_file(client, tmp_path):
    async def broken():
        yield b"part"
        raise httpx.ReadError("reset")

    respx.get(f"{BASE}/file_behaviours/x_y/pcap").mock(return_value=httpx.Response(200, stream=_AsyncStream(broken())))
    with pytest.raises(E.OfflineError):
        await client.download_pcap("x_y", tmp_path / "p.pcap")
    assert not list(tmp_path.iterdir())


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, gen):
        self.gen = gen

    async def __aiter__(self):
        async for chunk in self.gen:
            yield chunk


# --- misc ---------------------------------------------------------------------------------


@respx.mock
async def test_api_key_never_in_request_log(client):
    respx.get(f"{BASE}/users/{KEY}").respond(json={"data": {"type": "user", "id": "analyst"}})
    respx.get(url__regex=rf"{BASE}/users/.*/overall_quotas").respond(
        json={"data": {"api_requests_daily": {"user": {"used": 3, "allowed": 500}}}}
    )
    quotas = await client.overall_quotas()
    assert quotas["api_requests_daily"]["user"]["used"] == 3
    assert all(KEY not in path for _, path in client.request_log)
    assert any("9z1X" in path for _, path in client.request_log)


@respx.mock
async def test_quota_learns_the_user_id_once_then_keeps_the_key_out_of_urls(client):
    who = respx.get(f"{BASE}/users/{KEY}").respond(json={"data": {"type": "user", "id": "analyst"}})
    quotas = respx.get(f"{BASE}/users/analyst/overall_quotas").respond(json={"data": {"api_requests_daily": {}}})
    await client.overall_quotas()
    client.cache.clear()
    await client.overall_quotas()
    assert who.call_count == 1 and quotas.call_count == 2
    assert client.user_id == client.learned_user_id == "analyst"


@respx.mock
async def test_a_user_reply_that_names_no_account_is_malformed(client):
    respx.get(f"{BASE}/users/{KEY}").respond(json={"data": {"type": "user", "id": "../x"}})
    with pytest.raises(E.MalformedResponseError):
        await client.overall_quotas()


async def test_missing_key_refused_before_request():
    async with VTClient(None, base_url=BASE, trust_env=False) as c:
        with pytest.raises(E.MissingAPIKeyError):
            await c.get_domain("x.test")
        assert c.stats.requests == 0


async def test_invalid_ioc_refused_before_request(client):
    with pytest.raises(E.InvalidIOCError):
        await client.lookup("not an ioc at all")
    assert client.stats.requests == 0


@respx.mock
async def test_limiter_gates_every_request(sleeps):
    class CountingLimiter(RateLimiter):
        async def acquire(self):
            self.calls = getattr(self, "calls", 0) + 1
            await super().acquire()

    limiter = CountingLimiter(None, None)
    respx.get(f"{BASE}/domains/x.test").mock(side_effect=[
        httpx.Response(503, json=error_body("TransientError")),
        httpx.Response(200, json={"data": {"type": "domain", "id": "x.test", "attributes": {}}}),
    ])
    async with VTClient(KEY, base_url=BASE, limiter=limiter, sleep=sleeps, trust_env=False) as c:
        await c.get_domain("x.test")
        await c.get_domain("x.test")  # cache hit: no slot spent
    assert limiter.calls == 2


@respx.mock
async def test_cache_bound_respected_across_many_objects(sleeps):
    cache = ResponseCache(max_entries=10_000, max_bytes=200_000)
    respx.get(url__regex=rf"{BASE}/domains/d\d+\.test").mock(
        side_effect=lambda r: httpx.Response(
            200,
            json={"data": {"type": "domain", "id": r.url.path.rsplit("/", 1)[1], "attributes": {"whois": "x" * 5000}}},
        )
    )
    async with VTClient(
        KEY, base_url=BASE, limiter=RateLimiter(None, None), cache=cache, sleep=sleeps, trust_env=False
    ) as c:
        for i in range(100):
            await c.get_domain(f"d{i}.test")
    assert cache.bytes <= 200_000
    assert cache.stats().evictions > 0


@respx.mock
async def test_hostile_ids_cannot_change_the_endpoint(client):
    route = respx.get(url__regex=r".*").respond(404, json=error_body("NotFoundError"))
    for hostile in ("../../users/me", "x?relationships=comments", "a#b", ".."):
        with pytest.raises(E.InvalidIOCError):  # not a domain: refused before any request
            await client.get_object(ObjectRef("domain", hostile))
    assert route.calls.call_count == 0
    # and were one sent anyway, it could not leave its path segment
    assert [ObjectRef("domain", h).path for h in ("../../users/me", "x?relationships=comments", "a#b", "..")] == [
        "/domains/..%2F..%2Fusers%2Fme",
        "/domains/x%3Frelationships=comments",  # "=" is inert in a path
        "/domains/a%23b",
        "/domains/%2E%2E",
    ]


@respx.mock
async def test_httpx_log_lines_never_carry_the_key(client, caplog):
    import logging

    respx.get(f"{BASE}/users/{KEY}").respond(json={"data": {"type": "user", "id": "analyst"}})
    respx.get(url__regex=rf"{BASE}/users/.*/overall_quotas").respond(json={"data": {}})
    with caplog.at_level(logging.DEBUG):
        await client.overall_quotas()
    assert caplog.records, "httpx should have logged the request"
    assert all(KEY not in r.getMessage() for r in caplog.records)


# --- every endpoint, success path --------------------------------------------------------

URL_ID = url_id("http://evil.test/x")
ANALYSIS_BODY = {"data": {"type": "analysis", "id": "an9", "attributes": {"status": "queued"}}}
PAGE_BODY = {"data": [{"type": "comment", "id": "c1", "attributes": {"text": "t"}}], "meta": {"cursor": "n"}}


def _page_ok(result):
    return result.items and result.cursor == "n"


ENDPOINTS = [
    (
        "file report",
        "GET",
        f"/files/{SHA256}",
        {"data": file_obj()},
        lambda c: c.get_file(SHA256),
        lambda r: r["id"] == SHA256,
    ),
    (
        "url by url",
        "GET",
        f"/urls/{URL_ID}",
        {"data": {"type": "url", "id": "e" * 64, "attributes": {"url": "http://evil.test/x"}}},
        lambda c: c.get_url("http://evil.test/x"),
        lambda r: r["type"] == "url",
    ),
    (
        "domain",
        "GET",
        "/domains/evil.test",
        {"data": {"type": "domain", "id": "evil.test", "attributes": {}}},
        lambda c: c.get_domain("evil.test"),
        lambda r: r["id"] == "evil.test",
    ),
    (
        "ipv4",
        "GET",
        "/ip_addresses/192.0.2.1",
        {"data": {"type": "ip_address", "id": "192.0.2.1", "attributes": {}}},
        lambda c: c.get_ip("192.0.2.1"),
        lambda r: r["id"] == "192.0.2.1",
    ),
    (
        "ipv6",
        "GET",
        "/ip_addresses/2001:db8::1",
        {"data": {"type": "ip_address", "id": "2001:db8::1", "attributes": {}}},
        lambda c: c.lookup("[2001:db8::1]"),
        lambda r: r["id"] == "2001:db8::1",
    ),
    (
        "analysis by lookup",
        "GET",
        "/analyses/u-" + "a" * 64 + "-1",
        ANALYSIS_BODY,
        lambda c: c.lookup("u-" + "a" * 64 + "-1"),
        lambda r: r["id"] == "an9",
    ),
    (
        "related objects",
        "GET",
        f"/files/{SHA256}/contacted_ips",
        PAGE_BODY,
        lambda c: c.get_related(ObjectRef("file", SHA256), "contacted_ips"),
        _page_ok,
    ),
    (
        "related descriptors",
        "GET",
        "/domains/evil.test/relationships/subdomains",
        PAGE_BODY,
        lambda c: c.get_related(ObjectRef("domain", "evil.test"), "subdomains", descriptors=True),
        _page_ok,
    ),
    (
        "url relationships",
        "GET",
        f"/urls/{URL_ID}/last_serving_ip_address",
        {"data": {"type": "ip_address", "id": "192.0.2.9", "attributes": {}}},
        lambda c: c.get_related(ObjectRef("url", URL_ID), "last_serving_ip_address"),
        lambda r: r.items[0]["id"] == "192.0.2.9",
    ),
    (
        "comments",
        "GET",
        "/ip_addresses/192.0.2.1/comments",
        PAGE_BODY,
        lambda c: c.get_comments(ObjectRef("ip_address", "192.0.2.1")),
        _page_ok,
    ),
    ("votes", "GET", f"/urls/{URL_ID}/votes", PAGE_BODY, lambda c: c.get_votes(ObjectRef("url", URL_ID)), _page_ok),
    (
        "add comment",
        "POST",
        "/domains/evil.test/comments",
        {"data": {"type": "comment", "id": "c9"}},
        lambda c: c.add_comment(ObjectRef("domain", "evil.test"), "x"),
        lambda r: r["id"] == "c9",
    ),
    (
        "add vote",
        "POST",
        "/ip_addresses/192.0.2.1/votes",
        {"data": {"type": "vote", "id": "v9"}},
        lambda c: c.add_vote(ObjectRef("ip_address", "192.0.2.1"), "harmless"),
        lambda r: r["id"] == "v9",
    ),
    (
        "reanalyse file",
        "POST",
        f"/files/{SHA256}/analyse",
        ANALYSIS_BODY,
        lambda c: c.reanalyse(ObjectRef("file", SHA256)),
        lambda r: r["id"] == "an9",
    ),
    (
        "reanalyse url",
        "POST",
        f"/urls/{URL_ID}/analyse",
        ANALYSIS_BODY,
        lambda c: c.reanalyse(ObjectRef("url", URL_ID)),
        lambda r: r["id"] == "an9",
    ),
    (
        "submit url",
        "POST",
        "/urls",
        ANALYSIS_BODY,
        lambda c: c.scan_url("http://evil.test/x"),
        lambda r: r["id"] == "an9",
    ),
    (
        "analysis",
        "GET",
        "/analyses/an9",
        ANALYSIS_BODY,
        lambda c: c.get_analysis("an9"),
        lambda r: r["data"]["id"] == "an9",
    ),
    (
        "network location",
        "GET",
        f"/urls/{URL_ID}/network_location",
        {"data": {"type": "domain", "id": "evil.test", "attributes": {}}},
        lambda c: c.network_location(ObjectRef("url", URL_ID)),
        lambda r: r["id"] == "evil.test",
    ),
    (
        "behaviour summary",
        "GET",
        f"/files/{SHA256}/behaviour_summary",
        {"data": {"processes_tree": []}},
        lambda c: c.behaviour_summary(ObjectRef("file", SHA256)),
        lambda r: "processes_tree" in r,
    ),
    (
        "download url",
        "GET",
        f"/files/{SHA256}/download_url",
        {"data": "https://storage.example/x"},
        lambda c: c.download_url(SHA256),
        lambda r: r == "https://storage.example/x",
    ),
    (
        "upload url",
        "GET",
        "/files/upload_url",
        {"data": "https://vt.test/_ah/upload/1"},
        lambda c: c.get_upload_url(),
        lambda r: r.endswith("/1"),
    ),
    (
        "quotas",
        "GET",
        "/users/analyst/overall_quotas",
        {"data": {"api_requests_daily": {}}},
        lambda c: c.overall_quotas("analyst"),
        lambda r: "api_requests_daily" in r,
    ),
]


@pytest.mark.parametrize("name,method,path,body,call,check", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
@respx.mock
async def test_every_endpoint_success(client, name, method, path, body, call, check):
    route = respx.route(method=method, url=f"{BASE}{path}").respond(json=body)
    result = await call(client)
    assert route.call_count == 1
    assert route.calls.last.request.headers["x-apikey"] == KEY
    assert check(result)


@respx.mock
async def test_url_with_ipv6_host_round_trip_and_pcap_download(client, tmp_path):
    respx.get(f"{BASE}/file_behaviours/{SHA256}_Zenbox/pcap").respond(content=b"\xd4\xc3\xb2\xa1rest")
    path = await client.download_pcap(f"{SHA256}_Zenbox", tmp_path / "x.pcap")
    assert path.read_bytes().startswith(b"\xd4\xc3\xb2\xa1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_request_log_keeps_only_the_latest_requests():
    """A long session must not grow the log for ever (it lives as long as the client)."""
    from vttui.vt.client_wire import RecentRequests

    log = RecentRequests()
    for n in range(RecentRequests.LIMIT + 5):
        log.append(("GET", f"/files/{n}"))
    assert len(log) == RecentRequests.LIMIT
    assert log[0] == ("GET", "/files/5") and log[-1] == ("GET", f"/files/{RecentRequests.LIMIT + 4}")
    assert log == list(log)  # still compares as a list

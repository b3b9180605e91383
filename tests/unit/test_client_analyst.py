"""The client's issue-15 endpoints against respx: paths and parameters, the cache (quota
is money), paging, and Intelligence search on a public key (one request, then no more)."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.unit.test_client import BASE, KEY, SHA256, Sleeps, error_body, file_obj
from vttui.vt import errors as E
from vttui.vt.client import VTClient
from vttui.vt.models import MitreTrees
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.refs import ObjectRef

FILE = ObjectRef("file", SHA256)
COLL = "c0ffee" * 4
SEARCH = f"{BASE}/intelligence/search"


@pytest.fixture
async def client():
    sleeps = Sleeps()
    limiter = RateLimiter(None, None, clock=sleeps.clock, sleep=sleeps)
    c = VTClient(KEY, base_url=BASE, limiter=limiter, sleep=sleeps, trust_env=False)
    yield c
    await c.aclose()


def hits(n: int, start: int = 0) -> list[dict]:
    return [file_obj(f"{i:064x}") for i in range(start, start + n)]


@respx.mock
async def test_mitre_trees_are_fetched_once(client):
    tree = {"Zenbox": {"tactics": [{"id": "TA0005", "techniques": [{"id": "T1564", "signatures": []}]}]},
            "Observer": None}
    route = respx.get(f"{BASE}/files/{SHA256}/behaviour_mitre_trees").respond(json={"data": tree, "links": {}})
    assert await client.behaviour_mitre_trees(FILE) == tree
    assert await client.behaviour_mitre_trees(FILE) == tree
    assert route.call_count == 1
    assert MitreTrees(await client.behaviour_mitre_trees(FILE)).sandboxes == ["Zenbox"]


@respx.mock
async def test_mitre_trees_of_odd_replies(client):
    respx.get(f"{BASE}/files/{SHA256}/behaviour_mitre_trees").respond(json={"data": ["not", "a", "dict"]})
    assert await client.behaviour_mitre_trees(FILE) == {}


@respx.mock
async def test_behaviours_page_and_iterate(client):
    def reply(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        if cursor is None:
            return httpx.Response(200, json={"data": [{"type": "file_behaviour", "id": f"{SHA256}_A"}],
                                             "meta": {"cursor": "next", "count": 2}})
        return httpx.Response(200, json={"data": [{"type": "file_behaviour", "id": f"{SHA256}_B"}]})

    route = respx.get(f"{BASE}/files/{SHA256}/behaviours").mock(side_effect=reply)
    page = await client.behaviours(FILE, limit=1)
    assert [i["id"] for i in page.items] == [f"{SHA256}_A"] and page.cursor == "next" and page.count == 2
    assert route.calls[0].request.url.params["limit"] == "1"
    assert [i["id"] async for i in client.iter_behaviours(FILE, limit=1)] == [f"{SHA256}_A", f"{SHA256}_B"]
    assert route.call_count == 2  # the first page came from the cache


# --- Intelligence search --------------------------------------------------------------------


@respx.mock
async def test_search_parameters_count_and_cache(client):
    route = respx.get(SEARCH).respond(json={"data": hits(3), "meta": {"total_hits": 42, "cursor": "c2"}})
    page = await client.search("  type:peexe p:5+  ", limit=1000, cursor="c1", order="positives-",
                               descriptors_only=True)
    params = route.calls[0].request.url.params
    assert params["query"] == "type:peexe p:5+" and params["limit"] == "300"  # clamped to VirusTotal's maximum
    assert params["cursor"] == "c1" and params["order"] == "positives-" and params["descriptors_only"] == "true"
    assert page.count == 42 and page.cursor == "c2" and len(page.items) == 3
    await client.search("type:peexe p:5+", limit=1000, cursor="c1", order="positives-", descriptors_only=True)
    assert route.call_count == 1  # the same page again is free


@respx.mock
async def test_search_hits_seed_the_object_cache(client):
    respx.get(SEARCH).respond(json={"data": hits(2), "meta": {"total_hits": 2}})
    objects = respx.get(url__startswith=f"{BASE}/files/").respond(json={"data": file_obj()})
    page = await client.search("p:1+")
    first = page.items[0]["id"]
    assert (await client.get_file(first))["id"] == first
    assert objects.call_count == 0


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000])
@respx.mock
async def test_bad_queries_cost_nothing(client, query):
    route = respx.get(SEARCH).respond(json={"data": []})
    with pytest.raises(E.InvalidArgumentError):
        await client.search(query)
    assert route.call_count == 0


@respx.mock
async def test_public_key_search_is_one_request_then_a_plain_no(client):
    route = respx.get(SEARCH).respond(403, json=error_body("ForbiddenError",
                                                           "You are not authorized to perform the requested operation"))
    for query in ("type:peexe", "entity:domain x", "type:peexe"):
        with pytest.raises(E.ForbiddenError) as info:
            await client.search(query)
        assert "Intelligence search needs a premium key" in info.value.message
        assert info.value.exit_code == 4 and info.value.status == 403
    with pytest.raises(E.ForbiddenError):
        await client.iter_search("anything").collect()
    assert route.call_count == 1 and client.search_denied
    assert len([r for r in client.request_log if "intelligence" in r[1]]) == 1


@respx.mock
async def test_other_search_errors_are_not_remembered(client):
    route = respx.get(SEARCH).mock(side_effect=[
        httpx.Response(400, json=error_body("InvalidArgumentError", "bad query")),
        httpx.Response(200, json={"data": [], "meta": {"total_hits": 0}}),
    ])
    with pytest.raises(E.InvalidArgumentError, match="VirusTotal refused the query: bad query") as info:
        await client.search("foo:bar")
    assert info.value.exit_code == 2
    assert (await client.search("foo:bar")).items == []
    assert route.call_count == 2 and not client.search_denied


@respx.mock
async def test_iter_search_walks_and_resumes(client):
    def reply(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        start = int(cursor) if cursor else 0
        body: dict = {"data": hits(2, start), "meta": {"total_hits": 5}}
        if start + 2 < 5:
            body["meta"]["cursor"] = str(start + 2)
        return httpx.Response(200, json={**body, "data": hits(min(2, 5 - start), start)})

    respx.get(SEARCH).mock(side_effect=reply)
    pages = client.iter_search("type:peexe", limit=2, max_items=3)
    first = [i["id"] async for i in pages]
    assert len(first) == 3 and pages.count == 5 and pages.cursor
    rest = [i["id"] async for i in client.iter_search("type:peexe", limit=2, cursor=pages.cursor)]
    assert first + rest == [f"{i:064x}" for i in range(5)]


# --- collections, threat actors, references -----------------------------------------------------


@respx.mock
async def test_collection_and_its_items(client):
    coll = respx.get(f"{BASE}/collections/{COLL}").respond(
        json={"data": {"type": "collection", "id": COLL, "attributes": {"name": "n"}}})
    files = respx.get(f"{BASE}/collections/{COLL}/files").respond(json={"data": hits(2), "meta": {"count": 2}})
    assert (await client.get_collection(COLL))["attributes"]["name"] == "n"
    await client.get_collection(f" {COLL} ")
    assert coll.call_count == 1
    page = await client.collection_items(COLL, "files", limit=2)
    assert len(page.items) == 2 and files.calls[0].request.url.params["limit"] == "2"
    assert [i["id"] async for i in client.iter_collection_items(COLL, "files", max_items=1)] == [f"{0:064x}"]
    with pytest.raises(E.InvalidArgumentError, match="files, domains, urls, ip_addresses"):
        await client.collection_items(COLL, "resolutions")
    for bad in ("", "   ", "a\x1bb"):
        with pytest.raises(E.InvalidArgumentError):
            await client.get_collection(bad)


@respx.mock
async def test_ids_from_replies_cannot_change_the_endpoint(client):
    route = respx.get(url__startswith=f"{BASE}/collections/").respond(
        json={"data": {"type": "collection", "id": "x", "attributes": {}}})
    await client.get_collection("../files/abc?x=1")
    assert route.calls[0].request.url.raw_path.decode() == "/api/v3/collections/..%2Ffiles%2Fabc%3Fx=1"


@respx.mock
async def test_threat_actor_by_name_and_premium_message(client):
    route = respx.get(f"{BASE}/threat_actors/Copper%20Quill").respond(
        json={"data": {"type": "threat_actor", "id": "uuid", "attributes": {"name": "Copper Quill"}}})
    assert (await client.get_threat_actor("Copper Quill"))["id"] == "uuid"
    assert route.call_count == 1
    respx.get(f"{BASE}/threat_actors/other").respond(403, json=error_body("ForbiddenError"))
    with pytest.raises(E.ForbiddenError, match="Threat Landscape"):
        await client.get_threat_actor("other")
    respx.get(f"{BASE}/references/r1").respond(json={"data": {"type": "reference", "id": "r1", "attributes": {}}})
    assert (await client.get_reference("r1"))["id"] == "r1"
    assert KEY not in str(client.request_log)

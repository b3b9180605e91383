"""The REST routes: VT4AI's paths and envelopes, vttui's extra routes, statuses and headers."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest

from tests.support.faults import faults
from vttui.demo import DemoResponse, demo_iocs
from vttui.export.templates import BUILTIN_TEMPLATES
from vttui.serve.config import ServeConfig

from .conftest import settings

IOCS = demo_iocs()
FILE = IOCS["detected_file"]


def envelope(response) -> dict:
    body = json.loads(response.text)
    assert set(body) <= {"data", "format", "meta"}, body.keys()
    return body


# --- VT4AI's routes and shapes -----------------------------------------------------------------


async def test_file_report_by_any_hash_is_vt4ai_shaped_and_costs_one_request(served):
    s = await served()
    answers = [envelope(await s.get(f"/api/v1/files/{h}")) for h in
               (IOCS["detected_file_md5"], FILE, IOCS["detected_file_sha1"])]
    for body in answers:
        assert body["format"] == "json"
        attrs = body["data"]
        assert attrs["sha256"] == FILE and attrs["md5"] == IOCS["detected_file_md5"]
        assert "type" not in attrs  # VT4AI's data is the attributes themselves
    assert answers[0]["data"] == answers[1]["data"] == answers[2]["data"]
    assert s.upstream() == [f"/files/{IOCS['detected_file_md5']}"]  # md5, sha256, sha1: one object


async def test_every_format_on_a_report(served):
    s = await served()
    raw = envelope(await s.get(f"/api/v1/files/{FILE}?format=raw"))
    assert raw["format"] == "raw" and raw["data"]["sha256"] == FILE
    assert "last_analysis_results" in raw["data"]  # untrimmed
    md = envelope(await s.get(f"/api/v1/files/{FILE}?format=markdown"))
    assert md["format"] == "markdown" and md["data"].startswith("# File: ")
    xml = envelope(await s.get(f"/api/v1/files/{FILE}?format=xml"))
    root = ET.fromstring(xml["data"].encode("utf-8"))
    assert root.find("object").get("id") == FILE
    csv_ = envelope(await s.get(f"/api/v1/files/{FILE}?format=csv"))
    # One object's detections carry the object columns too (a batch's CSV reads the same).
    assert csv_["data"].splitlines()[0].lower().split(",")[:3] == ["object_type", "object_id", "engine"]
    assert len(s.upstream()) == 1


async def test_template_trims_and_unknown_template_lists_the_valid_ones(served):
    s = await served()
    full = envelope(await s.get(f"/api/v1/files/{FILE}"))["data"]
    essential = envelope(await s.get(f"/api/v1/files/{FILE}?template=essential"))["data"]
    keep = {p.split(".")[0] for p in BUILTIN_TEMPLATES["essential"].rules["file"].keep}
    assert set(essential) - {k for k in essential if k.endswith("_iso")} <= keep
    assert len(essential) < len(full) and essential["sha256"] == FILE
    vt4ai = envelope(await s.get(f"/api/v1/files/{FILE}?template_name=essential"))["data"]
    assert vt4ai == essential
    bad = await s.get(f"/api/v1/files/{FILE}?template=nope")
    assert bad.status_code == 400
    assert "nope" in bad.json()["detail"] and "essential" in bad.json()["detail"]


@pytest.mark.parametrize(("path", "words"), [
    ("/api/v1/files/not-a-hash", "not a hash"),
    ("/api/v1/files/" + "a" * 50, "MD5 has 32"),
    ("/api/v1/files/example.com", "not an MD5, SHA-1 or SHA-256 hash"),
    ("/api/v1/domains/8.8.8.8", "not a domain name"),
    ("/api/v1/ips/example.com", "not an IPv4 or IPv6 address"),
    ("/api/v1/lookup?ioc=10.0.0.0/8", "network range"),
    ("/api/v1/urls/analyze?url=javascript:alert(1)", "not"),
    (f"/api/v1/files/{FILE}?format=yaml", "format"),
    (f"/api/v1/files/{FILE}/relationships/contacted_domains?limit=41", "between 1 and 40"),
    (f"/api/v1/files/{FILE}/relationships/contacted_domains?limit=0", "between 1 and 40"),
    (f"/api/v1/files/{FILE}/relationships/contacted_domains?limit=ten", "limit"),
    (f"/api/v1/files/{FILE}/relationships/resolutions", "not a relationship of a file"),
    ("/api/v1/lookup?ioc=", "Empty input"),
    ("/api/v1/analyses/example.com", "not an analysis id"),
])
async def test_bad_input_is_400_in_plain_words_before_any_upstream_request(served, path, words):
    s = await served()
    response = await s.get(path)
    assert response.status_code == 400
    assert response.json().keys() == {"detail"}
    assert words.lower() in response.json()["detail"].lower()
    assert s.upstream(None) == []


async def test_not_found_is_404_with_detail_only(served):
    s = await served()
    for path in (f"/api/v1/files/{IOCS['not_found']}", f"/api/v1/domains/{IOCS['not_found_domain']}",
                 f"/api/v1/ips/{IOCS['not_found_ip']}"):
        response = await s.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": response.json()["detail"]}
        assert "no record" in response.json()["detail"]


async def test_domain_and_ip_reports_v4_and_v6(served):
    s = await served()
    domain = envelope(await s.get(f"/api/v1/domains/{IOCS['domain'].upper()}"))
    assert "last_analysis_stats" in domain["data"]
    v4 = envelope(await s.get(f"/api/v1/ips/{IOCS['ip']}"))
    v6 = envelope(await s.get(f"/api/v1/ips/{IOCS['ipv6']}"))
    assert v4["data"]["asn"] != v6["data"]["asn"] or v4["data"] != v6["data"]
    assert s.upstream() == [f"/domains/{IOCS['domain']}", f"/ip_addresses/{IOCS['ip']}",
                            f"/ip_addresses/{IOCS['ipv6']}"]


async def test_url_by_url_by_vt_id_and_by_vt4ai_base64_is_one_object(served):
    s = await served()
    url = IOCS["url"]
    by_url = envelope(await s.get("/api/v1/urls/analyze", params={"url": url}))
    assert by_url["data"]["url"] == url
    std_b64 = base64.b64encode(url.encode()).decode()
    for ident in (IOCS["url_id"], std_b64.rstrip("="), std_b64):
        again = envelope(await s.get(f"/api/v1/urls/{ident}"))
        assert again["data"]["url"] == url
    defanged = envelope(await s.get("/api/v1/urls/analyze",
                                    params={"url": url.replace("http", "hxxp").replace(".", "[.]")}))
    assert defanged["data"]["url"] == url
    assert len(s.upstream()) == 1


async def test_relationship_pages_follow_the_cursor(served):
    s = await served()
    ip = IOCS["sinkhole_ip"]
    first = envelope(await s.get(f"/api/v1/ips/{ip}/relationships/resolutions?limit=3"))
    rel = first["data"]["relationships"]["resolutions"]
    assert len(rel["data"]) == 3 and rel["meta"]["cursor"]
    assert first["meta"]["cursor"] == rel["meta"]["cursor"]
    assert "as_owner" in first["data"]["attributes"]  # VT4AI's shape: the object's attributes too
    second = envelope(await s.get(f"/api/v1/ips/{ip}/relationships/resolutions",
                                  params={"limit": 3, "cursor": rel["meta"]["cursor"]}))
    ids_1 = [i["id"] for i in rel["data"]]
    ids_2 = [i["id"] for i in second["data"]["relationships"]["resolutions"]["data"]]
    assert len(ids_2) == 3 and not set(ids_1) & set(ids_2)
    # the object once, then one request per page
    assert [t.split("?")[0] for t in s.upstream()] == [f"/ip_addresses/{ip}", f"/ip_addresses/{ip}/resolutions",
                                                       f"/ip_addresses/{ip}/resolutions"]


async def test_file_relationship_route_in_every_format(served):
    s = await served()
    base = f"/api/v1/files/{FILE}/relationships/contacted_domains"
    data = envelope(await s.get(base + "?template=essential"))["data"]
    items = data["relationships"]["contacted_domains"]["data"]
    assert items and all(i["type"] == "domain" for i in items)
    md = envelope(await s.get(base + "?format=markdown"))["data"]
    assert md.startswith("# Related objects: contacted\\_domains")
    xml = envelope(await s.get(base + "?format=xml"))["data"]
    assert ET.fromstring(xml.encode()).get("relationship") == "contacted_domains"
    raw = envelope(await s.get(base + "?format=raw"))["data"]
    assert raw["relationships"]["contacted_domains"]["data"][0]["id"] == items[0]["id"]


async def test_catalogues(served):
    s = await served()
    types = (await s.get("/api/v1/files/relationships/types")).json()
    names = [r["value"] for r in types["relationships"]]
    assert "contacted_domains" in names and all(r["description"] for r in types["relationships"])
    domain_types = (await s.get("/api/v1/domains/relationships/types")).json()["relationships"]
    assert "resolutions" in [r["value"] for r in domain_types]
    templates = (await s.get("/templates")).json()
    assert set(templates) == {"file", "url", "domain", "ip"}
    assert {"essential", "full"} <= {t["name"] for t in templates["ip"]}
    assert s.upstream(None) == []


# --- beyond VT4AI ---------------------------------------------------------------------------------


async def test_lookup_any_ioc_defanged_gives_the_whole_object(served):
    s = await served()
    body = envelope(await s.get("/api/v1/lookup", params={"ioc": IOCS["domain"].replace(".", "[.]")}))
    assert body["data"]["type"] == "domain" and body["data"]["id"] == IOCS["domain"]
    body = envelope(await s.get("/api/v1/lookup", params={"ioc": f"sha256: {FILE.upper()}", "template": "essential"}))
    assert body["data"]["id"] == FILE and "names" not in body["data"]["attributes"]


async def test_comments_votes_and_generic_relationships(served):
    s = await served()
    domain = IOCS["domain"]
    comments = envelope(await s.get(f"/api/v1/domains/{domain}/comments?limit=2"))
    assert comments["data"] and all(c["type"] == "comment" for c in comments["data"])
    votes = envelope(await s.get("/api/v1/votes", params={"ioc": domain}))
    assert all(v["type"] == "vote" for v in votes["data"])
    related = envelope(await s.get("/api/v1/relationships/resolutions", params={"ioc": domain, "limit": 2}))
    assert len(related["data"]["relationships"]["resolutions"]["data"]) == 2
    url_comments = await s.get(f"/api/v1/urls/{IOCS['url_id']}/comments")
    assert url_comments.status_code == 200


async def test_analysis_route(served):
    s = await served(ServeConfig(allow_writes=True))
    scan = envelope(await s.http.post("/api/v1/urls", json={"url": "http://fresh.example.test/a"}))
    analysis_id = scan["data"]["id"]
    body = envelope(await s.get(f"/api/v1/analyses/{analysis_id}"))
    assert body["data"]["type"] == "analysis"
    assert body["data"]["attributes"]["status"] in ("queued", "in-progress", "completed")


# --- quota headers and 429 -----------------------------------------------------------------------


async def test_rate_limit_headers_come_from_the_quota_ledger(served):
    s = await served(settings_=settings(per_minute=4, per_day=500))
    first = await s.get(f"/api/v1/files/{FILE}")
    assert first.headers["X-RateLimit-Limit"] == "4"
    assert first.headers["X-RateLimit-Remaining"] == "3"
    assert first.headers["X-RateLimit-Remaining-Day"] == "499"
    cached = await s.get(f"/api/v1/files/{FILE}?format=markdown")
    assert cached.headers["X-RateLimit-Remaining"] == "3"  # a cached answer costs nothing
    await s.get(f"/api/v1/domains/{IOCS['domain']}")
    third = await s.get(f"/api/v1/ips/{IOCS['ip']}")
    assert third.headers["X-RateLimit-Remaining"] == "1"


async def test_spent_minute_is_429_with_retry_after_and_no_upstream_request(served):
    s = await served(ServeConfig(max_wait=0), settings_=settings(per_minute=1, per_day=500))
    assert (await s.get(f"/api/v1/files/{FILE}")).status_code == 200
    refused = await s.get(f"/api/v1/domains/{IOCS['domain']}")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 62
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert "quota" in refused.json()["detail"].lower()
    assert len(s.upstream()) == 1
    assert (await s.get(f"/api/v1/files/{FILE}")).status_code == 200  # cached answers still flow


async def test_spent_day_is_429_until_midnight(served):
    s = await served(settings_=settings(per_minute=None, per_day=1))
    assert (await s.get(f"/api/v1/files/{FILE}")).status_code == 200
    refused = await s.get(f"/api/v1/ips/{IOCS['ip']}")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 86400
    assert "resets at" in refused.json()["detail"]


async def test_upstream_429_is_passed_on_with_retry_after(served):
    async def quota_spent(request, call_next):
        return DemoResponse.error(429, "QuotaExceededError", "Quota exceeded", [("retry-after", "7")])

    s = await served(middleware=quota_spent)
    refused = await s.get(f"/api/v1/files/{FILE}")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


# --- upstream trouble -------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status"), [("transient", 503), ("deadline", 504), ("html", 502),
                                              ("malformed", 502), ("drop", 502)])
async def test_upstream_trouble_is_502_503_504(served, kind, status):
    s = await served(middleware=faults(1.0, kinds=(kind,)))
    response = await s.get(f"/api/v1/files/{FILE}")
    assert response.status_code == status
    assert response.json().keys() == {"detail"}


async def test_server_key_rejected_upstream_is_502_for_the_operator(served):
    async def reject(request, call_next):
        return DemoResponse.error(401, "WrongCredentialsError", "Wrong API key")

    s = await served(middleware=reject)
    response = await s.get(f"/api/v1/files/{FILE}")
    assert response.status_code == 502
    assert "operator" in response.json()["detail"]


# --- service routes ------------------------------------------------------------------------------


async def test_healthz_and_metrics(served):
    s = await served()
    health = (await s.get("/healthz")).json()
    assert health["status"] == "ok" and health["auth"] == "open"
    for _ in range(3):
        await s.get(f"/api/v1/files/{FILE}")
    await s.get("/api/v1/files/zzz")
    text = (await s.get("/metrics")).text
    assert 'vttui_http_requests_total{route="/api/v1/files/{file_hash}",method="GET",status="200"} 3' in text
    assert 'vttui_http_requests_total{route="/api/v1/files/{file_hash}",method="GET",status="400"} 1' in text
    assert "vttui_upstream_requests_total 1" in text
    assert "vttui_cache_hits_total 2" in text
    assert s.upstream(None) == [f"/files/{FILE}"]


async def test_openapi_and_docs(served):
    s = await served()
    spec = (await s.get("/openapi.json")).json()
    for path in ("/api/v1/files/{file_hash}", "/api/v1/files/{object_id}/relationships/{relationship}",
                 "/api/v1/urls/analyze", "/api/v1/domains/{domain}", "/api/v1/ips/{ip}", "/templates",
                 "/api/v1/files/relationships/types", "/api/v1/lookup"):
        assert path in spec["paths"]
    assert (await s.get("/docs")).status_code == 200


async def test_oversized_bodies_are_413(served):
    s = await served(ServeConfig(allow_writes=True))
    big = await s.http.post("/api/v1/urls", content=b"url=" + b"x" * (2 * 1024 * 1024),
                            headers={"content-type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413 and "too large" in big.json()["detail"]

    async def chunks():
        for _ in range(40):
            yield b"y" * 65536

    chunked = await s.http.post("/api/v1/urls", content=chunks(),
                                headers={"content-type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413
    assert s.upstream(None) == []

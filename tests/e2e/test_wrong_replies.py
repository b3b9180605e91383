"""Replies that do not answer the question, and ids from replies that are no indicators
(issue 16 items 6 and 7). A wrong reply is a malformed reply in plain words, never
shown as the answer and never cached; a server-supplied id that is no indicator of its
type is refused before any request, saying why.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support.faults import chain, record
from tests.support.investigation import DOMAIN, FILE, IOCS, IP, Investigator, assert_plain_words
from tests.support.misbehaving import api_path_endswith, api_path_startswith, json_reply, replace
from tests.support.pilot import screen_text, settle
from vttui.tui.widgets.relations import ObjNode, ResNode
from vttui.vt import errors as E
from vttui.vt.refs import ObjectRef

pytestmark = pytest.mark.e2e

GUARD = 20.0
HOSTILE_HOST = "\x1b]52;c;aGVsbG8=\x07evil.test"
WRONG_FILE = {"type": "file", "id": "f" * 64,
              "attributes": {"md5": "0" * 32, "sha1": "1" * 40, "sha256": "f" * 64, "meaningful_name": "other.exe"}}


async def guarded(coro):
    return await asyncio.wait_for(coro, GUARD)


def only_once(middleware):
    """Misbehave on the first matching request only (the server then recovers)."""
    state = {"left": 1}

    async def mw(request, call_next):
        if state["left"] and request.in_api and request.method == "GET" and request.path == f"/files/{FILE}":
            state["left"] -= 1
            return await middleware(request, call_next)
        return await call_next(request)

    return mw


# --- item 6: the reply must be what was asked for --------------------------------------------


async def test_a_file_lookup_answered_with_a_domain_is_malformed(serve, clients):
    server = serve(replace(json_reply({"data": {"type": "domain", "id": "evil.com", "attributes": {}}}),
                           only=api_path_startswith("/files/")))
    client = clients(server)
    with pytest.raises(E.MalformedResponseError) as info:
        await guarded(client.get_file(FILE))
    message = info.value.message
    assert "domain" in message and "file" in message and info.value.exit_code == 6
    assert_plain_words(message)


async def test_a_wrong_reply_is_not_cached_or_learned(serve, clients):
    server = serve(only_once(replace(json_reply({"data": WRONG_FILE}))))
    client = clients(server)
    with pytest.raises(E.MalformedResponseError):
        await guarded(client.get_file(FILE))
    data = await guarded(client.get_file(FILE))  # asked again: fetched again, and right this time
    assert data["id"] == FILE
    assert client.aliases.resolve("files", FILE) == FILE


@pytest.mark.parametrize("asked", ["detected_file", "detected_file_md5"])
async def test_a_file_asked_by_hash_must_carry_that_hash(serve, clients, asked):
    server = serve(replace(json_reply({"data": WRONG_FILE}), only=api_path_startswith("/files/")))
    client = clients(server)
    with pytest.raises(E.MalformedResponseError) as info:
        await guarded(client.get_file(IOCS[asked]))
    assert "hashes do not include" in info.value.message


async def test_a_file_asked_by_md5_is_accepted_with_its_sha256_id(server, clients):
    client = clients(server)
    data = await guarded(client.get_file(IOCS["detected_file_md5"]))
    assert data["id"] == FILE


async def test_domain_and_ip_ids_must_match(serve, clients):
    server = serve(
        replace(json_reply({"data": {"type": "domain", "id": "other.example", "attributes": {}}}),
                only=api_path_startswith("/domains/")),
    )
    client = clients(server)
    with pytest.raises(E.MalformedResponseError) as info:
        await guarded(client.get_domain(DOMAIN))
    assert "other.example" in info.value.message

    server = serve(replace(json_reply({"data": {"type": "ip_address", "id": "192.0.2.200", "attributes": {}}}),
                           only=api_path_startswith("/ip_addresses/")))
    with pytest.raises(E.MalformedResponseError):
        await guarded(clients(server).get_ip(IP))


async def test_a_domain_in_other_case_is_the_same_domain(serve, clients):
    server = serve(replace(json_reply({"data": {"type": "domain", "id": DOMAIN.upper() + ".", "attributes": {}}}),
                           only=api_path_startswith("/domains/")))
    data = await guarded(clients(server).get_domain(DOMAIN))
    assert data["id"] == DOMAIN.upper() + "."


async def test_a_url_answered_with_another_hosts_url_is_malformed(serve, clients):
    other = {"type": "url", "id": "a" * 64, "attributes": {"url": "http://not-the-one.example/x"}}
    server = serve(replace(json_reply({"data": other}), only=api_path_startswith("/urls/")))
    with pytest.raises(E.MalformedResponseError) as info:
        await guarded(clients(server).get_url(IOCS["url"]))
    assert "not-the-one.example" in info.value.message


@pytest.mark.parametrize("reply", [
    {"data": {"type": "file", "id": "e" * 64}},
    {"data": {"type": "analysis", "id": "../../users/me"}},
    {"data": "an-id"},
])
async def test_a_submission_must_be_answered_with_an_analysis(serve, clients, tmp_path, reply):
    server = serve(replace(json_reply(reply), only=lambda r: r.method == "POST"))
    client = clients(server)
    sample = tmp_path / "s.txt"
    sample.write_bytes(b"hello")
    for submit in (lambda: client.upload_file(sample), lambda: client.scan_url("http://example.com/x"),
                   lambda: client.reanalyse(ObjectRef("file", FILE))):
        with pytest.raises(E.MalformedResponseError) as info:
            await guarded(submit())
        assert "analysis" in info.value.message
        assert_plain_words(info.value.message)


def test_cli_lookup_answered_with_a_domain_exits_6_and_prints_nothing(cli, serve):
    cli.point_at(serve(replace(json_reply({"data": {"type": "domain", "id": "evil.com", "attributes": {}}}),
                               only=api_path_startswith("/files/"))))
    result = cli.run("lookup", FILE)
    assert result.code == 6 and result.out == ""
    assert "does not answer the lookup" in result.err


def test_cli_upload_answered_with_a_file_object_exits_6(cli, serve, tmp_path):
    sample = tmp_path / "new.bin"
    sample.write_bytes(b"never seen before " * 10)
    cli.point_at(serve(replace(json_reply({"data": {"type": "file", "id": "e" * 64}}),
                               only=lambda r: r.method == "POST" and r.path == "/files")))
    result = cli.run("submit", str(sample), "--yes")
    assert result.code == 6, result.err
    assert "instead of an analysis" in result.err


# --- item 7: ids from replies are checked before they are requested ---------------------------


RESOLUTIONS = {"data": [
    {"type": "resolution", "id": f"{IP}{HOSTILE_HOST}",
     "attributes": {"ip_address": IP, "host_name": HOSTILE_HOST, "date": 1700000000}},
    {"type": "resolution", "id": f"{IP}{DOMAIN}",
     "attributes": {"ip_address": IP, "host_name": DOMAIN, "date": 1700000000}},
], "meta": {}}
RELATED_DOMAINS = {"data": [
    {"type": "domain", "id": "bad\x1b[2Jhost.test", "attributes": {}},
    {"type": "domain", "id": DOMAIN, "attributes": {}},
], "meta": {}}


async def test_client_refuses_hostile_refs_before_any_request(server, clients):
    client = clients(server)
    for ref in (ObjectRef("domain", HOSTILE_HOST), ObjectRef("file", "../../users/me"),
                ObjectRef("ip_address", "1.2.3"), ObjectRef("url", "a/b"), ObjectRef("domain", "evil..test")):
        with pytest.raises(E.InvalidIOCError) as info:
            await guarded(client.get_object(ref))
        assert "Nothing was sent" in info.value.message and "\x1b" not in info.value.message
        with pytest.raises(E.InvalidIOCError):
            await guarded(client.get_related(ref, "resolutions"))
    assert client.request_log == []


async def test_tui_does_not_pivot_to_a_hostile_resolution(serve, apps):
    server = serve(replace(json_reply(RESOLUTIONS), only=api_path_endswith(f"/ip_addresses/{IP}/resolutions")))
    app = apps(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        inv = Investigator(pilot)
        await inv.open(IP)
        await inv.tab("3")
        node = await inv.expand("resolutions")
        tree = inv.view.query_one("RelationsTree")
        hostile = next(c for c in node.children if isinstance(c.data, ResNode) and "evil" in c.data.res.host_name)
        sent = list(app.client.request_log)
        tree.move_cursor(hostile)
        await inv.press("enter")
        await settle(pilot)
        assert app.client.request_log == sent, "a request was made for a hostile host name"
        assert inv.view.ref.id == IP
        assert "Cannot open this domain" in screen_text(app)
        good = next(c for c in node.children if isinstance(c.data, ResNode) and c.data.res.host_name == DOMAIN)
        tree.move_cursor(good)
        await inv.press("enter")
        await inv.ensure_loaded(DOMAIN)
        assert inv.view.ref.id == DOMAIN


async def test_tui_does_not_pivot_to_or_expand_a_hostile_related_object(serve, apps):
    server = serve(replace(json_reply(RELATED_DOMAINS), only=api_path_endswith(f"/files/{FILE}/contacted_domains")))
    app = apps(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        inv = Investigator(pilot)
        await inv.open(FILE)
        await inv.tab("3")
        node = await inv.expand("contacted_domains")
        tree = inv.view.query_one("RelationsTree")
        hostile = next(c for c in node.children if isinstance(c.data, ObjNode) and "bad" in c.data.ref.id)
        sent = list(app.client.request_log)
        tree.move_cursor(hostile)
        await inv.press("enter")
        await inv.press("right")  # expanding it asks for nothing either
        await settle(pilot)
        assert app.client.request_log == sent
        assert inv.view.ref.id == FILE
        text = screen_text(app)
        assert "Cannot open this domain" in text and "cannot be opened" in text


def test_cli_does_not_fetch_a_hostile_analysed_item(cli, serve):
    """After --wait, the report of what was analysed is fetched by the id the analysis
    names: a hostile one is not requested, and the user is told why."""
    async def hostile_item(request, call_next):
        reply = await call_next(request)
        if request.in_api and request.path.startswith("/analyses/") and reply.status == 200:
            body = json.loads(reply.body)
            body["data"].setdefault("attributes", {})["status"] = "completed"
            body["data"]["relationships"] = {"item": {"data": {"type": "file", "id": "../../users/me"}}}
            reply.body = json.dumps(body).encode()
            reply.set_header("content-length", str(len(reply.body)))
        return reply

    rec = record()
    cli.point_at(serve(chain(rec, hostile_item)))
    result = cli.run("reanalyse", FILE, "--yes", "--wait")
    assert result.code == 0, result.err
    assert not [t for t in rec.targets(None) if "users" in t or "%2F" in t]
    assert "cannot open" in result.err.lower()

"""Who may call: per-caller keys (VT4AI), team tokens, loopback-only open mode; keys and tokens
never logged or echoed; a server that would expose the key refuses to start."""

from __future__ import annotations

import json
import logging

import pytest

from vttui.cli import main
from vttui.demo import DemoResponse, demo_iocs
from vttui.serve.auth import hash_token
from vttui.serve.config import ServeConfig, load_serve_config
from vttui.vt.errors import ConfigError

from .conftest import CALLER_KEY, SERVER_KEY, settings

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
TOKEN = "vttui_team-token-for-tests-0123456789"
OTHER_KEY = "other-" + "1" * 58 + "OTHK"


class KeySeen:
    """A demo middleware noting which API key each upstream request carried."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def __call__(self, request, call_next):
        self.keys.append(request.headers.get("x-apikey", ""))
        return await call_next(request)


# --- key mode (VT4AI's) ----------------------------------------------------------------------


async def test_key_mode_needs_a_key_and_answers_with_it(served):
    seen = KeySeen()
    s = await served(ServeConfig(auth="key"), settings_=settings(api_key=None), middleware=seen)
    missing = await s.get(f"/api/v1/files/{FILE}")
    assert missing.status_code == 401 and "X-API-Key" in missing.json()["detail"]
    malformed = await s.get(f"/api/v1/files/{FILE}", headers={"X-API-Key": "has spaces in it"})
    assert malformed.status_code == 401
    ok = await s.get(f"/api/v1/files/{FILE}", headers={"X-API-Key": CALLER_KEY})
    assert ok.status_code == 200
    assert seen.keys == [CALLER_KEY]


async def test_each_key_has_its_own_cache_and_quota_ledger(served):
    seen = KeySeen()
    s = await served(ServeConfig(auth="key"), settings_=settings(api_key=None, per_minute=4, per_day=500),
                     middleware=seen)
    a1 = await s.get(f"/api/v1/files/{FILE}", headers={"X-API-Key": CALLER_KEY})
    a2 = await s.get(f"/api/v1/files/{FILE}", headers={"X-API-Key": CALLER_KEY})
    b1 = await s.get(f"/api/v1/files/{FILE}", headers={"X-API-Key": OTHER_KEY})
    assert [r.status_code for r in (a1, a2, b1)] == [200, 200, 200]
    assert seen.keys == [CALLER_KEY, OTHER_KEY]  # A's second ask was cached; B pays for its own
    assert a2.headers["X-RateLimit-Remaining"] == "3"
    assert b1.headers["X-RateLimit-Remaining"] == "3"


async def test_caller_key_rejected_upstream_is_401(served):
    async def reject_other(request, call_next):
        if request.headers.get("x-apikey") == OTHER_KEY:
            return DemoResponse.error(401, "WrongCredentialsError", "Wrong API key")
        return await call_next(request)

    s = await served(ServeConfig(auth="key"), settings_=settings(api_key=None), middleware=reject_other)
    response = await s.get(f"/api/v1/files/{FILE}", headers={"X-API-Key": OTHER_KEY})
    assert response.status_code == 401
    assert "rejected" in response.json()["detail"]


async def test_per_key_clients_are_bounded_and_evicted_ones_closed(served):
    s = await served(ServeConfig(auth="key", max_clients=2), settings_=settings(api_key=None))
    keys = [f"key{n}-" + "a" * 20 for n in range(4)]
    for key in keys:
        assert (await s.get(f"/api/v1/ips/{IOCS['ip']}", headers={"X-API-Key": key})).status_code == 200
    pool = s.app.state.vttui.pool
    assert pool.keyed_count == 2 and pool.evictions == 2
    import asyncio

    await asyncio.sleep(0.05)
    assert [c.closed for c in s.clients] == [True, True, False, False]
    from vttui.vt.client import _REDACT

    assert keys[0] not in _REDACT.keys and keys[3] in _REDACT.keys  # the mask list does not grow forever


# --- token mode (team server) ----------------------------------------------------------------------


async def test_token_mode(served):
    s = await served(ServeConfig(auth="token", token_hashes=(hash_token(TOKEN),)))
    none = await s.get(f"/api/v1/files/{FILE}")
    assert none.status_code == 401 and none.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = await s.get(f"/api/v1/files/{FILE}", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and "not valid" in wrong.json()["detail"]
    basic = await s.get(f"/api/v1/files/{FILE}", headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    ok = await s.get(f"/api/v1/files/{FILE}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    metrics = await s.get("/metrics")
    assert metrics.status_code == 401
    assert (await s.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200
    assert len(s.upstream()) == 1


def test_token_hashes_are_hashes_never_tokens():
    with pytest.raises(ConfigError, match="SHA-256 of a token"):
        load_serve_config(env={"VTTUI_SERVE_TOKEN_HASHES": TOKEN})
    config = load_serve_config(env={"VTTUI_SERVE_TOKEN_HASHES": f"{hash_token(TOKEN)}, sha256:{hash_token('b')}"})
    assert config.token_hashes == (hash_token(TOKEN), hash_token("b"))
    assert config.resolved_auth(server_has_key=True) == "token"


# --- open mode (loopback) ----------------------------------------------------------------------------


async def test_open_mode_answers_loopback_only(served):
    s = await served()
    assert (await s.get(f"/api/v1/ips/{IOCS['ip']}")).status_code == 200
    rebinding = await s.get(f"/api/v1/ips/{IOCS['ip']}", headers={"Host": "evil.example"})
    assert rebinding.status_code == 403
    page = await s.get(f"/api/v1/ips/{IOCS['ip']}", headers={"Origin": "https://evil.example"})
    assert page.status_code == 403
    assert (await s.get(f"/api/v1/ips/{IOCS['ip']}", headers={"Origin": "http://localhost:8000"})).status_code == 200
    remote = await served(client_addr=("203.0.113.9", 4000))
    assert (await remote.get(f"/api/v1/ips/{IOCS['ip']}")).status_code == 403
    assert len(s.upstream()) == 1 and remote.upstream() == []


async def test_open_mode_uses_a_vt4ai_callers_own_key(served):
    seen = KeySeen()
    s = await served(middleware=seen)
    await s.get(f"/api/v1/ips/{IOCS['ip']}")
    await s.get(f"/api/v1/domains/{IOCS['domain']}", headers={"X-API-Key": CALLER_KEY})
    assert seen.keys == [SERVER_KEY, CALLER_KEY]


# --- refusing to start ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.com"])
def test_no_auth_beyond_loopback_refuses_to_start(host):
    with pytest.raises(ConfigError, match="Refusing to listen"):
        ServeConfig(host=host).check(server_has_key=True)
    assert ServeConfig(host=host, auth="key").check(server_has_key=True) == "key"
    assert ServeConfig(host=host, token_hashes=(hash_token(TOKEN),)).check(server_has_key=True) == "token"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_may_run_open(host):
    assert ServeConfig(host=host).check(server_has_key=True) == "open"


def test_modes_that_cannot_work_refuse_to_start():
    with pytest.raises(ConfigError, match="none is set"):
        ServeConfig(auth="open").check(server_has_key=False)
    with pytest.raises(ConfigError, match="token hash"):
        ServeConfig(auth="token").check(server_has_key=True)
    assert ServeConfig().check(server_has_key=False) == "key"  # auto without a key: callers bring theirs


def test_cli_refuses_to_listen_beyond_loopback_without_auth(capsys):
    code = main(["serve", "--demo", "--host", "0.0.0.0", "--port", "9"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Refusing to listen on 0.0.0.0" in err and "Traceback" not in err


def test_cli_new_token_prints_a_token_and_its_hash(capsys):
    assert main(["serve", "--new-token"]) == 0
    out = capsys.readouterr().out
    token = out.split("not stored): ")[1].split()[0]
    assert hash_token(token) in out


# --- secrets stay secret ------------------------------------------------------------------------------------


async def test_no_key_or_token_is_ever_logged_or_echoed(served, caplog):
    """Keys and the token go everywhere a secret could leak: replies that echo them, error
    messages that quote them, failed auth; none of it reaches a response or a log line."""

    async def echo_key(request, call_next):
        key = request.headers.get("x-apikey", "")
        if request.path.startswith("/domains"):
            return DemoResponse.error(400, "InvalidArgumentError", f"bad key {key}")
        reply = await call_next(request)
        if reply.status == 200 and isinstance(reply.body, bytes):
            body = json.loads(reply.body)
            if isinstance(body.get("data"), dict):
                body["data"].setdefault("attributes", {})["echo"] = f"your key is {key}"
                reply.body = json.dumps(body).encode()
                reply.set_header("content-length", str(len(reply.body)))
        return reply

    caplog.set_level(logging.DEBUG)
    secrets = [SERVER_KEY, CALLER_KEY, TOKEN]
    responses = []
    team = await served(ServeConfig(auth="token", token_hashes=(hash_token(TOKEN),)), middleware=echo_key)
    for fmt in ("json", "raw", "markdown", "xml", "csv"):
        responses.append(await team.get(f"/api/v1/files/{FILE}?format={fmt}",
                                        headers={"Authorization": f"Bearer {TOKEN}"}))
    responses.append(await team.get(f"/api/v1/lookup?ioc={IOCS['domain']}",
                                    headers={"Authorization": f"Bearer {TOKEN}"}))
    responses.append(await team.get(f"/api/v1/files/{FILE}", headers={"Authorization": f"Bearer {TOKEN}x"}))
    keyed = await served(ServeConfig(auth="key"), settings_=settings(), middleware=echo_key)
    for fmt in ("json", "raw", "markdown"):
        responses.append(await keyed.get(f"/api/v1/lookup?ioc={FILE}&format={fmt}", headers={"X-API-Key": CALLER_KEY}))
    responses.append(await keyed.get(f"/api/v1/domains/{IOCS['domain']}", headers={"X-API-Key": CALLER_KEY}))
    responses.append(await keyed.get("/metrics", headers={"X-API-Key": CALLER_KEY}))
    assert [r.status_code for r in responses][:5] == [200] * 5
    assert any("your key is ***" in r.text for r in responses)  # the echo was there, masked
    for response in responses:
        seen = response.text + json.dumps(dict(response.headers))
        for secret in secrets:
            assert secret not in seen
    for secret in secrets:
        assert secret not in caplog.text

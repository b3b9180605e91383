"""One API-key rule for every source (env, -k, config file, vt-cli's ~/.vt.toml, the TUI
dialog), and the cheap check of a new key against the server."""

from __future__ import annotations

import httpx
import pytest
import respx

from vttui.config import load_settings, save_api_key
from vttui.vt.apikey import key_problem, key_warning, looks_like_vt_key
from vttui.vt.client import VTClient
from vttui.vt.errors import ConfigError
from vttui.vt.keycheck import check_key

VT_KEY = "0123456789abcdef" * 4
BASE = "https://vt.test/api/v3"


@pytest.mark.parametrize("key", [VT_KEY, VT_KEY.upper(), "e2e-key-" + "0123456789abcdef" * 4 + "wxyz",
                                 "demo-key-" + "0" * 60 + "1234", "k" * 60 + "9z1X", "x" * 16])
def test_anything_printable_of_a_sane_length_is_a_usable_key(key):
    assert key_problem(key) is None


@pytest.mark.parametrize(("key", "why"), [
    ("", "empty"), ("a b" + "c" * 30, "a space"), ("abc\ndef" + "0" * 30, "a line break"),
    ("k\x1b[2J" + "0" * 30, "a control character"), ("kéy" + "0" * 60, "a non-ASCII character"),
    ("y", "only 1 characters"), ("0123456789abcde", "only 15"), ("k" * 257, "257 characters"),
    ("\u00a0" + "0" * 63, "a space"), ("\x85" + "0" * 63, "a control character"), ("0" * 63 + "\u2028", "a space"),
])
def test_what_can_never_be_a_key_is_refused_with_a_plain_reason(key, why):
    problem = key_problem(key)
    assert problem is not None and why in problem
    if len(key) > 4:
        assert key not in problem


def test_only_64_hex_characters_look_like_a_virustotal_key():
    assert looks_like_vt_key(VT_KEY) and key_warning(VT_KEY) is None
    assert not looks_like_vt_key(VT_KEY[:-1] + "g")
    warning = key_warning("e2e-key-" + "0" * 60)
    assert warning is not None and "68 characters long" in warning and "…0000" in warning
    assert "not all hexadecimal" in (key_warning("g" * 64) or "")
    assert key_warning("bad") is None  # refused, not warned: the refusal says why


@pytest.mark.parametrize(("env", "source"), [
    ({"VT_API_KEY": "short"}, "VT_API_KEY"),
    ({"VTCLI_APIKEY": "a b" * 10}, "VTCLI_APIKEY"),
])
def test_every_environment_variable_follows_the_rule(tmp_path, env, source):
    with pytest.raises(ConfigError) as info:
        load_settings(env, tmp_path / "none.toml")
    assert info.value.message.startswith(source)


def test_the_config_file_and_the_dialog_follow_the_same_rule(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('api_key = "short"\n')
    with pytest.raises(ConfigError) as info:
        load_settings({}, path)
    assert "only 5 characters" in info.value.message
    with pytest.raises(ConfigError):  # what the change-key dialog saves
        save_api_key("short", tmp_path / "other.toml")
    # A key from a VirusTotal-compatible server is saved (and warned about when used).
    save_api_key("lab-server-token-" + "x" * 20, tmp_path / "ok.toml")
    settings = load_settings({}, tmp_path / "ok.toml")
    assert settings.api_key_source == "config file" and settings.key_warning
    assert "config file" in settings.key_warning and "x" * 20 not in settings.key_warning


def test_a_64_hex_key_gives_no_warning(tmp_path):
    assert load_settings({"VT_API_KEY": VT_KEY}, tmp_path / "n.toml").key_warning is None


# --- -k and vt-cli's ~/.vt.toml ----------------------------------------------------------


def test_the_command_line_key_wins_over_every_other_source(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'api_key = "{"c" * 64}"\n')
    given = "d" * 64
    s = load_settings({"VT_API_KEY": "a" * 64, "VTCLI_APIKEY": "b" * 64}, path, api_key=given)
    assert s.api_key == given and s.api_key_source == "-k/--apikey"
    with pytest.raises(ConfigError) as info:
        load_settings({}, path, api_key="not a key")
    assert info.value.message.startswith("-k/--apikey") and "not a key" not in info.value.message


def test_vt_clis_file_is_read_when_nothing_else_names_a_key(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    vt = home / ".vt.toml"
    vt.write_text(f'apikey = "{"e" * 64}"\nhost = "https://www.virustotal.com"\n')
    vt.chmod(0o600)
    s = load_settings({"HOME": str(home)}, tmp_path / "none.toml")
    assert s.api_key == "e" * 64 and s.api_key_source == "~/.vt.toml" and not s.warnings
    # anything else wins over it
    assert load_settings({"HOME": str(home), "VT_API_KEY": "f" * 64}, tmp_path / "none.toml").api_key == "f" * 64
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{"c" * 64}"\n')
    assert load_settings({"HOME": str(home)}, config).api_key_source == "config file"


def test_a_broken_vt_cli_file_is_skipped_with_a_warning(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".vt.toml").write_text("apikey = [unclosed\n")
    s = load_settings({"HOME": str(home)}, tmp_path / "none.toml")
    assert s.api_key is None and any(".vt.toml" in w for w in s.warnings)
    (home / ".vt.toml").write_text('apikey = "has space in it, not a key"\n')
    with pytest.raises(ConfigError) as info:  # the same rule as every other source
        load_settings({"HOME": str(home)}, tmp_path / "none.toml")
    assert ".vt.toml" in info.value.message


def test_a_vt_cli_file_readable_by_others_is_warned_about(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".vt.toml").write_text(f'apikey = "{"e" * 64}"\n')
    (home / ".vt.toml").chmod(0o644)
    s = load_settings({"HOME": str(home)}, tmp_path / "none.toml")
    assert any("chmod 600" in w for w in s.warnings) and all("e" * 64 not in w for w in s.warnings)


# --- the cheap key check -----------------------------------------------------------------


def user(uid="analyst"):
    return {"data": {"type": "user", "id": uid, "attributes": {"status": "active"}}}


@respx.mock
async def test_a_good_key_is_checked_with_one_user_lookup():
    route = respx.get(f"{BASE}/users/{VT_KEY}").mock(return_value=httpx.Response(200, json=user()))
    async with VTClient("old-" + "k" * 60, base_url=BASE, trust_env=False) as client:
        result = await check_key(client, VT_KEY)
        assert client.limiter.state().used_day == 0  # the old key's quota is untouched
    assert result.status == "ok" and result.ok and result.user_id == "analyst"
    assert route.call_count == 1 and route.calls[0].request.headers["x-apikey"] == VT_KEY


@respx.mock
@pytest.mark.parametrize(("status", "code"), [(401, "WrongCredentialsError"), (401, "UserNotActiveError"),
                                              (404, "NotFoundError")])
async def test_a_refused_key_is_rejected(status, code):
    respx.get(f"{BASE}/users/{VT_KEY}").mock(
        return_value=httpx.Response(status, json={"error": {"code": code, "message": "no"}}))
    async with VTClient("old-" + "k" * 60, base_url=BASE, trust_env=False) as client:
        result = await check_key(client, VT_KEY)
    assert result.status == "rejected" and "refused this key" in result.message and VT_KEY not in result.message


@respx.mock
@pytest.mark.parametrize("reply", [
    httpx.ConnectError("refused"),
    httpx.Response(503, json={"error": {"code": "TransientError", "message": "later"}}),
    httpx.Response(429, json={"error": {"code": "QuotaExceededError", "message": "spent"}}),
    httpx.Response(200, text="<html>captive portal</html>"),
])
async def test_no_answer_either_way_is_could_not_check(reply):
    route = respx.get(f"{BASE}/users/{VT_KEY}")
    if isinstance(reply, Exception):
        route.mock(side_effect=reply)
    else:
        route.mock(return_value=reply)
    async with VTClient("old-" + "k" * 60, base_url=BASE, trust_env=False) as client:
        result = await check_key(client, VT_KEY)
    assert result.status == "unchecked" and route.call_count == 1  # one attempt, never retried


async def test_a_key_that_cannot_be_one_is_rejected_without_a_request():
    async with VTClient("old-" + "k" * 60, base_url=BASE, trust_env=False) as client:
        result = await check_key(client, "short")
        assert client.stats.requests == 0
    assert result.status == "rejected"


async def test_the_check_works_against_the_offline_demo():
    from vttui.config import Settings
    from vttui.runtime import make_client

    client = make_client(Settings(api_key=VT_KEY), demo=True)
    async with client:
        result = await check_key(client, client.api_key)
    assert result.ok and result.user_id == "vttui-demo"

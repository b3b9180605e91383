"""Bad settings are refused by name with the accepted range (exit 2); the key is written
only through a private temp file that is never a link, and the user's file keeps its
comments, types and tables (issue 16 items 4 and 5, issue 14)."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from vttui import config
from vttui.cli import main
from vttui.config import config_dir, load_settings, save_api_key
from vttui.vt.errors import ConfigError

KEY = "0123456789abcdef" * 4


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings(env or {}, path)


# --- item 5: every setting validated, by name, with its range ----------------------------


BAD_SETTINGS = [
    ("[network]\ntimeout = nan\n", "network.timeout"),
    ("[network]\ntimeout = inf\n", "network.timeout"),
    ("[network]\ntimeout = -1\n", "network.timeout"),
    ("[network]\ntimeout = 0\n", "network.timeout"),
    ("[network]\nupload_timeout = nan\n", "network.upload_timeout"),
    ("[network]\ndeadline = inf\n", "network.deadline"),
    ("[network]\nmax_reply_mb = 0\n", "network.max_reply_mb"),
    ('[network]\nproxy = "::::"\n', "network.proxy"),
    ('[network]\nproxy = "http://"\n', "network.proxy"),
    ('[network]\nproxy = "http://proxy.test:99999"\n', "network.proxy"),
    ('[network]\nbase_url = "https://"\n', "network.base_url"),
    ("[quota]\nper_day = inf\n", "quota.per_day"),
    ("[quota]\nper_minute = 0.5\n", "quota.per_minute"),
    ("[quota]\nper_minute = 0\n", "quota.per_minute"),
    ("[quota]\ntier = 4\n", "quota.tier"),
    ("[cache]\nmax_mb = inf\n", "cache.max_mb"),
    ("[cache]\nmax_entries = 0.1\n", "cache.max_entries"),
    ("[cache]\nttl_minutes = nan\n", "cache.ttl_minutes"),
    ('network = "x"\n', "[network]"),
    ("quota = 3\n", "[quota]"),
    ('[account]\nuser_id = "a/b"\n', "account.user_id"),
    ("api_key = 5\n", "api_key"),
]


@pytest.mark.parametrize(("text", "name"), BAD_SETTINGS, ids=[f"{n}-{i}" for i, (_t, n) in enumerate(BAD_SETTINGS)])
def test_a_bad_setting_is_named_with_its_range(tmp_path, text, name):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert name in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(("text", "words"), [
    ("[network]\ntimeout = nan\n", "from 0.1 to 3600"),
    ("[quota]\nper_minute = 0.5\n", "whole number"),
    ("[cache]\nmax_entries = 0.1\n", "whole number"),
])
def test_the_message_says_what_is_accepted(tmp_path, text, words):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert words in info.value.message


def test_a_bad_file_setting_is_reported_even_when_the_environment_overrides_it(tmp_path):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, '[network]\nbase_url = "http://[::1"\n', {"VT_API_URL": "http://ok.test/api/v3"})
    assert "network.base_url" in info.value.message


def test_a_deeply_nested_array_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested" in info.value.message


def test_config_file_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "config.toml").mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings({}, tmp_path / "config.toml")
    assert "not a regular file" in info.value.message


def test_config_file_linked_to_dev_null_is_refused(tmp_path):
    (tmp_path / "config.toml").symlink_to("/dev/null")
    with pytest.raises(ConfigError) as info:
        load_settings({}, tmp_path / "config.toml")
    assert "not a regular file" in info.value.message


def test_config_dir_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "not-a-dir"
    target.write_text("")
    with pytest.raises(ConfigError) as info:
        load_settings({"VTTUI_CONFIG_DIR": str(target)})
    assert "VTTUI_CONFIG_DIR" in info.value.message


@pytest.mark.parametrize("key", ["kéy" + "0" * 60, "abc\ndef", "abc\x1b[2Jdef" + "0" * 50, "a b"])
def test_a_key_that_cannot_go_in_a_header_is_refused_by_name(tmp_path, key):
    with pytest.raises(ConfigError) as info:
        load_settings({"VT_API_KEY": key}, tmp_path / "none.toml")
    assert "VT_API_KEY" in info.value.message and "Nothing was sent" in info.value.message
    assert key not in info.value.message


def test_an_unknown_setting_is_a_warning(tmp_path):
    s = _load(tmp_path, "[network]\ntimout = 5\n")
    assert any("network.timout" in w for w in s.warnings)


def test_good_values_still_load(tmp_path):
    s = _load(tmp_path, "[network]\ntimeout = 2.5\ndeadline = 40\nmax_reply_mb = 4\n"
                        "[quota]\nper_minute = 30.0\nper_day = 1000\n[cache]\nmax_mb = 0.5\n")
    assert (s.timeout, s.deadline, s.max_reply_bytes, s.per_minute, s.per_day) == (2.5, 40.0, 4 * 2**20, 30, 1000)
    assert s.cache_bytes == 2**19


@pytest.mark.parametrize(("config", "env"), [
    ("[network]\ntimeout = nan\n", {}),
    ("[quota]\nper_day = inf\n", {}),
    ("[cache]\nmax_mb = inf\n", {}),
    ('[network]\nproxy = "::::"\n', {}),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", {}),
    ('network = "x"\n', {}),
    ("", {"VT_API_KEY": "kéy"}),
    ("", {"VT_API_KEY": "abc\ndef"}),
    ("", {"HTTPS_PROXY": "::::"}),
], ids=["nan-timeout", "inf-per-day", "inf-max-mb", "bad-proxy", "deep-array", "network-string",
        "non-ascii-key", "newline-key", "bad-env-proxy"])
def test_cli_reports_bad_settings_with_exit_2(tmp_path, monkeypatch, capsys, config, env):
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "config.toml").write_text(config)
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(folder))
    monkeypatch.setenv("VT_API_KEY", KEY)
    monkeypatch.setenv("VT_API_URL", "http://127.0.0.1:9/api/v3")  # never reached
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["lookup", "example.com"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "unexpected" not in err and "Could not reach" not in err


def test_cli_with_a_config_dir_that_is_a_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "file"
    target.write_text("")
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(target))
    monkeypatch.setenv("VT_API_KEY", KEY)
    assert main(["lookup", "example.com"]) == 2
    assert "VTTUI_CONFIG_DIR" in capsys.readouterr().err


# --- item 4: the key is written safely -----------------------------------------------------


def _leftovers(folder: Path, key: str) -> list[Path]:
    """Files in ``folder`` (other than config.toml) that hold the key."""
    found = []
    for entry in folder.iterdir():
        if entry.name == "config.toml" or not entry.is_file() or entry.is_symlink():
            continue
        if key in entry.read_text(errors="replace"):
            found.append(entry)
    return found


def test_config_toml_as_a_directory_leaves_no_key_behind(tmp_path):
    (tmp_path / "config.toml").mkdir()
    with pytest.raises(ConfigError) as info:
        save_api_key(KEY, tmp_path / "config.toml")
    assert "not a regular file" in info.value.message
    assert _leftovers(tmp_path, KEY) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_planted_temp_symlink_is_never_followed(tmp_path):
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("untouched\n")
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "config.tmp").symlink_to(victim)
    path = save_api_key(KEY, folder / "config.toml")
    assert victim.read_text() == "untouched\n"
    assert not path.is_symlink() and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomllib.loads(path.read_text())["api_key"] == KEY


def test_config_toml_that_is_a_symlink_is_not_written_through(tmp_path):
    victim = tmp_path / "elsewhere.toml"
    victim.write_text("# someone else's file\n")
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "config.toml").symlink_to(victim)
    with pytest.raises(ConfigError):
        save_api_key(KEY, folder / "config.toml")
    assert victim.read_text() == "# someone else's file\n"
    assert _leftovers(folder, KEY) == []


def test_a_failed_write_removes_its_temp_file(tmp_path, monkeypatch):
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ConfigError) as info:
        save_api_key(KEY, tmp_path / "config.toml")
    assert "No space left" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_the_written_file_is_private_even_with_a_loose_umask(tmp_path):
    old = os.umask(0)
    try:
        path = save_api_key(KEY, tmp_path / "new" / "config.toml")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


# --- issue 14: the user's file survives a save ---------------------------------------------

RICH = """\
# my vttui settings
# (kept in git, without the key)

[network]
timeout = 12.5  # seconds; the office proxy is slow
proxy = "http://proxy.test:3128"

[export]
fields = ["a", "b"]
nested = { x = 1, flags = [true, false] }

[[templates.extra]]
name = "one"
"""


def test_saving_the_key_keeps_comments_types_arrays_and_tables(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(RICH)
    save_api_key(KEY, path)
    text = path.read_text()
    for line in ("# my vttui settings", "# (kept in git, without the key)", "# seconds; the office proxy is slow",
                 'fields = ["a", "b"]', "[[templates.extra]]"):
        assert line in text
    data = tomllib.loads(text)
    assert data["api_key"] == KEY
    assert data["export"]["fields"] == ["a", "b"]
    assert data["export"]["nested"] == {"x": 1, "flags": [True, False]}
    assert data["network"]["timeout"] == 12.5
    assert data["templates"]["extra"] == [{"name": "one"}]
    # saved again with another key: replaced in place, nothing else moves
    save_api_key("f" * 64, path)
    assert path.read_text() == text.replace(KEY, "f" * 64)


def test_saving_the_user_id_adds_an_account_table(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(RICH)
    config.save_user_id("analyst_1", path, api_key=KEY)
    data = tomllib.loads(path.read_text())
    assert data["account"]["user_id"] == "analyst_1"
    assert "# my vttui settings" in path.read_text()
    s = load_settings({"VT_API_KEY": KEY}, path)
    assert s.user_id == "analyst_1"
    # learned for another key: not used with this one
    assert load_settings({"VT_API_KEY": "e" * 64}, path).user_id is None


# --- issue 14: platform directories ---------------------------------------------------------


def test_config_dir_follows_the_platform_and_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv("VTTUI_CONFIG_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "vttui"
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path / "mine"))
    assert config_dir() == tmp_path / "mine"


def test_crash_log_lives_in_the_platform_state_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert config.crash_log_path() == tmp_path / "state" / "vttui" / "crash.log"


@pytest.mark.crash_expected
def test_the_crash_message_names_the_real_log_path(monkeypatch, tmp_path, capsys):
    import vttui.tui.app as app_module
    from vttui.cli import launch

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))

    class Crashed:
        def __init__(self, **_kw: object) -> None:
            self.crashes = [RuntimeError("boom")]
            self.return_code = 0

        def run(self) -> None:
            app_module._write_crash_log(self.crashes[0], None)

    monkeypatch.setattr(app_module, "VTApp", Crashed)
    monkeypatch.setattr(launch, "terminal_problem", lambda *a: None)  # the app is a stand-in
    assert launch.run_app() == 1
    err = capsys.readouterr().err
    log = tmp_path / "elsewhere" / "vttui" / "crash.log"
    assert str(log) in err and log.is_file()

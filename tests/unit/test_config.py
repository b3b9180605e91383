"""Settings from env and TOML; the key file is private and the key never shown whole."""

from __future__ import annotations

import os
import stat

import pytest

from vttui.config import load_settings, mask_key, save_api_key
from vttui.vt.errors import ConfigError

KEY = "0123456789abcdef" * 4


def test_env_key_wins_and_vtcli_is_accepted(tmp_path):
    path = tmp_path / "config.toml"
    s = load_settings({"VT_API_KEY": KEY}, path)
    assert s.api_key == KEY and s.api_key_source == "VT_API_KEY"
    other = "fedcba9876543210" * 4  # a key must now look like one (16+ printable characters)
    s = load_settings({"VTCLI_APIKEY": other}, path)
    assert s.api_key == other and s.api_key_source == "VTCLI_APIKEY"
    assert load_settings({}, path).api_key is None


def test_defaults(tmp_path):
    s = load_settings({}, tmp_path / "none.toml")
    assert s.base_url == "https://www.virustotal.com/api/v3"
    assert (s.per_minute, s.per_day, s.tier) == (4, 500, "public")
    assert s.proxy is None


def test_save_key_creates_0600_file_and_round_trips(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    save_api_key(KEY, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    s = load_settings({}, path)
    assert s.api_key == KEY and s.api_key_source == "config file"
    assert not s.warnings


def test_save_key_keeps_other_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[network]\nproxy = "http://proxy.test:3128"\n[quota]\ntier = "premium"\n')
    save_api_key(KEY, path)
    s = load_settings({}, path)
    assert s.proxy == "http://proxy.test:3128" and s.tier == "premium" and s.per_minute is None


def test_world_readable_key_file_warns(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'api_key = "{KEY}"\n')
    os.chmod(path, 0o644)
    s = load_settings({}, path)
    assert s.warnings and "chmod 600" in s.warnings[0]
    assert KEY not in s.warnings[0]


def test_file_settings_and_env_overrides(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[network]\nbase_url = "http://127.0.0.1:9/api/v3/"\ntimeout = 5\n'
        '[quota]\nper_minute = 30\nper_day = 1000\n[cache]\nmax_mb = 8\nmax_entries = 10\n'
    )
    s = load_settings({}, path)
    assert s.base_url == "http://127.0.0.1:9/api/v3"
    assert (s.timeout, s.per_minute, s.per_day, s.cache_bytes, s.cache_entries) == (5, 30, 1000, 8 * 2**20, 10)
    s = load_settings({"VT_API_URL": "http://localhost:1/api/v3"}, path)
    assert s.base_url == "http://localhost:1/api/v3"


@pytest.mark.parametrize("text", [
    "not toml = = =",
    '[quota]\ntier = "gold"\n',
    '[network]\ntimeout = "fast"\n',
    '[network]\nbase_url = "ftp://x"\n',
])
def test_bad_config_is_a_clear_error(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError):
        load_settings({}, path)


def test_mask_key_and_repr_never_show_the_key(tmp_path):
    assert mask_key(KEY) == "…" + KEY[-4:]
    assert mask_key(None) == "none"
    s = load_settings({"VT_API_KEY": KEY}, tmp_path / "c.toml")
    assert KEY not in repr(s) and KEY not in str(s)


def test_save_rejects_blank_key(tmp_path):
    with pytest.raises(ConfigError):
        save_api_key("  ", tmp_path / "c.toml")


def test_keymap_and_theme_are_read_checked_and_the_theme_saved_keeping_the_file(tmp_path):
    from vttui.config import save_theme

    path = tmp_path / "config.toml"
    path.write_text('# mine\n[keymap]\n"main.copy_id" = "o, ctrl+o"\n[ui]\ntheme = "nord"\n')
    settings = load_settings(env={}, path=path)
    assert settings.keymap == (("main.copy_id", "o,ctrl+o"),) and settings.theme == "nord"
    assert settings.warnings == ()
    save_theme("textual-light", path)
    assert load_settings(env={}, path=path).theme == "textual-light"
    assert path.read_text().startswith("# mine") and '"main.copy_id"' in path.read_text()
    for bad in ('[keymap]\n"main.copy_id" = 3\n', '[keymap]\n"main.copy_id" = ""\n', '[ui]\ntheme = ["x"]\n'):
        path.write_text(bad)
        with pytest.raises(ConfigError):
            load_settings(env={}, path=path)

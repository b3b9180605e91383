"""Service settings: file, environment and flags, in that order of strength; what a worker
process rebuilds from the environment is what `vttui serve` was given."""

from __future__ import annotations

import pytest

from vttui.serve.auth import hash_token
from vttui.serve.config import ServeConfig, load_serve_config
from vttui.serve.run import _settings
from vttui.vt.errors import ConfigError


def test_file_then_environment_then_flags(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[serve]\nport = 9000\nworkers = 2\nallow_writes = true\nmax_wait = 5\n')
    from_file = load_serve_config(env={}, config_file=config)
    assert (from_file.port, from_file.workers, from_file.allow_writes, from_file.max_wait) == (9000, 2, True, 5.0)
    env = {"VTTUI_SERVE_PORT": "9100", "VTTUI_SERVE_ALLOW_WRITES": "false"}
    from_env = load_serve_config(env=env, config_file=config)
    assert (from_env.port, from_env.workers, from_env.allow_writes) == (9100, 2, False)
    from_flags = load_serve_config(env=env, config_file=config, port=9200, workers=None)
    assert (from_flags.port, from_flags.workers) == (9200, 2)


def test_a_worker_rebuilds_the_same_config_from_the_environment():
    given = ServeConfig(host="::1", port=8123, workers=4, demo=True, allow_writes=True, auth="token",
                        token_hashes=(hash_token("a"), hash_token("b")), max_clients=7, max_wait=2.5,
                        max_body=4096, mcp=False)
    assert load_serve_config(env=given.to_env()) == given


@pytest.mark.parametrize(("env", "words"), [
    ({"VTTUI_SERVE_PORT": "eighty"}, "whole number"),
    ({"VTTUI_SERVE_WORKERS": "0"}, "at least 1"),
    ({"VTTUI_SERVE_AUTH": "password"}, "one of auto, open, key, token"),
    ({"VTTUI_SERVE_ALLOW_WRITES": "maybe"}, "true or false"),
    ({"VTTUI_SERVE_MAX_WAIT": "-1"}, "negative"),
])
def test_bad_values_are_refused_in_plain_words(env, words):
    with pytest.raises(ConfigError, match=words):
        load_serve_config(env=env)


def test_unknown_serve_setting_in_the_file_is_named(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[serve]\nprot = 9000\n')
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_serve_config(env={}, config_file=config)


def test_no_store_keeps_everything_in_memory(monkeypatch):
    monkeypatch.setenv("VTTUI_STORE", "sqlite")
    assert _settings(no_store=False).store.kind == "sqlite"
    assert _settings(no_store=True).store.kind == "memory"


def test_a_serve_table_is_not_an_unknown_setting(tmp_path):
    from vttui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text('[serve]\nport = 9000\n\n[sevre]\nport = 1\n')
    warnings = load_settings(env={}, path=config).warnings
    assert not any("'serve'" in w for w in warnings)
    assert any("'sevre'" in w for w in warnings)  # a misspelt table still is

"""Which replies are kept and for how long, and how the store is chosen (config, env)."""

from __future__ import annotations

import pytest

from vttui.config import Settings, load_settings
from vttui.vt.errors import ConfigError
from vttui.vt.store.policy import DEFAULT_TTL_HOURS, StoreOptions, kind_of, store_options


@pytest.mark.parametrize(("key", "kind"), [
    ("/files/abc", "objects"),
    ("/domains/x.test?relationships=resolutions", "objects"),
    ("/files/abc/behaviour_summary", "objects"),
    ("/urls/u/network_location", "objects"),
    ("/domains/x.test/resolutions?limit=40", "relationships"),
    ("/domains/x.test/relationships/resolutions?cursor=c&limit=40", "relationships"),
    ("/files/abc/comments?limit=10", "comments"),
    ("/files/abc/votes?limit=10", "votes"),
    ("/analyses/abc", "analyses"),
    ("/users/me/overall_quotas", None),
    ("/users/someone", None),
    ("/files/abc/download_url", None),
    ("/intelligence/search?query=x", None),
    ("/", None),
])
def test_the_kind_of_each_reply(key: str, kind: str | None):
    assert kind_of(key) == kind


def test_defaults_and_the_settings_file(tmp_path):
    assert Settings().store.kind == "memory"  # a bare Settings (library use, tests): memory
    config = tmp_path / "config.toml"
    config.write_text("")
    loaded = load_settings({}, config)
    assert loaded.store.kind == "sqlite" and loaded.store.source == "default"  # the product's default
    assert loaded.store.ttl("objects") == DEFAULT_TTL_HOURS["objects"] * 3600
    config.write_text('[cache]\nstore = "redis://cache.internal:6379/2"\ndisk_mb = 64\n'
                      '[cache.ttl_hours]\ncomments = 0.5\nanalyses = 0\n')
    loaded = load_settings({}, config)
    assert loaded.store.kind == "redis" and loaded.store.source == "cache.store"
    assert loaded.store.disk_bytes == 64 * 1024 * 1024
    assert loaded.store.ttl("comments") == 1800 and loaded.store.ttl("analyses") == 0
    assert loaded.store.ttl("objects") == 24 * 3600
    env = load_settings({"VTTUI_STORE": "memory"}, config)
    assert env.store.kind == "memory" and env.store.source == "VTTUI_STORE"


@pytest.mark.parametrize(("cache", "env", "words"), [
    ({"store": "postgres://x"}, {}, "cache.store"),
    ({}, {"VTTUI_STORE": "mongodb://x"}, "VTTUI_STORE"),
    ({"store": 3}, {}, "cache.store"),
    ({"disk_mb": 0}, {}, "cache.disk_mb"),
    ({"disk_mb": True}, {}, "cache.disk_mb"),
    ({"ttl_hours": {"objects": -1}}, {}, "cache.ttl_hours.objects"),
    ({"ttl_hours": {"files": 3}}, {}, "unknown"),
    ({"ttl_hours": 5}, {}, "must be a table"),
])
def test_bad_store_settings_are_said_clearly(cache, env, words):
    with pytest.raises(ConfigError) as caught:
        store_options(cache, env)
    assert words in caught.value.message


def test_memory_only_keeps_the_rest():
    options = StoreOptions("sqlite", "cache.store", 1234, (("objects", 2.0),))
    memory = options.memory_only("--no-store")
    assert (memory.kind, memory.source) == ("memory", "--no-store")
    assert (memory.disk_bytes, memory.ttl("objects")) == (1234, 7200)

"""The CLI and the persistent store, over a real socket: runs share the cache (SQLite in
the test's own XDG cache directory), --refresh and --no-store go around it, `vttui cache`
shows and clears it, `vttui quota` learns the user id once and reconciles the count,
and a store that cannot be reached is a warning, never a failure.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from vttui.demo import demo_iocs

from .conftest import KEY

pytestmark = pytest.mark.e2e

IOCS = demo_iocs()
FILE = IOCS["detected_file"]


def free_port_for_tests() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gets(server) -> list[str]:
    return [t for m, t in server.backend.requests if m == "GET" and not t.startswith("/users/")]


def test_a_second_run_is_served_from_the_cache_and_says_so(cli, server):
    cli.point_at(server)
    first = cli.run("lookup", FILE)
    second = cli.run("lookup", IOCS["detected_file_md5"])  # by another of its ids
    assert first.code == second.code == 0, first.err + second.err
    assert gets(server) == [f"/files/{FILE}"]
    assert "vttui" not in json.loads(first.out)
    meta = json.loads(second.out)["vttui"]
    assert meta["cached"] is True and meta["fetched_at"].endswith("Z")
    md = cli.run("lookup", FILE, "--format", "markdown")
    assert "> Cached copy: fetched from VirusTotal" in md.out


def test_refresh_and_no_store_go_to_virustotal(cli, server):
    cli.point_at(server)
    cli.run("lookup", FILE)
    refreshed = cli.run("lookup", FILE, "--refresh")
    assert refreshed.code == 0 and "vttui" not in json.loads(refreshed.out)
    assert gets(server) == [f"/files/{FILE}"] * 2
    cli.run("lookup", IOCS["domain"], "--no-store")
    cli.run("lookup", IOCS["domain"], "--no-store")
    assert gets(server).count(f"/domains/{IOCS['domain']}") == 2
    stats = json.loads(cli.run("cache", "stats", "--format", "json").out)
    assert stats["entries"] == 1  # the domain was never stored


def test_cache_stats_and_clear(cli, server):
    cli.point_at(server)
    cli.run("lookup", FILE, IOCS["domain"])
    cli.run("lookup", FILE)
    text = cli.run("cache", "stats")
    assert text.code == 0, text.err
    assert "sqlite" in text.out and "store.sqlite3" in text.out and "2 replies" in text.out
    assert "hit rate" in text.out and "oldest    fetched" in text.out
    doc = json.loads(cli.run("cache", "stats", "--format", "json").out)
    assert doc["kind"] == "sqlite" and doc["entries"] == 2 and doc["hits"] >= 1 and doc["chosen_by"] == "default"
    assert doc["location"] == os.path.join(os.environ["XDG_CACHE_HOME"], "vttui", "store.sqlite3")
    assert KEY not in json.dumps(doc)
    cleared = cli.run("cache", "clear", IOCS["detected_file_sha1"])  # by another of its ids
    assert cleared.code == 0 and "Cleared 1 cached replies" in cleared.out
    cli.run("lookup", FILE)
    assert gets(server).count(f"/files/{FILE}") == 2
    assert "Cleared 2 cached replies" in cli.run("cache", "clear").out
    assert json.loads(cli.run("cache", "stats", "--format", "json").out)["entries"] == 0
    bad = cli.run("cache", "clear", "not an indicator")
    assert bad.code == 2 and bad.err.startswith("vttui: error: ")


def test_quota_learns_the_user_id_once_and_then_keeps_the_key_out_of_urls(cli, server):
    cli.point_at(server)
    assert cli.run("quota").code == 0
    learned = [t for m, t in server.backend.requests if t.startswith("/users/")]
    assert learned == [f"/users/{KEY}", "/users/vttui-demo/overall_quotas"]
    server.backend.requests.clear()
    out = cli.run("quota", "--format", "json")
    assert out.code == 0
    assert server.backend.requests == [("GET", "/users/vttui-demo/overall_quotas")]
    cli.run("lookup", FILE)
    files = Path(os.environ["XDG_CACHE_HOME"]).rglob("store.sqlite3*")
    written = b"".join(p.read_bytes() for p in files if p.is_file())
    assert b"vttui-demo" in written and FILE.encode() in written  # what the store holds ...
    assert KEY.encode() not in written  # ... never the key


def test_memory_store_writes_nothing(cli, server, tmp_path, monkeypatch):
    monkeypatch.setenv("VTTUI_STORE", "memory")
    cli.point_at(server)
    cli.run("lookup", FILE)
    cli.run("lookup", FILE)
    assert gets(server) == [f"/files/{FILE}"] * 2
    stats = cli.run("cache", "stats")
    assert stats.code == 0 and "memory" in stats.out
    assert not list(tmp_path.rglob("store.sqlite3"))


def test_an_unreachable_redis_is_a_warning_and_the_local_cache_is_used(cli, server, monkeypatch):
    monkeypatch.setenv("VTTUI_STORE", f"redis://:hunter2@127.0.0.1:{free_port_for_tests()}/0")
    cli.point_at(server)
    first = cli.run("lookup", FILE)
    assert first.code == 0 and json.loads(first.out)["id"] == FILE
    warning = [line for line in first.err_lines if "unreachable" in line]
    assert len(warning) == 1 and "local sqlite" in warning[0] and "hunter2" not in first.err
    second = cli.run("lookup", FILE)
    assert second.code == 0 and gets(server) == [f"/files/{FILE}"]


def test_a_bad_store_setting_is_a_config_error(cli, server, monkeypatch):
    monkeypatch.setenv("VTTUI_STORE", "postgres://somewhere")
    cli.point_at(server)
    result = cli.run("lookup", FILE)
    assert result.code == 2 and "VTTUI_STORE" in result.err and result.out == ""
    assert gets(server) == []

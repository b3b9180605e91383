"""The headless CLI end to end: `vttui ...` over a real socket against the fake v3 server.

Runs ``vttui.cli.main`` in process with VT_API_URL and VT_API_KEY pointing at the server
(settings, client, httpx and the socket are all real), plus one subprocess smoke test.
Every error class must end in its documented exit code with one clear line on stderr.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.faults import chain, faults, quota, record
from vttui.demo import DemoBackend, demo_iocs

from .conftest import KEY, CLIResult

pytestmark = pytest.mark.e2e

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
DOMAIN = IOCS["domain"]
ROOT = Path(__file__).resolve().parents[2]


def assert_one_clear_line(result, *phrases: str) -> None:
    """stderr holds exactly one error line, in words, with no traceback."""
    lines = result.err_lines
    assert len(lines) == 1, result.err
    assert lines[0].startswith("vttui: error: "), result.err
    assert "Traceback" not in result.err and "httpx" not in result.err and "Error:" not in lines[0][14:]
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def posts(backend: DemoBackend) -> list[str]:
    return [target for method, target in backend.requests if method == "POST"]


# --- lookups -------------------------------------------------------------------------------


def test_lookup_in_every_format(cli, server):
    cli.point_at(server)
    result = cli.run("lookup", FILE, "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["id"] == FILE and doc["attributes"]["md5"] == IOCS["detected_file_md5"]

    md = cli.run("lookup", FILE, "--format", "markdown")
    assert md.code == 0 and "invoice\\_viewer.exe" in md.out and md.out.lstrip().startswith("#")

    xml = cli.run("lookup", FILE, "--format", "xml")
    root = ET.fromstring(xml.out)
    assert xml.code == 0 and any(el.get("id") == FILE or el.text == FILE for el in root.iter())

    rows = list(csv.DictReader(io.StringIO(cli.run("lookup", FILE, "--format", "csv").out)))
    assert len(rows) > 50 and any(r.get("category") == "malicious" for r in rows)

    # four lookups of one file (separate processes in real life; separate clients here):
    # the persistent cache serves the last three, so one request, carrying the key in the
    # header, never in the URL
    gets = [t for m, t in server.backend.requests if m == "GET"]
    assert gets == [f"/files/{FILE}"]
    assert all(KEY not in t for t in gets)


def test_batch_lookup_by_md5_sha1_and_domain(cli, server):
    cli.point_at(server)
    result = cli.run("lookup", IOCS["detected_file_md5"], IOCS["detected_file_sha1"], "api[.]update-relay[.]test")
    assert result.code == 0, result.err
    docs = json.loads(result.out)
    assert [d["id"] for d in docs] == [FILE, FILE, DOMAIN]


def test_relations_page_by_page_with_the_cursor(cli, server):
    cli.point_at(server)
    ip = IOCS["sinkhole_ip"]
    first = cli.run("relations", ip, "communicating_files", "--limit", "25")
    assert first.code == 0, first.err
    page1 = [item["id"] for item in json.loads(first.out)]
    cursor_lines = [line for line in first.err_lines if line.startswith("next cursor: ")]
    assert len(page1) == 25 and len(cursor_lines) == 1
    cursor = cursor_lines[0].removeprefix("next cursor: ")

    second = cli.run("relations", ip, "communicating_files", "--limit", "40", "--cursor", cursor)
    page2 = [item["id"] for item in json.loads(second.out)]
    assert second.code == 0 and len(page2) == 35 and "next cursor" not in second.err
    assert not set(page1) & set(page2)

    every = cli.run("relations", ip, "communicating_files", "--all")
    assert [item["id"] for item in json.loads(every.out)] == page1 + page2


# --- writes -------------------------------------------------------------------------------


def test_submit_a_small_file_and_wait_for_the_report(cli, server, tmp_path):
    cli.point_at(server)
    sample = tmp_path / "sample.bin"
    content = os.urandom(4096)
    sample.write_bytes(content)
    sha256 = hashlib.sha256(content).hexdigest()
    result = cli.run("submit", str(sample), "--wait", "--yes", "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["submitted"] is True and doc["analysis"]["attributes"]["status"] == "completed"
    assert doc["report"]["id"] == sha256 and doc["report"]["attributes"]["size"] == 4096
    assert posts(server.backend) == ["/files"]  # uploaded exactly once


def test_submit_url(cli, server):
    cli.point_at(server)
    result = cli.run("submit", "https://e2e.example/landing", "--yes", "--wait", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["report"]["attributes"]["url"].startswith("https://e2e.example/")
    assert posts(server.backend) == ["/urls"]


def test_comment_is_posted_once_and_listed(cli, server):
    cli.point_at(server)
    text = "seen beaconing from the e2e lab"
    posted = cli.run("comment", DOMAIN, text, "--yes")
    assert posted.code == 0, posted.err
    assert posts(server.backend) == [f"/domains/{DOMAIN}/comments"]
    listed = cli.run("comments", DOMAIN, "--format", "json")
    texts = [c["attributes"]["text"] for c in json.loads(listed.out)["data"]]
    assert texts.count(text) == 1


def test_comment_without_yes_sends_nothing(cli, server):
    cli.point_at(server)
    result = cli.run("comment", DOMAIN, "not confirmed")
    assert result.code == 2 and posts(server.backend) == []
    assert "Traceback" not in result.err


def test_second_vote_is_a_conflict_exit_7(cli, server):
    cli.point_at(server)
    first = cli.run("vote", FILE, "malicious", "--yes")
    assert first.code == 0, first.err
    again = cli.run("vote", FILE, "harmless", "--yes")
    assert again.code == 7
    assert_one_clear_line(again, "already voted")
    assert len(posts(server.backend)) == 2


def test_reanalyse_and_download(cli, server, tmp_path):
    cli.point_at(server)
    re = cli.run("reanalyse", FILE, "--yes")
    assert re.code == 0, re.err
    assert re.out.strip() and posts(server.backend) == [f"/files/{FILE}/analyse"]

    dest = tmp_path / "samples"
    got = cli.run("download", IOCS["detected_file_md5"], "-o", str(dest))
    assert got.code == 0, got.err
    saved = Path(got.out.strip())
    assert saved.name == FILE and hashlib.sha256(saved.read_bytes()).hexdigest() == FILE
    assert saved.stat().st_mode & 0o777 == 0o600


def test_quota_in_text_and_json(cli, server):
    cli.point_at(server)
    text = cli.run("quota")
    assert text.code == 0 and "api requests daily" in text.out
    doc = json.loads(cli.run("quota", "--format", "json").out)
    assert doc["quotas"]["api_requests_daily"]["user"]["allowed"] == 500


# --- every error class: exit code and one clear line -------------------------------------


def test_rejected_key_exits_4(cli, server):
    cli.point_at(server, key=DemoBackend.REJECTED_API_KEY)
    result = cli.run("lookup", FILE)
    assert result.code == 4 and result.out == ""
    assert_one_clear_line(result, "API key was rejected")


def test_premium_relationship_exits_4(cli, server):
    cli.point_at(server)
    result = cli.run("relations", FILE, "similar_files")
    assert result.code == 4
    assert_one_clear_line(result)


def test_not_found_exits_3(cli, server):
    cli.point_at(server)
    result = cli.run("lookup", IOCS["not_found"])
    assert result.code == 3
    assert_one_clear_line(result, "no record of this file")


def test_one_quota_error_is_waited_out(cli, serve):
    limit = quota(1, clock=cli.time.clock)  # the server's minute is the client's minute
    server = serve(limit)
    cli.point_at(server)
    assert cli.run("lookup", FILE).code == 0
    result = cli.run("lookup", DOMAIN)
    assert result.code == 0, result.err
    assert json.loads(result.out)["id"] == DOMAIN
    assert "waiting for the per-minute window" in result.err and "Traceback" not in result.err
    assert limit.refused == 1 and cli.time.now >= 1060  # it waited the minute out, once


def test_quota_still_spent_exits_5_without_hammering(cli, serve):
    limit = quota(0, clock=cli.time.clock)
    cli.point_at(serve(limit))
    result = cli.run("lookup", FILE)
    assert result.code == 5
    assert result.err_lines[-1].startswith("vttui: error: ") and "quota" in result.err_lines[-1]
    assert_one_clear_line(CLIResult(result.code, result.out, result.err_lines[-1]), "quota")
    assert limit.refused == 2  # one wait, one more try, then stop: a spent quota is not hammered


def test_too_many_requests_is_retried_then_exits_5(cli, serve):
    limit = quota(0, "TooManyRequestsError", retry_after=0.01)
    server = serve(limit)
    cli.point_at(server)
    result = cli.run("lookup", FILE)
    assert result.code == 5
    assert_one_clear_line(result, "Too many requests")
    assert limit.refused == 4  # the first try and three retries


def test_too_many_requests_then_success(cli, serve):
    ticks = iter(range(0, 10_000, 30))  # each request arrives 30 s after the previous one
    limit = quota(1, "TooManyRequestsError", clock=lambda: next(ticks), retry_after=0.01)
    server = serve(limit)
    cli.point_at(server)
    result = cli.run("lookup", FILE, DOMAIN)
    assert result.code == 0, result.err
    assert [d["id"] for d in json.loads(result.out)] == [FILE, DOMAIN]
    assert limit.refused >= 1


def test_server_gone_exits_6(cli, serve):
    server = serve()
    server.stop()
    cli.point_at(server)
    result = cli.run("lookup", FILE)
    assert result.code == 6
    assert_one_clear_line(result, "Could not reach VirusTotal")


NETWORK_FAULTS = [
    ("hang", 6, "did not answer in time"),
    ("malformed", 6, "not valid JSON"),
    ("cut", 6, "not valid JSON"),
    ("truncated", 6, "dropped"),
    ("drop", 6, "dropped"),
    ("transient", 6, "temporary problem"),
    ("deadline", 6, "took too long"),
    ("html", 6, "HTML"),
    ("plain404", 3, "no record"),
]


@pytest.mark.parametrize(("kind", "code", "phrase"), NETWORK_FAULTS, ids=[k for k, _, _ in NETWORK_FAULTS])
def test_network_and_server_faults_map_to_exit_codes(cli, serve, kind, code, phrase):
    if kind == "hang":  # four attempts, each waiting for the read timeout
        (cli.config_dir / "config.toml").write_text('[quota]\ntier = "premium"\n\n[network]\ntimeout = 0.3\n')
    rec = record()
    server = serve(chain(rec, faults(1.0, (kind,))))
    cli.point_at(server)
    result = cli.run("lookup", FILE)
    assert result.code == code, result.err
    assert result.out == ""
    assert_one_clear_line(result, phrase)
    retried = code == 6
    assert len(rec.exchanges) == (4 if retried else 1)  # safe GETs are retried, then given up


def test_write_fault_is_reported_once_and_not_resent(cli, serve):
    flaky = faults(1.0, ("drop",), seed=3)
    server = serve(flaky)
    cli.point_at(server)
    result = cli.run("comment", DOMAIN, "one copy only", "--yes")
    assert result.code == 6
    assert_one_clear_line(result, "may or may not have taken effect")
    assert len(flaky.received("POST")) == 1  # a write whose outcome is unknown is never resent


# --- a real process ---------------------------------------------------------------------------


def test_subprocess_smoke(server, tmp_path):
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "config.toml").write_text('[quota]\ntier = "premium"\n')
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(VT_API_URL=server.base_url, VT_API_KEY=KEY, VTTUI_CONFIG_DIR=str(config),
               PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "vttui", "lookup", DOMAIN, "--format", "json"],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == DOMAIN
    missing = subprocess.run([sys.executable, "-m", "vttui", "lookup", IOCS["not_found_domain"]],
                             capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert missing.returncode == 3 and missing.stderr.startswith("vttui: error: ")
    assert "Traceback" not in missing.stderr

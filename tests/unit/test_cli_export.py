"""`vttui lookup`, `relations`, `templates` and `relationship-types` against the demo.

In-process through ``vttui.cli.main`` (plus one subprocess smoke test). The client each
run builds is captured, so tests can check how many requests were made.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vttui.cli import commands, main
from vttui.cli.lookup import Input, classify_inputs, lookup_batch, read_inputs
from vttui.demo import DemoBackend, DemoTransport, demo_iocs
from vttui.vt.cache import ResponseCache
from vttui.vt.client import VTClient
from vttui.vt.ioc import classify
from vttui.vt.ratelimit import RateLimiter

IOCS = demo_iocs()
KEY = DemoBackend.DEMO_API_KEY
FORMATS = ["json", "markdown", "xml", "raw", "csv"]


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(folder))
    for var in ("VT_API_KEY", "VTCLI_APIKEY", "VTTUI_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return folder


@pytest.fixture(autouse=True)
def clients(monkeypatch):
    made: list[VTClient] = []
    real = commands.make_client

    def capture(*args, **kwargs):
        client = real(*args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(commands, "make_client", capture)
    return made


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def requests(clients) -> int:
    return sum(c.stats.requests for c in clients)


# --- lookup -----------------------------------------------------------------------------


def test_lookup_one_ioc_as_json(capsys, clients):
    code, out, err = run(capsys, "lookup", "--demo", IOCS["ip"])
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["type"] == "ip_address" and data["id"] == IOCS["ip"]
    assert "last_analysis_date_iso" in data["attributes"]
    assert requests(clients) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_lookup_every_format_parses(capsys, fmt):
    code, out, _ = run(capsys, "lookup", "--demo", IOCS["detected_file"], "-f", fmt)
    assert code == 0
    if fmt in ("json", "raw"):
        assert json.loads(out)["id"] == IOCS["detected_file"]
    elif fmt == "xml":
        root = ET.fromstring(out.encode())
        assert root.find("object").get("id") == IOCS["detected_file"]
    elif fmt == "markdown":
        assert out.startswith("# File: ") and "**Verdict: MALICIOUS**" in out
    else:
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][:3] == ["object_type", "object_id", "engine"] and len(rows) > 10


def test_several_iocs_give_one_document_in_input_order(capsys):
    order = [IOCS["clean_ip"], IOCS["domain"], IOCS["detected_file_md5"], IOCS["url"]]
    code, out, _ = run(capsys, "lookup", "--demo", *order)
    assert code == 0
    data = json.loads(out)
    assert [d["type"] for d in data] == ["ip_address", "domain", "file", "url"]
    assert data[0]["id"] == IOCS["clean_ip"] and data[2]["id"] == IOCS["detected_file"]
    code, out, _ = run(capsys, "lookup", "--demo", *order, "-f", "xml")
    root = ET.fromstring(out.encode())
    assert [o.get("type") for o in root.findall("object")] == ["ip_address", "domain", "file", "url"]
    code, out, _ = run(capsys, "lookup", "--demo", *order, "-f", "markdown")
    assert out.count("\n---\n") == 3 and out.index("# IP: ") < out.index("# Domain: ") < out.index("# File: ")


def test_stdin_batch_keeps_order_and_skips_blanks_and_comments(capsys, monkeypatch):
    text = f"# my list\n{IOCS['url']}\n\n  {IOCS['ip']}  \nhxxp://login[.]account-verify[.]test/x\n"
    code, out, err = run(capsys, "lookup", "--demo", "-", "-f", "json", stdin=text, monkeypatch=monkeypatch)
    # the defanged URL is not in the demo data: reported, skipped, exit 3
    assert code == 3 and "stdin line 5" in err
    data = json.loads(out)
    assert [d["type"] for d in data] == ["url", "ip_address"]
    assert "\r" not in err  # no progress bar when stderr is not a terminal


def test_single_ioc_from_stdin_is_still_an_array(capsys, monkeypatch):
    code, out, _ = run(capsys, "lookup", "--demo", "-", stdin=IOCS["domain"] + "\n", monkeypatch=monkeypatch)
    assert code == 0 and [d["id"] for d in json.loads(out)] == [IOCS["domain"]]


def test_garbage_input_fails_before_any_request(capsys, monkeypatch, clients):
    text = f"{IOCS['ip']}\nnot an ioc at all\n{IOCS['domain']}\n"
    code, out, err = run(capsys, "lookup", "--demo", IOCS["url"], "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "stdin line 2" in err and "not an ioc at all" in err
    assert requests(clients) == 0
    code, _, err = run(capsys, "lookup", "--demo", IOCS["ip"], "1.2.3")
    assert code == 2 and "argument 2" in err and requests(clients) == 0


def test_not_found_alone_exits_3(capsys):
    code, out, err = run(capsys, "lookup", "--demo", IOCS["not_found"])
    assert code == 3 and out == "" and "no record" in err


def test_not_found_among_several_continues(capsys):
    code, out, err = run(capsys, "lookup", "--demo", IOCS["ip"], IOCS["not_found"], IOCS["domain"], "-f", "csv")
    assert code == 3
    assert "argument 2" in err and IOCS["not_found"][:20] in err
    ids = {row[1] for row in list(csv.reader(io.StringIO(out)))[1:]}
    assert ids == {IOCS["ip"], IOCS["domain"]}


def test_unknown_template_is_an_error_listing_valid_ones(capsys, clients):
    code, out, err = run(capsys, "lookup", "--demo", IOCS["ip"], "--template", "esential")
    assert code == 2 and out == ""
    for name in ("essential", "detections", "network", "full"):
        assert name in err
    assert requests(clients) == 0


def test_templates_trim_and_user_templates_work(capsys, config):
    code, out, _ = run(capsys, "lookup", "--demo", IOCS["ip"], "-t", "network")
    attrs = json.loads(out)["attributes"]
    assert code == 0 and "as_owner" in attrs and "last_analysis_results" not in attrs
    (config / "templates").mkdir()
    (config / "templates" / "mine.toml").write_text(
        'description = "asn only"\n[ip_address]\nkeep = ["asn"]\n', encoding="utf-8")
    code, out, _ = run(capsys, "lookup", "--demo", IOCS["ip"], "-t", "mine")
    assert code == 0 and json.loads(out)["attributes"] == {"asn": 64501}


def test_output_file_is_private_and_stdout_stays_empty(capsys, tmp_path):
    target = tmp_path / "report.md"
    code, out, err = run(capsys, "lookup", "--demo", IOCS["domain"], "-f", "markdown", "-o", str(target))
    assert code == 0 and out == "" and "wrote" in err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("# Domain: ")
    assert {p.name for p in tmp_path.iterdir()} == {"report.md", "config"}  # no temp file left behind


def test_output_into_a_missing_folder_is_a_clear_error(capsys, tmp_path):
    code, out, err = run(capsys, "lookup", "--demo", IOCS["domain"], "-o", str(tmp_path / "nope" / "x.json"))
    assert code == 2 and "does not exist" in err


def test_lookup_with_relationships_lists_them_in_markdown(capsys):
    code, out, _ = run(capsys, "lookup", "--demo", IOCS["detected_file"], "-f", "markdown", "-r", "contacted_domains")
    assert code == 0 and "## Relationships seen" in out and IOCS["domain"] in out.split("## Relationships seen")[1]
    code, _, err = run(capsys, "lookup", "--demo", IOCS["ip"], "-r", "contacted_domains")
    assert code == 2 and "resolutions" in err


# --- relations --------------------------------------------------------------------------


def test_relations_page_prints_next_cursor_and_the_cursor_continues(capsys):
    code, out, err = run(capsys, "relations", "--demo", IOCS["parent_domain"], "subdomains", "-n", "2")
    assert code == 0
    first = [d["id"] for d in json.loads(out)]
    assert len(first) == 2
    cursor_lines = [line for line in err.splitlines() if line.startswith("next cursor: ")]
    assert len(cursor_lines) == 1
    cursor = cursor_lines[0].removeprefix("next cursor: ")
    code, out, err = run(
        capsys, "relations", "--demo", IOCS["parent_domain"], "subdomains", "-n", "2", "--cursor", cursor
    )
    second = [d["id"] for d in json.loads(out)]
    code, out, err = run(capsys, "relations", "--demo", IOCS["parent_domain"], "subdomains", "--all")
    everything = [d["id"] for d in json.loads(out)]
    assert "next cursor" not in err
    assert everything[:4] == first + second and len(set(everything)) == len(everything)


def test_relations_all_respects_max(capsys):
    code, out, err = run(capsys, "relations", "--demo", IOCS["parent_domain"], "subdomains", "--all", "--max", "1")
    assert code == 0 and len(json.loads(out)) == 1
    assert "--max 1" in err and "next cursor: " in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_relations_every_format(capsys, fmt):
    code, out, _ = run(capsys, "relations", "--demo", IOCS["detected_file"], "contacted_domains", "-f", fmt, "-n", "3")
    assert code == 0
    if fmt in ("json", "raw"):
        assert len(json.loads(out)) == 3
    elif fmt == "xml":
        root = ET.fromstring(out.encode())
        assert root.get("relationship") == "contacted_domains" and len(root.findall("object")) == 3
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][:2] == ["id", "type"] and len(rows) == 4
    else:
        # written as it arrives: the heading has no count, the last line gives it
        assert out.startswith("# Related objects: contacted\\_domains\n") and out.endswith("\n3 items.\n")
        assert len([line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]) == 3


def test_relations_unknown_relationship_lists_valid_ones(capsys, clients):
    code, out, err = run(capsys, "relations", "--demo", IOCS["domain"], "contacted_domains")
    assert code == 2 and out == "" and "resolutions" in err and "subdomains" in err
    assert requests(clients) == 0


def test_relations_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["relations", "--demo", IOCS["domain"], "resolutions", "--limit", "0"])
    assert exit_info.value.code == 2
    code, _, err = run(capsys, "relations", "--demo", "garbage!", "resolutions")
    assert code == 2


def test_relations_premium_only_is_an_auth_error(capsys):
    code, out, err = run(capsys, "relations", "--demo", IOCS["detected_file"], "embedded_domains")
    assert code == 4 and out == ""


# --- offline commands -------------------------------------------------------------------


def test_templates_lists_builtins_and_user_ones_offline(capsys, config, clients):
    (config / "templates").mkdir()
    (config / "templates" / "mine.toml").write_text('description = "My own"\n', encoding="utf-8")
    code, out, _ = run(capsys, "templates")
    assert code == 0 and clients == []
    for name in ("essential", "detections", "network", "full", "mine"):
        assert any(line.startswith(name) for line in out.splitlines())
    assert "My own" in out
    code, out, _ = run(capsys, "templates", "--json")
    assert {t["name"] for t in json.loads(out)} == {"essential", "detections", "network", "full", "mine"}
    code, out, _ = run(capsys, "templates", "network")
    assert code == 0 and "[domain]" in out and "last_dns_records" in out


def test_templates_reports_a_broken_file(capsys, config):
    (config / "templates").mkdir()
    (config / "templates" / "bad.toml").write_text("keep = [", encoding="utf-8")
    code, out, err = run(capsys, "templates")
    assert code == 2 and "bad.toml" in err and "essential" in out
    code, _, err = run(capsys, "templates", "nothere")
    assert code == 2 and "essential" in err


def test_relationship_types(capsys, clients):
    code, out, _ = run(capsys, "relationship-types")
    assert code == 0 and clients == []
    assert [line for line in out.splitlines() if line and not line.startswith(" ")] == [
        "file",
        "domain",
        "ip_address",
        "url",
        "collection",
    ]
    code, out, _ = run(capsys, "relationship-types", "ip")
    assert out.splitlines()[0] == "ip_address" and "resolutions" in out and "[premium]" in out
    code, out, _ = run(capsys, "relationship-types", "domain", "--json")
    subdomains = next(r for r in json.loads(out)["domain"] if r["name"] == "subdomains")
    assert subdomains["cap"] == 100
    code, _, err = run(capsys, "relationship-types", "hashes")
    assert code == 2 and "ip_address" in err


# --- the API key never leaks ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_contains_the_api_key(capsys, fmt, tmp_path):
    target = tmp_path / f"out.{fmt}"
    outputs = []
    for argv in (
        [
            "lookup",
            "--demo",
            IOCS["detected_file"],
            IOCS["url"],
            IOCS["ip"],
            "-f",
            fmt,
            "-r",
            "contacted_domains,resolutions",
        ],
        ["lookup", "--demo", IOCS["domain"], "-f", fmt, "-o", str(target)],
        ["relations", "--demo", IOCS["detected_file"], "contacted_urls", "-f", fmt, "--all"],
        ["lookup", "--demo", IOCS["not_found"], "-f", fmt],
    ):
        main(argv)
        outputs += list(capsys.readouterr())
    outputs.append(target.read_text(encoding="utf-8"))
    for text in outputs:
        assert KEY not in text and KEY[:-4] not in text


def test_redact_masks_a_key_that_reached_the_data():
    from vttui.export import redact, render

    obj = {"type": "file", "id": "x", "attributes": {"note": f"key={KEY}", KEY: 1}}
    for fmt in FORMATS:
        text = redact(render(obj, fmt), KEY)
        assert KEY not in text
    assert redact("abc", None) == "abc"


# --- the batch under the rate limiter (fake clock) --------------------------------------


async def test_batch_keeps_input_order_under_the_limiter():
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(per_minute=2, per_day=None, clock=lambda: now[0], sleep=fake_sleep)
    backend = DemoBackend(base_url="https://demo.test/api/v3")
    client = VTClient(KEY, base_url="https://demo.test/api/v3", transport=DemoTransport(backend),
                      limiter=limiter, cache=ResponseCache(), sleep=fake_sleep)
    sent_at: list[float] = []
    client.on_request(lambda: sent_at.append(now[0]))
    texts = [IOCS["url"], IOCS["ip"], IOCS["not_found"], IOCS["domain"], IOCS["clean_file"]]
    inputs = [Input(classify(t), f"line {i}") for i, t in enumerate(texts, 1)]
    seen: list[tuple[int, int]] = []
    try:
        batch = await lookup_batch(client, inputs, progress=lambda d, t: seen.append((d, t)))
    finally:
        await client.aclose()
    assert [i.where for i, _ in batch.results] == ["line 1", "line 2", "line 4", "line 5"]
    assert [d["type"] for _, d in batch.results] == ["url", "ip_address", "domain", "file"]
    assert [i.where for i, _ in batch.not_found] == ["line 3"] and batch.stopped is None
    # two requests a minute: the fake clock moved exactly as the limiter requires
    # (a minute plus the limiter's one-second safety margin per window)
    assert sent_at == [0.0, 0.0, 61.0, 61.0, 122.0]
    assert [p for p, _ in client.request_log] == ["GET"] * 5
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == [1, 2, 3, 4, 5]


async def test_batch_stops_at_an_error_that_is_not_not_found():
    from vttui.vt.errors import ForbiddenError

    class Failing(VTClient):
        async def lookup(self, ioc, *, relationships=()):
            if ioc.value == IOCS["domain"]:
                raise ForbiddenError("no")
            await asyncio.sleep(0)
            return {"type": ioc.object_type, "id": ioc.value}

    client = Failing(KEY, transport=DemoTransport(DemoBackend()))
    texts = [IOCS["ip"], IOCS["domain"], IOCS["clean_ip"], IOCS["sinkhole_ip"], IOCS["ipv6"], IOCS["url"]]
    inputs = [Input(classify(t), str(i)) for i, t in enumerate(texts)]
    try:
        batch = await lookup_batch(client, inputs, concurrency=1)
    finally:
        await client.aclose()
    assert [d["id"] for _, d in batch.results] == [IOCS["ip"]]
    assert batch.stopped is not None and batch.stopped[0].where == "1"


def test_read_inputs_refuses_two_dashes():
    from vttui.vt.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        read_inputs(["-", "-"], io.StringIO("x\n"))
    pairs, used = read_inputs(["a", "-"], io.StringIO("b\n\n#c\nd\n"))
    assert used and pairs == [("a", "argument 1"), ("b", "stdin line 1"), ("d", "stdin line 4")]
    with pytest.raises(Exception) as err:
        classify_inputs([])
    assert "No indicators" in str(err.value)


# --- a real process ---------------------------------------------------------------------


def test_subprocess_smoke(tmp_path):
    env = dict(os.environ, VTTUI_CONFIG_DIR=str(tmp_path))
    env.pop("VT_API_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "vttui", "lookup", "--demo", IOCS["url"], IOCS["ip"], "-f", "xml", "-t", "essential"],
        capture_output=True, text=True, env=env, timeout=60, cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    root = ET.fromstring(proc.stdout.encode())
    assert [o.get("type") for o in root.findall("object")] == ["url", "ip_address"]
    assert KEY not in proc.stdout + proc.stderr


async def test_batch_survives_one_per_minute_quota_error():
    import httpx
    import respx

    from vttui.cli.lookup import lookup_batch as batch_lookup

    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    base = "https://vt.test/api/v3"
    limiter = RateLimiter(per_minute=60, per_day=500, clock=lambda: now[0], sleep=fake_sleep)
    with respx.mock:
        route = respx.get(f"{base}/domains/a.test").mock(side_effect=[
            httpx.Response(429, json={"error": {"code": "QuotaExceededError", "message": "x"}}),
            httpx.Response(200, json={"data": {"type": "domain", "id": "a.test", "attributes": {}}}),
        ])
        client = VTClient(KEY, base_url=base, limiter=limiter, sleep=fake_sleep, trust_env=False)
        try:
            batch = await batch_lookup(client, [Input(classify("a.test"), "line 1")])
        finally:
            await client.aclose()
    assert route.call_count == 2 and batch.stopped is None
    assert [d["id"] for _, d in batch.results] == ["a.test"]
    assert now[0] >= 60  # it waited for the window instead of hammering

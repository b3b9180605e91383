"""`vttui extract`, `triage`, `search` and `collection` in process against the demo: output,
exit codes and what each run costs in requests."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from vttui.cli import COMMAND_NAMES, commands, main
from vttui.demo import NOT_FOUND_SHA256, TICKET_IOC_COUNT, demo_iocs, triage_ticket
from vttui.demo import catalogue as C
from vttui.vt.client import VTClient
from vttui.vt.ioc import extract

IOCS = demo_iocs()


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(folder))
    for var in ("VT_API_KEY", "VTCLI_APIKEY", "VTTUI_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return folder


@pytest.fixture
def premium(config):
    (config / "config.toml").write_text('[quota]\ntier = "premium"\n')


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


@pytest.fixture
def ticket(tmp_path):
    path = tmp_path / "ticket.txt"
    path.write_text(triage_ticket())
    return path


def run(capsys, monkeypatch, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def requests(clients) -> int:
    return sum(c.stats.requests for c in clients)


def test_the_commands_are_known_without_importing_them():
    assert {"triage", "extract", "search", "collection"} <= COMMAND_NAMES
    names = set(commands.build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert names >= COMMAND_NAMES


# --- extract ---------------------------------------------------------------------------------


def test_extract_needs_no_key_and_spends_nothing(capsys, monkeypatch, clients, ticket):
    code, out, err = run(capsys, monkeypatch, "extract", str(ticket))
    assert code == 0 and err == "" and clients == []  # no client was even built
    assert out.splitlines() == [i.value for i in extract(triage_ticket())]
    assert len(out.splitlines()) == TICKET_IOC_COUNT


def test_extract_defanged_json_csv_and_stdin(capsys, monkeypatch, clients):
    text = "mail from hxxp://evil[.]example/x, relay 198.51.100.23 and " + "a" * 64
    code, out, _ = run(capsys, monkeypatch, "extract", "-", "--defang", stdin=text)
    assert code == 0 and out.splitlines() == ["hxxp://evil[.]example/x", "198.51.100[.]23", "a" * 64]
    code, out, _ = run(capsys, monkeypatch, "extract", "-", "--format", "json", stdin=text)
    assert json.loads(out) == [{"ioc": "http://evil.example/x", "type": "url"},
                               {"ioc": "198.51.100.23", "type": "ipv4"}, {"ioc": "a" * 64, "type": "sha256"}]
    code, out, _ = run(capsys, monkeypatch, "extract", "-", "--format", "csv", "--defang", stdin=text)
    assert list(csv.reader(io.StringIO(out)))[1] == ["hxxp://evil[.]example/x", "url"]
    code, out, err = run(capsys, monkeypatch, "extract", "-", stdin="nothing here")
    assert code == 0 and out == "" and "no indicators" in err
    assert clients == []


def test_extract_of_a_missing_file_is_exit_2(capsys, monkeypatch, tmp_path):
    code, out, err = run(capsys, monkeypatch, "extract", str(tmp_path / "nope.txt"))
    assert code == 2 and out == "" and err.startswith("vttui: error: Cannot read")


# --- triage --------------------------------------------------------------------------------------


def test_triage_prints_one_row_per_indicator(capsys, monkeypatch, clients, ticket):
    code, out, err = run(capsys, monkeypatch, "triage", "--demo", str(ticket), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["ioc"] for r in rows] == [i.value for i in extract(triage_ticket())]
    by_ioc = {r["ioc"]: r for r in rows}
    assert by_ioc[C.C2_IP]["ratio"] == "9/91" and by_ioc[C.C2_IP]["asn"] == 64501
    assert by_ioc[NOT_FOUND_SHA256]["status"] == "not found"
    assert requests(clients) == TICKET_IOC_COUNT  # one request per indicator, none twice
    assert f"{TICKET_IOC_COUNT} indicators" in err and "2 not found" in err


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_triage_defanged(capsys, monkeypatch, ticket, fmt):
    code, out, _ = run(capsys, monkeypatch, "triage", "--demo", str(ticket), "--format", fmt, "--defang")
    assert code == 0
    assert "api.update-relay.test" not in out and "198.51.100.23" not in out and IOCS["detected_file"] in out


def test_triage_defang_with_json_fails_before_any_request(capsys, monkeypatch, clients, ticket):
    code, out, err = run(capsys, monkeypatch, "triage", "--demo", str(ticket), "--format", "json", "--defang")
    assert code == 2 and out == "" and "--defang" in err and requests(clients) == 0


def test_triage_from_stdin_with_nothing_in_it(capsys, monkeypatch, clients):
    code, out, err = run(capsys, monkeypatch, "triage", "--demo", "-", "--format", "csv", stdin="no iocs, e.g. 3.2")
    assert code == 0 and out.splitlines()[0].startswith("ioc,type") and len(out.splitlines()) == 1
    assert requests(clients) == 0


# --- search --------------------------------------------------------------------------------------


def test_search_on_a_public_key_is_exit_4_after_one_request(capsys, monkeypatch, clients):
    code, out, err = run(capsys, monkeypatch, "search", "--demo", "type:peexe", "p:5+")
    assert code == 4 and out == ""
    assert err.strip() == ("vttui: error: Intelligence search needs a premium key; this VirusTotal key is not "
                           "allowed to search (it answered 403). Nothing else is affected.")
    assert requests(clients) == 1


def test_search_pages_with_a_cursor(capsys, monkeypatch, clients, premium):
    code, out, err = run(capsys, monkeypatch, "search", "--demo", IOCS["search_query"], "-n", "3", "-f", "json")
    assert code == 0, err
    first = [d["id"] for d in json.loads(out)]
    assert len(first) == 3 and "3 of " in err
    cursor = next(line.split(": ", 1)[1] for line in err.splitlines() if line.startswith("next cursor: "))
    code, out, err = run(capsys, monkeypatch, "search", "--demo", IOCS["search_query"], "-n", "3", "-f", "json",
                         "--cursor", cursor)
    second = [d["id"] for d in json.loads(out)]
    assert code == 0 and len(second) == 3 and not set(first) & set(second)


def test_search_all_in_every_format(capsys, monkeypatch, premium):
    code, out, err = run(capsys, monkeypatch, "search", "--demo", "entity:ip", "--all", "-f", "csv")
    assert code == 0 and "next cursor" not in err
    assert {r["id"] for r in csv.DictReader(io.StringIO(out))} == set(C.IPS)
    code, out, _ = run(capsys, monkeypatch, "search", "--demo", "entity:ip", "tag:sinkhole")
    assert code == 0 and C.SINKHOLE in out and out.startswith("Type")
    code, out, err = run(capsys, monkeypatch, "search", "--demo", "colour:red")
    assert code == 2 and "Unsupported search modifier" in err


# --- collection ----------------------------------------------------------------------------------


def test_collection_alone_is_one_request(capsys, monkeypatch, clients):
    code, out, err = run(capsys, monkeypatch, "collection", "--demo", IOCS["collection"], "-f", "markdown")
    assert code == 0, err
    assert out.startswith("# Collection: Vexbot loader") and "## Description" in out
    assert requests(clients) == 1


def test_collection_with_its_iocs(capsys, monkeypatch, clients):
    code, out, err = run(capsys, monkeypatch, "collection", "--demo", IOCS["collection"], "--iocs", "-f", "json",
                         "-n", "2")
    assert code == 0, err
    body = json.loads(out)
    assert body["collection"]["id"] == IOCS["collection"]
    assert {k: len(v) for k, v in body["iocs"].items()} == {"files": 2, "domains": 2, "urls": 2, "ip_addresses": 2}
    assert "next cursor for files: " in err and requests(clients) == 5
    cursor = next(line.split(": ", 1)[1] for line in err.splitlines() if line.startswith("next cursor for files"))
    code, out, err = run(capsys, monkeypatch, "collection", "--demo", IOCS["collection"], "--iocs", "files",
                         "--cursor", cursor, "-f", "json", "-n", "10")
    assert code == 0 and len(json.loads(out)["iocs"]["files"]) == 3 and "next cursor" not in err


def test_collection_errors(capsys, monkeypatch, clients):
    code, _, err = run(capsys, monkeypatch, "collection", "--demo", "nope")
    assert code == 3 and "no record" in err
    code, _, err = run(capsys, monkeypatch, "collection", "--demo", IOCS["collection"], "--cursor", "x")
    assert code == 2 and "one kind" in err

"""Exports and the trail (issue 14): names, never overwriting, one object per file, a
not-found search, one engine total, and the same CSV columns for one IOC or many."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import pytest

from vttui.export import render
from vttui.export.files import ExportExistsError, PartialFile, free_path, target_exists, write_atomic
from vttui.export.names import export_filename, export_path, file_safe_id, trail_filename, trail_path
from vttui.export.trail import Trail
from vttui.export.trail_export import export_trail, trail_data
from vttui.vt.models import wrap
from vttui.vt.refs import ObjectRef

SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
MD5 = "44d88612fea8a8f36de82e1278abb02f"
SHA1 = "3395856ce81f2b7382dee72602f798b642f14140"


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "ident", "expected"), [
    ("file", SHA256, f"file-{SHA256}.md"),
    ("domain", "evil.example", "domain-evil.example.md"),
    ("ip_address", "198.51.100.7", "ip_address-198.51.100.7.md"),
    ("ip_address", "2001:db8::1", "ip_address-2001_db8__1.md"),
])
def test_default_names_hold_the_full_id(kind, ident, expected):
    assert export_filename(kind, ident, ".md") == expected


@pytest.mark.parametrize("ident", ["aHR0cHM6Ly9ldmlsLmV4YW1wbGUvbG9naW4/cT0x", "ünïcode.example", "../../etc/passwd",
                                   "a" * 300, "-rf", "..", "évil…"])
def test_ids_that_cannot_be_a_file_name_become_a_plain_short_id(ident):
    name = export_filename("url", ident, "json")
    assert name.isascii() and "…" not in name and "/" not in name and name.endswith(".json")
    stem = file_safe_id(ident)
    assert stem.startswith("id-") and len(stem) == 19
    assert file_safe_id(ident) == stem  # stable: the same object, the same name


def test_export_path_is_absolute_and_never_an_existing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = export_path(".", "file", SHA256, ".md")
    assert first.is_absolute() and first == tmp_path / f"file-{SHA256}.md"
    first.write_text("earlier export")
    second = export_path(".", "file", SHA256, ".md")
    assert second == tmp_path / f"file-{SHA256}-2.md" and not second.exists()
    assert export_path(".", "file", SHA256, ".md", avoid_existing=False) == first


def test_trail_names_are_dated_and_free(tmp_path):
    when = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.UTC)
    assert trail_filename(".md", when) == "vttui-trail-20261123-0905.md"
    path = trail_path(tmp_path, ".md", when)
    path.write_text("x")
    assert trail_path(tmp_path, ".md", when).name == "vttui-trail-20261123-0905-2.md"


# --- never overwrite without being told ---------------------------------------------------------


def test_write_atomic_refuses_an_existing_file_unless_told(tmp_path):
    target = tmp_path / "vttui-trail.md"
    target.write_text("the first investigation")
    assert target_exists(target)
    with pytest.raises(ExportExistsError) as info:
        write_atomic(target, "the second")
    assert info.value.exit_code == 7 and "already exists" in info.value.message
    assert target.read_text() == "the first investigation"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vttui-trail.md"]  # no temp file left
    write_atomic(target, "the second", overwrite=True)
    assert target.read_text() == "the second"


def test_a_link_counts_as_existing(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    assert target_exists(tmp_path / "link")
    with pytest.raises(ExportExistsError):
        write_atomic(tmp_path / "link", "x")
    assert free_path(tmp_path / "link").name == "link-2"


def test_a_file_that_appears_during_a_long_list_is_not_replaced(tmp_path):
    target = tmp_path / "related.json"
    sink = PartialFile(target)
    sink.write("[]")
    target.write_text("someone else's")  # appeared while pages were arriving
    with pytest.raises(ExportExistsError):
        sink.commit()
    assert target.read_text() == "someone else's" and sorted(p.name for p in tmp_path.iterdir()) == ["related.json"]


# --- the CLI: -o refuses an existing file before any request, --force replaces ------------------


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    from vttui.cli import main

    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path / "config"))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("argv", [
    ["lookup", "--demo", "198.51.100.7"],
    ["relations", "--demo", "evil.example", "resolutions"],
    ["extract", "-"],
])
def test_cli_refuses_to_replace_an_export_without_force(cli, tmp_path, argv, monkeypatch):
    from vttui.cli import commands

    monkeypatch.setattr(commands, "make_client", lambda *a, **k: pytest.fail("no client before the refusal"))
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    code, out, err = cli(*argv, "-o", str(target))
    assert code == 7 and "already exists" in err and "--force" in err
    assert target.read_text() == "keep me"


def test_force_replaces(cli, tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("see 198.51.100[.]7\n"))
    target = tmp_path / "out.txt"
    target.write_text("old")
    code, _out, err = cli("extract", "-", "-o", str(target), "--force")
    assert code == 0, err
    assert target.read_text() == "198.51.100.7\n"


# --- the trail -------------------------------------------------------------------------------------


def file_obj(**stats):
    return wrap({"type": "file", "id": SHA256, "attributes": {
        "md5": MD5, "sha1": SHA1, "sha256": SHA256, "meaningful_name": "eicar.com",
        "last_analysis_stats": stats or {"malicious": 61, "undetected": 7, "type-unsupported": 3}}})


def test_a_file_is_one_object_by_md5_or_sha256():
    t = Trail()
    t.visit(ObjectRef("file", SHA256))
    t.loaded(SimpleNamespace(ref=ObjectRef("file", SHA256)), file_obj())
    t.visit(ObjectRef("file", MD5))  # searched again by its MD5 (before or without a reload)
    t.visit(ObjectRef("file", SHA1.upper()))
    assert len(t) == 1 and list(t.visits.values())[0].ref.id == SHA256
    assert t.same_object(ObjectRef("file", MD5), ObjectRef("file", SHA256))
    domain = ObjectRef("domain", "evil.example")
    t.visit(domain, via=SimpleNamespace(source=ObjectRef("file", MD5), relationship="contacted_domains"))
    data = trail_data(t)
    assert [v["id"] for v in data["visits"]] == [SHA256, "evil.example"]
    assert data["pivots"][0]["from"] == {"type": "file", "id": SHA256}
    assert export_trail(t, "dot").count("label=\"file:") == 1  # one node, not one per hash


def test_md5_first_then_sha256_is_still_one_object_in_first_visit_order():
    t = Trail()
    t.visit(ObjectRef("file", MD5))
    t.visit(ObjectRef("domain", "evil.example"))
    t.visit(ObjectRef("file", SHA256))  # a second search, by the other hash, before loading
    t.loaded(SimpleNamespace(ref=ObjectRef("file", MD5)), file_obj())
    assert [v.ref for v in t.visits.values()] == [ObjectRef("file", SHA256), ObjectRef("domain", "evil.example")]


def test_a_not_found_search_is_recorded_as_not_found_with_the_reason():
    t = Trail()
    url = ObjectRef("url", "a" * 64)
    t.visit(url, title="hxxp://nothing[.]example/x")
    t.failed(url, "VirusTotal has no record of this URL.", not_found=True)
    visit = t.visits[("url", "a" * 64)]
    assert visit.verdict == "not found" and visit.note == "VirusTotal has no record of this URL."
    md = export_trail(t, "markdown")
    assert "not found" in md and "no record of this URL" in md and "not loaded" not in md
    assert json.loads(export_trail(t, "json"))["visits"][0]["note"] == visit.note
    mermaid = export_trail(t, "mermaid")
    assert "classDef notfound" in mermaid and "class n0 notfound" in mermaid
    t.failed(ObjectRef("domain", "x.example"), "The network is down.")
    assert t.visits[("domain", "x.example")].verdict == "error"


def test_a_repeated_search_of_the_current_object_adds_no_step():
    t = Trail()
    host = ObjectRef("domain", "c2.badsite.test")
    t.visit(host)
    t.visit(host)
    t.visit(host, via=SimpleNamespace(source=host, relationship="siblings"))  # no self-pivot either
    assert len(t) == 1 and t.pivots == []
    assert "c2.badsite.test › c2.badsite.test" not in export_trail(t, "markdown")


# --- one engine total, one set of CSV columns, resolutions with counts -----------------------------


def test_markdown_and_the_tui_share_one_engine_total():
    obj = {"type": "file", "id": SHA256, "attributes": {
        "last_analysis_stats": {"malicious": 61, "undetected": 7, "type-unsupported": 3},
        "last_analysis_results": {
            **{f"M{n}": {"category": "malicious", "result": "x"} for n in range(61)},
            **{f"U{n}": {"category": "undetected"} for n in range(7)},
            **{f"T{n}": {"category": "type-unsupported"} for n in range(3)}}}}
    text = render(obj, "markdown")
    assert wrap(obj).engines_answered == 68
    assert "61 of 68 engines flagged it malicious" in text
    assert "## Detections (61 of 68 engines flagged it; 3 could not scan it)" in text
    assert "of 71" not in text


def test_the_total_without_stats_counts_engines_that_answered():
    obj = wrap({"type": "url", "id": "u", "attributes": {"last_analysis_results": {
        "A": {"category": "malicious"}, "B": {"category": "harmless"}, "C": {"category": "timeout"}}}})
    assert obj.engines_answered == 2


def test_one_iocs_csv_has_the_columns_of_many():
    one = list(csv.reader(io.StringIO(render(file_obj().raw | {}, "csv"))))
    from vttui.export import render_batch

    many = list(csv.reader(io.StringIO(render_batch([file_obj().raw, file_obj().raw], "csv"))))
    assert one[0] == many[0] and one[0][:2] == ["object_type", "object_id"]


def resolution(ip_stats, host_stats):
    return {"type": "resolution", "id": "198.51.100.7evil.example", "attributes": {
        "ip_address": "198.51.100.7", "host_name": "evil.example", "date": 1700000000,
        "ip_address_last_analysis_stats": ip_stats, "host_name_last_analysis_stats": host_stats}}


def test_the_resolutions_csv_fills_malicious_and_harmless():
    item = resolution({"malicious": 5, "harmless": 60, "undetected": 20, "suspicious": 1},
                      {"malicious": 9, "harmless": 50, "undetected": 10, "suspicious": 0})
    rows = list(csv.DictReader(io.StringIO(render([item], "csv", source_type="domain"))))
    assert (rows[0]["malicious"], rows[0]["harmless"]) == ("5", "60")  # from a domain: the IP's verdict
    rows = list(csv.DictReader(io.StringIO(render([item], "csv", source_type="ip_address"))))
    assert (rows[0]["malicious"], rows[0]["harmless"]) == ("9", "50")  # from an IP: the host name's
    assert (rows[0]["ip_malicious"], rows[0]["host_malicious"], rows[0]["host_harmless"]) == ("5", "9", "50")
    rows = list(csv.DictReader(io.StringIO(render([item], "csv"))))
    assert rows[0]["malicious"] == "5"  # no source known: the IP's


def test_relations_resolutions_csv_from_the_cli(tmp_path, monkeypatch, capsys):
    from vttui.cli import main
    from vttui.demo import demo_iocs

    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))
    assert main(["relations", "--demo", demo_iocs()["domain"], "resolutions", "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["malicious"] != "" and r["harmless"] != "" for r in rows)

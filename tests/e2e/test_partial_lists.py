"""Paged lists against a server that fails half way or loops (issue 16 items 2 and 3).

``relations --all`` and ``comments --all`` keep what arrived: line formats are written
as they come, JSON and XML close validly, ``-o FILE`` holds what arrived, stderr says
where it stopped and gives the cursor to resume, exit 6. A cursor that does not
advance, or an empty page with a cursor, stops the walk without repeating an item.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from tests.support.investigation import DOMAIN, FILE
from tests.support.misbehaving import Pages, api_path_endswith, comment_item

pytestmark = pytest.mark.e2e

RELATED = api_path_endswith(f"/files/{FILE}/contacted_domains")
COMMENTS = api_path_endswith(f"/domains/{DOMAIN}/comments")


def cursor_of(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("next cursor: ")]
    assert len(lines) == 1, err
    return lines[0].removeprefix("next cursor: ")


def ids_in(out: str, fmt: str) -> list[str]:
    if fmt == "json":
        return [item["id"] for item in json.loads(out)]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][:2] == ["id", "type"]
        return [row[0] for row in rows[1:]]
    if fmt == "xml":
        return [obj.get("id") for obj in ET.fromstring(out.encode()).findall("object")]
    assert fmt == "markdown"
    return [line.split(" | ")[2] for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]


EXPECTED = [f"d{n:04d}.example.com" for n in range(200)]


# --- item 2: a failing page keeps what arrived --------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "xml"])
def test_relations_all_keeps_the_pages_before_a_failing_one(cli, serve, fmt):
    pages = Pages(total=200, only=RELATED, fail_page=3)
    cli.point_at(serve(pages))
    result = cli.run("relations", FILE, "contacted_domains", "--all", "--format", fmt)
    assert result.code == 6, result.err
    assert ids_in(result.out, fmt) == EXPECTED[:80]
    assert "stopped after 80 items" in result.err and "page 3" in result.err
    cursor = cursor_of(result.err)

    pages.fail_page = None  # the server recovers: the printed cursor continues exactly there
    rest = cli.run("relations", FILE, "contacted_domains", "--all", "--format", fmt, "--cursor", cursor)
    assert rest.code == 0, rest.err
    assert ids_in(result.out, fmt) + ids_in(rest.out, fmt) == EXPECTED


def test_relations_all_to_a_file_keeps_what_arrived(cli, serve, tmp_path):
    cli.point_at(serve(Pages(total=200, only=RELATED, fail_page=3)))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "related.json"
    result = cli.run("relations", FILE, "contacted_domains", "--all", "-o", str(target))
    assert result.code == 6, result.err
    assert result.out == ""
    assert [item["id"] for item in json.loads(target.read_text())] == EXPECTED[:80]
    assert target.stat().st_mode & 0o777 == 0o600
    assert cursor_of(result.err) == "c3"
    assert [p.name for p in out_dir.iterdir()] == ["related.json"]  # no temp file left


def test_relations_failing_on_the_first_page_writes_nothing(cli, serve, tmp_path):
    cli.point_at(serve(Pages(total=200, only=RELATED, fail_page=1)))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = cli.run("relations", FILE, "contacted_domains", "--all", "-o", str(out_dir / "related.json"))
    assert result.code == 6 and result.out == ""
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_comments_all_keeps_the_pages_before_a_failing_one(cli, serve, fmt):
    pages = Pages(total=120, only=COMMENTS, fail_page=3, item=comment_item)
    cli.point_at(serve(pages))
    result = cli.run("comments", DOMAIN, "--all", "--format", fmt)
    assert result.code == 6, result.err
    if fmt == "json":
        doc = json.loads(result.out)
        assert [c["id"] for c in doc["data"]] == [f"c-{n:04d}" for n in range(80)]
        assert doc["meta"]["cursor"] == "c3" and doc["meta"]["complete"] is False
    else:
        assert [line.strip() for line in result.out.splitlines() if "comment number" in line] == [
            f"comment number {n}" for n in range(80)]
    assert "stopped after 80 comments" in result.err and cursor_of(result.err) == "c3"


# --- item 3: a cursor that does not advance ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_repeated_cursor_stops_without_repeating_items(cli, serve, fmt):
    pages = Pages(total=200, only=RELATED, stuck_after=2)
    cli.point_at(serve(pages))
    result = cli.run("relations", FILE, "contacted_domains", "--all", "--format", fmt)
    got = ids_in(result.out, fmt)
    assert len(got) == len(set(got)), f"{len(got) - len(set(got))} repeated items"
    assert got == EXPECTED[:43]
    assert result.code == 6
    assert "did not advance" in result.err and "next cursor" not in result.err
    assert len(pages.requests) == 2


def test_an_empty_page_with_a_cursor_stops_and_keeps_the_cursor(cli, serve):
    pages = Pages(total=200, only=RELATED, empty_from=2)
    cli.point_at(serve(pages))
    result = cli.run("relations", FILE, "contacted_domains", "--all")
    assert result.code == 6, result.err
    assert ids_in(result.out, "json") == EXPECTED[:40]
    assert "empty page" in result.err and cursor_of(result.err) == "c3"
    assert len(pages.requests) == 2


def test_comments_with_a_repeated_cursor_stop(cli, serve):
    pages = Pages(total=120, only=COMMENTS, stuck_after=2, item=comment_item)
    cli.point_at(serve(pages))
    result = cli.run("comments", DOMAIN, "--all", "--format", "json")
    ids = [c["id"] for c in json.loads(result.out)["data"]]
    assert ids == [f"c-{n:04d}" for n in range(43)]
    assert result.code == 6 and "did not advance" in result.err


# --- item 8: --limit beyond what one run fetches -------------------------------------------------


def test_a_huge_limit_is_bounded_and_said(cli, serve):
    pages = Pages(total=200, only=RELATED)
    cli.point_at(serve(pages))
    result = cli.run("relations", FILE, "contacted_domains", "--limit", "99999999999999999999")
    assert result.code == 0, result.err
    assert "fetching at most 10,000" in result.err
    assert ids_in(result.out, "json") == EXPECTED


def test_a_huge_comments_limit_is_bounded_and_said(cli, serve):
    cli.point_at(serve(Pages(total=50, only=COMMENTS, item=comment_item)))
    result = cli.run("comments", DOMAIN, "--limit", "99999999999999999999", "--format", "json")
    assert result.code == 0, result.err
    assert "fetching at most 10,000" in result.err
    assert len(json.loads(result.out)["data"]) == 50

"""CSV export: detections and relationship lists that parse back, with formulas defused."""

from __future__ import annotations

import csv
import io

import pytest

from tests.unit.test_export_data import NASTY, hostile_file, hostile_objects, sample_objects
from vttui.export import render, render_batch
from vttui.export.csv_out import DETECTION_COLUMNS, PAGE_BASE, safe_cell


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_detections_of_a_real_file():
    obj = next(o for n, o in sample_objects() if "dotnet_binary" in n)
    table = rows(render(obj, "csv"))
    assert table[0] == ["object_type", "object_id"] + DETECTION_COLUMNS  # as a batch has (issue 14)
    assert {tuple(r[:2]) for r in table[1:]} == {("file", obj["id"])}
    body = [r[2:] for r in table[1:]]
    assert len(body) == len(obj["attributes"]["last_analysis_results"])
    assert body[0][:3] == ["Bkav", "malicious", "W32.AIDetectNet.01"]  # most severe first
    bkav = obj["attributes"]["last_analysis_results"]["Bkav"]
    assert body[0][3:] == [bkav["method"], bkav["engine_version"], bkav["engine_update"]]
    assert {r[1] for r in body[4:]} <= {
        "undetected",
        "type-unsupported",
        "timeout",
        "harmless",
        "failure",
        "confirmed-timeout",
    }


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "' =x"), ("\r=x", "' =x"), ("ok=1", "ok=1"), ("a\nb", "a b"), (5, 5), (-5, -5), (None, ""),
])
def test_formula_injection_is_defused(value, expected):
    assert safe_cell(value) == expected


def test_hostile_cells_stay_one_line_and_defused():
    obj = hostile_file()
    obj["attributes"]["last_analysis_results"]["=HYPERLINK(\"http://evil\")"] = {
        "category": "malicious", "result": "@cmd|' /C calc'!A0", "method": "-2+3"}
    table = [r[2:] for r in rows(render(obj, "csv"))]
    assert all(len(r) == len(DETECTION_COLUMNS) for r in table)
    evil = next(r for r in table if "HYPERLINK" in r[0])
    assert evil[0].startswith("'=") and evil[2].startswith("'@") and evil[3] == "'-2+3"
    for row in table:
        for cell in row:
            assert "\n" not in cell and "\x1b" not in cell and not cell.startswith(("=", "+", "-", "@"))


def test_page_columns_follow_the_item_types():
    files = [o for n, o in sample_objects() if o.get("type") == "file"][:3]
    table = rows(render(files, "csv"))
    assert table[0] == PAGE_BASE + ["meaningful_name", "size", "type_description"]
    assert [r[0] for r in table[1:]] == [f["id"] for f in files]
    mixed = rows(render(hostile_objects(), "csv"))
    header = mixed[0]
    for column in ("meaningful_name", "url", "registrar", "as_owner", "country", "host_name", "ip_address", "date"):
        assert column in header
    assert all(len(r) == len(header) for r in mixed)
    ip_row = next(r for r in mixed if r[1] == "ip_address")
    assert ip_row[header.index("harmless")] == "3" and ip_row[header.index("malicious")] == "0"
    assert ip_row[header.index("suspicious")] == ""  # absent, not zero


def test_resolution_rows():
    items = [o for n, o in sample_objects() if o.get("type") == "resolution"]
    assert items
    table = rows(render(items, "csv"))
    header = table[0]
    for item, row in zip(items, table[1:], strict=True):
        assert row[header.index("host_name")] == item["attributes"]["host_name"]
        assert row[header.index("ip_address")] == item["attributes"]["ip_address"]
        assert row[header.index("date")].endswith("Z")


def test_batch_names_each_object():
    objs = [
        o
        for n, o in sample_objects()
        if o.get("type") in ("file", "domain") and o.get("attributes", {}).get("last_analysis_results")
    ][:3]
    table = rows(render_batch(objs, "csv"))
    assert table[0] == ["object_type", "object_id"] + DETECTION_COLUMNS
    ids = [r[1] for r in table[1:]]
    assert ids == sorted(ids, key=[o["id"] for o in objs].index)  # grouped, in input order
    assert set(ids) == {o["id"] for o in objs}


def test_empty_and_garbage():
    assert rows(render({}, "csv")) == [["object_type", "object_id"] + DETECTION_COLUMNS]
    assert rows(render([], "csv")) == [PAGE_BASE]
    assert rows(render({"type": "file", "attributes": {"last_analysis_results": NASTY}}, "csv")) == [
        ["object_type", "object_id"] + DETECTION_COLUMNS]

"""XML export: well-formed for every real sample and every hostile object, names made valid."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_export_data import (
    HOSTILE_KEYS,
    NASTY,
    deep,
    hostile_file,
    hostile_objects,
    sample_bodies,
    sample_objects,
)
from vttui.export import render, render_batch
from vttui.export.xml_out import MAX_DEPTH, to_xml, xml_name

NAME_OK = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("name, body", sample_bodies(), ids=[n[:60] for n, _ in sample_bodies()])
@pytest.mark.parametrize("template", [None, "essential"])
def test_every_sample_parses(name, body, template):
    root = parse(render(body, "xml", template=template))
    assert root.tag == "vttui-export"
    objects = root.findall("object")
    assert int(root.get("count")) == len(objects)


@pytest.mark.parametrize("index", range(len(hostile_objects())))
def test_every_hostile_object_parses(index):
    obj = hostile_objects()[index]
    for template in (None, "essential", "detections", "network"):
        root = parse(render(obj, "xml", template=template))
        for el in root.iter():
            assert NAME_OK.match(el.tag), el.tag
            for value in list(el.attrib.values()) + [el.text or ""]:
                assert "\x1b" not in value and "\x00" not in value and "\ufffe" not in value


def test_batch_and_page_have_one_root():
    root = parse(render_batch(hostile_objects(), "xml"))
    assert root.tag == "vttui-export" and len(root.findall("object")) == len(hostile_objects())
    page = parse(render(hostile_objects(), "xml", relationship="contacted_domains", source=NASTY))
    assert page.get("relationship") == "contacted_domains"
    assert "<script>" in page.get("source")  # text, escaped by the writer, restored by the parser


def test_engine_names_keep_their_original_key():
    root = parse(render(hostile_file(), "xml"))
    results = root.find("object/attributes/last_analysis_results")
    by_key = {el.get("key", el.tag): el for el in results}
    assert by_key["Sangfor Engine Zero"].tag == "Sangfor_Engine_Zero"
    assert by_key["Dr.Web"].tag == "Dr.Web" and by_key["Dr.Web"].get("key") is None
    assert by_key["Trend Micro"].find("category").text == "malicious"


@pytest.mark.parametrize("key", HOSTILE_KEYS + [None, 5, "xml", "Xml-thing", "ok_name", "a.b-c"])
def test_xml_name_is_always_valid(key):
    name = xml_name(key)
    assert NAME_OK.match(name) and not name.lower().startswith("xml")
    parse(f"<{name}/>")


def test_values_types_and_dates():
    obj = {"type": "file", "id": "x", "attributes": {
        "size": 5, "ratio": 0.5, "flag": True, "gone": None, "nan": float("nan"),
        "names": ["a", "b"], "empty": [], "first_submission_date": 1502841089, "1st": "v",
    }}
    attrs = parse(render(obj, "xml")).find("object/attributes")
    assert attrs.find("size").text == "5" and attrs.find("size").get("type") == "int"
    assert attrs.find("ratio").get("type") == "float" and float(attrs.find("ratio").text) == 0.5
    assert attrs.find("flag").text == "true" and attrs.find("flag").get("type") == "bool"
    assert attrs.find("gone").get("null") == "true" and attrs.find("nan").get("null") == "true"
    assert [i.text for i in attrs.find("names")] == ["a", "b"] and attrs.find("names").get("list") == "true"
    assert attrs.find("first_submission_date").get("iso") == "2017-08-15T23:51:29Z"
    assert attrs.find("_1st").get("key") == "1st" and attrs.find("_1st").text == "v"


def test_text_is_escaped_and_cleaned():
    obj = {"type": "file", "id": "a<b>&\"'", "attributes": {"x": "]]> <a>&amp; \x00\x1b[31m\ud800\uffff ok"}}
    root = parse(render(obj, "xml"))
    assert root.find("object").get("id") == "a<b>&\"'"
    text = root.find("object/attributes/x").text
    assert text.startswith("]]> <a>&amp; ") and text.endswith(" ok")
    assert "\x1b" not in text and "\uffff" not in text and "\ud800" not in text


def test_deep_nesting_is_bounded():
    root = parse(to_xml([{"type": "x", "id": "y", "attributes": {"deep": deep(1000)}}]))
    depth = max(_depth(root), 0)
    assert depth <= MAX_DEPTH + 3
    assert any(el.get("truncated") == "true" for el in root.iter())


def _depth(el: ET.Element) -> int:
    return 1 + max((_depth(c) for c in el), default=0)


def test_empty_list_gives_an_empty_root():
    root = parse(render([], "xml"))
    assert root.tag == "vttui-export" and root.get("count") == "0" and len(root) == 0


def test_all_sample_objects_in_one_batch():
    objects = [o for _, o in sample_objects()]
    root = parse(render_batch(objects, "xml"))
    assert len(root.findall("object")) == len(objects)


json_any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_any, max_size=5), st.text(), st.text())
def test_property_anything_parses(attrs, obj_type, obj_id):
    parse(render({"type": obj_type, "id": obj_id, "attributes": attrs}, "xml"))

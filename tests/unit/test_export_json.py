"""JSON and raw exports: valid, deterministic, round-tripping, with ISO dates beside epochs."""

from __future__ import annotations

import copy
import json
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_export_data import deep, equal_modulo, hostile_file, hostile_objects, sample_bodies, sample_objects
from vttui.export import json_out, render, render_batch
from vttui.export.json_out import ISO_SUFFIX, dump_raw, dumps, is_date_key, iso_date


def strip_iso(value: Any, original: Any) -> Any:
    """``value`` without the ``*_iso`` siblings the export added (those absent from ``original``)."""
    if isinstance(value, dict) and isinstance(original, dict):
        return {
            k: strip_iso(v, original.get(k))
            for k, v in value.items()
            if not (k.endswith(ISO_SUFFIX) and k not in original and k[: -len(ISO_SUFFIX)] in original)
        }
    if isinstance(value, list) and isinstance(original, list):
        return [strip_iso(v, o) for v, o in zip(value, original, strict=False)]
    return value


def added_iso_keys(value: Any, original: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(value, dict) and isinstance(original, dict):
        for k, v in value.items():
            if k.endswith(ISO_SUFFIX) and k not in original:
                found.append(path + k)
            else:
                found += added_iso_keys(v, original.get(k), path + k + ".")
    elif isinstance(value, list) and isinstance(original, list):
        for i, (v, o) in enumerate(zip(value, original, strict=False)):
            found += added_iso_keys(v, o, f"{path}{i}.")
    return found


@pytest.mark.parametrize("name, body", sample_bodies(), ids=[n[:60] for n, _ in sample_bodies()])
def test_every_sample_round_trips(name, body):
    objects = render(body, "json")
    parsed = json.loads(objects)
    data = body.get("data") if isinstance(body, dict) and "data" in body else body
    if isinstance(data, list):
        expected = [d for d in data if isinstance(d, dict)]
    else:
        expected = data if isinstance(data, dict) else {}
    assert strip_iso(parsed, expected) == expected
    # raw is the reply itself, byte for byte as data
    assert json.loads(render(body, "raw")) == body


def test_date_siblings_on_real_file():
    obj = next(o for n, o in sample_objects() if "dotnet_binary" in n)
    attrs = json.loads(render(obj, "json"))["attributes"]
    assert attrs["first_submission_date"] == 1502841089
    assert attrs["first_submission_date_iso"] == "2017-08-15T23:51:29Z"
    assert attrs["last_analysis_date_iso"].endswith("Z")
    # every ISO sibling sits beside a date key, and nothing else changed
    added = added_iso_keys(attrs, obj["attributes"])
    assert added and all(is_date_key(k.rsplit(".", 1)[-1][: -len(ISO_SUFFIX)]) for k in added)


def test_certificate_validity_strings_get_iso():
    obj = {"type": "domain", "id": "d", "attributes": {"last_https_certificate": {"validity": {
        "not_before": "2023-01-02 03:04:05", "not_after": "garbage"}}}}
    validity = json.loads(render(obj, "json"))["attributes"]["last_https_certificate"]["validity"]
    assert validity == {"not_before": "2023-01-02 03:04:05", "not_before_iso": "2023-01-02T03:04:05Z",
                        "not_after": "garbage"}


@pytest.mark.parametrize("value, iso", [
    (0, "1970-01-01T00:00:00Z"),
    (1502841089, "2017-08-15T23:51:29Z"),
    (1502841089000, "2017-08-15T23:51:29Z"),  # milliseconds
    ("1502841089", "2017-08-15T23:51:29Z"),
    (1502841089.5, "2017-08-15T23:51:29.500Z"),
    (True, None), (None, None), ("", None), ("no", None), (1e300, None), (float("nan"), None), ([1], None),
])
def test_iso_date(value, iso):
    assert iso_date(value) == iso


def test_existing_iso_key_is_never_overwritten():
    obj = {"type": "file", "id": "x", "attributes": {"creation_date": 0, "creation_date_iso": "mine"}}
    assert json.loads(render(obj, "json"))["attributes"]["creation_date_iso"] == "mine"


def test_key_order_is_stable_and_sorted_with_envelope_first():
    obj = hostile_file()
    text = render(obj, "json")
    shuffled = dict(reversed(list(obj.items())))
    shuffled["attributes"] = dict(random.Random(1).sample(list(obj["attributes"].items()), len(obj["attributes"])))
    assert render(shuffled, "json") == text
    parsed = json.loads(text)
    assert list(parsed)[:4] == ["type", "id", "links", "attributes"]
    keys = list(parsed["attributes"])
    assert keys == sorted(keys)


def test_hostile_values_never_break_json():
    for obj in hostile_objects():
        text = render(obj, "json")
        text.encode("utf-8")  # no lone surrogates
        parsed = json.loads(text)
        assert "NaN" not in text and "Infinity" not in text
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
        assert isinstance(parsed, dict)
    attrs = json.loads(render(hostile_file(), "json"))["attributes"]
    assert attrs["reputation"] is None and attrs["times_submitted"] is None and attrs["unique_sources"] is None
    assert attrs["size"] == 2**80 and attrs["huge"] == 1e308
    assert "\ufffd" in attrs["meaningful_name"]  # the surrogate, replaced
    assert "\u202e" in attrs["meaningful_name"]  # escaped on output, restored by the parser
    assert "\x1b[31m" in attrs["meaningful_name"]  # data unchanged: JSON escapes it


def test_deep_nesting_is_cut_not_crashed():
    assert json.loads(dumps(deep(5000))) is not None
    value = json.loads(dumps(deep(300)))
    depth = 0
    while isinstance(value, (list, dict)):
        value = value[0] if isinstance(value, list) else value["level"]
        depth += 1
    assert depth == json_out.MAX_DEPTH + 1 and value is None


def test_input_not_mutated():
    obj = hostile_file()
    before = copy.deepcopy(obj)
    render(obj, "json")
    render(obj, "raw")
    assert equal_modulo(obj, before)


def test_raw_keeps_order_and_adds_nothing():
    obj = {"type": "file", "id": "x", "attributes": {"z": 1, "a_date": 5, "m": [3, 1]}}
    text = render(obj, "raw")
    assert json.loads(text) == obj
    assert text.index('"z"') < text.index('"a_date"') and "_iso" not in text
    raw_nan = json.loads(dump_raw({"x": float("nan"), "y": ["\ud800"]}))
    assert raw_nan["x"] is None and raw_nan["y"] == ["\ud800"]  # surrogate kept, as \ud800 escape
    raw = render(hostile_file(), "raw")
    raw.encode("utf-8")
    assert "\x1b" not in raw


def test_lists_and_batches_are_arrays():
    items = [o for _, o in sample_objects()[:3]]
    assert len(json.loads(render(items, "json"))) == 3
    assert len(json.loads(render({"data": items, "meta": {"cursor": "c"}}, "json"))) == 3
    assert [o["id"] for o in json.loads(render_batch(items, "json"))] == [o["id"] for o in items]
    assert json.loads(render_batch(items, "raw")) == items


json_any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=30,
)


def finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def no_surrogates(value):
    if isinstance(value, str):
        return json_out.clean_str(value)
    if isinstance(value, dict):
        return {json_out.clean_str(k): no_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_surrogates(v) for v in value]
    return value


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=6).filter(lambda k: not k.endswith("date") and k not in json_out.DATE_KEYS),
        json_any,
        max_size=5,
    )
)
def test_property_any_data_round_trips(attrs):
    obj = {"type": "x", "id": "y", "attributes": attrs}
    parsed = json.loads(render(obj, "json"))
    expected = no_surrogates(finite(obj))
    assert strip_iso(parsed, expected) == expected

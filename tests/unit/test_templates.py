"""Templates keep and drop exactly the paths asked (wildcards, escapes and lists included)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_export_data import equal_modulo, hostile_file, sample_objects
from vttui.export import get_template, load_templates, render
from vttui.export.templates import (
    BUILTIN_TEMPLATES,
    STAR,
    Rule,
    Template,
    TemplateError,
    UnknownTemplateError,
    apply_template,
    format_path,
    parse_path,
    select,
)
from vttui.vt.errors import EXIT_CODES, ErrorKind, VTError


def tpl(keep=(), drop=(), type_="*", **more) -> Template:
    rules = {type_: Rule(tuple(keep), tuple(drop))}
    rules.update(more)
    return Template("t", "test", rules)


def attrs_of(obj, template):
    return apply_template(obj, template)["attributes"]


OBJ = {
    "type": "file",
    "id": "abc",
    "links": {"self": "x"},
    "attributes": {
        "md5": "m",
        "size": 3,
        "last_analysis_results": {
            "Trend Micro": {"category": "malicious", "result": "Troj", "engine_version": "1"},
            "Dr.Web": {"category": "undetected", "result": None, "engine_version": "2"},
            "Sangfor Engine Zero": {"category": "malicious", "result": "Mal", "engine_version": "3"},
            "*": {"category": "odd", "result": "star"},
        },
        "names": ["a.exe", "b.exe", "c.exe"],
        "yara": [{"rule_name": "r1", "author": "x"}, {"rule_name": "r2", "author": "y"}, "junk"],
        "deep": {"a": {"b": {"c": 1, "d": 2}}},
    },
}


# --- paths ------------------------------------------------------------------------------


def test_parse_path_segments_and_escapes():
    assert parse_path("a.b.c") == ("a", "b", "c")
    assert parse_path("last_analysis_results.*.result") == ("last_analysis_results", STAR, "result")
    assert parse_path(r"last_analysis_results.Dr\.Web.result") == ("last_analysis_results", "Dr.Web", "result")
    assert parse_path(r"x.\*") == ("x", "*")
    assert parse_path("x.*")[1] is STAR
    assert parse_path(r"a\\b") == ("a\\b",)
    assert parse_path("last_analysis_results.Sangfor Engine Zero") == ("last_analysis_results", "Sangfor Engine Zero")


@pytest.mark.parametrize("bad", ["", ".", "a..b", ".a", "a.", "a\\"])
def test_parse_path_rejects_malformed(bad):
    with pytest.raises(ValueError):
        parse_path(bad)


@given(st.lists(st.one_of(st.just(STAR), st.text(min_size=1, max_size=8)), min_size=1, max_size=5))
def test_format_path_round_trips(segments):
    assert parse_path(format_path(tuple(segments))) == tuple(segments)


# --- keep -------------------------------------------------------------------------------


def test_keep_whole_fields_and_envelope_always_kept():
    out = apply_template(OBJ, tpl(keep=["md5", "size"]))
    assert out["type"] == "file" and out["id"] == "abc" and out["links"] == {"self": "x"}
    assert out["attributes"] == {"md5": "m", "size": 3}


def test_keep_wildcard_picks_one_field_of_every_engine():
    got = attrs_of(OBJ, tpl(keep=["last_analysis_results.*.result"]))
    assert got == {"last_analysis_results": {
        "Trend Micro": {"result": "Troj"},
        "Dr.Web": {"result": None},
        "Sangfor Engine Zero": {"result": "Mal"},
        "*": {"result": "star"},
    }}


def test_keep_escaped_dot_and_literal_star_and_spaces():
    got = attrs_of(OBJ, tpl(keep=[r"last_analysis_results.Dr\.Web.engine_version",
                                  r"last_analysis_results.\*.result",
                                  "last_analysis_results.Sangfor Engine Zero.category"]))
    assert got == {"last_analysis_results": {
        "Dr.Web": {"engine_version": "2"},
        "*": {"result": "star"},
        "Sangfor Engine Zero": {"category": "malicious"},
    }}


def test_keep_unescaped_dot_does_not_reach_dotted_key():
    assert attrs_of(OBJ, tpl(keep=["last_analysis_results.Dr.Web"])) == {}


def test_keep_list_items_by_index_star_and_implicit_mapping():
    assert attrs_of(OBJ, tpl(keep=["names.1"])) == {"names": ["b.exe"]}
    assert attrs_of(OBJ, tpl(keep=["names.*"])) == {"names": ["a.exe", "b.exe", "c.exe"]}
    assert attrs_of(OBJ, tpl(keep=["yara.rule_name"])) == {"yara": [{"rule_name": "r1"}, {"rule_name": "r2"}]}
    assert attrs_of(OBJ, tpl(keep=["yara.*.author"])) == {"yara": [{"author": "x"}, {"author": "y"}]}


def test_keep_overlapping_paths_union():
    got = attrs_of(OBJ, tpl(keep=["deep.a.b.c", "deep", "md5"]))
    assert got == {"deep": OBJ["attributes"]["deep"], "md5": "m"}


def test_keep_missing_paths_give_nothing_not_an_error():
    assert attrs_of(OBJ, tpl(keep=["nope", "md5.deeper", "names.7"])) == {}


# --- drop -------------------------------------------------------------------------------


def test_drop_wildcard_removes_exactly_that_field_everywhere():
    got = attrs_of(OBJ, tpl(drop=["last_analysis_results.*.engine_version"]))
    expected = copy.deepcopy(OBJ["attributes"])
    for entry in expected["last_analysis_results"].values():
        entry.pop("engine_version", None)
    assert got == expected


def test_drop_escaped_key_and_list_item():
    got = attrs_of(OBJ, tpl(drop=[r"last_analysis_results.Dr\.Web", "names.0", "yara.author"]))
    assert "Dr.Web" not in got["last_analysis_results"] and "Trend Micro" in got["last_analysis_results"]
    assert got["names"] == ["b.exe", "c.exe"]
    assert got["yara"] == [{"rule_name": "r1"}, {"rule_name": "r2"}, "junk"]


def test_keep_then_drop():
    got = attrs_of(OBJ, tpl(keep=["last_analysis_results"], drop=["last_analysis_results.Trend Micro"]))
    assert set(got["last_analysis_results"]) == {"Dr.Web", "Sangfor Engine Zero", "*"}


def test_type_rule_joins_star_rule_and_other_types_ignore_it():
    t = Template("t", "", {"*": Rule(keep=("md5",)), "file": Rule(keep=("size",)), "domain": Rule(keep=("registrar",))})
    assert attrs_of(OBJ, t) == {"md5": "m", "size": 3}
    domain = {"type": "domain", "id": "d", "attributes": {"md5": 1, "registrar": "r", "size": 2}}
    assert attrs_of(domain, t) == {"md5": 1, "registrar": "r"}


def test_rule_for_another_type_only_leaves_object_whole():
    t = Template("t", "", {"domain": Rule(keep=("registrar",))})
    assert apply_template(OBJ, t) == OBJ


def test_input_is_never_mutated_on_real_and_hostile_data():
    objects = [o for _, o in sample_objects()[:20]] + [hostile_file()]
    for obj in objects:
        before = copy.deepcopy(obj)
        for t in BUILTIN_TEMPLATES.values():
            apply_template(obj, t)
        apply_template(obj, tpl(drop=["*.*", "last_analysis_results.*.result"]))
        assert equal_modulo(obj, before)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=4), json_values, max_size=6))
def test_properties_keep_star_is_identity_drop_star_is_empty(attrs):
    assert select(attrs, [parse_path("*")], []) == (attrs if attrs else {})
    assert select(attrs, [], [parse_path("*")]) == {}
    keys = list(attrs)[:2]
    kept = select(attrs, [(k,) for k in keys], [])
    dropped = select(attrs, [], [(k,) for k in keys])
    assert kept == {k: attrs[k] for k in keys}
    assert dropped == {k: v for k, v in attrs.items() if k not in keys}


# --- built-ins --------------------------------------------------------------------------


def test_builtin_names():
    assert set(BUILTIN_TEMPLATES) == {"essential", "detections", "network", "full"}
    assert all(t.description for t in BUILTIN_TEMPLATES.values())


def test_full_keeps_everything_and_essential_trims():
    obj = hostile_file()
    assert apply_template(obj, BUILTIN_TEMPLATES["full"]) is obj
    essential = apply_template(obj, BUILTIN_TEMPLATES["essential"])["attributes"]
    assert "sha256" in essential and "last_analysis_stats" in essential
    assert "exiftool" not in essential
    # each engine's verdict survives, its version and method do not
    for name, result in essential["last_analysis_results"].items():
        assert set(result) <= {"category", "result"}
        assert result == {
            k: v for k, v in obj["attributes"]["last_analysis_results"][name].items() if k in ("category", "result")
        }
    assert essential["popular_threat_classification"] == {
        "suggested_threat_label": obj["attributes"]["popular_threat_classification"]["suggested_threat_label"]
    }


def test_network_template_on_a_domain_sample():
    domains = [o for _, o in sample_objects() if o.get("type") == "domain" and o.get("attributes")]
    assert domains
    for d in domains:
        attrs = apply_template(d, BUILTIN_TEMPLATES["network"])["attributes"]
        allowed = {"last_analysis_stats", "reputation", "registrar", "creation_date", "expiration_date",
                   "last_update_date", "tld", "last_dns_records", "last_dns_records_date", "whois", "whois_date",
                   "last_https_certificate", "last_https_certificate_date", "jarm", "popularity_ranks", "categories"}
        assert set(attrs) <= allowed
        assert set(attrs) == allowed & set(d["attributes"])


def test_detections_template_keeps_engine_results():
    attrs = apply_template(OBJ, BUILTIN_TEMPLATES["detections"])["attributes"]
    assert attrs == {"last_analysis_results": OBJ["attributes"]["last_analysis_results"]}


# --- user templates ---------------------------------------------------------------------


def write(tmp_path, name, text):
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder / f"{name}.toml"


def test_user_template_loads_and_applies(tmp_path):
    write(tmp_path, "ticket", r'''
description = "Mine"
["*"]
keep = ["md5"]
[file]
keep = ['last_analysis_results.Dr\.Web.category', "names.0"]
drop = ["md5"]
''')
    t = get_template("ticket", tmp_path)
    assert t.description == "Mine" and t.source.endswith("ticket.toml")
    assert attrs_of(OBJ, t) == {"last_analysis_results": {"Dr.Web": {"category": "undetected"}}, "names": ["a.exe"]}
    assert set(load_templates(tmp_path)) == {"essential", "detections", "network", "full", "ticket"}


def test_user_template_overrides_builtin(tmp_path):
    write(tmp_path, "essential", '[file]\nkeep = ["size"]\n')
    assert attrs_of(OBJ, get_template("essential", tmp_path)) == {"size": 3}


@pytest.mark.parametrize("text, fragment", [
    ("keep = [", "not valid TOML"),
    ("description = 5", "description"),
    ("[ip]\nkeep = ['a']", "not an object type"),
    ("[file]\nkeep = 'md5'", "list of strings"),
    ("[file]\nkeep = [1]", "list of strings"),
    ("[file]\nkepp = ['md5']", "unknown keys"),
    ("[file]\nkeep = ['a..b']", "empty segment"),
    ("file = 3", "must be a table"),
])
def test_malformed_user_template_is_an_error_naming_the_file(tmp_path, text, fragment):
    path = write(tmp_path, "broken", text)
    with pytest.raises(TemplateError) as err:
        get_template("broken", tmp_path)
    assert str(path) in err.value.message and fragment in err.value.message
    assert err.value.kind is ErrorKind.INVALID
    with pytest.raises(TemplateError):
        load_templates(tmp_path)
    errors: list = []
    assert "broken" not in load_templates(tmp_path, errors=errors) and len(errors) == 1
    # a broken file does not take the built-ins down with it
    assert get_template("essential", tmp_path) is BUILTIN_TEMPLATES["essential"]


def test_unknown_template_lists_the_valid_ones(tmp_path):
    write(tmp_path, "mine", "description = 'x'\n")
    with pytest.raises(UnknownTemplateError) as err:
        get_template("esential", tmp_path)
    exc = err.value
    assert isinstance(exc, VTError) and EXIT_CODES[exc.kind] == 2
    for name in ("essential", "detections", "network", "full", "mine"):
        assert name in exc.message
    assert "esential" in exc.message


def test_unknown_template_in_render_is_an_error_not_a_no_op(tmp_path, monkeypatch):
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))
    with pytest.raises(UnknownTemplateError):
        render(OBJ, "json", template="nope")
    attrs = json.loads(render(OBJ, "json", template="essential"))["attributes"]
    assert {k: v for k, v in attrs.items() if k != "last_analysis_results"} == {"md5": "m", "size": 3}
    assert all(set(r) <= {"category", "result"} for r in attrs["last_analysis_results"].values())


def test_template_names_cannot_reach_outside_the_folder(tmp_path):
    (tmp_path / "evil.toml").write_text("description = 'outside'\n")
    (tmp_path / "templates").mkdir()
    with pytest.raises(UnknownTemplateError):
        get_template("../evil", tmp_path)

"""Defanging for tickets and chats, and links to the VirusTotal web pages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vttui.demo import triage_ticket
from vttui.vt.ioc import IOCType, classify, defang, defang_text, extract, refang
from vttui.vt.models import wrap
from vttui.vt.refs import ObjectRef
from vttui.vt.weblinks import GUI_BASE, web_url


@pytest.mark.parametrize(("text", "expected"), [
    ("http://evil.com", "hxxp://evil[.]com"),
    ("https://evil.com/a.b?c=d.e#f.g", "hxxps://evil[.]com/a.b?c=d.e#f.g"),
    ("HTTPS://user@Evil.COM:8080/x", "HXXPS://user@Evil[.]COM:8080/x"),
    ("ftp://files.example.org/", "fxp://files.example[.]org/"),
    ("http://[2001:db8::1]/x", "hxxp://[2001:db8::1]/x"),
    ("1.2.3.4", "1.2.3[.]4"),
    ("api.update-relay.test", "api.update-relay[.]test"),
    ("a" * 64, "a" * 64),  # hashes untouched
    ("d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e"),
    ("2001:db8::1", "2001:db8::1"),
    ("hxxp://evil[.]com", "hxxp://evil[.]com"),  # already defanged: as written
    ("not an indicator", "not an indicator"),
])
def test_defang_one(text: str, expected: str) -> None:
    assert defang(text) == expected
    if expected != text:
        assert refang(expected).lower() == text.lower()  # nothing but the disarming changed


def test_defang_an_ioc_uses_its_normalised_value() -> None:
    assert defang(classify("HTTP://Evil.com/")) == "HXXP://Evil[.]com/"
    assert defang(classify("EVIL.com")) == "evil[.]com"
    assert defang(None) == ""  # type: ignore[arg-type]


def test_defang_text_disarms_every_spelling_and_keeps_the_rest() -> None:
    text = triage_ticket() + "\nagain: api.update-relay.test, API.UPDATE-RELAY.TEST and http://api.update-relay.test/x"
    out = defang_text(text)
    assert "api.update-relay.test" not in out.lower().replace("[.]", "#")  # every spelling disarmed
    assert out.count("[.]test") >= 4 and "hxxp://api.update-relay[.]test/x" in out
    # Hashes, file names, versions and prose are unchanged; the same indicators are still found.
    for keep in ("invoice.zip", "v3.2.1", "Invoice_July_2026.docm", "16.0.17328", "e.g."):
        assert keep in out
    assert {i.value for i in extract(out)} == {i.value for i in extract(text)}
    assert [i.value for i in extract(out) if i.type in (IOCType.MD5, IOCType.SHA1, IOCType.SHA256)] == [
        i.value for i in extract(text) if i.type in (IOCType.MD5, IOCType.SHA1, IOCType.SHA256)]
    assert defang_text(out) == out  # idempotent
    assert defang_text("") == "" and defang_text("nothing to see") == "nothing to see"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_defang_text_never_breaks(text: str) -> None:
    out = defang_text(text)
    assert isinstance(out, str) and defang_text(out) == out
    assert not [i for i in extract(out) if i.type is IOCType.URL and i.original.lower().startswith(("http", "ftp"))]


# --- web links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("obj", "expected"), [
    (ObjectRef("file", "A" * 64), f"{GUI_BASE}/file/{'a' * 64}"),
    (ObjectRef("url", "b" * 64), f"{GUI_BASE}/url/{'b' * 64}"),
    (classify("http://evil.com/x?y=1").ref, f"{GUI_BASE}/search/http%253A%252F%252Fevil.com%252Fx%253Fy%253D1"),
    (ObjectRef("domain", "Evil.COM"), f"{GUI_BASE}/domain/evil.com"),
    (ObjectRef("ip_address", "2001:db8::1"), f"{GUI_BASE}/ip-address/2001%3Adb8%3A%3A1"),
    (ObjectRef("collection", "abc"), f"{GUI_BASE}/collection/abc"),
    (ObjectRef("threat_actor", "Copper Quill"), f"{GUI_BASE}/threat-actor/Copper%20Quill"),
    (ObjectRef("analysis", "u-" + "c" * 64 + "-1700000000"), f"{GUI_BASE}/url/{'c' * 64}"),
    (classify("ZDQxZDhjZDk4ZjAwYjIwNGU5ODAwOTk4ZWNmODQyN2U6MTcwMDAwMDAwMA==").ref,
     f"{GUI_BASE}/file/d41d8cd98f00b204e9800998ecf8427e"),
    (ObjectRef("file_behaviour", "d" * 64 + "_Zenbox"), f"{GUI_BASE}/file/{'d' * 64}/behavior"),
    (ObjectRef("comment", "x"), None),
    (ObjectRef("file", ""), None),
    ("not a ref", None),
    (ObjectRef("file", "../../evil?x#y"), f"{GUI_BASE}/file/..%2F..%2Fevil%3Fx%23y"),
])
def test_web_url(obj: Any, expected: str | None) -> None:
    assert web_url(obj) == expected


def test_web_url_of_views_and_tabs() -> None:
    view = wrap({"type": "domain", "id": "evil.com", "attributes": {}})
    assert web_url(view) == f"{GUI_BASE}/domain/evil.com"
    assert web_url(view, tab="relations") == f"{GUI_BASE}/domain/evil.com/relations"
    assert web_url(view, tab="nope") == f"{GUI_BASE}/domain/evil.com"
    assert web_url(ObjectRef("collection", "c"), tab="detection") == f"{GUI_BASE}/collection/c"
    assert web_url(classify("evil.com")) == f"{GUI_BASE}/domain/evil.com"

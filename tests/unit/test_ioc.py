"""ioc: classify, refang, trim, reject with reasons, extract from pasted reports, url ids."""

from __future__ import annotations

import base64
import ipaddress
import re
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vttui.vt.errors import InvalidIOCError
from vttui.vt.ioc import (
    IOC,
    IOCType,
    classify,
    extract,
    is_url_sha256_id,
    refang,
    try_classify,
    url_id,
)
from vttui.vt.refs import ObjectRef

MD5 = "44d88612fea8a8f36de82e1278abb02f"
SHA1 = "3395856ce81f2b7382dee72602f798b642f14140"
SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
FILE_ANALYSIS = "NjY0MjRlOTFjMDIyYTkyNWM0NjU2NWQzYWNlMzFmZmU6MTQ3NTA0ODI3Nw=="
URL_ANALYSIS = f"u-{SHA256}-1475048277"


# --- classify: each type -------------------------------------------------------------

CLASSIFY_CASES = [
    # hashes, lower-cased
    (MD5, IOCType.MD5, MD5),
    (MD5.upper(), IOCType.MD5, MD5),
    (SHA1, IOCType.SHA1, SHA1),
    (SHA256.upper(), IOCType.SHA256, SHA256),
    (f"sha256:{SHA256}", IOCType.SHA256, SHA256),
    (f"MD5 = {MD5}", IOCType.MD5, MD5),
    # domains
    ("example.com", IOCType.DOMAIN, "example.com"),
    ("WWW.Example.COM", IOCType.DOMAIN, "www.example.com"),
    ("example.com.", IOCType.DOMAIN, "example.com"),
    ("_dmarc.example.com", IOCType.DOMAIN, "_dmarc.example.com"),
    ("a-b.c-d.example.org", IOCType.DOMAIN, "a-b.c-d.example.org"),
    ("evil.zip", IOCType.DOMAIN, "evil.zip"),  # a real TLD: classify accepts it
    ("shop.demo.test", IOCType.DOMAIN, "shop.demo.test"),
    ("foo.example", IOCType.DOMAIN, "foo.example"),
    ("x.invalid", IOCType.DOMAIN, "x.invalid"),
    ("app.localhost", IOCType.DOMAIN, "app.localhost"),
    ("localhost", IOCType.DOMAIN, "localhost"),
    ("bücher.de", IOCType.DOMAIN, "xn--bcher-kva.de"),
    ("BÜCHER.de", IOCType.DOMAIN, "xn--bcher-kva.de"),
    ("xn--bcher-kva.de", IOCType.DOMAIN, "xn--bcher-kva.de"),
    ("пример.рф", IOCType.DOMAIN, "xn--e1afmkfd.xn--p1ai"),
    ("例え.jp", IOCType.DOMAIN, None),  # value checked below: punycode, ASCII
    ("bücher。de", IOCType.DOMAIN, "xn--bcher-kva.de"),  # ideographic full stop
    ("user@evil.example", IOCType.DOMAIN, "evil.example"),  # an e-mail: its domain
    ("mailto:bob@evil.example", IOCType.DOMAIN, "evil.example"),
    # IPv4
    ("8.8.8.8", IOCType.IPV4, "8.8.8.8"),
    ("255.255.255.255", IOCType.IPV4, "255.255.255.255"),
    ("0.0.0.0", IOCType.IPV4, "0.0.0.0"),
    # IPv6: canonical compressed, zone dropped, brackets stripped
    ("2001:db8::1", IOCType.IPV6, "2001:db8::1"),
    ("2001:0DB8:0000:0000:0000:0000:0000:0001", IOCType.IPV6, "2001:db8::1"),
    ("[2001:db8::1]", IOCType.IPV6, "2001:db8::1"),
    ("fe80::1%eth0", IOCType.IPV6, "fe80::1"),
    ("fe80::1%25en0", IOCType.IPV6, "fe80::1"),
    ("::1", IOCType.IPV6, "::1"),
    ("::", IOCType.IPV6, "::"),
    ("2001:db8::", IOCType.IPV6, "2001:db8::"),
    ("::ffff:192.0.2.1", IOCType.IPV6, ipaddress.IPv6Address("::ffff:192.0.2.1").compressed),
    ("2001:db8:0:0:1:0:0:1", IOCType.IPV6, "2001:db8::1:0:0:1"),
    # URLs: as given, scheme added when missing
    ("http://evil.example/a?b=c#d", IOCType.URL, "http://evil.example/a?b=c#d"),
    ("HTTPS://Evil.Example/Path", IOCType.URL, "HTTPS://Evil.Example/Path"),
    ("ftp://files.example.org/x.bin", IOCType.URL, "ftp://files.example.org/x.bin"),
    ("evil.example/path", IOCType.URL, "http://evil.example/path"),
    ("evil.example/", IOCType.URL, "http://evil.example/"),
    ("evil.example?q=1", IOCType.URL, "http://evil.example?q=1"),
    ("evil.example:8080", IOCType.URL, "http://evil.example:8080"),
    ("1.2.3.4:443", IOCType.URL, "http://1.2.3.4:443"),
    ("1.2.3.4/gate.php", IOCType.URL, "http://1.2.3.4/gate.php"),
    ("http://user:pw@evil.example:81/x", IOCType.URL, "http://user:pw@evil.example:81/x"),
    ("http://[2001:db8::1]:8080/x", IOCType.URL, "http://[2001:db8::1]:8080/x"),
    ("http://192.0.2.1/x", IOCType.URL, "http://192.0.2.1/x"),
    ("http://bücher.de/ä", IOCType.URL, "http://bücher.de/ä"),  # not re-encoded
    ("http://evil.example/%7Euser", IOCType.URL, "http://evil.example/%7Euser"),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", IOCType.URL, "https://en.wikipedia.org/wiki/Foo_(bar)"),
    # analysis ids
    (FILE_ANALYSIS, IOCType.ANALYSIS, FILE_ANALYSIS),
    (FILE_ANALYSIS.rstrip("="), IOCType.ANALYSIS, FILE_ANALYSIS),  # unpadded
    (URL_ANALYSIS, IOCType.ANALYSIS, URL_ANALYSIS),
    (f"f-{SHA256}-1700000000", IOCType.ANALYSIS, f"f-{SHA256}-1700000000"),
    (f"U-{SHA256.upper()}-12", IOCType.ANALYSIS, f"u-{SHA256}-12"),
]


@pytest.mark.parametrize(("text", "kind", "value"), CLASSIFY_CASES)
def test_classify(text: str, kind: IOCType, value: str | None) -> None:
    ioc = classify(text)
    assert ioc.type is kind
    if value is not None:
        assert ioc.value == value
    assert ioc.original == text
    assert try_classify(text) == ioc


def test_japanese_idn_is_ascii_punycode() -> None:
    ioc = classify("例え.jp")
    assert ioc.value.isascii() and ioc.value.startswith("xn--")
    assert ioc.display == "例え.jp"


def test_urlsafe_base64_file_analysis_is_normalised_to_vts_spelling() -> None:
    raw = b"66424e91c022a925c46565d3ace31ffe:1475048277"
    urlsafe = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert classify(urlsafe).value == base64.b64encode(raw).decode() == FILE_ANALYSIS


def test_url_analysis_id_from_real_sample_shape() -> None:
    # The shape VirusTotal gives a URL analysis (samples in shared/vt-samples).
    ioc = classify("u-1db0ad7dbcec0676710ea0eaacd35d5e471d3e11944d53bcbd31f0cbd11bce31-1683713600")
    assert ioc.type is IOCType.ANALYSIS and ioc.object_type == "analysis"


def test_base64_that_is_not_md5_colon_timestamp_is_not_an_analysis() -> None:
    for raw in (
        b"hello world, this is forty-something bytes!!",
        b"66424E91C022A925C46565D3ACE31FFE:1475048277",  # upper-case hex: not VT's form
    ):
        text = base64.b64encode(raw).decode()
        assert try_classify(text) is None


def test_vote_and_comment_ids_are_not_analyses() -> None:
    # f-<sha256>-<hex> is how VirusTotal names votes and comments, not analyses.
    assert try_classify(f"f-{SHA256}-129e237a") is None


# --- the IOC object ------------------------------------------------------------------

PROPS = [
    (MD5, "file", MD5, "MD5"),
    (SHA1, "file", SHA1, "SHA-1"),
    (SHA256, "file", SHA256, "SHA-256"),
    ("http://www.google.com", "url", "aHR0cDovL3d3dy5nb29nbGUuY29t", "URL"),
    ("example.com", "domain", "example.com", "domain"),
    ("8.8.8.8", "ip_address", "8.8.8.8", "IPv4"),
    ("2001:db8::1", "ip_address", "2001:db8::1", "IPv6"),
    (URL_ANALYSIS, "analysis", URL_ANALYSIS, "analysis"),
]


@pytest.mark.parametrize(("text", "object_type", "api_id", "label"), PROPS)
def test_ioc_properties(text: str, object_type: str, api_id: str, label: str) -> None:
    ioc = classify(text)
    assert ioc.object_type == object_type
    assert ioc.api_id == api_id
    assert ioc.label == label
    assert ioc.ref == ObjectRef(object_type, api_id)
    assert ioc.ref.path.endswith("/" + api_id)


def test_ioc_is_frozen_and_hashable() -> None:
    ioc = classify("example.com")
    with pytest.raises(AttributeError):
        ioc.value = "x"  # type: ignore[misc]
    assert {ioc, classify("example.com")} == {ioc}
    assert ioc == IOC(IOCType.DOMAIN, "example.com", "example.com")


def test_display_is_unicode_for_idn_only() -> None:
    assert classify("bücher.de").display == "bücher.de"
    assert classify("xn--bcher-kva.de").display == "bücher.de"
    assert classify("hxxp://bücher[.]de").display == "http://bücher.de"
    assert classify("example.com").display == "example.com"
    assert classify(MD5.upper()).display == MD5


def test_iocs_type_is_a_str_enum() -> None:
    assert IOCType.SHA256 == "sha256" and str(IOCType.IPV6) == "ipv6"
    assert [t.value for t in IOCType] == [
        "md5", "sha1", "sha256", "url", "domain", "ipv4", "ipv6", "analysis"
    ]


# --- url ids -------------------------------------------------------------------------


def test_url_id_matches_virustotal() -> None:
    assert url_id("http://www.google.com") == "aHR0cDovL3d3dy5nb29nbGUuY29t"
    assert url_id("http://www.google.com/") == "aHR0cDovL3d3dy5nb29nbGUuY29tLw"
    # urlsafe alphabet, never padding
    weird = url_id("http://example.com/?a=>>>???")
    assert "=" not in weird and "+" not in weird and "/" not in weird
    assert base64.urlsafe_b64decode(weird + "=" * (-len(weird) % 4)) == b"http://example.com/?a=>>>???"


def test_url_id_of_non_ascii_is_utf8() -> None:
    u = "http://bücher.de/ä"
    uid = url_id(u)
    assert base64.urlsafe_b64decode(uid + "=" * (-len(uid) % 4)).decode("utf-8") == u


def test_is_url_sha256_id() -> None:
    assert is_url_sha256_id(SHA256)
    assert is_url_sha256_id(SHA256.upper())
    assert not is_url_sha256_id(SHA256[:-1])
    assert not is_url_sha256_id(SHA256 + "0")
    assert not is_url_sha256_id("g" * 64)
    assert not is_url_sha256_id(MD5)


# --- refang --------------------------------------------------------------------------

REFANG_CASES = [
    ("hxxp://evil.com", "http://evil.com"),
    ("hxxps://evil.com", "https://evil.com"),
    ("hXXp://evil.com", "http://evil.com"),
    ("HXXPS://evil.com", "https://evil.com"),
    ("h**p://evil.com", "http://evil.com"),
    ("fxp://files.evil.com", "ftp://files.evil.com"),
    ("FXP[:]//files.evil.com", "ftp://files.evil.com"),
    ("evil[.]com", "evil.com"),
    ("evil(.)com", "evil.com"),
    ("evil{.}com", "evil.com"),
    ("evil[dot]com", "evil.com"),
    ("evil(dot)com", "evil.com"),
    ("evil[DOT]com", "evil.com"),
    ("evil[ dot ]com", "evil.com"),
    ("evil\\.com", "evil.com"),
    ("evil[\\.]com", "evil.com"),
    ("evil[[.]]com", "evil.com"),
    ("evil [.] com", "evil.com"),
    ("hxxp[:]//evil.com", "http://evil.com"),
    ("hxxp[://]evil.com", "http://evil.com"),
    ("hxxp[:/]/evil.com", "http://evil.com"),
    ("hxxp://evil.com[/]path", "http://evil.com/path"),
    ("user[at]evil.com", "user@evil.com"),
    ("user(at)evil.com", "user@evil.com"),
    ("user[@]evil.com", "user@evil.com"),
    ("user [at] evil [.] com", "user@evil.com"),
    ("1.2.3[.]4", "1.2.3.4"),
    ("2001[:]db8[:][:]1", "2001:db8::1"),
    ("www dot evil dot com", "www.evil.com"),
    ("evil DOT com", "evil.com"),
    ("hxxp://evil dot com/x", "http://evil.com/x"),
    ("bob@evil dot com", "bob@evil.com"),
    ("visit hxxps://a[.]b[.]example[/]x now", "visit https://a.b.example/x now"),
]


@pytest.mark.parametrize(("fanged", "plain"), REFANG_CASES)
def test_refang(fanged: str, plain: str) -> None:
    assert refang(fanged) == plain
    assert refang(plain) == plain


PROSE = [
    "The dot com bubble burst in 2000.",
    "Put a dot in the box.",
    "I was at home at 5 p.m.",
    "See [1] and (2), e.g. the U.S. report [...] (...)",
    "C:\\Users\\bob\\AppData",
    "FXP transfers between servers",
    "A [link](http://example.com) in markdown",
    "Emoticons :) :( and (: are not defangs",
    "http://[2001:db8::1]:8080/path and [::1] and [::]",
    "Time 12:30, ratio 3:2, path a/b/c",
]


@pytest.mark.parametrize("text", PROSE)
def test_refang_leaves_prose_alone(text: str) -> None:
    assert refang(text) == text


def test_refang_dot_word_needs_context_in_prose_but_not_alone() -> None:
    # In running text "evil dot com" is ambiguous; typed alone it is clearly a domain.
    assert refang("evil dot com") == "evil dot com"
    assert classify("evil dot com").value == "evil.com"
    assert classify("www dot evil dot com").value == "www.evil.com"


# --- trimming ------------------------------------------------------------------------

TRIM_CASES = [
    ("  example.com  ", "example.com"),
    ("\texample.com\n", "example.com"),
    ("'example.com'", "example.com"),
    ('"example.com"', "example.com"),
    ("`example.com`", "example.com"),
    ("\u201cexample.com\u201d", "example.com"),
    ("\u2018example.com\u2019", "example.com"),
    ("\u00abexample.com\u00bb", "example.com"),
    ("(example.com)", "example.com"),
    ("[example.com]", "example.com"),
    ("{example.com}", "example.com"),
    ("<example.com>", "example.com"),
    ("example.com,", "example.com"),
    ("example.com;", "example.com"),
    ("example.com.", "example.com"),
    ("example.com:", "example.com"),
    ("example.com!?", "example.com"),
    ("(\"example.com\"),", "example.com"),
    ("\u200bexample.com\ufeff", "example.com"),
    (f"  '{MD5}',", MD5),
    ("<http://example.com/x>", "http://example.com/x"),
    ("(http://example.com/x).", "http://example.com/x"),
    ("(https://en.wikipedia.org/wiki/Foo_(bar))", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("'8.8.8.8'.", "8.8.8.8"),
    ("(2001:db8::)", "2001:db8::"),
]


@pytest.mark.parametrize(("text", "value"), TRIM_CASES)
def test_trimming(text: str, value: str) -> None:
    ioc = classify(text)
    assert ioc.value == value
    assert ioc.original == text  # untouched


# --- rejections ----------------------------------------------------------------------

REJECT_CASES = [
    ("", "Empty input."),
    ("   \n\t ", "Empty input."),
    ("''", "Empty input."),
    (
        "d41d8cd98f00b204e9800998ecf8427ef",
        "Looks like a hash but has 33 hex characters; MD5 has 32, SHA-1 40, SHA-256 64.",
    ),
    ("a" * 128, "Looks like a hash but has 128 hex characters; MD5 has 32, SHA-1 40, SHA-256 64."),
    ("999.1.1.1", "'999.1.1.1' is not a valid IPv4 address."),
    ("01.2.3.4", "'01.2.3.4' is not a valid IPv4 address."),
    ("1.2.3", "'1.2.3' is not a valid IPv4 address (it needs four numbers)."),
    ("1.2.3.4.5", "'1.2.3.4.5' is not a valid IPv4 address (it needs four numbers)."),
    ("2001:db8:::1", "'2001:db8:::1' is not a valid IPv6 address."),
    ("1:2:3:4:5:6:7:8:9", "'1:2:3:4:5:6:7:8:9' is not a valid IPv6 address."),
    ("setup.exe", "Unknown top-level domain '.exe' (this looks like a file name)."),
    ("invoice.pdf", "Unknown top-level domain '.pdf' (this looks like a file name)."),
    ("foo.notarealtld", "Unknown top-level domain '.notarealtld'."),
    ("evil .com", "Spaces are not allowed in a domain."),
    ("evil.com/a b", "Spaces are not allowed in a URL; encode them as %20."),
    ("http://", "URL has no host."),
    ("http:///path", "URL has no host."),
    ("http://user@/x", "URL has no host."),
    ("/just/a/path", "URL has no host."),
    ("javascript:alert(1)", "Only http, https and ftp URLs can be looked up, not 'javascript:'."),
    ("gopher://evil.com", "Only http, https and ftp URLs can be looked up, not 'gopher:'."),
    ("data:text/html,x", "Only http, https and ftp URLs can be looked up, not 'data:'."),
    ("http://evil.com:99999/", "URL has an invalid port '99999'."),
    ("http://evil.com:8o/", "URL has an invalid port '8o'."),
    ("http://2001:db8::1/", "An IPv6 address in a URL must be in brackets, like http://[2001:db8::1]/."),
    ("http://[2001:db8::1/", "URL has an unclosed '[' in its host."),
    ("http://setup.exe/", "Unknown top-level domain '.exe' (this looks like a file name)."),
    ("http://999.1.1.1/", "'999.1.1.1' is not a valid IPv4 address."),
    ("hello", "'hello' is not a hash, URL, domain or IP address."),
    ("hello world", "'hello world' is not a hash, URL, domain or IP address."),
    ("-evil.com", "Domain label '-evil' cannot start or end with a hyphen."),
    ("evil-.com", "Domain label 'evil-' cannot start or end with a hyphen."),
    ("a..com", "'a..com' has an empty label (two dots in a row, or a leading dot)."),
    ("ev!l.com", "'!' is not allowed in a domain."),
    ("evil.c_m", "Top-level domain '.c_m' cannot contain an underscore."),
    ("1.2.3.4/24", "'1.2.3.4/24' is a network range; look up a single IP address."),
    ("x" * 64 + ".com", "Domain label '" + "x" * 29 + "\u2026' is longer than 63 characters."),
    (".".join(["a" * 60] * 5) + ".com", "Domain is longer than 253 characters."),
    ("x" * 20000, "Input is too long to be an indicator (20000 characters)."),
]


@pytest.mark.parametrize(("text", "reason"), REJECT_CASES)
def test_rejections_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidIOCError) as info:
        classify(text)
    assert info.value.message == reason
    assert str(info.value) == reason
    assert try_classify(text) is None


def test_rejection_messages_are_plain_and_short() -> None:
    with pytest.raises(InvalidIOCError) as info:
        classify("[bold]x\x1b[31m" + "y" * 500)
    msg = info.value.message
    assert "\x1b" not in msg and len(msg) < 200


def test_classify_refuses_non_text() -> None:
    with pytest.raises(InvalidIOCError):
        classify(None)  # type: ignore[arg-type]


# --- extract -------------------------------------------------------------------------

REPORT = f"""\
Summary: on 2024-03-05 at 12:30 UTC the actor mailed invoice.pdf and setup.exe to staff
(MD5 {MD5}, SHA-256: {SHA256}) from billing[at]mail-relay[.]example. The dropper
(payload.zip, see README.md) beaconed to hxxps://cdn.evil-update[.]com/gate.php?id=1, then to
45.83.140[.]132 and [2001:db8::dead:beef]. Fallback C2: www dot bad-domain dot net; a mirror at
"https://evil-update.com/a_(b)". Again: {MD5.upper()}, hxxps://cdn.evil-update[.]com/gate.php?id=1,
and a second stage at evil[.]zip. Tool version 1.2.3.4.5; e.g. the U.S. office; Node.js; i.e. none.
The analysis is {FILE_ANALYSIS}. IDN lure: bücher.de. Hash file: {SHA1}.exe
"""


def test_extract_threat_report() -> None:
    got = [(i.type, i.value) for i in extract(REPORT)]
    assert got == [
        (IOCType.MD5, MD5),
        (IOCType.SHA256, SHA256),
        (IOCType.DOMAIN, "mail-relay.example"),
        (IOCType.URL, "https://cdn.evil-update.com/gate.php?id=1"),
        (IOCType.IPV4, "45.83.140.132"),
        (IOCType.IPV6, "2001:db8::dead:beef"),
        (IOCType.DOMAIN, "www.bad-domain.net"),
        (IOCType.URL, "https://evil-update.com/a_(b)"),
        (IOCType.DOMAIN, "evil.zip"),
        (IOCType.ANALYSIS, FILE_ANALYSIS),
        (IOCType.DOMAIN, "xn--bcher-kva.de"),
        (IOCType.SHA1, SHA1),
    ]


def test_extract_keeps_what_was_typed_as_original() -> None:
    by_value = {i.value: i.original for i in extract(REPORT)}
    assert by_value["mail-relay.example"] == "billing[at]mail-relay[.]example"
    url = "https://cdn.evil-update.com/gate.php?id=1"
    assert by_value[url] == "hxxps://cdn.evil-update[.]com/gate.php?id=1"
    assert by_value["45.83.140.132"] == "45.83.140[.]132"
    assert by_value["www.bad-domain.net"] == "www dot bad-domain dot net"
    assert by_value["evil.zip"] == "evil[.]zip"
    assert by_value["xn--bcher-kva.de"] == "bücher.de"
    assert by_value[MD5] == MD5  # first appearance, not the upper-case repeat


def test_extract_does_not_report_a_urls_host_as_a_domain() -> None:
    got = extract("go to hxxp://evil[.]example/x and http://other.example")
    assert [(i.type, i.value) for i in got] == [
        (IOCType.URL, "http://evil.example/x"),
        (IOCType.URL, "http://other.example"),
    ]


def test_extract_dedupes_and_keeps_order() -> None:
    text = "b.example a.example b.example B.EXAMPLE 8.8.8.8 a.example 8.8.8.8"
    assert [i.value for i in extract(text)] == ["b.example", "a.example", "8.8.8.8"]


def test_extract_skips_file_names_but_not_defanged_or_deeper_names() -> None:
    text = (
        "Files: setup.exe invoice.pdf archive.zip install.sh README.md doc.docx; "
        "hosts: evil[.]zip c2.evil.zip"
    )
    assert [i.value for i in extract(text)] == ["evil.zip", "c2.evil.zip"]


def test_extract_odd_spots() -> None:
    text = (
        f"hash={SHA256} url=http://a.example/x ip:10.0.0.1 net 192.0.2.0/24 "
        f"{MD5}.bin mail bob@corp.example (see http://b.example/y), e.g. <c.example>; "
        f"u-{SHA256}-17 12:30:45 00:1a:2b:3c:4d:5e"
    )
    got = [(i.type, i.value) for i in extract(text)]
    assert got == [
        (IOCType.SHA256, SHA256),
        (IOCType.URL, "http://a.example/x"),
        (IOCType.IPV4, "10.0.0.1"),
        (IOCType.IPV4, "192.0.2.0"),
        (IOCType.MD5, MD5),
        (IOCType.DOMAIN, "corp.example"),
        (IOCType.URL, "http://b.example/y"),
        (IOCType.DOMAIN, "c.example"),
        (IOCType.ANALYSIS, f"u-{SHA256}-17"),
    ]


def test_extract_word_bounded_hashes_only() -> None:
    assert extract("x" + MD5) == []
    assert extract(MD5 + "0") == []  # 33 hex characters: not a hash
    assert [i.value for i in extract(f"_{MD5}_")] == [MD5]


def test_extract_nothing() -> None:
    assert extract("") == []
    assert extract("Nothing to see here. Just prose, 3.14 and v2.0.1!") == []


# --- robustness and speed ------------------------------------------------------------

PATHOLOGICAL = [
    "a" * 100_000,
    "." * 100_000,
    "a." * 50_000,
    "[" * 50_000 + "." + "]" * 50_000,
    "[.]" * 33_000,
    "(" * 100_000,
    ":" * 100_000,
    "a dot " * 16_000 + "\u00fc",
    "a dot " * 16_000 + "com",
    "0" * 100_000,
    "1." * 50_000,
    "http://" + "a" * 100_000,
    "http://" + "[" * 100_000,
    "x@" * 50_000,
    " " * 100_000 + "x",
    "\\" * 100_000 + ".",
    "hxxp" * 25_000,
    "A" * 99_998 + "==",
    "-" * 100_000,
    "a-" * 50_000 + ".com",
    ("f" * 31 + " ") * 3_000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_pathological_inputs_complete(text: str) -> None:
    # No timing assertion: the test finishing at all shows there is no catastrophic backtracking.
    assert refang(refang(text)) == refang(text)
    extract(text)
    try_classify(text)
    try_classify(text[:16_000])


def test_large_paste_extracts_everything() -> None:
    prose = (
        "Lorem ipsum dolor sit amet, consectetur (adipiscing) elit: sed do eiusmod, e.g. tempor "
        "v1.2.3 incididunt ut labore et dolore magna aliqua [1]. Node.js and setup.exe too.\n"
    ) * 2
    block = "See hxxp://evil{n}[.]example/p?q=1 or 10.0.{a}.{b} or [2001:db8::{n:x}] now.\n"
    text = "".join(prose + block.format(n=n, a=n // 256 % 256, b=n % 256) for n in range(2_500))
    assert len(text) > 1_000_000
    found = extract(text)
    assert len(found) == 3 * 2_500
    assert found[0].value == "http://evil0.example/p?q=1"
    assert found[0].original == "hxxp://evil0[.]example/p?q=1"
    assert found[-1].value == "2001:db8::9c3"


# --- properties (hypothesis) ---------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "[", "]", "(", ")", "{", "}", "\\", ".", ":", "/", "@", " ", "  ", "\t", "\n",
        "[.]", "(.)", "{.}", "[dot]", "(dot)", " dot ", " DOT ", "dot", "at", "[at]", "(at)", "[@]",
        "[:]", "[://]", "[:/]", "[/]", "//", "://", "\\.", "hxxp", "hXXps", "fxp", "h**p", "http",
        "evil", "com", "example", "www", "a", "-", "_", "1", "2001", "::", "ü", "xn--bcher-kva", "'", '"',
    ]
)
DEFANG_TEXT = st.lists(FRAGMENTS, max_size=25).map("".join)


@given(st.text(max_size=200))
def test_refang_idempotent_on_any_text(text: str) -> None:
    once = refang(text)
    assert refang(once) == once


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(DEFANG_TEXT)
def test_refang_idempotent_on_defang_soup(text: str) -> None:
    once = refang(text)
    assert refang(once) == once


@given(st.one_of(st.text(max_size=200), DEFANG_TEXT))
def test_classify_only_ever_raises_invalid_ioc(text: str) -> None:
    try:
        ioc = classify(text)
    except InvalidIOCError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert ioc.original == text
    assert ioc.value
    # A result is stable: classifying the value again gives the same thing.
    again = classify(ioc.value)
    assert (again.type, again.value) == (ioc.type, ioc.value)


@given(st.one_of(st.text(max_size=300), DEFANG_TEXT))
def test_extract_results_reclassify_to_themselves(text: str) -> None:
    seen = set()
    for ioc in extract(text):
        assert (ioc.type, ioc.value) not in seen
        seen.add((ioc.type, ioc.value))
        again = classify(ioc.value)
        assert (again.type, again.value) == (ioc.type, ioc.value)


LABEL = st.from_regex(re.compile(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"), fullmatch=True)
TLD = st.sampled_from(["com", "net", "org", "de", "io", "example", "test", "xn--p1ai", "co"])
DOMAIN = st.builds(
    lambda labels, tld: ".".join([*labels, tld]), st.lists(LABEL, min_size=1, max_size=4), TLD
)
DEFANG_DOT = st.sampled_from([".", "[.]", "(.)", "{.}", "[dot]", "(dot)", "\\.", " [.] "])


@given(DOMAIN, st.data())
def test_defanged_domains_come_back(domain: str, data: st.DataObject) -> None:
    parts = domain.split(".")
    fanged = parts[0]
    for part in parts[1:]:
        fanged += data.draw(DEFANG_DOT) + part
    ioc = classify(fanged)
    assert (ioc.type, ioc.value) == (IOCType.DOMAIN, domain)
    url = classify(f"hxxps[:]//{fanged}/x")
    assert (url.type, url.value) == (IOCType.URL, f"https://{domain}/x")
    assert [(i.type, i.value) for i in extract(f"see {fanged} now")] == [(IOCType.DOMAIN, domain)]


def _fang(domain: str, draw) -> str:
    parts = domain.split(".")
    return parts[0] + "".join(draw(DEFANG_DOT) + p for p in parts[1:])


@st.composite
def report_item(draw) -> tuple[str, tuple[IOCType, str]]:
    """One indicator as a report would write it, and what extract() must find for it."""
    kind = draw(st.sampled_from(["domain", "url", "ipv4", "ipv6", "hash", "email"]))
    if kind == "domain":
        d = draw(DOMAIN)
        return _fang(d, draw), (IOCType.DOMAIN, d)
    if kind == "email":
        d = draw(DOMAIN)
        at = draw(st.sampled_from(["@", "[at]", "(at)", "[@]", " [at] "]))
        return f"bob{at}{_fang(d, draw)}", (IOCType.DOMAIN, d)
    if kind == "url":
        d = draw(DOMAIN)
        scheme = draw(st.sampled_from(["hxxp://", "hxxps[:]//", "hXXp[://]", "http://", "https://"]))
        plain = ("https://" if "s" in scheme.lower()[:5] else "http://") + d + "/p?q=1"
        return f"{scheme}{_fang(d, draw)}/p?q=1", (IOCType.URL, plain)
    if kind == "ipv4":
        ip = str(draw(st.ip_addresses(v=4)))
        return ip.replace(".", draw(DEFANG_DOT), 1), (IOCType.IPV4, ip)
    if kind == "ipv6":
        ip = draw(st.ip_addresses(v=6)).compressed
        return f"[{ip}]", (IOCType.IPV6, ip)
    raw = draw(st.sampled_from([16, 20, 32]))
    h = draw(st.binary(min_size=raw, max_size=raw)).hex()
    return h.upper() if draw(st.booleans()) else h, (_TYPE_OF_HEX_LEN[len(h)], h)


_TYPE_OF_HEX_LEN = {32: IOCType.MD5, 40: IOCType.SHA1, 64: IOCType.SHA256}
SEPARATORS = st.sampled_from([" ", ", ", "; ", "\n", " and ", " (see) ", ". Then "])


@settings(max_examples=100)
@given(st.lists(st.tuples(report_item(), SEPARATORS), min_size=1, max_size=8))
def test_extract_finds_every_indicator_in_generated_reports(items) -> None:
    text = "Indicators: " + "".join(fanged + sep for (fanged, _), sep in items)
    expected: list[tuple[IOCType, str]] = []
    for (_, want), _sep in items:
        if want not in expected:
            expected.append(want)
    got = extract(text)
    assert [(i.type, i.value) for i in got] == expected
    for ioc in got:
        assert ioc.original in text
        again = classify(ioc.original)
        assert (again.type, again.value) == (ioc.type, ioc.value)


@given(st.ip_addresses())
def test_every_ip_classifies_to_its_canonical_form(addr) -> None:
    ioc = classify(str(addr))
    assert ioc.type is (IOCType.IPV4 if addr.version == 4 else IOCType.IPV6)
    assert ioc.value == addr.compressed
    assert classify(f"[{addr}]").value == addr.compressed


@given(st.binary(min_size=16, max_size=16), st.integers(min_value=0, max_value=2**40))
def test_file_analysis_ids_round_trip(md5: bytes, ts: int) -> None:
    raw = f"{md5.hex()}:{ts}".encode()
    for enc in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("=")):
        ioc = classify(enc)
        assert ioc.type is IOCType.ANALYSIS
        assert ioc.value == base64.b64encode(raw).decode()


# --- the TLD data file ---------------------------------------------------------------


def test_tld_file_is_clean() -> None:
    lines = resources.files("vttui.vt.ioc").joinpath("tlds.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1000
    assert all(re.fullmatch(r"[a-z0-9-]+", t) for t in lines)
    assert len(set(lines)) == len(lines)
    names = set(lines)
    assert {"com", "de", "uk", "xn--p1ai", "zip", "test", "example", "invalid", "localhost"} <= names
    assert not names & {"exe", "pdf", "dll", "txt", "js", "docx"}

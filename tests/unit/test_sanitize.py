"""sanitize: escape sequences, control and bidi characters never survive."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vttui.vt.sanitize import clean_data, clean_line, clean_text

HOSTILE = [
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b]0;pwned title\x1b\\",  # set the window title
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1bP+q544e\x1b\\",  # DCS
    "\x9b31m",  # 8-bit CSI
    "\x1b7",  # save cursor
]


def test_escape_sequences_removed():
    for seq in HOSTILE:
        out = clean_line(f"a{seq}b")
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
        assert out.startswith("a") and out.endswith("b")
    assert clean_line("x\x1b]52;c;ZXZpbA==\x07y") == "xy"
    assert clean_line("trailing\x1b") == "trailing"
    assert clean_line("unterminated\x1b]52;c;ZXZpbA==") == "unterminated"


def test_bidi_and_invisible_removed():
    assert clean_line("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert clean_line("a\u2066b\u2069c\u200bd\ufeff") == "abcd"


def test_newlines_in_line_and_text():
    assert clean_line("a\nb\r\nc\td") == "a b  c d"
    assert clean_text("a\nb\r\nc\x00") == "a\nb\nc"


def test_surrogates_replaced():
    assert clean_line("a\ud800b") == "a\ufffdb"
    clean_line("a\ud800b").encode("utf-8")


def test_truncation():
    out = clean_line("x" * 20_000, max_len=100)
    assert len(out) == 100 and out.endswith("…")


def test_markup_is_not_this_modules_business():
    assert clean_line("[/] [@click=app.quit]") == "[/] [@click=app.quit]"


def test_clean_data_recurses():
    data = {"a\x1b[31m": ["x\x07", {"k": "\u202ey"}], "n": 5}
    assert clean_data(data) == {"a": ["x", {"k": "y"}], "n": 5}


@given(st.text())
def test_no_control_characters_ever(text):
    out = clean_line(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in out)
    out.encode("utf-8")
    text_out = clean_text(text)
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in text_out)

"""Issue 14's first-contact papercuts, in a real terminal: a pasted ticket, q at start."""

from __future__ import annotations

import pytest

from vttui.demo import demo_iocs

from .helpers import DEADLINE, VT

IOCS = demo_iocs()


def quit_with_ctrl_q(vt: VT) -> int:
    vt.quit_expected = True
    vt.press("ctrl+q")
    return vt.term.wait_exit(DEADLINE)


def test_a_pasted_ticket_with_crlf_lists_every_indicator(launch):
    vt = launch(size=(80, 24))
    vt.ready()
    ticket = (
        "Subject: phishing\r\n\r\n"
        f"Link: hxxp://{IOCS['domain'].replace('.', '[.]')}/invoice\r\n"
        + "noise line\r\n" * 200
        + f"Attachment sha256: {IOCS['detected_file']}\r\nBeacon to {IOCS['ip']}\r\n"
    )
    vt.term.paste(ticket)
    screen = vt.wait_for("3 indicators")
    for value in (IOCS["domain"], IOCS["detected_file"][:40], IOCS["ip"]):
        assert value in screen, screen
    assert quit_with_ctrl_q(vt) == 0


def test_q_at_start_types_and_the_screen_says_ctrl_q_quits(launch):
    vt = launch(size=(80, 24))
    screen = vt.ready()
    assert "ctrl+q  quit" in screen and "^q Quit" in screen.rstrip("\n").split("\n")[-1]
    vt.press("q", "enter")
    vt.wait_for("To quit: ctrl+q")
    assert vt.term.proc.poll() is None
    assert quit_with_ctrl_q(vt) == 0


def test_an_unknown_tld_warns_then_looks_it_up_and_a_port_is_not_refanged(launch):
    vt = launch(size=(80, 24))
    vt.ready()
    vt.term.type("c2.badsite.test:443")
    screen = vt.wait_for("http://c2.badsite.test:443")
    assert "refanged" not in screen
    vt.press("enter")
    vt.wait_for("VirusTotal has no record of this URL.")
    vt.search("hxxp://evil[.]bit/x")
    vt.wait_for("enter again to look it up anyway")
    vt.press("enter")
    vt.wait_for("VirusTotal has no record of this URL.")
    assert quit_with_ctrl_q(vt) == 0


def test_the_detections_filter_box_shows_what_is_typed_at_120_columns(launch):
    from .helpers import shows_report

    vt = launch(size=(120, 35))
    vt.ready()
    vt.search(IOCS["detected_file"], slash=False)
    vt.wait_for(shows_report("invoice_viewer.exe"))

    def key_bar(s: str) -> str:
        return s.rstrip("\n").split("\n")[-1]

    vt.wait_for(lambda s: "f Filter" in key_bar(s))  # the table has the focus
    vt.press("f")
    vt.wait_for(lambda s: "f Filter" not in key_bar(s))  # the filter box has it (as a person waits)
    vt.term.type("kasper")
    screen = vt.wait_for(lambda s: any(ln.count("kasper") == 2 for ln in s.split("\n")))
    vt.press("escape")
    vt.wait_for(lambda s: "kasper" not in s)
    assert quit_with_ctrl_q(vt) == 0
    assert "filter: kasper" in screen


@pytest.mark.parametrize(("size", "min_rows"), [((80, 24), 14), ((120, 35), 20)], ids=["80x24", "120x35"])
def test_the_first_report_leaves_the_table_its_rows_and_the_key_bar_whole(launch, server, size, min_rows):
    from .helpers import check_detections, detection_rows, expected_engines, shows_report

    vt = launch(size=size)
    vt.ready()
    vt.search(IOCS["detected_file"], slash=False)
    shown = shows_report("invoice_viewer.exe")
    screen = vt.wait_for(lambda s: shown(s) and len(detection_rows(s, strict=False)) >= min_rows)
    problems = check_detections(screen, expected_engines(server(0), f"files/{IOCS['detected_file']}"),
                                width=size[0], min_rows=min_rows)
    assert not problems, "\n".join(problems) + "\n" + screen
    bar = screen.rstrip("\n").split("\n")[-1]
    assert "123456 Tabs" in bar and "123…" not in bar, bar
    assert quit_with_ctrl_q(vt) == 0

"""The first report of a fresh start, with the terminal busy as a user's is.

Each case is a fresh ``vttui`` process. While the first report opens, input arrives as
it does from a person and a terminal: keys pressed right after enter, the mouse moving
over the window, the terminal losing and regaining focus, the window being resized;
some with a CPU-bound process beside it. Checked: no unexpected exception (crash guard),
and every frame that showed Detections rows showed them in full (cut only when the
window is too narrow, and then with an ellipsis).
"""

from __future__ import annotations

import contextlib
import time

import pytest

from vttui.demo import demo_iocs

from .helpers import (
    Disturbance,
    check_detections,
    detection_rows,
    drawn_at_this_width,
    expected_engines,
    header_line,
    shows_report,
)

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
TITLE = "invoice_viewer.exe"
WIDTH, HEIGHT = 120, 35


CASES = [
    # (server latency in ms, what arrives while the report opens, stimulus delay in s, busy CPU)
    pytest.param(0, "keys", 0.35, False, id="0ms-keys"),
    pytest.param(150, "mouse", 0.2, False, id="150ms-mouse"),
    pytest.param(400, "focus", 0.35, False, id="400ms-focus"),
    pytest.param(150, "resize", 0.5, False, id="150ms-resize"),
    pytest.param(0, "all", 0.5, True, id="0ms-all-busy-cpu"),
    pytest.param(150, "all", 0.35, True, id="150ms-all-busy-cpu"),
]


@pytest.mark.parametrize(("latency", "kind", "delay", "busy"), CASES)
def test_first_report_opens_whole_while_input_arrives(launch, server, request, latency, kind, delay, busy):
    if busy:
        request.getfixturevalue("busy_cpu")
    engines = expected_engines(server(0), f"files/{FILE}")
    vt = launch(latency=latency, size=(WIDTH, HEIGHT))
    vt.term.alarms.append("No Tab with id")
    vt.ready()
    # Input before the search, while the app finishes starting (the client, the network
    # imports). The delay only varies when the search lands relative to that.
    disturbance = Disturbance(vt, kind, (WIDTH, HEIGHT))
    disturbance.during(delay)
    vt.search(FILE, slash=False)
    disturbance.keys = True
    shown = shows_report(TITLE)
    deadline = time.monotonic() + 45
    while not shown(vt.screen()):  # input keeps arriving until the report is drawn
        assert time.monotonic() < deadline, "the first report never showed:\n" + vt.screen()
        disturbance.tick()
        with contextlib.suppress(TimeoutError):
            vt.wait_for(shown, timeout=0.02)
    disturbance.during(0.6)  # and on, while the report settles
    if "resize" in disturbance.kinds:
        # While the window changes size, what a terminal shows is the previous frame cut
        # or padded until the program draws again, in any terminal: only the frames after
        # the last resize are judged, once the program has drawn the whole screen anew.
        vt.term.resize(WIDTH, HEIGHT)
        vt.press("2")
        vt.wait_for("SHA-256")
        since = len(vt.term.frames)
        vt.press("1")
        vt.wait_for(shown)
        frames = [text for _at, text in vt.term.frames[since:] if detection_rows(text, strict=False)]
    else:
        frames = [text for _at, text in vt.term.frames if detection_rows(text, strict=False)]
    assert frames, "no complete frame with Detections rows was seen"
    screen = vt.wait_for(lambda s: "LIVE" in s and shown(s))
    for text in [*frames[:1], *frames[-1:], screen]:
        problems = check_detections(text, engines, width=WIDTH)
        assert not problems, "\n".join(problems) + "\n" + text
    bad = [text for text in frames if check_detections(text, engines, width=WIDTH)]
    assert not bad, f"{len(bad)} of {len(frames)} frames showed cut columns, e.g.:\n{bad[0]}"
    assert vt.quit() == 0


#: One search after another, each as soon as the previous report is read (and the next
#: view is being built in the background at a slightly different moment each time).
QUICK = [
    (IOCS["detected_file"], "invoice_viewer.exe", f"files/{IOCS['detected_file']}"),
    (IOCS["domain"], IOCS["domain"], f"domains/{IOCS['domain']}"),
    (IOCS["ip"], IOCS["ip"], f"ip_addresses/{IOCS['ip']}"),
    (IOCS["phishing_domain"], IOCS["phishing_domain"], f"domains/{IOCS['phishing_domain']}"),
    (IOCS["clean_ip"], IOCS["clean_ip"], f"ip_addresses/{IOCS['clean_ip']}"),
    (IOCS["parent_domain"], IOCS["parent_domain"], f"domains/{IOCS['parent_domain']}"),
    (IOCS["sinkhole_ip"], IOCS["sinkhole_ip"], f"ip_addresses/{IOCS['sinkhole_ip']}"),
]


@pytest.mark.parametrize("latency", [150])
def test_searches_in_quick_succession_while_the_mouse_moves(launch, server, latency):
    """An analyst pasting indicators one after another: each enter lands at another point
    of the next view's construction, with the mouse moving over the window."""
    expected = {title: expected_engines(server(0), path) for _ioc, title, path in QUICK}
    vt = launch(latency=latency, size=(WIDTH, HEIGHT))
    vt.ready()
    disturbance = Disturbance(vt, "mouse", (WIDTH, HEIGHT))
    for step, (ioc, title, _path) in enumerate(QUICK):
        vt.search(ioc, slash=step > 0)
        shown = shows_report(title)
        deadline = time.monotonic() + 45
        while not shown(vt.screen()):
            assert time.monotonic() < deadline, f"{ioc} never showed:\n" + vt.screen()
            disturbance.tick()
            with contextlib.suppress(TimeoutError):
                vt.wait_for(shown, timeout=0.02)
        disturbance.during(0.25 + 0.1 * step)  # the next view is built 0.4 s after a report shows
    checked = 0
    for _at, text in vt.term.frames:
        title = next((t for t in expected if t in header_line(text)), None)
        if title is None or not drawn_at_this_width(text) or not detection_rows(text, strict=False):
            continue
        problems = check_detections(text, expected[title], width=WIDTH, min_rows=1)
        assert not problems, "\n".join(problems) + "\n" + text
        checked += 1
    assert checked >= len(QUICK)
    assert vt.quit() == 0


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.2, 0.3, 0.4])
def test_first_search_at_each_moment_of_start_up_in_the_demo(launch, busy_cpu, delay):
    """``vttui --demo`` next to a busy CPU, the first enter at successive moments of
    start-up, while the next report view is being built in the background, the mouse
    moving over the window. (The demo builds its data in process at start, which puts
    the view's construction right where a quick first search lands: before the fix, 1 to
    3 of these crashed in every run.)"""
    vt = launch(size=(WIDTH, HEIGHT), demo=True)
    vt.ready()
    disturbance = Disturbance(vt, "mouse", (WIDTH, HEIGHT))
    disturbance.during(delay)
    vt.search(FILE, slash=False)
    shown = shows_report(TITLE)
    deadline = time.monotonic() + 45
    while not shown(vt.screen()):
        assert time.monotonic() < deadline, "the first report never showed:\n" + vt.screen()
        disturbance.tick()
        with contextlib.suppress(TimeoutError):
            vt.wait_for(shown, timeout=0.02)
    assert vt.quit() == 0

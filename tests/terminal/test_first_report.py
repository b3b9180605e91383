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

from .helpers import Disturbance, check_detections, detection_rows, drawn_at_this_width, expected_engines, shows_report

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
    # Input before the search: the standby report view is being built about now. The
    # delay only varies when the search lands relative to that.
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
    disturbance.during(0.6)  # and on: the next view is built after the report shows
    vt.term.resize(WIDTH, HEIGHT)
    screen = vt.wait_for(lambda s: "LIVE" in s and shown(s))
    # every frame the user saw with rows drawn, at full width, showed whole columns
    frames = [text for _at, text in vt.term.frames if detection_rows(text, strict=False) and drawn_at_this_width(text)]
    assert frames, "no complete frame with Detections rows was seen"
    for text in frames[:1] + frames[-1:] + [screen]:
        problems = check_detections(text, engines, width=WIDTH)
        assert not problems, "\n".join(problems) + "\n" + text
    bad = [text for text in frames if check_detections(text, engines, width=WIDTH)]
    assert not bad, f"{len(bad)} of {len(frames)} frames showed cut columns, e.g.:\n{bad[0]}"
    assert vt.quit() == 0

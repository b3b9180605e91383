"""Window size changes and pivots under input, in a real terminal.

A table's columns follow the window: whole when they fit, the widest cut with an
ellipsis when they do not, whole again when the window grows back. A view opened by a
pivot (not only the first report) is drawn whole while the mouse moves, the terminal
loses and regains focus and the window is resized.
"""

from __future__ import annotations

import contextlib
import time

from vttui.demo import demo_iocs

from .helpers import (
    Disturbance,
    check_detections,
    detection_rows,
    drawn_at_this_width,
    expected_engines,
    needed_width,
    shows_report,
)

IOCS = demo_iocs()
FILE, DOMAIN = IOCS["detected_file"], IOCS["domain"]


def _cut(screen: str) -> bool:
    return any(cell.endswith("…") for row in detection_rows(screen, strict=False) for cell in row)


def test_columns_follow_the_window(launch, server):
    engines = expected_engines(server(0), f"files/{FILE}")
    assert 80 < needed_width(engines) <= 130  # whole at 130 columns, cut at 80
    vt = launch(latency=150, size=(130, 35))
    vt.ready()
    vt.search(FILE, slash=False)
    vt.wait_for(shows_report("invoice_viewer.exe"))
    for width, height, cut in ((130, 35, False), (80, 24, True), (100, 30, True), (130, 35, False), (80, 24, True)):
        vt.term.resize(width, height)
        screen = vt.wait_for(lambda s, w=width, c=cut: detection_rows(s, strict=False) != []
                             and check_detections(s, engines, width=w) == [] and _cut(s) == c)
        assert len(screen.split("\n")) == height
    assert vt.quit() == 0


def test_a_pivot_opens_whole_while_input_arrives(launch, server):
    engines = expected_engines(server(0), f"domains/{DOMAIN}")
    size = (120, 35)
    vt = launch(latency=150, size=size)
    vt.ready()
    vt.search(FILE, slash=False)
    vt.wait_for(shows_report("invoice_viewer.exe"))
    vt.press("3")
    vt.wait_for("contacted_domains (4)")
    vt.press("down", "enter")
    vt.wait_for(f"domain {DOMAIN}")
    disturbance = Disturbance(vt, "mouse+focus+keys", size)
    disturbance.during(0.5)  # the next view is being built about now
    vt.press("down", "enter")  # pivot to the domain
    shown = shows_report(DOMAIN)
    deadline = time.monotonic() + 45
    while not shown(vt.screen()):
        assert time.monotonic() < deadline, "the domain never showed:\n" + vt.screen()
        disturbance.tick()
        with contextlib.suppress(TimeoutError):
            vt.wait_for(shown, timeout=0.02)
    disturbance.during(0.6)
    screen = vt.wait_for(shown)
    problems = check_detections(screen, engines, width=size[0])
    assert not problems, "\n".join(problems) + "\n" + screen
    frames = [text for _at, text in vt.term.frames if shown(text) and drawn_at_this_width(text)]
    bad = [text for text in frames if check_detections(text, engines, width=size[0])]
    assert not bad, f"{len(bad)} of {len(frames)} frames showed cut columns, e.g.:\n{bad[0]}"
    assert vt.quit() == 0

"""Reading vttui's screen in a real terminal, and driving it as a user does.

Every wait polls the rendered screen until a condition holds (with a generous deadline
for a loaded machine); nothing sleeps and then asserts.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.ptyterm import FOCUS_IN, FOCUS_OUT, Terminal, mouse_move

#: A 64-character key (the demo server accepts any key it was not told to reject).
KEY = "terminal-test-" + "0123456789abcdef" * 3 + "wxyz"
#: Config for live runs: the premium tier, so a tour is not held up by the 4/minute
#: public quota (which has its own tests).
PREMIUM = '[quota]\ntier = "premium"\n'
#: Text that means an unexpected exception reached the user.
CRASH_MARKERS = (
    "Something unexpected went wrong",
    "Traceback (most recent call last)",
    "stopped after an unexpected error",
)
#: Generous: a loaded 2-core machine, a 400 ms server, a cold interpreter.
DEADLINE = 45.0

DETECTION_COLUMNS = ("Engine", "Category", "Result", "Version", "Updated")
_SCROLLBAR = "▁▂▃▄▅▆▇█▔▕▏▐▊▎ "
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class VT:
    """One ``vttui`` under a pseudo-terminal, and what the test expects of its end."""

    term: Terminal
    home: Path
    quit_expected: bool = False
    notes: list[str] = field(default_factory=list)

    # --- reading -------------------------------------------------------------------------

    def screen(self) -> str:
        return self.term.text()

    def wait_for(self, condition, timeout: float = DEADLINE) -> str:  # type: ignore[no-untyped-def]
        return self.term.wait_for(condition, timeout)

    def ready(self) -> str:
        """The search bar is painted and the client is up (status line says LIVE or DEMO)."""
        return self.wait_for(lambda s: "/ search" in s and ("LIVE" in s or "DEMO" in s))

    # --- typing --------------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        self.term.press(*keys)

    def escape(self, gone: str) -> str:
        """Escape until ``gone`` has left the screen. A lone ESC is told from the start
        of a sequence only by the pause after it, as in any terminal, and some dialogs
        take two (the command palette first closes its list)."""
        for _ in range(3):
            self.term.press("escape")
            try:
                return self.wait_for(lambda s: gone not in s, timeout=5)
            except TimeoutError:
                continue
        return self.wait_for(lambda s: gone not in s)

    def search(self, text: str, *, slash: bool = True) -> None:
        """Focus the search bar with ``/`` (unless it has the focus already, as at start),
        type ``text`` and press enter.

        After ``/`` it waits for the key bar to change (the search bar's keys): Textual
        decides where a key goes when it reads it, so keys sent in the same burst as
        ``/`` would still go to the widget that had the focus. Only a program types
        that fast; a person's next key comes later."""
        if slash:
            before = self.screen().rstrip("\n").split("\n")[-1]
            self.term.press("slash")
            self.wait_for(lambda s: s.rstrip("\n").split("\n")[-1] != before)
        self.term.type(text)
        self.term.press("enter")

    def quit(self) -> int:
        """``q`` and the exit code (the fixture fails the test if it is not 0)."""
        self.quit_expected = True
        self.term.press("q")
        return self.term.wait_exit(DEADLINE)


class Disturbance:
    """Input of one ``kind`` at a person's pace: the mouse crossing the window (a report
    every 30 ms), the terminal losing and regaining focus, keys, window resizes."""

    #: Seconds between two bursts of each kind of input.
    EVERY = {"mouse": 0.03, "focus": 0.25, "resize": 0.4, "keys": 0.12}

    def __init__(self, vt: VT, kind: str, size: tuple[int, int]) -> None:
        self.vt = vt
        self.size = size
        self.kinds = tuple(self.EVERY) if kind == "all" else tuple(kind.split("+"))
        self.due = dict.fromkeys(self.kinds, 0.0)
        self.step = 0
        self.keys = False  # keys only once the search is sent (they would edit it)

    def tick(self) -> None:
        now = time.monotonic()
        term = self.vt.term
        for kind in self.kinds:
            if now < self.due[kind] or (kind == "keys" and not self.keys):
                continue
            self.due[kind] = now + self.EVERY[kind]
            self.step += 1
            step = self.step
            width, height = self.size
            if kind == "mouse":
                term.send(mouse_move(5 + (step * 7) % (width - 10), 4 + step % (height - 8)))
            elif kind == "focus":
                term.send(FOCUS_OUT)
                term.send(FOCUS_IN)
            elif kind == "resize":  # narrower, then back at the next tick
                term.resize(width if term.width != width else width - 1 - step % 3, height)
            else:
                self.vt.press(("down", "up", "down", "pagedown", "home")[step % 5])

    def during(self, seconds: float) -> None:
        """Keep the input coming for ``seconds``: this varies when the next step lands
        relative to the app's own work; nothing is timed or asserted on it."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.tick()
            time.sleep(0.01)


# --- the report on screen ------------------------------------------------------------------


def header_line(screen: str) -> str:
    """The report's header (verdict, title, facts: from the third row down to the tab
    bar), joined into one line: at 80 columns a long title wraps."""
    lines = screen.split("\n")[2:]
    out = []
    for line in lines:
        if "Details" in line and "Relations" in line and "Votes" in line:
            break
        out.append(line.strip())
    return " ".join(out)


def shows_report(title: str) -> callable:  # type: ignore[valid-type]
    """Condition: the report of ``title`` is shown with its Detections rows drawn."""

    def cond(screen: str) -> bool:
        return title in header_line(screen) and detection_rows(screen, strict=False) != []

    cond.__doc__ = f"the report of {title} with Detections rows"
    return cond


def drawn_at_this_width(screen: str) -> bool:
    """The frame was drawn for the window's current width: the key bar, pinned to the
    right edge, ends whole. (Right after a resize, the terminal shows the previous
    frame cut to the new width until the program draws again, in any terminal.)"""
    return screen.rstrip("\n").split("\n")[-1].rstrip().endswith("Palette")


def detection_rows(screen: str, *, strict: bool = True) -> list[list[str]]:
    """The Detections table's visible rows, cut into cells at the header's column starts."""
    lines = screen.split("\n")
    index = next((i for i, line in enumerate(lines) if line.split()[:5] == list(DETECTION_COLUMNS)), None)
    if index is None:
        if strict:
            raise AssertionError("no Detections table on screen:\n" + screen)
        return []
    starts = [lines[index].index(label) for label in DETECTION_COLUMNS]
    rows = []
    for line in lines[index + 1:]:
        body = line.rstrip(_SCROLLBAR)
        if not body.strip() or "│" in body or body.startswith("  LIVE") or body.startswith("  DEMO"):
            break
        if "▌" in body:  # a notification covers the end of this row
            continue
        rows.append([body[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)])
    return rows


@dataclass(frozen=True)
class Engine:
    name: str
    category: str
    result: str
    version: str


def expected_engines(base_url: str, path: str) -> dict[str, Engine]:
    """What the server says each engine answered for the object at ``path`` (e.g.
    ``files/<sha256>``): the values the table must show."""
    reply = httpx.get(f"{base_url}/{path}", headers={"x-apikey": KEY}, timeout=30)
    reply.raise_for_status()
    results = reply.json()["data"]["attributes"]["last_analysis_results"]
    return {
        name: Engine(name, r.get("category") or "–", r.get("result") or "–", r.get("engine_version") or "–")
        for name, r in results.items()
    }


def _matches(cell: str, full: str, cut_allowed: bool) -> bool:
    if cell == full:
        return True
    return cut_allowed and cell.endswith("…") and len(cell) > 1 and full.startswith(cell[:-1])


def needed_width(engines: dict[str, Engine]) -> int:
    """Columns the Detections table needs to show every cell whole: each column's widest
    value (or label), one cell of padding each side, and a scrollbar."""
    columns = [
        [e.name for e in engines.values()], [e.category for e in engines.values()],
        [e.result for e in engines.values()], [e.version for e in engines.values()], ["2026-01-01"],
    ]
    return sum(max(len(label), *(len(v) for v in values)) + 2
               for label, values in zip(DETECTION_COLUMNS, columns, strict=True)) + 2


def check_detections(screen: str, engines: dict[str, Engine], *, width: int, min_rows: int = 5) -> list[str]:
    """Every visible row shows a real engine's values in full or, only when the window is
    narrower than the table needs, cut with an ellipsis; the problems found (none: [])."""
    cut_allowed = width < needed_width(engines)
    rows = detection_rows(screen)
    problems = []
    if len(rows) < min_rows:
        problems.append(f"only {len(rows)} Detections rows on screen")
    for row in rows:
        if len(row) != 5:
            problems.append(f"row {row!r} does not have five cells")
            continue
        name, category, result, version, updated = row
        candidates = [e for e in engines.values() if _matches(name, e.name, cut_allowed)]
        match = next((e for e in candidates if _matches(category, e.category, cut_allowed)
                      and _matches(result, e.result, cut_allowed) and _matches(version, e.version, cut_allowed)), None)
        if match is None:
            problems.append(f"row {row!r} is not an engine's answer shown "
                            f"{'in full or cut with …' if cut_allowed else 'in full'} at {width} columns")
        if not (updated == "–" or _DATE.fullmatch(updated)):
            problems.append(f"row {row!r}: the date is cut")
    return problems

"""Where the user is: the installed ``vttui`` in a real pseudo-terminal, timed from the
key press to the frame that reaches the terminal.

Each repetition is a fresh process (120x35, the demo server in another process N ms
away, a fresh home). Enter is pressed on a hash already typed (typing is not timed);
the clock stops at the arrival of the first complete frame showing that report's
Detections rows, as read back by a terminal emulator (``tests/support/ptyterm.py``). With
``VTTUI_TRACE`` the app notes its own phases (request sent, reply parsed, view built,
frames written) on the same clock, so each repetition also says where the time went.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from .core import Result, benchmark, median, ms, spread

SIZE = (120, 35)
KEY = "bench-terminal-" + "0123456789abcdef" * 3 + "wxyz"
#: A user's pause between typing and pressing enter: the app's start-up work (the
#: client, the standby view) is done by then, as it is for a person.
THINK = 1.0
PHASES = ("enter→request", "request→reply", "reply→view built", "view built→frame written", "frame written→on screen")


def vttui_binary() -> Path:
    """The console script installed next to this interpreter (what a user runs)."""
    return Path(sys.executable).with_name("vttui")


def _report_shown(title: str) -> Callable[[str], bool]:
    """The report of ``title`` is on screen with Detections rows under the table header."""

    def cond(screen: str) -> bool:
        lines = screen.split("\n")
        head = " ".join(lines[2:6])
        if title not in head:
            return False
        for i, line in enumerate(lines):
            if line.split()[:3] == ["Engine", "Category", "Result"]:
                return i + 1 < len(lines) and bool(lines[i + 1].strip()) and "│" not in lines[i + 1]
        return False

    return cond


class _Run:
    """One fresh ``vttui`` under a pseudo-terminal, with its trace file."""

    def __init__(self, base_url: str, home: Path) -> None:
        from tests.support.ptyterm import Terminal

        config = home / "config"
        config.mkdir(parents=True)
        (config / "config.toml").write_text('[quota]\ntier = "premium"\n')
        self.trace = home / "trace.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color", "COLORTERM": "truecolor",
            "LANG": "C.UTF-8", "HOME": str(home), "VTTUI_CONFIG_DIR": str(config),
            "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
            "VT_API_URL": base_url, "VT_API_KEY": KEY, "VTTUI_TRACE": str(self.trace),
        }
        self.term = Terminal([str(vttui_binary())], env, width=SIZE[0], height=SIZE[1], cwd=str(home))
        self._cond: Callable[[str], bool] | None = None
        self._hit: float | None = None
        self.term.watchers.append(self._watch)

    def _watch(self, at: float, screen: str) -> None:
        if self._cond is not None and self._hit is None and self._cond(screen):
            self._hit = at

    def press_until(self, key: bytes, cond: Callable[[str], bool], timeout: float = 60.0) -> tuple[float, float]:
        """Send ``key``; (when it was sent, when the first frame showing ``cond`` arrived)."""
        with self.term._lock:  # armed before the key leaves, so no frame is missed
            self._cond, self._hit = cond, None
        t0 = time.monotonic()
        self.term.send(key)
        self.term.wait_for(lambda _s: self._hit is not None, timeout)
        hit = self._hit
        self._cond = None
        assert hit is not None
        return t0, hit

    def marks(self) -> list[tuple[float, str]]:
        try:
            lines = self.trace.read_text().splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            at, _, name = line.partition(" ")
            out.append((float(at), name))
        return out

    def type_and_settle(self, text: str, *, slash: bool) -> None:
        """Type ``text`` into the search bar (focusing it with ``/`` first) and give the
        app a person's pause before enter."""
        if slash:
            before = self.term.text().rstrip("\n").split("\n")[-1]
            self.term.press("slash")
            self.term.wait_for(lambda s: s.rstrip("\n").split("\n")[-1] != before, 30)
        self.term.type(text)
        self.term.wait_for(lambda s: text[:20] in s.split("\n")[0], 30)
        time.sleep(THINK)

    def close(self) -> None:
        self.term.press("q")
        try:
            self.term.wait_exit(20)
        finally:
            self.term.close()


def phases(marks: list[tuple[float, str]], t0: float, shown: float) -> dict[str, float] | None:
    """Where the time from enter (``t0``) to the frame on screen (``shown``) went."""
    after = [(at, name) for at, name in marks if t0 <= at <= shown + 1]

    def first(name: str, since: float) -> float | None:
        return next((at for at, n in after if n == name and at >= since), None)

    request = first("request", t0)
    reply = first("reply", request or t0)
    built = first("populated", reply or t0)
    if request is None or reply is None or built is None:
        return None
    frames = [at for at, n in after if n == "frame" and built <= at <= shown]
    written = frames[-1] if frames else shown
    spans = (request - t0, reply - request, built - reply, written - built, shown - written)
    return dict(zip(PHASES, spans, strict=True))


@cache
def measure(latency: float, reps: int, backs: int) -> dict[str, Any]:
    """Fresh starts against a server ``latency`` s away: cold and warm enter-to-rows,
    cached back and forward, phases. Cached: both benchmarks below use one set of runs."""
    from tests.support.serve import served
    from vttui.demo import demo_iocs

    iocs = demo_iocs()
    first, second = iocs["detected_file"], iocs["clean_file"]
    out: dict[str, Any] = {"cold": [], "warm": [], "back": [], "forward": [], "cold_phases": [], "warm_phases": [],
                           "errors": []}
    with served(latency) as base_url:
        for _ in range(reps):
            with tempfile.TemporaryDirectory(prefix="vttui-pty-bench-") as tmp:
                run = _Run(base_url, Path(tmp))
                try:
                    run.term.wait_for(lambda s: "/ search" in s and "LIVE" in s, 60)
                    run.type_and_settle(first, slash=False)
                    t0, shown = run.press_until(b"\r", _report_shown("invoice_viewer.exe"))
                    out["cold"].append(shown - t0)
                    out["cold_phases"].append(phases(run.marks(), t0, shown))
                    run.type_and_settle(second, slash=True)
                    t0, shown = run.press_until(b"\r", _report_shown(second[:12]))
                    out["warm"].append(shown - t0)
                    out["warm_phases"].append(phases(run.marks(), t0, shown))
                    for _ in range(backs):
                        time.sleep(0.3)  # a person reads before going back
                        t0, shown = run.press_until(b"\x7f", _report_shown("invoice_viewer.exe"))
                        out["back"].append(shown - t0)
                        time.sleep(0.3)
                        t0, shown = run.press_until(b"\x1b[1;3C", _report_shown(second[:12]))
                        out["forward"].append(shown - t0)
                except (TimeoutError, AssertionError, OSError) as exc:
                    out["errors"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
                finally:
                    run.close()
    return out


def _phase_line(samples: list[dict[str, float] | None]) -> str:
    good = [s for s in samples if s]
    if not good:
        return "no trace"
    return "; ".join(f"{name} {ms(median(s[name] for s in good))}" for name in PHASES)


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


@benchmark("pty_enter_to_detections")
def pty_enter_to_detections(quick: bool) -> Result:
    """Enter on a hash to its Detections rows on screen, in a real pseudo-terminal, against
    a loopback server N ms away (target <= 1.2 x latency + 50 ms, cold and warm).

    The installed ``vttui``, started fresh for each repetition; timed from the enter key
    to the arrival of the first complete frame showing the report's rows, as a terminal
    emulator reads it. "Cold" is the first report of the process, "warm" the second.
    Medians; each run also splits the time into phases (the app's own trace marks).
    """
    latencies = (0.1,) if quick else (0.1, 0.3)
    reps = 1 if quick else 7
    res = Result("pty_enter_to_detections", "", "<= 1.2x latency + 50 ms")
    verdicts, heads = [], []
    load_before = _load()
    for latency in latencies:
        data = measure(latency, reps, 1 if quick else 5)
        cold, warm = data["cold"], data["warm"]
        if not cold or not warm:
            res.notes.extend(data["errors"][:3])
            continue
        budget = 1.2 * latency + 0.05
        verdicts.append(max(median(cold), median(warm)) <= budget)
        heads.append(f"{median(cold) / latency:.2f}x cold, {median(warm) / latency:.2f}x warm @{latency * 1000:.0f} ms")
        label = f"{latency * 1000:.0f} ms"
        for what, values in (("cold (first report)", cold), ("warm (second report)", warm)):
            ratio = median(values) / latency
            res.add(f"{label}: {what}", f"{ms(median(values))} = {ratio:.2f}x latency; {spread(values)}")
        res.add(f"{label}: budget", ms(budget))
        res.add(f"{label}: cold phases (medians)", _phase_line(data["cold_phases"]))
        res.add(f"{label}: warm phases (medians)", _phase_line(data["warm_phases"]))
        res.notes.extend(data["errors"][:3])
    res.add("load average before / after", f"{load_before} / {_load()}")
    res.figure = "; ".join(heads) or "not measured"
    res.met = all(verdicts) if verdicts and len(verdicts) == len(latencies) else None
    return res


@benchmark("pty_cached_back")
def pty_cached_back(quick: bool) -> Result:
    """Backspace to the earlier report on screen in a real pseudo-terminal (target <= 50 ms).

    Same runs as pty_enter_to_detections: after two reports, back (backspace) and forward
    (alt+right) alternate; timed from the key to the arrival of the first frame showing
    the other report. Nothing is fetched: both views are kept alive.
    """
    latencies = (0.1,) if quick else (0.1, 0.3)
    back: list[float] = []
    forward: list[float] = []
    errors: list[str] = []
    for latency in latencies:
        data = measure(latency, 1 if quick else 7, 1 if quick else 5)
        back += data["back"]
        forward += data["forward"]
        errors += data["errors"]
    if not back:
        res = Result("pty_cached_back", "not measured", "<= 50 ms")
        res.notes.extend(errors[:3])
        return res
    res = Result("pty_cached_back", f"{ms(median(back))} median", "<= 50 ms", median(back) <= 0.050)
    res.add("back (backspace) to the earlier report on screen", spread(back))
    res.add("forward (alt+right)", f"{ms(median(forward))} median; {spread(forward)}")
    res.add("load average", _load())
    res.notes.extend(errors[:3])
    return res

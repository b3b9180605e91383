"""Startup: process start to an interactive search bar, vttui against a bare Textual app."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .core import ROOT, Result, benchmark, median, ms, spread

CHILD = Path(__file__).with_name("_startup_child.py")
SIZE = (120, 40)


def _drain(fd: int) -> None:
    """Read the terminal's output until the child closes it (a full pty would block it)."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def run_once(which: str, config_dir: str, timeout: float = 60.0) -> dict:
    """Start one app under a fresh pseudo-terminal; its timings (seconds since spawn)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    read_end, write_end = os.pipe()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", VTTUI_CONFIG_DIR=config_dir,
               VTTUI_BENCH_FD=str(write_end), VTTUI_BENCH_ROOT=str(ROOT), PYTHONDONTWRITEBYTECODE="")
    env.pop("VT_API_KEY", None)
    env.pop("VTCLI_APIKEY", None)
    env["VTTUI_BENCH_T0"] = repr(time.time())
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), which], stdin=slave, stdout=slave, stderr=slave,
        pass_fds=(write_end,), env=env, start_new_session=True, cwd=config_dir,
    )
    os.close(slave)
    os.close(write_end)
    drainer = threading.Thread(target=_drain, args=(master,), daemon=True)
    drainer.start()
    try:
        with os.fdopen(read_end, "rb") as fh:
            line = fh.readline()
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        line = b""
    finally:
        os.close(master)
        drainer.join(2)
    if not line:
        return {"error": f"{which} never showed a focused Input (exit code {proc.returncode})"}
    return json.loads(line)


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def import_profile(code: str) -> list[tuple[str, int, int, int]]:
    """(module, depth, self us, cumulative us) from ``python -X importtime -c code``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         env=env, cwd=str(ROOT), timeout=120)
    rows = []
    for line in out.stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            depth = (len(m.group(3)) - 1) // 2
            rows.append((m.group(4), depth, int(m.group(1)), int(m.group(2))))
    return rows


def _import_tree(rows: list[tuple[str, int, int, int]]) -> list[tuple[str, int, list]]:
    """importtime lists a module after its children: rebuild (name, cumulative us, children)."""
    pending: dict[int, list] = {}
    roots: list[tuple[str, int, list]] = []
    for name, depth, _self, cum in rows:
        node = (name, cum, pending.pop(depth + 1, []))
        (roots if depth == 0 else pending.setdefault(depth, [])).append(node)
    return roots


def import_diagnosis() -> list[str]:
    """Where vttui's extra import time goes, with the bare app's imports paid first."""
    base = "import textual.app, textual.widgets._input"
    rows = import_profile(base + "; import vttui.cli, vttui.tui.app, vttui.demo")
    base_rows = import_profile(base)
    total = sum(c for _, d, _, c in rows if d == 0) / 1000
    base_total = sum(c for _, d, _, c in base_rows if d == 0) / 1000
    lines = [f"imports: {total:.0f} ms for vttui (incl. the demo backend) vs {base_total:.0f} ms for the bare app "
             "(one -X importtime run each; nested modules are counted under whoever imported them first)"]
    base_names = {name for name, *_ in base_rows}
    roots = [n for n in _import_tree(rows) if n[0] not in base_names]

    def show(nodes: list, depth: int) -> None:
        for name, cum, children in sorted(nodes, key=lambda n: -n[1]):
            if cum < 8000:
                continue
            lines.append(f"  {'  ' * depth}{cum / 1000:6.1f} ms  {name}")
            if depth < 2:
                show(children, depth + 1)

    show(roots, 0)
    selfs = sorted(((s, name) for name, _d, s, _c in rows if name not in base_names), reverse=True)[:8]
    lines.append("heaviest single modules (self time): " + ", ".join(f"{n} {s / 1000:.1f} ms" for s, n in selfs))
    return lines


@benchmark("startup")
def startup(quick: bool) -> Result:
    """Process start to a focused, painted search bar: `vttui --demo` vs a bare Textual app
    with one Input (target <= 1.3x).

    Each run is a fresh interpreter under its own pseudo-terminal, so imports, the
    terminal driver and the first frame all count; the two apps alternate run by run so
    machine noise hits both alike; the ratio is of the two medians.
    """
    reps = 2 if quick else 9
    vt: list[dict] = []
    base: list[dict] = []
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vttui-bench-") as tmp:
        run_once("minimal", tmp)  # warm the OS file cache (.pyc files) for both
        run_once("vttui", tmp)
        for _ in range(reps):
            for which, sink in (("minimal", base), ("vttui", vt)):
                out = run_once(which, tmp)
                if "error" in out:
                    errors.append(out["error"])
                else:
                    sink.append(out)
    res = Result("startup", "", "<= 1.3x the bare app")
    if not vt or not base:
        res.figure = "not measured"
        res.notes.extend(errors)
        return res
    vt_ready = median(r["ready"] for r in vt)
    base_ready = median(r["ready"] for r in base)
    ratio = vt_ready / base_ready
    res.figure = f"{ratio:.2f}x ({ms(vt_ready, 0)} vs {ms(base_ready, 0)})"
    res.met = ratio <= 1.3
    res.add("vttui --demo, ready", spread(r["ready"] for r in vt))
    res.add("bare Textual app, ready", spread(r["ready"] for r in base))
    res.add(
        "interpreter boot (median)",
        f"vttui {ms(median(r['boot'] for r in vt))}, bare {ms(median(r['boot'] for r in base))}",
    )
    res.add(
        "imports done (median)",
        f"vttui {ms(median(r['imports'] for r in vt))}, bare {ms(median(r['imports'] for r in base))}",
    )
    res.add(
        "imports to ready (median)",
        f"vttui {ms(median(r['ready'] - r['imports'] for r in vt))}, "
        f"bare {ms(median(r['ready'] - r['imports'] for r in base))}",
    )
    res.add("focused widget", f"vttui {vt[0]['focused']}, bare {base[0]['focused']}")
    if errors:
        res.notes.extend(errors[:3])
    if not quick:
        try:
            res.notes.extend(import_diagnosis())
        except (OSError, subprocess.SubprocessError) as exc:
            res.notes.append(f"import profile failed: {exc}")
    return res

"""The demo server in its own process, for benchmarks that time the app.

VirusTotal is another machine: its work must not take the CPU (or the GIL) from the app
being timed. A DemoServer thread inside the benchmark's process does exactly that, every
reply built while the app renders. ``served(latency)`` starts ``python -m
vttui.bench.serve LATENCY`` instead, which prints its base URL and serves until its stdin
closes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from .core import ROOT


@contextlib.contextmanager
def served(latency: float) -> Iterator[str]:
    """Base URL of a demo server in a child process answering ``latency`` seconds late."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    child = subprocess.Popen([sys.executable, "-m", "vttui.bench.serve", str(latency)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    try:
        line = child.stdout.readline().strip() if child.stdout else ""
        if not line.startswith("http"):
            raise RuntimeError(f"the demo server process did not start: {line!r}")
        yield line
    finally:
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()


def main(argv: list[str]) -> int:
    from ..vt.demo import DemoBackend, DemoServer
    from .middleware import Latency

    latency = float(argv[0]) if argv else 0.0
    server = DemoServer(DemoBackend(), middleware=Latency(latency)).start()
    try:
        print(server.base_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or exits)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

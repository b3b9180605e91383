"""The demo server in its own process: for terminal tests, benchmarks and trying vttui by hand.

``python -m tests.support.serve [--latency S] [--port N] [--hostile]`` prints its base URL
(``VT_API_URL`` for vttui) and serves the demo data until its stdin closes or ctrl+c.

VirusTotal is another machine: its work must not take the CPU (or the GIL) from the app
being timed. A DemoServer thread inside the benchmark's process does exactly that, every
reply built while the app renders. ``served(latency)`` starts ``python -m
tests.support.serve LATENCY`` instead, which prints its base URL and serves until its stdin
closes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def served(latency: float) -> Iterator[str]:
    """Base URL of a demo server in a child process answering ``latency`` seconds late."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    child = subprocess.Popen([sys.executable, "-m", "tests.support.serve", str(latency)], stdin=subprocess.PIPE,
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
    import argparse

    from tests.support.faults import chain, hostile, latency
    from tests.support.server import DemoServer
    from vttui.demo import DemoBackend

    parser = argparse.ArgumentParser(prog="python -m tests.support.serve", description=__doc__.splitlines()[0])
    parser.add_argument("latency_arg", nargs="?", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each API reply is held back")
    parser.add_argument("--port", type=int, default=0, help="loopback port (default: any free one)")
    parser.add_argument("--hostile", action="store_true", help="weaponise every string in the replies")
    args = parser.parse_args(argv)
    delay = args.latency_arg if args.latency_arg is not None else args.latency
    middleware = chain(latency(delay), hostile() if args.hostile else None)
    server = DemoServer(DemoBackend(), middleware=middleware, port=args.port).start()
    try:
        print(server.base_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or exits)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``python -m benchmarks [--quick] [--markdown FILE] [NAME...]``: run benchmarks, print figures.

Never asserts and always exits 0 once the benchmarks ran: a missed target is a figure
for people to read, not a failure. A benchmark that crashes is reported and the others
still run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
import traceback
from pathlib import Path

from . import load_all
from .core import Result, machine_info
from .report import block, markdown, table, write_markdown


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    p.add_argument("--quick", action="store_true", help="fewer repetitions and scaled-down sizes (for smoke tests)")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--markdown", metavar="FILE", type=Path,
                   help="also write the figures into FILE (the generated section of docs/performance.md)")
    return p.parse_args(argv)


def _python() -> str:
    """How this interpreter is named in the printed command (the venv's, relative to here)."""
    rel = os.path.relpath(sys.executable)
    return rel if not rel.startswith("..") else "python"


def run_one(bench, quick: bool) -> Result:
    t0 = time.perf_counter()
    try:
        result = bench.func(quick)
    except Exception as exc:  # a broken benchmark is reported, the others still run
        result = Result(bench.name, f"failed: {type(exc).__name__}: {exc}"[:160])
        result.notes.extend(traceback.format_exc().strip().splitlines()[-8:])
    result.seconds = time.perf_counter() - t0
    return result


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    benches = load_all()
    if args.list:
        for name, bench in benches.items():
            print(f"{name:24} {bench.summary}")
        return 0
    unknown = [n for n in args.names if n not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benches)}", file=sys.stderr)
        return 2
    chosen = [benches[n] for n in (args.names or benches)]
    machine = machine_info()
    command = f"{_python()} -m benchmarks " + " ".join(shlex.quote(a) for a in argv)
    print(f"vttui benchmarks{' (quick)' if args.quick else ''}: {command.strip()}")
    print("; ".join(f"{k}: {v}" for k, v in machine.items()))
    print()
    results: list[Result] = []
    for bench in chosen:
        print(f"-- {bench.name}: {bench.summary}", flush=True)
        result = run_one(bench, args.quick)
        results.append(result)
        print(block(result), flush=True)
        print()
    print(table(results))
    if args.markdown:
        write_markdown(args.markdown, markdown(results, benches, machine, command.strip(), args.quick))
        print(f"\nwrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What every benchmark shares: the result record, the registry, statistics, memory probes.

Machines are shared and noisy, so benchmarks report medians of repeated runs and, where
two things are compared, ratios measured in the same run. Nothing here asserts: a
benchmark prints figures and says whether a target was met; people decide.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

#: The repository root (where ``vttui/`` lives), for subprocesses that must import vttui.
ROOT = Path(__file__).resolve().parents[1]


@dataclass(slots=True)
class Result:
    """One benchmark's outcome: a headline figure, its target, and supporting details."""

    name: str
    figure: str  # the headline, e.g. "0.004 ms median"
    target: str = ""  # e.g. "< 0.2 ms"
    met: bool | None = None  # None: no target, or not measurable here
    details: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time the benchmark took

    def add(self, label: str, value: object) -> None:
        self.details.append((label, str(value)))

    @property
    def status(self) -> str:
        return "n/a" if self.met is None else ("ok" if self.met else "MISSED")


@dataclass(frozen=True, slots=True)
class Benchmark:
    name: str
    func: Callable[[bool], Result]  # func(quick) -> Result
    summary: str
    cheap: bool  # runs in well under a second: fit for the smoke test


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, *, cheap: bool = False) -> Callable[[Callable[[bool], Result]], Callable[[bool], Result]]:
    """Register ``func(quick) -> Result`` under ``name``; its docstring's first line is the summary."""

    def register(func: Callable[[bool], Result]) -> Callable[[bool], Result]:
        first_paragraph = (func.__doc__ or name).strip().split("\n\n")[0]
        REGISTRY[name] = Benchmark(name, func, " ".join(first_paragraph.split()), cheap)
        return func

    return register


# --- statistics ------------------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    vals = list(values)
    return statistics.median(vals) if vals else float("nan")


def percentile(values: Iterable[float], q: float) -> float:
    vals = sorted(values)
    if not vals:
        return float("nan")
    k = min(len(vals) - 1, max(0, round(q * (len(vals) - 1))))
    return vals[k]


def ms(seconds: float, digits: int = 1) -> str:
    return f"{seconds * 1000:.{digits}f} ms"


def spread(values: Iterable[float]) -> str:
    """'min .. max' in ms: how noisy the repetitions were."""
    vals = list(values)
    if not vals:
        return "-"
    return f"{min(vals) * 1000:.1f} .. {max(vals) * 1000:.1f} ms (n={len(vals)})"


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        self.elapsed = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.start


# --- memory ----------------------------------------------------------------------------


def proc_status_kb(field_name: str) -> int | None:
    """A ``/proc/self/status`` field in kB (VmRSS, VmHWM); None where there is no /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so a later peak is this phase's own."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def mb(kb: int | float | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.1f} MB"


# --- the machine -----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, str]:
    load = ""
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except (OSError, ValueError):
        pass
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "memory": mem or "?",
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "textual": _version("textual"),
        "httpx": _version("httpx"),
        "rich": _version("rich"),
        "load average at start": load or "?",
    }

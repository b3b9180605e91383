"""Real-terminal fixtures: the installed ``vttui`` in a pseudo-terminal, against the demo
server in another process with injected latency, each run in a fresh home.

The child gets the temporary ``XDG_STATE_HOME`` that ``tests/conftest.py`` set for the
test, so the crash guard there fails the test if the program wrote a crash log. The
fixture here also fails it if the crash notice or a traceback ever reached the screen,
or the program exited with an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.crash_guard import register_check
from tests.support.ptyterm import Terminal
from tests.support.serve import served

from .helpers import CRASH_MARKERS, KEY, PREMIUM, VT

pytestmark = pytest.mark.terminal

#: The console script pip installed next to this interpreter (what a user runs).
VTTUI = Path(sys.executable).with_name("vttui")


@pytest.fixture(scope="session")
def server() -> Iterator[Callable[[int], str]]:
    """``server(latency_ms)``: base URL of a demo server process answering that late
    (one process per latency for the whole session)."""
    if not VTTUI.exists():
        pytest.fail(f"{VTTUI} is missing: install the package (pip install -e '.[test]')")
    stack = ExitStack()
    urls: dict[int, str] = {}

    def get(latency_ms: int) -> str:
        if latency_ms not in urls:
            urls[latency_ms] = stack.enter_context(served(latency_ms / 1000))
        return urls[latency_ms]

    with stack:
        yield get


@pytest.fixture
def busy_cpu() -> Iterator[None]:
    """One core kept busy by another process, as on a shared jump box."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        hog.kill()
        hog.wait()


@pytest.fixture
def launch(request: pytest.FixtureRequest, tmp_path: Path, server: Callable[[int], str]) -> Iterator[Callable[..., VT]]:
    """``launch(*args, latency=0, size=(120, 35), demo=False)``: start ``vttui`` in a new
    pseudo-terminal as a user would, with its own empty home and config. After the test,
    the crash guard fails it if a crash notice or traceback ever reached the screen or
    the program ended with an error."""
    started: list[VT] = []
    register_check(request.node, lambda: _problems(started))
    state = Path(os.environ["XDG_STATE_HOME"])  # per test (tests/conftest.py)

    def start(*args: str, latency: int = 0, size: tuple[int, int] = (120, 35), demo: bool = False,
              config: str = PREMIUM) -> VT:
        home = tmp_path / f"home{len(started)}"
        config_dir = home / "config"
        config_dir.mkdir(parents=True)
        (config_dir / "config.toml").write_text(config)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "HOME": str(home),
            "VTTUI_CONFIG_DIR": str(config_dir),
            "XDG_STATE_HOME": str(state),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
        }
        if os.environ.get("VTDBG"):
            env["VTDBG"] = os.environ["VTDBG"]
        argv = [str(VTTUI), *args]
        if demo:
            argv.append("--demo")
        else:
            env["VT_API_URL"] = server(latency)
            env["VT_API_KEY"] = KEY
        term = Terminal(argv, env, width=size[0], height=size[1], cwd=str(home))
        term.alarms.extend(CRASH_MARKERS)
        vt = VT(term, home)
        started.append(vt)
        return vt

    yield start
    for vt in started:
        vt.term.close()
        if os.environ.get("VTTUI_TEST_RAW_DIR"):  # keep what vttui wrote, to replay it
            out = Path(os.environ["VTTUI_TEST_RAW_DIR"]) / f"{request.node.name}-{id(vt)}.raw"
            out.write_bytes(vt.term.raw)


def _problems(started: list[VT]) -> list[str]:
    problems: list[str] = []
    for vt in started:
        for marker, screen in vt.term.alarms_seen[:1]:
            problems.append(f"the screen showed {marker!r}:\n{screen}")
        raw = vt.term.raw
        if b"Traceback" in raw:
            tail = raw[raw.index(b"Traceback"):][:3000].decode(errors="replace")
            problems.append("a traceback was written to the terminal:\n" + tail)
        code = vt.term.proc.poll()
        if vt.quit_expected and code != 0:
            problems.append(f"vttui exited with {code} after q")
    return problems

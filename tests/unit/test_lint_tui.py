"""The Textual and command-line layers stay typed and lint-clean: mypy (at the
pyproject settings) and ruff report nothing in ``vttui/tui`` and ``vttui/cli``.

(mypy follows imports into the VirusTotal layer; its findings there belong to that
layer's own check, so only lines about these two packages count here.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["vttui/tui", "vttui/cli"]


def test_mypy_finds_nothing_in_the_tui_and_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", *PACKAGES],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    ours = [line for line in done.stdout.splitlines() if line.startswith(tuple(PACKAGES)) and ": error:" in line]
    assert done.returncode in (0, 1), done.stderr  # 2: mypy itself failed
    assert ours == [], "\n".join(ours)


def test_ruff_finds_nothing_in_the_tui_and_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *PACKAGES],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr

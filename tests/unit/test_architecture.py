"""The architecture, enforced: layers, no cycles, a wheel with only the product, small modules.

These fail the build when a change breaks the shape the README describes, instead of leaving
it to a sentence in a docstring.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import vttui

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(vttui.__file__).resolve().parent
#: The headless layers: usable as a library, importable without any screen code.
HEADLESS = ("vttui.vt", "vttui.export", "vttui.config", "vttui.demo")
SCREEN_MODULES = ("textual", "rich", "vttui.tui", "vttui.cli")
MAX_LINES = 500
#: A long module says why at its top, in a line starting with this.
LONG_REASON = "Why this module is long:"


def _modules_under(prefix: str) -> list[str]:
    module = __import__(prefix, fromlist=["_"])
    if not hasattr(module, "__path__"):
        return [prefix]
    found = [prefix]
    for info in pkgutil.walk_packages(module.__path__, prefix + "."):
        found.append(info.name)
    return found


_BLOCKER = """
import importlib, importlib.abc, json, sys

BLOCKED = ("textual", "rich", "vttui.tui", "vttui.cli")

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED or name.startswith(tuple(b + "." for b in BLOCKED)):
            raise ImportError(f"screen code imported by a headless layer: {name}")
        return None

sys.meta_path.insert(0, Blocker())
for name in MODULES:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich")
                        or m.startswith(("vttui.tui", "vttui.cli")))))
"""


def test_headless_layers_import_no_screen_code_in_a_fresh_interpreter() -> None:
    """Every headless module imports in a fresh interpreter where textual, rich and the faces
    cannot be imported at all. (httpx imports rich for its own command line when rich is
    installed, but falls back quietly when it cannot: that is fine, ours must not need it.)"""
    modules = [m for prefix in HEADLESS for m in _modules_under(prefix)]
    assert len(modules) > 20  # the walk found the real tree, not an empty package
    script = f"MODULES = {modules!r}\n" + _BLOCKER
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    leaked = json.loads(out.stdout.strip().splitlines()[-1])
    assert leaked == [], f"the headless layers pulled in screen code: {leaked}"


def test_import_contracts_hold() -> None:
    """The contracts in pyproject.toml ([tool.importlinter]): layers and no import cycles."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the test extra; reinstall with '.[test]'"
    out = subprocess.run([lint, "--config", "pyproject.toml", "--no-cache"], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout or "broken" not in out.stdout.split("Contracts:")[-1]


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def test_every_module_says_why_it_exists() -> None:
    missing = [str(p.relative_to(ROOT)) for p in sorted(PACKAGE.rglob("*.py"))
               if p.name != "__main__.py" and p.stat().st_size > 0 and not _docstring(p)]
    assert not missing, f"modules without a docstring: {missing}"


def test_long_modules_say_why() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES and LONG_REASON not in _docstring(path):
            offenders.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not offenders, "split these modules, or say why at their top (" + LONG_REASON + "): " + ", ".join(offenders)


def test_wheel_ships_only_the_product(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                          "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("vttui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top <= {"vttui", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}, top
    assert "vttui/py.typed" in names and "vttui/vt/tlds.txt" in names or any(n.endswith("tlds.txt") for n in names)
    forbidden = [n for n in names if any(part in n for part in ("tests/", "benchmarks/", "conftest", "/server.py",
                                                                 "faults.py", "screenshots"))]
    assert not forbidden, forbidden
    # every file the package data names exists (pyproject used to list ones that did not)
    assert any(n.endswith("py.typed") for n in names)


@pytest.mark.parametrize("prefix", HEADLESS)
def test_headless_sources_do_not_even_mention_screen_imports(prefix: str) -> None:
    """Belt and braces for imports hidden in strings (importlib) that the linter cannot see."""
    base = PACKAGE.joinpath(*prefix.split(".")[1:])
    files = [base.with_suffix(".py")] if base.with_suffix(".py").exists() else sorted(base.rglob("*.py"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        for name in SCREEN_MODULES:
            assert f'import_module("{name}' not in text and f"import_module('{name}" not in text, path

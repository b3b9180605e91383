"""Every environment variable vttui reads is documented in the README (settings in the
configuration table, test-only hooks in the Development section)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"[\"']((?:VT|VTTUI|VTCLI|TEXTUAL|XDG)_[A-Z_]+)[\"']")


def names_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "vttui").rglob("*.py"):
        found |= set(NAME.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_scan_finds_the_variables_we_know_of():
    assert {"VT_API_KEY", "VTTUI_PROXY", "VT_USER_ID", "VTTUI_STRICT", "VTTUI_DEBUG", "VTTUI_STORE",
            "VTTUI_TEST_QUOTA_WINDOW"} <= names_in_code()


def test_every_variable_read_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    families = tuple(re.findall(r"`([A-Z_]+_)<NAME>`", readme))  # e.g. `VTTUI_SERVE_<NAME>`: one row for many
    missing = sorted(name for name in names_in_code()
                     if f"`{name}" not in readme and not name.startswith(families or ("\0",)))
    assert not missing, f"undocumented environment variables: {missing}"


def test_test_only_hooks_are_documented_as_such():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    development = readme[readme.index("## Development"):]
    for hook in ("VTTUI_STRICT", "VTTUI_TEST_QUOTA_WINDOW"):
        assert hook in development

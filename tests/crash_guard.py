"""An unexpected exception is a failed test, whatever the test asserts.

vttui turns an unexpected exception into a notice ("Something unexpected went wrong")
and a crash log, and keeps running: right for users, but a test that only looks at the
screen would pass over it. After every test this guard fails it if

- the crash log exists under the test's temporary ``XDG_STATE_HOME`` (written by any
  app in the test process and by any ``vttui`` process the test started, which get the
  same directory),
- any ``VTApp`` built during the test has something in its ``crashes`` list, or kept
  an exception (``_exception``) that nobody re-raised,
- a check registered with :func:`register_check` reports a problem (the terminal tests
  register what they saw on the screen).

A test that provokes a crash on purpose says so with ``@pytest.mark.crash_expected``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

Check = Callable[[], list[str]]
_CHECKS = pytest.StashKey[list[Check]]()
_APPS = pytest.StashKey[list[Any]]()


def register_check(node: pytest.Item, check: Check) -> None:
    """Run ``check`` after the test; each string it returns fails the test."""
    node.stash.setdefault(_CHECKS, []).append(check)


def crash_log() -> Path | None:
    state = os.environ.get("XDG_STATE_HOME")
    return Path(state) / "vttui" / "crash.log" if state else None


@pytest.fixture(autouse=True)
def _record_apps(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Note every VTApp the test builds (only if the app module is loaded: unit tests of
    the VirusTotal layer do not pay for importing Textual)."""
    apps: list[Any] = []
    request.node.stash[_APPS] = apps
    module = sys.modules.get("vttui.tui.app")
    if module is not None:
        original = module.VTApp.__init__

        def init(self: Any, *args: Any, **kw: Any) -> None:
            original(self, *args, **kw)
            apps.append(self)

        monkeypatch.setattr(module.VTApp, "__init__", init)
    yield


def problems(item: pytest.Item) -> list[str]:
    found: list[str] = []
    log = crash_log()
    if log is not None and log.exists():
        found.append(f"the app wrote a crash log ({log}):\n{log.read_text(errors='replace')[-4000:]}")
    for app in item.stash.get(_APPS, []):
        for error in getattr(app, "crashes", []):
            found.append(f"the app caught an unexpected exception: {type(error).__name__}: {error}")
        error = getattr(app, "_exception", None)
        if error is not None:
            found.append(f"the app stopped on an unexpected exception: {type(error).__name__}: {error}")
    for check in item.stash.get(_CHECKS, []):
        found.extend(check())
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        result = yield
    except BaseException:
        # A test that failed keeps its own failure; what the guard saw goes with it.
        if item.get_closest_marker("crash_expected") is None:
            found = problems(item)
            if found:
                item.add_report_section("call", "crash guard", "\n\n".join(found))
        raise
    if item.get_closest_marker("crash_expected") is None:
        found = problems(item)
        if found:
            pytest.fail("\n\n".join(found), pytrace=False)
    return result

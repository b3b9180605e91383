"""The crash guard is honest: a test in which the app swallowed an unexpected exception
fails, even though the test itself asserted nothing about it."""

from __future__ import annotations

pytest_plugins = ["pytester"]

INNER_CONFTEST = """
import pytest
from tests.crash_guard import _record_apps, pytest_runtest_call, register_check

@pytest.fixture(autouse=True)
def _state(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
"""

INNER_TESTS = """
import pytest
from vttui.config import Settings
from vttui.tui.app import VTApp
from tests.crash_guard import register_check


def app():
    return VTApp(settings=Settings(), demo=True, clipboard=False, strict=False)


async def run(crash):
    vt = app()
    async with vt.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if crash:
            try:
                raise RuntimeError("injected")
            except RuntimeError as exc:
                vt._handle_exception(exc)  # what Textual does with an exception in a handler
        await pilot.pause()
    return vt


async def test_swallowed_crash():
    vt = await run(crash=True)
    assert vt.is_running is False  # the test looks only at something unrelated


@pytest.mark.crash_expected
async def test_expected_crash():
    await run(crash=True)


async def test_clean_run():
    await run(crash=False)


def test_crashes_list_alone():
    vt = app()
    vt.crashes.append(ValueError("caught somewhere"))


def test_registered_check(request):
    register_check(request.node, lambda: ["the screen showed a traceback"])
"""


def test_the_guard_fails_tests_whose_app_caught_an_unexpected_exception(pytester):
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TESTS)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", f"--rootdir={pytester.path}",
                                           "-o", f"pythonpath={root}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 3 and outcomes.get("passed") == 2, result.stdout.str()
    out = result.stdout.str()
    assert "FAILED test_inner.py::test_swallowed_crash" in out
    assert "FAILED test_inner.py::test_crashes_list_alone" in out
    assert "FAILED test_inner.py::test_registered_check" in out
    assert "the app wrote a crash log" in out and "RuntimeError: injected" in out
    assert "the app caught an unexpected exception: ValueError: caught somewhere" in out
    assert "the screen showed a traceback" in out

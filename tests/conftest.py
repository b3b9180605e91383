"""Shared test setup: keep every test away from the user's real config, cache and clipboard,
and fail any test in which the app caught an unexpected exception (``tests/crash_guard.py``)."""

from __future__ import annotations

import pytest

from tests.crash_guard import _record_apps, pytest_runtest_call  # noqa: F401  (fixture and hook)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    # The persistent store (cache and quota ledger) goes to a fresh directory per test.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("VTTUI_STRICT", "1")
    for var in ("VT_API_KEY", "VTCLI_APIKEY", "VT_API_URL", "VTTUI_STORE", "VTTUI_TEST_QUOTA_WINDOW",
                "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``-n 2 --dist loadgroup`` (CI) the real-terminal tests all run in one worker,
    one after another, as they do without xdist: they start ``vttui`` processes and read
    their frames, and must not also compete with each other for the two cores."""
    for item in items:
        if item.get_closest_marker("terminal") is not None:
            item.add_marker(pytest.mark.xdist_group("terminal"))

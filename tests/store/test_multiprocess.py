"""Several real `vttui lookup` processes against the loopback demo server, which enforces a
per-minute quota (429 past it) and records every request.

The shared store (SQLite in one cache directory; Redis with a cache directory per
process, as on two machines) must make them behave as one: together no request over the
quota, nothing fetched twice, one request for an IOC asked by two at once. The "minute"
is shortened to 2 seconds (VTTUI_TEST_QUOTA_WINDOW on the client, ``window`` on the
server) so the runs take seconds; both sides run on the real clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.faults import Quota, chain, latency, record
from tests.support.server import DemoServer
from vttui.demo import DemoBackend, demo_iocs

pytestmark = pytest.mark.e2e

IOCS = demo_iocs()
KEY = "multi-process-key-" + "0123456789abcdef" * 3
WINDOW = 2.0
TWELVE = [IOCS[k] for k in ("detected_file", "clean_file", "clean_pdf", "script_file", "dropped_dll",
                            "execution_parent", "domain", "parent_domain", "clean_domain", "phishing_domain",
                            "ip", "clean_ip")]


class Run:
    """The server, its quota and recorder, and how to start vttui processes against it."""

    def __init__(self, tmp_path: Path, store: str, server: DemoServer, quota: Quota, recorder) -> None:
        self.tmp_path = tmp_path
        self.store = store
        self.server = server
        self.quota = quota
        self.recorder = recorder
        self.config = tmp_path / "config"
        self.config.mkdir()
        (self.config / "config.toml").write_text('[quota]\ntier = "public"\n')

    def env(self, machine: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update({
            "VT_API_KEY": KEY, "VT_API_URL": self.server.base_url, "VTTUI_CONFIG_DIR": str(self.config),
            "VTTUI_TEST_QUOTA_WINDOW": str(WINDOW),
            # SQLite: one machine, one cache directory. Redis: a directory per "machine".
            "XDG_CACHE_HOME": str(self.tmp_path / ("cache" if self.store == "sqlite" else f"cache-{machine}")),
            "VTTUI_STORE": self.store,
        })
        return env

    def start(self, *argv: str, machine: str = "a") -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "vttui", *argv], env=self.env(machine), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def gets(self) -> list[str]:
        return [t for t in self.recorder.targets("GET") if not t.startswith("/users/")]


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@contextlib.contextmanager
def serving(tmp_path: Path, store: str) -> Iterator[Run]:
    recorder = record()
    quota = Quota(4, window=WINDOW)
    slow = latency(1.5, only=lambda r: r.method == "GET" and r.target == f"/files/{IOCS['detected_file']}")
    server = DemoServer(DemoBackend(), middleware=chain(recorder, quota, slow)).start()
    try:
        yield Run(tmp_path, store, server, quota, recorder)
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Run]:
    store = "sqlite" if request.param == "sqlite" else request.getfixturevalue("redis_url")
    with serving(tmp_path, store) as running:
        yield running


def test_three_processes_together_stay_within_the_quota(run: Run):
    processes = [run.start("lookup", *TWELVE[n::3], "--format", "json", machine=f"m{n}") for n in range(3)]
    results = [finish(p) for p in processes]
    for code, out, err in results:
        assert code == 0, err
        assert len(json.loads(out)) == 4
    assert run.quota.refused == 0  # 0 x 429
    assert sorted(run.gets()) == sorted(f"/{c}/{i}" for c, i in zip(
        ["files"] * 6 + ["domains"] * 4 + ["ip_addresses"] * 2, TWELVE, strict=True))


def test_without_the_shared_ledger_the_same_run_gets_429s(tmp_path: Path):
    """The control: with --no-store each process counts only its own requests."""
    with serving(tmp_path, "sqlite") as run:
        processes = [run.start("lookup", *TWELVE[n::3], "--no-store", machine=f"m{n}") for n in range(3)]
        try:
            deadline = time.monotonic() + 60
            while run.quota.refused == 0 and time.monotonic() < deadline and any(p.poll() is None for p in processes):
                time.sleep(0.05)
            assert run.quota.refused > 0
        finally:
            for process in processes:  # they would now sit out the 429 for a minute
                process.kill()
                process.communicate()


def test_a_second_process_sends_nothing_for_what_the_first_fetched(run: Run):
    four = TWELVE[6:10]
    code, first_out, err = finish(run.start("lookup", *four, "--format", "json", machine="a"))
    assert code == 0, err
    sent = run.gets()
    assert len(sent) == 4
    code, second_out, err = finish(run.start("lookup", *four, "--format", "json", machine="b"))
    assert code == 0, err
    assert run.gets() == sent  # 0 requests
    first, second = json.loads(first_out), json.loads(second_out)
    assert [d["id"] for d in second] == [d["id"] for d in first]
    assert all(d["vttui"]["cached"] is True for d in second)  # the export says they are cached copies
    assert all("vttui" not in d for d in first)


def test_two_processes_asking_one_ioc_at_once_send_one_request(run: Run):
    """The server takes 1.5 s to answer this one: the second process asks meanwhile, finds
    the first one's lock, waits, and reads the reply from the store."""
    ioc = IOCS["detected_file"]
    processes = [run.start("lookup", ioc, "--format", "json", machine=m) for m in ("a", "b")]
    outputs = [finish(p) for p in processes]
    for code, _out, err in outputs:
        assert code == 0, err
    docs = [json.loads(out) for _code, out, _err in outputs]
    assert [d["id"] for d in docs] == [ioc, ioc]
    assert run.gets() == [f"/files/{ioc}"]
    assert sum(1 for d in docs if "vttui" in d) == 1  # one fetched it, the other read the store

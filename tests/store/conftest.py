"""Fixtures for the store tests: a real redis-server on a free loopback port, and a store
of each kind behind one factory so every test of the contract runs on all three.

Redis is a real server (Debian's redis-server), started here in a temporary directory with
persistence off and stopped after. A missing binary is a failure, not a skip: CI installs
it (.ci/run), and a developer gets it with `apt-get install redis-server`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from vttui.vt.store.base import Store

REDIS_SERVER = os.environ.get("VTTUI_REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One redis-server process on 127.0.0.1, no persistence, in its own directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        if not Path(REDIS_SERVER).exists():
            pytest.fail(f"redis-server is needed for these tests and was not found at {REDIS_SERVER}; "
                        "install it with `apt-get install redis-server` (CI's .ci/run does).", pytrace=False)
        self.directory.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            self.port = free_port()
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.directory), "--daemonize", "no", "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready():
                return self
            self.stop()
        pytest.fail("redis-server did not start on a free loopback port", pytrace=False)

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(b"FLUSHALL\r\n")
            conn.recv(64)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One server for the session; each test that uses it starts from an empty database."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of this test's own (to be stopped mid-test)."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


class FakeClock:
    """Wall-clock seconds that move only when told (or slept on)."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        import asyncio

        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


KINDS = ("memory", "sqlite", "redis")


@pytest.fixture(params=KINDS)
async def make_store(request: pytest.FixtureRequest, tmp_path: Path,
                     clock: FakeClock) -> AsyncIterator[Callable[..., Store]]:
    """``make_store(ns="n1", max_bytes=..., fake_clock=True)``: a fresh store of the
    parametrised kind; two calls with one ``ns`` share data (as two processes would),
    except for memory, which is one process's by definition."""
    kind = request.param
    made: list[Store] = []
    url = request.getfixturevalue("redis_url") if kind == "redis" else ""

    def make(ns: str = "n1", *, max_bytes: int = 10_000_000, fake_clock: bool = True) -> Store:
        store: Store
        if kind == "memory":
            from vttui.vt.store.memory import MemoryStore

            store = MemoryStore(max_bytes, **({"clock": clock} if fake_clock else {}))
        elif kind == "sqlite":
            from vttui.vt.store.sqlite import SQLiteStore

            store = SQLiteStore(tmp_path / "cache", ns, max_bytes=max_bytes, **({"clock": clock} if fake_clock else {}))
        else:
            from vttui.vt.store.redis import RedisStore

            store = RedisStore(url, ns, max_bytes=max_bytes, clock=clock if fake_clock else None)
        made.append(store)
        return store

    make.kind = kind  # type: ignore[attr-defined]
    yield make
    for store in made:
        await store.close()

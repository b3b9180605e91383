"""SQLite under bad conditions: damaged or foreign files, a file from a newer vttui, a
directory or file that cannot be written, a full disk, a lock held too long, a writer
killed with SIGKILL mid-transaction; and the file's permissions.

Each bad condition ends the same way for the user: a clear warning and a cache that keeps
working (a new file, or memory for the session), never a crash.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vttui.vt.store.base import Entry, Limits, StoreError, namespace
from vttui.vt.store.factory import open_store
from vttui.vt.store.guard import GuardedStore
from vttui.vt.store.policy import StoreOptions
from vttui.vt.store.sqlite import FILE_NAME, SQLiteStore

SQLITE = StoreOptions("sqlite")
LIMITS = Limits(4, 500, 61.0)


def entry(key: str, body: bytes = b'{"data": {}}', ttl: float = 3600) -> Entry:
    return Entry(key, body, time.time(), ttl, "objects")


def aside(directory: Path, reason: str) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.startswith(f"{FILE_NAME}.{reason}-"))


async def test_the_file_and_directory_are_private(tmp_path: Path):
    directory = tmp_path / "cache"
    store = SQLiteStore(directory, "ns")
    await store.put([entry("/files/a")])
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in (FILE_NAME, FILE_NAME + "-wal", FILE_NAME + "-shm"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600, name
    await store.close()
    directory.chmod(0o755)
    (directory / FILE_NAME).chmod(0o644)
    again = SQLiteStore(directory, "ns")  # a wider mode (a restore, a umask) is tightened
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / FILE_NAME).stat().st_mode) == 0o600
    assert await again.get("/files/a") is not None
    await again.close()


async def test_a_garbage_file_is_moved_aside_and_replaced(tmp_path: Path):
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    (directory / FILE_NAME).write_bytes(b"this is not a database at all\n" * 100)
    guard = open_store(SQLITE, "key", "https://vt.test", directory=directory)
    assert isinstance(guard, GuardedStore) and guard.kind == "sqlite"
    moved = aside(directory, "corrupt")
    assert len(moved) == 1 and moved[0].read_bytes().startswith(b"this is not a database")
    assert any("damaged" in w and moved[0].name in w for w in guard.warnings)
    await guard.put([entry("/files/a")])
    assert await guard.get("/files/a") is not None
    await guard.close()


async def test_a_foreign_database_is_moved_aside_not_used(tmp_path: Path):
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    other = sqlite3.connect(directory / FILE_NAME)
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.execute("INSERT INTO recipes VALUES ('soup')")
    other.commit()
    other.close()
    store = SQLiteStore(directory, "ns")
    moved = aside(directory, "foreign")
    assert len(moved) == 1
    assert sqlite3.connect(moved[0]).execute("SELECT name FROM recipes").fetchall() == [("soup",)]
    assert any("not a vttui cache" in w for w in store.warnings)
    await store.put([entry("/files/a")])
    assert await store.get("/files/a") is not None
    await store.close()


async def test_a_file_from_a_newer_vttui_is_left_alone(tmp_path: Path):
    directory = tmp_path / "cache"
    SQLiteStore(directory, "ns").close_sync()
    conn = sqlite3.connect(directory / FILE_NAME)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = (directory / FILE_NAME).read_bytes()
    guard = open_store(SQLITE, "key", "https://vt.test", directory=directory)
    assert guard.kind == "memory" and "memory" in (guard.notice or "")
    assert any("newer vttui" in w for w in guard.warnings)
    assert (directory / FILE_NAME).read_bytes() == before and not aside(directory, "foreign")
    await guard.put([entry("/files/a")])  # the session still has a (memory) cache
    assert await guard.get("/files/a") is not None


async def test_damage_found_mid_session_degrades_then_the_next_start_rebuilds(tmp_path: Path):
    directory = tmp_path / "cache"
    store = SQLiteStore(directory, namespace("key", "https://vt.test"))
    await store.put([entry(f"/files/{n:03d}", b"x" * 3000) for n in range(200)])
    await store.close()
    path = directory / FILE_NAME
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data) - 4096, 4096):  # damage every page but the header
        data[offset:offset + 200] = os.urandom(200)
    path.write_bytes(bytes(data))
    guard = open_store(SQLITE, "key", "https://vt.test", directory=directory)
    for n in range(200):  # some read hits a damaged page
        await guard.get(f"/files/{n:03d}")
        if guard.kind == "memory":
            break
    assert guard.kind == "memory" and "damaged" in (guard.notice or "")
    await guard.close()
    rebuilt = SQLiteStore(directory, "ns")  # the next start checks the marked file
    assert len(aside(directory, "corrupt")) == 1
    await rebuilt.put([entry("/files/a")])
    assert await rebuilt.get("/files/a") is not None
    await rebuilt.close()


async def test_a_full_disk_degrades_to_memory_and_loses_nothing(tmp_path: Path):
    guard = open_store(SQLITE, "key", "https://vt.test", directory=tmp_path / "cache")
    await guard.put([entry("/files/small")])
    for _ in range(3):
        await guard.acquire(LIMITS, None)
    # SQLite's own limit: past this many pages every write fails with SQLITE_FULL
    pages = guard.active._writer.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
    guard.active._writer.execute(f"PRAGMA max_page_count = {pages + 1}")  # type: ignore[attr-defined]
    await guard.put([entry("/files/big", os.urandom(200_000))])  # does not raise
    assert guard.kind == "memory" and guard.notice == "sqlite disk full: cache in memory only"
    assert any("disk is full" in w and "memory" in w for w in guard.warnings)
    await guard.put([entry("/files/next")])
    assert await guard.get("/files/next") is not None
    # the quota count carried over: 3 used, one more allowed this minute
    assert (await guard.acquire(LIMITS, None)).granted
    assert not (await guard.acquire(LIMITS, None)).granted
    await guard.close()


async def test_a_lock_held_too_long_degrades_to_memory(tmp_path: Path):
    directory = tmp_path / "cache"
    store = SQLiteStore(directory, "ns", write_timeout=0.2)
    guard = GuardedStore(store)
    hog = sqlite3.connect(directory / FILE_NAME, isolation_level=None)
    hog.execute("BEGIN IMMEDIATE")  # another process sits on the write lock
    try:
        assert await guard.get("/files/a") is None  # reads go on (WAL)
        await guard.put([entry("/files/a")])
        assert guard.kind == "memory" and "locked" in (guard.notice or "")
        assert await guard.get("/files/a") is not None
    finally:
        hog.execute("ROLLBACK")
        hog.close()
        await guard.close()


def _read_only(path: Path) -> None:
    """Make ``path`` unwritable for this process. Root ignores permission bits, so as root
    the file system's immutable flag is used (what a read-only mount would do)."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"cannot make {path} read-only as root (chattr: {done.stderr.strip()})", pytrace=False)


def _writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    path.chmod(0o700 if path.is_dir() else 0o600)


@pytest.mark.parametrize("what", ["directory", "file"])
async def test_a_read_only_cache_degrades_to_memory(tmp_path: Path, what: str):
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    frozen = [directory]
    if what == "file":
        SQLiteStore(directory, "ns").close_sync()
        frozen = [directory / name for name in os.listdir(directory)] + [directory]
    for path in frozen:
        _read_only(path)
    try:
        guard = open_store(SQLITE, "key", "https://vt.test", directory=directory)
        await guard.put([entry("/files/a")])
        assert guard.kind == "memory" and "memory" in (guard.notice or ""), guard.warnings
        assert any("cannot be" in w for w in guard.warnings), guard.warnings
        assert await guard.get("/files/a") is not None  # the session keeps its cache
        await guard.close()
    finally:
        for path in reversed(frozen):
            _writable(path)


KILLED_WRITER = textwrap.dedent("""
    import asyncio, os, sys, time
    from pathlib import Path
    from vttui.vt.store.base import Entry, Limits
    from vttui.vt.store.sqlite import SQLiteStore

    async def main():
        store = SQLiteStore(Path(sys.argv[1]), "ns")
        n = 0
        while True:
            batch = [Entry(f"/files/{n}-{i}", os.urandom(256 * 1024), time.time(), 3600, "objects") for i in range(8)]
            await store.put(batch)
            await store.acquire(Limits(None, None, 61.0), None)
            n += 1
            if n == 3:
                print("writing", flush=True)

    asyncio.run(main())
""")


async def test_a_writer_killed_mid_write_leaves_a_store_that_opens(tmp_path: Path):
    directory = tmp_path / "cache"
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(directory)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        await asyncio.sleep(0.3)  # well into later transactions
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(10)
    assert writer.returncode == -signal.SIGKILL
    store = SQLiteStore(directory, "ns")
    assert store.warnings == []  # nothing moved aside: the file is sound
    check = sqlite3.connect(directory / FILE_NAME).execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    stats = await store.stats()
    assert stats.entries >= 24 and stats.entries % 8 == 0  # whole batches only: a transaction or nothing
    # each round stores a batch, then counts a request: killed between the two or after
    assert stats.entries - 8 * (await store.ledger(61.0)).used_day in (0, 8)
    await store.put([entry("/files/after")])
    assert await store.get("/files/after") is not None
    await store.close()


def test_an_unwritable_place_for_the_cache_is_said_not_raised(tmp_path: Path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    with pytest.raises(StoreError) as caught:
        SQLiteStore(blocker / "cache", "ns")
    assert caught.value.reason == "read-only" and str(blocker) in caught.value.message
    guard = open_store(SQLITE, "key", "https://vt.test", directory=blocker / "cache")
    assert guard.kind == "memory" and "cannot be used" in guard.warnings[0]

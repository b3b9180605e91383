"""The embedded store: one SQLite file in the platform cache directory, shared by every
vttui process of the machine.

Why SQLite: nothing to install, and in WAL mode readers never wait for writers, so a
cached report is read synchronously in well under a millisecond (the TUI shows it in
the same frame). Writes (replies, the ledger, locks) run on one background thread per
process, each in a ``BEGIN IMMEDIATE`` transaction: the database lock is taken before
anything is read, so two processes can never both believe a quota slot is theirs. A
process killed mid-write leaves an uncommitted WAL tail that SQLite ignores on the next
open. The file is 0600 in a 0700 directory; a damaged or foreign file is moved aside.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from . import ledger as L
from .base import Entry, Grant, LedgerState, Limits, Store, StoredReply, StoreError, StoreStats

T = TypeVar("T")

APPLICATION_ID = 0x76747569  # "vtui": marks the file as ours
SCHEMA_VERSION = 1
FILE_NAME = "store.sqlite3"
#: A write waits this long for another process's transaction, then the store gives up
#: (the guard then carries on in memory).
WRITE_TIMEOUT = 5.0
#: A read in the UI thread must never stall a frame for long.
READ_TIMEOUT = 0.2
#: Evict down to this share of the bound, so eviction does not run on every write.
EVICT_TO = 0.9
#: Locks whose expiry passed this long ago are deleted.
LOCK_GRACE = 60.0

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS replies (
        id INTEGER PRIMARY KEY, ns TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL,
        size INTEGER NOT NULL, fetched_at REAL NOT NULL, expires_at REAL NOT NULL,
        accessed REAL NOT NULL, body BLOB NOT NULL, UNIQUE (ns, key))""",
    "CREATE INDEX IF NOT EXISTS replies_by_access ON replies (accessed, size)",
    """CREATE TABLE IF NOT EXISTS aliases (ns TEXT NOT NULL, collection TEXT NOT NULL,
        alias TEXT NOT NULL, canonical TEXT NOT NULL, PRIMARY KEY (ns, collection, alias)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS ledger (ns TEXT PRIMARY KEY, day TEXT NOT NULL, used INTEGER NOT NULL,
        blocked_until REAL NOT NULL, next_ticket INTEGER NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS stamps (ns TEXT NOT NULL, t REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS stamps_by_ns ON stamps (ns, t)",
    """CREATE TABLE IF NOT EXISTS tickets (ns TEXT NOT NULL, ticket INTEGER NOT NULL, seen REAL NOT NULL,
        PRIMARY KEY (ns, ticket)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS locks (ns TEXT NOT NULL, name TEXT NOT NULL, owner TEXT NOT NULL,
        expires REAL NOT NULL, PRIMARY KEY (ns, name)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS meta (ns TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (ns, name)) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS counters (ns TEXT PRIMARY KEY, hits INTEGER NOT NULL, misses INTEGER NOT NULL)",
)

_UPSERT = (
    "INSERT INTO replies (ns, key, kind, size, fetched_at, expires_at, accessed, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET kind = excluded.kind, "
    "size = excluded.size, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at, "
    "accessed = excluded.accessed, body = excluded.body"
)

# SQLite primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB, _PERM = 5, 6, 8, 10, 11, 13, 14, 26, 3


def _describe(exc: sqlite3.Error) -> tuple[str, str]:
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in (_CORRUPT, _NOTADB):
        return "corrupt", "is damaged"
    if code == _FULL:
        return "full", "cannot grow: the disk is full"
    if code in (_BUSY, _LOCKED):
        return "locked", "stayed locked by another process for too long"
    if code in (_READONLY, _CANTOPEN, _PERM):
        return "read-only", "cannot be written"
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "read-only", "cannot be written"
    if "locked" in text or "busy" in text:
        return "locked", "stayed locked by another process for too long"
    return "unavailable", f"failed ({exc})"


def prepare_directory(directory: Path) -> None:
    """Create the cache directory 0700 (or tighten ours if it is wider)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        st = directory.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.chmod(directory, 0o700)


@contextlib.contextmanager
def _open_lock(path: Path) -> Iterator[None]:
    """Only one process checks (and perhaps moves aside) the file at a time."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no flock; opening races are rare there
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class SQLiteStore(Store):
    kind = "sqlite"
    shared = True
    sync_reads = True

    def __init__(self, directory: Path, ns: str, *, max_bytes: int = 256 * 1024 * 1024,
                 clock: Callable[[], float] = time.time, write_timeout: float = WRITE_TIMEOUT) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self.location = str(self.path)
        self.ns = ns
        self.max_bytes = max_bytes
        self.clock = clock
        self.write_timeout = write_timeout
        #: Things the user should be told (a file moved aside), for whoever opened the store.
        self.warnings: list[str] = []
        self._rlock = threading.Lock()
        self._touched: dict[str, float] = {}
        self._hits = 0
        self._misses = 0
        self._reader, self._writer = self._open()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="vttui-store")
        self._closed = False

    # --- opening -----------------------------------------------------------------------

    def _fail(self, exc: sqlite3.Error) -> StoreError:
        reason, what = _describe(exc)
        if reason == "corrupt":
            with contextlib.suppress(OSError):
                self.path.with_name(FILE_NAME + ".damaged").touch(mode=0o600)
        return StoreError(reason, f"The cache file {self.path} {what}.")

    def _open(self) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        try:
            prepare_directory(self.directory)
            with _open_lock(self.directory / (FILE_NAME + ".lock")):
                marker = self.path.with_name(FILE_NAME + ".damaged")
                if self.path.exists():
                    problem = self._check(thorough=marker.exists())
                    if problem is not None:
                        self._move_aside(problem)
                if not self.path.exists():
                    os.close(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
                elif os.name == "posix" and self.path.stat().st_mode & 0o077:
                    os.chmod(self.path, 0o600)
                writer = self._connect(self.write_timeout)
                self._create(writer)
                reader = self._connect(READ_TIMEOUT)
                with contextlib.suppress(OSError):
                    marker.unlink()
                return reader, writer
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        except OSError as exc:
            reason = exc.strerror or exc
            raise StoreError("read-only", f"The cache directory {self.directory} cannot be used ({reason}).") from None

    def _connect(self, timeout: float) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.close()
            raise StoreError("read-only", f"The cache file {self.path} cannot be written (no WAL journal).")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _check(self, *, thorough: bool) -> str | None:
        """None when the file is ours (or empty); otherwise why it must be moved aside."""
        conn = sqlite3.connect(self.path, timeout=self.write_timeout, isolation_level=None)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if thorough and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return "corrupt"
        except sqlite3.DatabaseError as exc:
            if _describe(exc)[0] == "corrupt":
                return "corrupt"
            raise
        finally:
            conn.close()
        if app_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise StoreError("foreign",
                                 f"The cache file {self.path} was made by a newer vttui; it is left as it is.")
            return None
        return None if app_id == 0 and tables == 0 else "foreign"

    def _move_aside(self, problem: str) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILE_NAME}.{problem}-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                os.replace(src, Path(str(target) + suffix))
        what = "was damaged" if problem == "corrupt" else "was not a vttui cache"
        self.warnings.append(f"The cache file {self.path} {what}; it was moved to {target.name} and a new one started.")

    def _create(self, conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            return
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # before the first table: lets the file shrink
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # --- plumbing ----------------------------------------------------------------------

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            with self._rlock:
                return fn(self._reader)
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise StoreError("unavailable", "The cache store is closed.")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._transaction, fn)
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def _transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._flush(conn)
            result = fn(conn)
            conn.execute("COMMIT")
            return result
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _flush(self, conn: sqlite3.Connection) -> None:
        """Write down what reads noticed (recency for LRU, hit counts), inside a write."""
        with self._rlock:
            touched, self._touched = self._touched, {}
            hits, misses, self._hits, self._misses = self._hits, self._misses, 0, 0
        if touched:
            conn.executemany("UPDATE replies SET accessed = ? WHERE ns = ? AND key = ?",
                             [(t, self.ns, k) for k, t in touched.items()])
        if hits or misses:
            conn.execute(
                "INSERT INTO counters (ns, hits, misses) VALUES (?, ?, ?) ON CONFLICT (ns) DO UPDATE "
                "SET hits = hits + excluded.hits, misses = misses + excluded.misses", (self.ns, hits, misses))

    # --- replies -----------------------------------------------------------------------

    def get_sync(self, key: str) -> StoredReply | None:
        row = self._read(lambda c: c.execute(
            "SELECT body, fetched_at, expires_at FROM replies WHERE ns = ? AND key = ?", (self.ns, key)).fetchone())
        now = self.clock()
        with self._rlock:
            if row is None or row[2] <= now:
                self._misses += 1
                return None
            self._hits += 1
            self._touched[key] = now
        return StoredReply(bytes(row[0]), float(row[1]), float(row[2]))

    async def get(self, key: str) -> StoredReply | None:
        return self.get_sync(key)

    async def put(self, entries: Sequence[Entry]) -> None:
        items = [e for e in entries if e.ttl > 0 and len(e.body) <= self.max_bytes]
        if items:
            await self._write(lambda c: self._put(c, items))

    def _put(self, conn: sqlite3.Connection, entries: Sequence[Entry]) -> None:
        now = self.clock()
        for replace in (True, False):
            rows = [(self.ns, e.key, e.kind, len(e.body), e.fetched_at, now + e.ttl, now, e.body)
                    for e in entries if e.replace is replace]
            if rows:
                conn.executemany(_UPSERT + ("" if replace else " WHERE replies.expires_at <= ?"),
                                 [r + (now,) for r in rows] if not replace else rows)
        total = conn.execute("SELECT total(size) FROM replies").fetchone()[0]
        if total > self.max_bytes:
            self._evict(conn, now, total)

    def _evict(self, conn: sqlite3.Connection, now: float, total: float) -> None:
        """Expired replies first, then the least recently used, down to EVICT_TO of the bound
        (over every namespace: the bound is the file's)."""
        conn.execute("DELETE FROM replies WHERE expires_at <= ?", (now,))
        total = conn.execute("SELECT total(size) FROM replies").fetchone()[0]
        doomed: list[tuple[int]] = []
        target = self.max_bytes * EVICT_TO
        for rowid, size in conn.execute("SELECT id, size FROM replies ORDER BY accessed"):
            if total <= target:
                break
            doomed.append((rowid,))
            total -= size
        conn.executemany("DELETE FROM replies WHERE id = ?", doomed)
        conn.execute(
            "DELETE FROM aliases WHERE NOT EXISTS (SELECT 1 FROM replies r WHERE r.ns = aliases.ns "
            "AND r.key = '/' || aliases.collection || '/' || aliases.canonical)")
        conn.execute("PRAGMA incremental_vacuum")

    async def invalidate(self, key: str, *, prefix: bool = False) -> int:
        def run(c: sqlite3.Connection) -> int:
            if prefix:
                cur = c.execute("DELETE FROM replies WHERE ns = ? AND key >= ? AND key < ?",
                                (self.ns, key, key + "\U0010ffff"))
            else:
                cur = c.execute("DELETE FROM replies WHERE ns = ? AND key = ?", (self.ns, key))
            return cur.rowcount
        return await self._write(run)

    async def clear(self) -> int:
        def run(c: sqlite3.Connection) -> int:
            count = c.execute("DELETE FROM replies WHERE ns = ?", (self.ns,)).rowcount
            c.execute("DELETE FROM aliases WHERE ns = ?", (self.ns,))
            c.execute("PRAGMA incremental_vacuum")
            return count
        return await self._write(run)

    async def stats(self) -> StoreStats:
        def run(c: sqlite3.Connection) -> tuple[Any, ...]:
            entries, size, oldest = c.execute(
                "SELECT count(*), total(size), min(fetched_at) FROM replies WHERE ns = ? AND expires_at > ?",
                (self.ns, self.clock())).fetchone()
            aliases = c.execute("SELECT count(*) FROM aliases WHERE ns = ?", (self.ns,)).fetchone()[0]
            counts = c.execute("SELECT hits, misses FROM counters WHERE ns = ?", (self.ns,)).fetchone() or (0, 0)
            return entries, size, oldest, aliases, counts
        entries, size, oldest, aliases, (hits, misses) = self._read(run)
        with self._rlock:
            hits, misses = hits + self._hits, misses + self._misses
        return StoreStats(self.kind, self.location, int(entries), int(size), self.max_bytes, int(hits), int(misses),
                          float(oldest) if oldest is not None else None, int(aliases))

    # --- aliases and facts -------------------------------------------------------------

    def resolve_sync(self, collection: str, ident: str) -> str | None:
        row = self._read(lambda c: c.execute(
            "SELECT canonical FROM aliases WHERE ns = ? AND collection = ? AND alias = ?",
            (self.ns, collection, ident)).fetchone())
        return str(row[0]) if row else None

    async def resolve(self, collection: str, ident: str) -> str | None:
        return self.resolve_sync(collection, ident)

    async def add_aliases(self, items: Sequence[tuple[str, str, str]]) -> None:
        rows = [(self.ns, c, a, k) for c, a, k in items if a and k and a != k]
        if rows:
            await self._write(lambda c: c.executemany(
                "INSERT OR REPLACE INTO aliases (ns, collection, alias, canonical) VALUES (?, ?, ?, ?)", rows))

    async def get_meta(self, name: str) -> str | None:
        row = self._read(lambda c: c.execute(
            "SELECT value FROM meta WHERE ns = ? AND name = ?", (self.ns, name)).fetchone())
        return str(row[0]) if row else None

    async def set_meta(self, name: str, value: str) -> None:
        await self._write(lambda c: c.execute(
            "INSERT OR REPLACE INTO meta (ns, name, value) VALUES (?, ?, ?)", (self.ns, name, value)))

    # --- ledger ------------------------------------------------------------------------

    def _load_row(self, c: sqlite3.Connection) -> L.LedgerRow:
        row = L.LedgerRow()
        found = c.execute("SELECT day, used, blocked_until, next_ticket FROM ledger WHERE ns = ?",
                          (self.ns,)).fetchone()
        if found:
            row.day, row.used = str(found[0]), int(found[1])
            row.blocked_until, row.next_ticket = float(found[2]), int(found[3])
        row.stamps = [float(t) for (t,) in c.execute("SELECT t FROM stamps WHERE ns = ? ORDER BY t", (self.ns,))]
        tickets = c.execute("SELECT ticket, seen FROM tickets WHERE ns = ?", (self.ns,))
        row.tickets = {int(t): float(s) for t, s in tickets}
        return row

    def _save_row(self, c: sqlite3.Connection, row: L.LedgerRow) -> None:
        c.execute("INSERT OR REPLACE INTO ledger (ns, day, used, blocked_until, next_ticket) VALUES (?, ?, ?, ?, ?)",
                  (self.ns, row.day, row.used, row.blocked_until, row.next_ticket))
        c.execute("DELETE FROM stamps WHERE ns = ?", (self.ns,))
        c.executemany("INSERT INTO stamps (ns, t) VALUES (?, ?)", [(self.ns, t) for t in row.stamps])
        c.execute("DELETE FROM tickets WHERE ns = ?", (self.ns,))
        c.executemany("INSERT INTO tickets (ns, ticket, seen) VALUES (?, ?, ?)",
                      [(self.ns, t, s) for t, s in row.tickets.items()])

    async def acquire(self, limits: Limits, ticket: int | None) -> Grant:
        def run(c: sqlite3.Connection) -> Grant:
            row = self._load_row(c)
            grant = L.decide(row, self.clock(), limits, ticket)  # the clock is read under the lock
            self._save_row(c, row)
            return grant
        return await self._write(run)

    async def release(self, ticket: int) -> None:
        await self._write(lambda c: c.execute("DELETE FROM tickets WHERE ns = ? AND ticket = ?", (self.ns, ticket)))

    async def refund(self, at: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            row = self._load_row(c)
            L.refund(row, self.clock(), at)
            self._save_row(c, row)
        await self._write(run)

    def ledger_sync(self, window: float) -> LedgerState:
        row = self._read(self._load_row)
        now = self.clock()
        row.prune(now, window)
        return row.snapshot(now)

    async def ledger(self, window: float) -> LedgerState:
        return self.ledger_sync(window)

    async def adjust(self, *, block_for: float = 0.0, used_at_least: int | None = None) -> None:
        def run(c: sqlite3.Connection) -> None:
            row = self._load_row(c)
            L.adjust(row, self.clock(), block_for, used_at_least)
            self._save_row(c, row)
        await self._write(run)

    # --- locks -------------------------------------------------------------------------

    async def lock(self, name: str, owner: str, ttl: float) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            now = self.clock()
            held = c.execute("SELECT owner, expires FROM locks WHERE ns = ? AND name = ?", (self.ns, name)).fetchone()
            if held is not None and held[0] != owner and held[1] > now:
                return False
            c.execute("INSERT OR REPLACE INTO locks (ns, name, owner, expires) VALUES (?, ?, ?, ?)",
                      (self.ns, name, owner, now + ttl))
            c.execute("DELETE FROM locks WHERE expires < ?", (now - LOCK_GRACE,))
            return True
        return await self._write(run)

    async def unlock(self, name: str, owner: str) -> None:
        await self._write(lambda c: c.execute(
            "DELETE FROM locks WHERE ns = ? AND name = ? AND owner = ?", (self.ns, name, owner)))

    # --- lifecycle ---------------------------------------------------------------------

    async def close(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(StoreError, RuntimeError):
            await self._write(lambda c: None)  # flush recency and hit counts
        self.close_sync()

    def close_sync(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        for conn in (self._reader, self._writer):
            with contextlib.suppress(sqlite3.Error):
                conn.close()

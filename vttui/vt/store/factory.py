"""Open the store the settings name, wrapped so that its failures never reach the user
as a crash: Redis falls back to the local SQLite file, SQLite to memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .base import Store, StoreError, namespace
from .guard import GuardedStore
from .memory import MemoryStore
from .policy import StoreOptions


def cache_directory() -> Path:
    """The platform's per-user cache directory for vttui (XDG_CACHE_HOME on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("vttui", appauthor=False))


def open_store(options: StoreOptions, api_key: str | None, base_url: str,
               *, directory: Path | None = None) -> GuardedStore | None:
    """The store for ``options`` (None for ``memory``: the client's own cache is enough)."""
    if options.kind == "memory":
        return None
    ns = namespace(api_key, base_url)
    folder = directory or cache_directory()

    def local() -> Store:
        from .sqlite import SQLiteStore

        return SQLiteStore(folder, ns, max_bytes=options.disk_bytes)

    if options.kind == "redis":
        try:
            from .redis import RedisStore

            return GuardedStore(RedisStore(options.spec, ns, max_bytes=options.disk_bytes), [local])
        except (StoreError, ImportError) as exc:
            message = exc.message if isinstance(exc, StoreError) else f"The redis client is not installed ({exc})."
            return _fallen_back(message, local, "redis unusable")
    try:
        return GuardedStore(local())
    except StoreError as exc:
        guard = GuardedStore(MemoryStore(options.disk_bytes))
        guard.notice = f"sqlite {exc.reason}: cache in memory only"
        guard.warnings.append(f"{exc.message} This session keeps its cache in memory only.")
        return guard


def _fallen_back(message: str, local: Callable[[], Store], notice: str) -> GuardedStore:
    try:
        store = local()
    except StoreError as exc:
        store = MemoryStore()
        message += f" {exc.message}"
    guard = GuardedStore(store)
    where = "in memory only" if store.kind == "memory" else f"local {store.kind}"
    guard.notice = f"{notice}: cache {where}"
    guard.warnings.append(f"{message} This session keeps its cache {where}.")
    return guard

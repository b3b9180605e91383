"""Where the cache, the quota ledger and single-flight locks live beyond one process.

    store = open_store(StoreOptions("sqlite"), api_key, base_url)   # or "redis://..."
    client = VTClient(api_key, store=store, limiter=RateLimiter(4, 500, ledger=store))

See :mod:`.base` for the interface and why it exists; :mod:`.factory` for the fallbacks.
"""

from __future__ import annotations

from .base import Entry, Grant, LedgerState, Limits, Store, StoredReply, StoreError, StoreStats, namespace
from .factory import cache_directory, open_store
from .guard import GuardedStore
from .memory import MemoryStore
from .policy import DEFAULT_TTL_HOURS, StoreOptions, kind_of, store_options

__all__ = [
    "DEFAULT_TTL_HOURS",
    "Entry",
    "Grant",
    "GuardedStore",
    "LedgerState",
    "Limits",
    "MemoryStore",
    "Store",
    "StoreError",
    "StoreOptions",
    "StoreStats",
    "StoredReply",
    "cache_directory",
    "kind_of",
    "namespace",
    "open_store",
    "store_options",
]

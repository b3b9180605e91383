"""Where the cache, the quota ledger and single-flight locks live beyond one process.

    store = open_store(StoreOptions("sqlite"), api_key, base_url)   # or "redis://..."
    client = VTClient(api_key, store=store, limiter=RateLimiter(4, 500, ledger=store))

See :mod:`.base` for the interface and why it exists; :mod:`.factory` for the fallbacks.
Names are imported on first use: the settings module reads :mod:`.policy` at start-up,
and nothing else here should cost the TUI's first frame.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Entry": "base", "Grant": "base", "LedgerState": "base", "Limits": "base", "Store": "base",
    "StoreError": "base", "StoreStats": "base", "StoredReply": "base", "namespace": "base",
    "cache_directory": "factory", "open_store": "factory", "GuardedStore": "guard", "MemoryStore": "memory",
    "DEFAULT_TTL_HOURS": "policy", "StoreOptions": "policy", "kind_of": "policy", "store_options": "policy",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)

"""What is kept, for how long, and where: the store's settings and the kind of each reply.

Kept apart from ``config.py`` so the settings file only gains one field and one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

HOUR = 3600.0

#: Default time to live per kind of reply, in hours. Reports change slowly (a re-scan, new
#: votes); comments and votes move faster; a completed analysis never changes.
DEFAULT_TTL_HOURS: dict[str, float] = {
    "objects": 24.0,
    "relationships": 24.0,
    "comments": 1.0,
    "votes": 1.0,
    "analyses": 30 * 24.0,
}
DEFAULT_DISK_MB = 256.0
STORE_KINDS = ("sqlite", "memory")
ENV_VAR = "VTTUI_STORE"

#: Sub-resources of an object that are the object's own data rather than a list.
_OBJECT_PARTS = frozenset({"behaviour_summary", "network_location"})
#: Never kept across processes: they name the account, are single-use, or are searches
#: whose answers move (kept only in memory, for minutes).
_NEVER = frozenset({"users", "download_url", "download", "upload_url", "overall_quotas", "intelligence"})


def kind_of(key: str) -> str | None:
    """The TTL kind of a cache key (a v3 path, perhaps with a query), or None: do not store."""
    path = key.split("?", 1)[0]
    parts = path.split("/")
    if len(parts) < 3 or parts[1] in _NEVER or any(p in _NEVER for p in parts[3:]):
        return None
    if parts[1] == "analyses":
        return "analyses" if len(parts) == 3 else None
    if len(parts) == 3 or parts[3] in _OBJECT_PARTS:
        return "objects"
    if parts[3] in ("comments", "votes"):
        return parts[3]
    return "relationships"


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """Which store, how big, how long things live."""

    spec: str = "memory"  # "memory", "sqlite" or a redis:// / rediss:// URL
    source: str = "default"  # what chose it: default, cache.store, VTTUI_STORE, --no-store
    disk_bytes: int = int(DEFAULT_DISK_MB * 1024 * 1024)
    ttl_hours: tuple[tuple[str, float], ...] = tuple(DEFAULT_TTL_HOURS.items())

    @property
    def kind(self) -> str:
        return "redis" if self.spec.startswith(("redis://", "rediss://")) else self.spec

    def ttl(self, kind: str) -> float:
        """Seconds a reply of ``kind`` stays fresh (0: not kept)."""
        for name, hours in self.ttl_hours:
            if name == kind:
                return hours * HOUR
        return DEFAULT_TTL_HOURS.get(kind, 0.0) * HOUR

    def memory_only(self, source: str) -> StoreOptions:
        return StoreOptions("memory", source, self.disk_bytes, self.ttl_hours)


def _check_spec(spec: Any, where: str) -> str:
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(f"{where} must be 'sqlite', 'memory' or a redis:// URL.")
    text = str(spec).strip()
    if text.lower() in STORE_KINDS:
        return text.lower()
    if text.startswith(("redis://", "rediss://", "unix://")):
        return text
    raise ConfigError(f"{where} must be 'sqlite', 'memory' or a redis:// or rediss:// URL, not {text[:40]!r}.")


def _hours(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{name} must be a number of hours (0 or more).")
    return float(value)


def store_options(cache: Mapping[str, Any], env: Mapping[str, str], default: str = "sqlite") -> StoreOptions:
    """The ``[cache]`` table (``store``, ``disk_mb``, ``[cache.ttl_hours]``) and VTTUI_STORE."""
    if env.get(ENV_VAR, "").strip():
        spec, source = _check_spec(env[ENV_VAR], ENV_VAR), ENV_VAR
    elif "store" in cache:
        spec, source = _check_spec(cache["store"], "cache.store"), "cache.store"
    else:
        spec, source = default, "default"
    disk_mb = cache.get("disk_mb", DEFAULT_DISK_MB)
    if isinstance(disk_mb, bool) or not isinstance(disk_mb, (int, float)) or disk_mb <= 0:
        raise ConfigError("cache.disk_mb must be a positive number of megabytes.")
    ttls = dict(DEFAULT_TTL_HOURS)
    table = cache.get("ttl_hours", {})
    if not isinstance(table, Mapping):
        raise ConfigError("cache.ttl_hours must be a table, e.g. [cache.ttl_hours] objects = 24.")
    for name, value in table.items():
        if name not in DEFAULT_TTL_HOURS:
            raise ConfigError(f"cache.ttl_hours.{name} is unknown; known: {', '.join(DEFAULT_TTL_HOURS)}.")
        ttls[name] = _hours(value, f"cache.ttl_hours.{name}")
    return StoreOptions(spec, source, int(float(disk_mb) * 1024 * 1024), tuple(ttls.items()))

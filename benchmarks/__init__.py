"""vttui's benchmark suite: ``python -m benchmarks [--quick] [NAME...]``.

Each benchmark measures one promise the app makes to an analyst (instant cache hits,
one request per thing shown, startup as quick as a bare Textual app, no 429s in bulk
lookups, bounded memory) and prints figures: medians, ratios, counts. Nothing asserts;
the table says which targets were met on this machine. See docs/performance.md.
"""

from __future__ import annotations

from .core import REGISTRY, Benchmark, Result

#: Run order: cheap in-process figures first, the long quota run last but one.
ORDER = (
    "cache_hit",
    "page_parse",
    "single_flight",
    "startup",
    "enter_to_detections",
    "cached_back",
    "pty_enter_to_detections",
    "pty_cached_back",
    "reference_investigation",
    "browse_memory",
    "upload_memory",
    "zip_sample",
    "store_hit_sqlite",
    "store_hit_redis",
    "store_processes",
    "bulk_lookup",
    "mcp_template_sizes",
    "serve_cached",
    "serve_workers",
    "behaviour_huge",
)


def load_all() -> dict[str, Benchmark]:
    """Import every benchmark module (each registers itself) and return them in run order."""
    from . import analyst, bulk, memory, micro, serve, startup, store, terminal, tui, zipspeed  # noqa: F401 - imported to register

    return {name: REGISTRY[name] for name in ORDER if name in REGISTRY}


__all__ = ["ORDER", "REGISTRY", "Benchmark", "Result", "load_all"]

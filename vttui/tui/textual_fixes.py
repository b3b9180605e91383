"""Work-arounds for Textual bugs that cost vttui memory in long sessions.

``StylesCache.get_inner_outer`` (Textual 8.2.8) is an instance method wrapped in a
module-wide ``functools.lru_cache(1024)``: every widget's ``StylesCache`` becomes part of
a cache key and stays alive, with all the rendered lines it holds, long after its widget
is gone. Over an investigation of a few dozen reports that is ~100 MB. The function does
not use ``self``, so the fix keeps Textual's own function and caches on the colours alone.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache

_applied = False


def apply() -> None:
    """Patch once; a no-op on a Textual whose method no longer keeps ``self`` in a cache."""
    global _applied
    if _applied:
        return
    _applied = True
    current = StylesCache.__dict__.get("get_inner_outer")
    original = getattr(current, "__wrapped__", None)
    if current is None or original is None or not hasattr(current, "cache_clear"):
        return
    current.cache_clear()

    @lru_cache(1024)
    def by_colours(base_background, background):
        return original(None, base_background, background)

    def get_inner_outer(self, base_background, background):
        return by_colours(base_background, background)

    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign]

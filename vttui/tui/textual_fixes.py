"""Work-arounds for Textual bugs that cost vttui memory in long sessions.

``StylesCache.get_inner_outer`` (Textual 8.2.8) is an instance method wrapped in a
module-wide ``functools.lru_cache(1024)``: every widget's ``StylesCache`` becomes part of
a cache key and stays alive, with all the rendered lines it holds, long after its widget
is gone. Over an investigation of a few dozen reports that is ~100 MB. The function does
not use ``self``, so the fix keeps Textual's own function and caches on the colours alone.
Upstream: https://github.com/Textualize/textual/issues/6665. Private API (the module
``textual._styles_cache``): ``tests/tui/test_textual_fixes.py`` fails loudly when its
shape changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rich.style import Style
from textual._styles_cache import StylesCache
from textual.color import Color

_applied = False


def apply() -> None:
    """Patch once; a no-op on a Textual whose method no longer keeps ``self`` in a cache."""
    global _applied
    if _applied:
        return
    _applied = True
    current = StylesCache.__dict__.get("get_inner_outer")
    original: Callable[[Any, Color, Color], tuple[Style, Style]] | None = getattr(current, "__wrapped__", None)
    if current is None or original is None or not hasattr(current, "cache_clear"):
        return
    current.cache_clear()
    wrapped = original

    @lru_cache(1024)
    def by_colours(base_background: Color, background: Color) -> tuple[Style, Style]:
        return wrapped(None, base_background, background)

    def get_inner_outer(self: StylesCache, base_background: Color, background: Color) -> tuple[Style, Style]:
        return by_colours(base_background, background)

    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign,assignment]

"""The Textual work-arounds keep doing their job (and Textual's own result)."""

from __future__ import annotations

import gc
import weakref

from textual._styles_cache import StylesCache
from textual.color import Color

from vttui.tui import textual_fixes


def test_styles_cache_is_not_kept_alive_by_get_inner_outer():
    textual_fixes.apply()
    cache = StylesCache()
    inner, outer = cache.get_inner_outer(Color(18, 18, 18), Color(36, 47, 56))
    assert inner.background is not None and outer.background is not None
    ref = weakref.ref(cache)
    del cache
    gc.collect()
    assert ref() is None, "a removed widget's StylesCache (and its rendered lines) stayed in memory"


def test_patched_method_returns_what_textual_computes():
    textual_fixes.apply()
    base, bg = Color(10, 20, 30), Color(40, 50, 60, 0.5)
    inner, outer = StylesCache().get_inner_outer(base, bg)
    assert outer.background == base
    assert inner.background == base + bg
    assert StylesCache().get_inner_outer(base, bg) == (inner, outer)

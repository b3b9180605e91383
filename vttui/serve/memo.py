"""Rendered answers kept beside the cached objects they were made from.

A cached object is answered from memory, but rendering it (trimming by a template,
normalising, writing JSON, Markdown or XML) costs far more than finding it. Cached
objects are immutable and a refetch makes a new one, so an answer rendered from an
object is reused for as long as the cache hands out *that same object*; the memo holds
the object itself, so its identity cannot be recycled while the entry lives.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class RenderMemo:
    """An LRU of rendered texts, bounded by entries and by characters."""

    def __init__(self, max_entries: int = 1024, max_chars: int = 32 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._data: OrderedDict[tuple[Hashable, ...], tuple[Any, str]] = OrderedDict()
        self._chars = 0
        self.hits = 0
        self.misses = 0

    def get(self, source: Any, how: tuple[Hashable, ...], render: Callable[[], str]) -> str:
        """The text ``render()`` makes of ``source`` (rendered ``how``), made at most once."""
        key = (id(source), *how)
        entry = self._data.get(key)
        if entry is not None and entry[0] is source:
            self._data.move_to_end(key)
            self.hits += 1
            return entry[1]
        self.misses += 1
        text = render()
        if len(text) <= self.max_chars // 8:
            if entry is not None:
                self._chars -= len(entry[1])
            self._data[key] = (source, text)
            self._chars += len(text)
            while self._data and (len(self._data) > self.max_entries or self._chars > self.max_chars):
                _old, (_src, old_text) = self._data.popitem(last=False)
                self._chars -= len(old_text)
        return text

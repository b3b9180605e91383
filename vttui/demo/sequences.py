"""Read-only sequences computed on demand, so big demo lists cost nothing until read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, overload

__all__ = ["Concat", "LazySeq"]

T = TypeVar("T")


class LazySeq(Sequence[T]):
    """A read-only sequence whose items are computed from their index."""

    def __init__(self, length: int, item: Callable[[int], T]) -> None:
        self._len, self._item = length, item

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        return self._item(index)


class Concat(Sequence[T]):
    """Several sequences read as one (a short real list followed by a generated one)."""

    def __init__(self, *parts: Sequence[T]) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        for part in self._parts:
            if index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator[T]:
        for part in self._parts:
            yield from part

"""Typed, tolerant attribute fields: ``md5 = Str()`` instead of a four-line property.

Each field reads one value of the view's ``attributes`` (the key defaults to the
attribute's own name; ``path=`` walks nested dicts) and coerces it with the helpers of
:mod:`.coerce`, so absence, ``null`` and wrong types give the empty value, never an
exception. Fields are read-only and compute on every access (nothing is cached: the
views stay cheap to create and never go stale); use ``cached_property`` where the work
is worth keeping. ``@overload``-ed ``__get__`` lets mypy see ``File().md5`` as ``str``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Never, Protocol, Self, TypeVar, overload

from .coerce import KeyPath, as_datetime, as_int, as_str, get_path, str_dict, str_list

__all__ = ["Date", "Field", "FirstDate", "Int", "Str", "StrDict", "StrList"]

T = TypeVar("T")


class _Viewed(Protocol):
    """What a field reads from: a view's attribute dict."""

    @property
    def attributes(self) -> dict[Any, Any]: ...


class Field(Generic[T]):
    """Base of the fields: finds the raw value; subclasses say how to coerce it."""

    __slots__ = ("_key", "_path", "name")

    def __init__(self, key: str | None = None, *, path: KeyPath | None = None) -> None:
        if key is not None and path is not None:
            raise TypeError("give a key or a path, not both")
        self._key = key
        self._path = path
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        if self._key is None and self._path is None:
            self._key = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: _Viewed, owner: type | None = None) -> T: ...
    def __get__(self, obj: _Viewed | None, owner: type | None = None) -> Self | T:
        if obj is None:
            return self
        return self.coerce(self.raw(obj))

    def __set__(self, obj: _Viewed, value: Never) -> None:
        raise AttributeError(f"{self.name} is read-only: views never change what they wrap")

    def raw(self, obj: _Viewed) -> Any:
        """The value as VirusTotal sent it (None when absent)."""
        if self._path is not None:
            return get_path(obj.attributes, self._path)
        return obj.attributes.get(self._key)

    def coerce(self, raw: Any) -> T:
        raise NotImplementedError

    def __repr__(self) -> str:
        where = f"path={self._path!r}" if self._path is not None else repr(self._key)
        return f"{type(self).__name__}({where})"


class Str(Field[str]):
    """Text; ``""`` for null, containers and absence."""

    __slots__ = ()

    def coerce(self, raw: Any) -> str:
        return as_str(raw)


class Int(Field[int | None]):
    """An int64 (numeric text accepted); None otherwise, or below ``minimum`` when given."""

    __slots__ = ("_minimum",)

    def __init__(self, key: str | None = None, *, path: KeyPath | None = None, minimum: int | None = None) -> None:
        super().__init__(key, path=path)
        self._minimum = minimum

    def coerce(self, raw: Any) -> int | None:
        n = as_int(raw)
        if n is None or (self._minimum is not None and n < self._minimum):
            return None
        return n


class Date(Field[datetime | None]):
    """A UTC datetime from epoch seconds/milliseconds or date text; None otherwise."""

    __slots__ = ()

    def coerce(self, raw: Any) -> datetime | None:
        return as_datetime(raw)


class StrList(Field[list[str]]):
    """The non-empty strings of a list (a lone string is a one-item list)."""

    __slots__ = ()

    def coerce(self, raw: Any) -> list[str]:
        return str_list(raw)


class StrDict(Field[dict[str, str]]):
    """A str -> str mapping; entries whose value is not a scalar are dropped."""

    __slots__ = ()

    def coerce(self, raw: Any) -> dict[str, str]:
        return str_dict(raw)


class FirstDate(Field[datetime | None]):
    """The first of several date attributes that holds a usable date."""

    __slots__ = ("_keys",)

    def __init__(self, *keys: str) -> None:
        if not keys:
            raise TypeError("FirstDate needs at least one key")
        super().__init__(keys[0])
        self._keys = keys

    def raw(self, obj: _Viewed) -> Any:
        attributes = obj.attributes
        for key in self._keys:
            value = attributes.get(key)
            if as_datetime(value) is not None:
                return value
        return None

    def coerce(self, raw: Any) -> datetime | None:
        return as_datetime(raw)

    def __repr__(self) -> str:
        return f"FirstDate{self._keys!r}"

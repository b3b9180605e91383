"""Community objects: comments and votes."""

from __future__ import annotations

from .base import VTObject
from .coerce import as_dict, as_int, as_str, one_line
from .fields import Date, Int, Str

__all__ = ["Comment", "Vote"]


class Comment(VTObject):
    text = Str()
    date = Date()

    @property
    def votes(self) -> tuple[int, int, int]:  # type: ignore[override]
        """``(positive, negative, abuse)`` votes on the comment."""
        v = as_dict(self.attributes.get("votes"))
        positive, negative, abuse = (max(as_int(v.get(k), 0) or 0, 0) for k in ("positive", "negative", "abuse"))
        return positive, negative, abuse

    @property
    def title(self) -> str:
        return one_line(self.text, 120) or self.id


class Vote(VTObject):
    @property
    def verdict(self) -> str:
        return as_str(self.attributes.get("verdict")).strip().lower()

    date = Date()
    value = Int()

    @property
    def title(self) -> str:
        return self.verdict or self.id

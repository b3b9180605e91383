"""Recently opened indicators, and the command palette's list of them.

The palette shows them as soon as it opens (``discover``), most recent first, by name
and verdict (``invoice_viewer.exe  58/72 malicious``): an analyst going back to an
earlier lead remembers its name, not its hash, and should not have to type "Open".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits
from textual.content import Content
from textual.system_commands import SystemCommandsProvider

from . import text as T

if TYPE_CHECKING:
    from ..vt.ioc import IOC
    from ..vt.models import VTObject
    from ..vt.refs import ObjectRef

#: How many recent indicators are kept.
KEEP = 30


@dataclass(eq=False)
class Recent:
    """One indicator the user opened, and what its report said once it loaded."""

    ioc: IOC
    ref: ObjectRef
    title: str = ""
    verdict: str = ""

    @property
    def text(self) -> str:
        """One line, control characters stripped (names come from VirusTotal)."""
        name = T.plain(self.title or self.ioc.display, 70)
        return f"{name}  {self.verdict}" if self.verdict else name


def verdict_of(obj: VTObject) -> str:
    stats = obj.stats
    if stats.is_empty:
        return "no verdict"
    return f"{stats.ratio_text} {stats.severity}"


class RecentList:
    """Most recent first; an indicator opened again moves to the front."""

    def __init__(self) -> None:
        self.items: list[Recent] = []

    def opened(self, ioc: IOC) -> None:
        old = next((r for r in self.items if r.ioc.value == ioc.value), None)
        self.items = [r for r in self.items if r is not old]
        self.items.insert(0, old or Recent(ioc, ioc.ref))
        del self.items[KEEP:]

    def loaded(self, ref: ObjectRef, obj: VTObject) -> None:
        """A report opened from ``ref`` loaded: keep its name, verdict, canonical ref."""
        for item in self.items:
            if item.ref == ref or item.ref == obj.ref:
                item.ref, item.title, item.verdict = obj.ref, obj.title, verdict_of(obj)


class RecentIOCs(SystemCommandsProvider):
    """The palette's recent indicators, listed when it opens and matched by name, then
    the app's commands. One provider, because the palette lists providers' hits in the
    order of a set: recent indicators would land after the ~30 actions half the time."""

    def _items(self) -> list[Recent]:
        recent = getattr(self.app, "recent", None)
        return list(recent.items) if isinstance(recent, RecentList) else []

    def _open(self, item: Recent) -> None:
        self.app.main.open_ioc(item.ioc)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for item in self._items():
            yield DiscoveryHit(Content(item.text), partial(self._open, item), text=item.text,
                               help=f"Recent {item.ioc.label}: enter opens it")
        async for hit in super().discover():
            yield hit

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for item in self._items():
            score = max(matcher.match(item.text), matcher.match(item.ioc.value))
            if score > 0:
                # Content(...) keeps the name literal: a name with [markup] stays text.
                yield Hit(score, Content(item.text), partial(self._open, item), text=item.text,
                          help=f"Recent {item.ioc.label}: enter opens it")
        async for hit in super().search(query):
            yield hit

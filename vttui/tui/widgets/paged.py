"""A tab that lists a paged collection (comments, votes): lazy first load, `m` for more.

The first page is fetched only when the tab is first shown (quota is money); each
further page only when asked for. Errors stay inside the tab.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import var
from textual.widgets import Static

from ...vt.errors import VTError
from ...vt.paging import Page
from ...vt.refs import ObjectRef
from .. import text as T
from ..base import AppTyped

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a paged list stands; the pane's status line is drawn from it alone."""

    count: int = 0  # items shown
    cursor: str | None = None  # for the next page
    exhausted: bool = False
    fetching: bool = False
    error: str | None = None  # the last fetch failed (kept until the next one)
    unexpected: bool = False  # ... by a bug, not a VirusTotal error: no retry offered
    total: int | None = None  # as VirusTotal counts them, when it says


class PagedPane(AppTyped, Vertical):
    """Base for Comments and Votes. Subclasses build the list widget and add items."""

    DEFAULT_CSS = """
    PagedPane { height: 1fr; }
    PagedPane > .status { height: auto; max-height: 3; padding: 0 1; }
    """
    noun = "items"

    paging: var[Paging] = var(Paging, init=False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.ref: ObjectRef | None = None
        self.items: list[dict[str, Any]] = []
        self.started = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Not loaded yet.", style="dim"), classes="status")
        yield from self.compose_list()

    def compose_list(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    async def fetch_page(self, ref: ObjectRef, cursor: str | None) -> Page:  # pragma: no cover - abstract
        raise NotImplementedError

    def add_items(self, items: list[dict[str, Any]], *, at_top: bool = False) -> None:  # pragma: no cover
        raise NotImplementedError

    def reset_list(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def set_ref(self, ref: ObjectRef) -> None:
        self.ref = ref

    def ensure_loaded(self) -> None:
        """Called when the tab is shown: fetch the first page once."""
        if not self.started and self.ref is not None:
            self.started = True
            self.load_more()

    def load_more(self) -> None:
        paging = self.paging
        if self.ref is None or paging.fetching:
            return
        if self.started and paging.exhausted and self.items:
            self.app.notify(f"All {self.noun} are shown.", timeout=2)
            return
        self.started = True
        self.paging = replace(paging, fetching=True)
        self._fetch(paging.cursor)

    @work(group="paged", exclusive=True, exit_on_error=False)
    async def _fetch(self, cursor: str | None) -> None:
        assert self.ref is not None
        try:
            page = await self.fetch_page(self.ref, cursor)
        except VTError as exc:  # shown in the tab, where the user is looking
            self.paging = replace(self.paging, fetching=False, error=exc.message, unexpected=False)
            return
        except Exception as exc:  # said in the tab too, then the crash path (base.py)
            message = f"Unexpected {type(exc).__name__} while loading {self.noun}."
            self.paging = replace(self.paging, fetching=False, error=message, unexpected=True)
            raise
        self.items.extend(page.items)
        self.add_items(page.items)
        self.paging = replace(
            self.paging,
            count=len(self.items),
            cursor=page.cursor,
            exhausted=not page.cursor,
            fetching=False,
            error=None,
            total=page.count if page.count is not None else self.paging.total,
        )

    def prepend(self, item: dict[str, Any]) -> None:
        """Show an item the user just created without fetching the list again."""
        self.items.insert(0, item)
        total = self.paging.total + 1 if self.paging.total is not None else None
        self.add_items([item], at_top=True)
        self.paging = replace(self.paging, count=len(self.items), total=total, error=None)

    def watch_paging(self, paging: Paging) -> None:
        self.query_one(".status", Static).update(self.status_text(paging))

    def status_text(self, paging: Paging) -> Text:
        if paging.fetching:
            return Text(f"Loading {self.noun}…", style="dim italic")
        if paging.error is not None:
            if paging.unexpected:
                return T.safe(paging.error, "bold red")
            return T.join(Text("✗", style="bold red"), T.safe(paging.error), Text("m: retry", style="dim"))
        n = paging.count
        if n == 0 and paging.exhausted:
            return Text(f"No {self.noun} yet.", style="dim italic")
        text = Text(f"{n} {self.noun}", style="bold")
        if paging.total is not None and paging.total > n:
            text.append(f" of {paging.total}")
        if not paging.exhausted:
            text.append("  · m: load more", style="cyan")
        return text

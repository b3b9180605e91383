"""A tab that lists a paged collection (comments, votes): lazy first load, `m` for more.

The first page is fetched only when the tab is first shown (quota is money); each
further page only when asked for. Errors stay inside the tab.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...vt.errors import VTError
from ...vt.paging import Page
from ...vt.refs import ObjectRef
from .. import text as T

PAGE_SIZE = 20


class PagedPane(Vertical):
    """Base for Comments and Votes. Subclasses build the list widget and add items."""

    DEFAULT_CSS = """
    PagedPane { height: 1fr; }
    PagedPane > .status { height: auto; max-height: 3; padding: 0 1; }
    """
    noun = "items"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.ref: ObjectRef | None = None
        self.cursor: str | None = None
        self.items: list[dict[str, Any]] = []
        self.started = False
        self.fetching = False
        self.exhausted = False
        self.error: str | None = None
        self.total: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Not loaded yet.", style="dim"), classes="status")
        yield from self.compose_list()

    def compose_list(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def fetch_page(self, ref: ObjectRef, cursor: str | None) -> Any:  # pragma: no cover - abstract
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
        if self.ref is None or self.fetching:
            return
        if self.started and self.exhausted and self.items:
            self.app.notify(f"All {self.noun} are shown.", timeout=2)
            return
        self.started = True
        self.fetching = True
        self._status(Text(f"Loading {self.noun}…", style="dim italic"))
        self._fetch(self.cursor)

    @work(group="paged", exclusive=True, exit_on_error=False)
    async def _fetch(self, cursor: str | None) -> None:
        assert self.ref is not None
        try:
            page: Page = await self.fetch_page(self.ref, cursor)
        except VTError as exc:
            self.fetching = False
            self.error = exc.message
            self._status(T.join(Text("✗", style="bold red"), T.safe(exc.message), Text("m: retry", style="dim")))
            return
        except Exception as exc:
            self.fetching = False
            self.error = f"Unexpected {type(exc).__name__} while loading {self.noun}."
            self._status(T.safe(self.error, "bold red"))
            return
        self.fetching = False
        self.error = None
        self.items.extend(page.items)
        self.cursor = page.cursor
        self.exhausted = not page.cursor
        if page.count is not None:
            self.total = page.count
        self.add_items(page.items)
        self.update_status()

    def prepend(self, item: dict[str, Any]) -> None:
        """Show an item the user just created without fetching the list again."""
        self.items.insert(0, item)
        if self.total is not None:
            self.total += 1
        self.add_items([item], at_top=True)
        self.update_status()

    def update_status(self) -> None:
        n = len(self.items)
        if n == 0 and self.exhausted:
            self._status(Text(f"No {self.noun} yet.", style="dim italic"))
            return
        text = Text(f"{n} {self.noun}", style="bold")
        if self.total is not None and self.total > n:
            text.append(f" of {self.total}")
        if not self.exhausted:
            text.append("  · m: load more", style="cyan")
        self._status(text)

    def _status(self, text: Text) -> None:
        self.query_one(".status", Static).update(text)

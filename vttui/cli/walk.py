"""Walking a paged list from the CLI: every item handed on as it arrives, and a clear
account of where the walk stopped and how to resume it.

Shared by ``relations``, ``comments`` and ``votes``. A failing page does not cost the
pages before it: they are already written. The caller closes its output validly; this
module says on stderr what stopped the walk and prints ``next cursor: X`` (the same
line a bounded run prints) so ``--cursor X`` continues exactly there.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TextIO

from ..vt.errors import PagingError, VTError
from ..vt.paging import Paginator
from ..vt.sanitize import clean_line
from . import output

if TYPE_CHECKING:
    from ..vt.ratelimit import RateLimiter

#: The most items one run fetches (250 pages of 40: half a public key's daily quota).
#: Larger ``--limit``/``--max`` values are lowered to this, and the user is told.
MAX_ITEMS = 10_000


def bounded(value: int, flag: str) -> int:
    """``value``, or MAX_ITEMS with a note when it asks for more than one run fetches."""
    if value > MAX_ITEMS:
        shown = str(value) if len(str(value)) <= 24 else str(value)[:20] + "…"
        output.warn(f"{flag} {shown} is more than vttui fetches in one run; fetching at most {MAX_ITEMS:,} "
                    "(the cursor printed at the end continues from there)")
        return MAX_ITEMS
    return value


def print_cursor(cursor: str) -> None:
    print(f"next cursor: {clean_line(cursor)}", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 5400:
        return f"{math.ceil(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class WalkProgress:
    """Where a long walk stands, on stderr: pages, items, and the time left at the current
    quota (a public key's 4 requests a minute make 1,000 items take minutes).

    On a terminal one line is redrawn every second (a countdown while a page waits for
    quota). When stderr is not a terminal nothing is written, unless ``force``
    (``--progress``): then one plain line per page, for logs.
    """

    def __init__(self, label: str, pages: Paginator, limiter: RateLimiter | None, *, most: int | None,
                 force: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = _isatty(self.stream)
        self.enabled = self.terminal or force
        self.label = label
        self.pages = pages
        self.limiter = limiter
        self.most = most
        self.items = 0
        self._shown_page = -1
        self._drawn = False

    def text(self) -> str:
        """The progress line: pages, items, and what is left at the current quota."""
        pager = self.pages
        parts = [f"page {pager.pages}", f"{self.items:,} items"]
        wanted = self.most
        if pager.count is not None:
            wanted = min(pager.count, wanted) if wanted is not None else pager.count
        if wanted is not None and not pager.done and wanted > self.items:
            pages_left = math.ceil((wanted - self.items) / max(1, pager.limit))
            exact = pager.count is not None
            parts.append(f"{'' if exact else 'up to '}{pages_left} page{'s' if pages_left != 1 else ''} left")
            state = self.limiter.state() if self.limiter is not None else None
            if state is not None and state.per_minute:
                # the first left_minute pages go now; then one per 60/per_minute seconds
                later = max(0, pages_left - (state.left_minute or 0))
                seconds = later * 60.0 / state.per_minute + (state.next_slot_in if later else 0.0)
                if seconds >= 1:
                    parts.append(f"about {_duration(seconds)} left at {state.per_minute} requests/min")
                else:
                    parts.append(f"no wait for quota ({state.per_minute} requests/min)")
            if state is not None and state.next_slot_in > 0 and state.waiting:
                parts.append(f"waiting {math.ceil(state.next_slot_in)} s for quota")
        return f"{self.label}: " + " · ".join(parts)

    def step(self, items: int) -> None:
        self.items = items
        if self.enabled and not self.terminal and self.pages.pages != self._shown_page:
            self._shown_page = self.pages.pages
            self.stream.write(f"vttui: {self.text()}\n")
            self.stream.flush()

    def draw(self) -> None:
        if self.enabled and self.terminal:
            self.stream.write(f"\r{clean_line(self.text(), 300)}\x1b[K")
            self.stream.flush()
            self._drawn = True

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[WalkProgress]:
        """Redraw every second while the walk runs (so a wait for quota counts down)."""
        ticker = asyncio.create_task(self._tick()) if self.enabled and self.terminal else None
        try:
            yield self
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            if self._drawn:
                self.stream.write("\n")
                self.stream.flush()

    async def _tick(self) -> None:
        last = 0.0
        while True:
            now = time.monotonic()
            if now - last >= 1.0:
                self.draw()
                last = now
            await asyncio.sleep(0.25)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError, AttributeError):
        return False


async def walk(pages: Paginator, take: Callable[[dict[str, Any]], None], what: str,
               progress: output.Progress | WalkProgress | None = None) -> VTError | None:
    """Give every item to ``take`` as it arrives. Returns the error that stopped the walk
    (None when it ran to its end or its limit). On Ctrl-C the resume cursor is printed
    before the interrupt goes on."""
    count = 0
    try:
        async for item in pages:
            take(item)
            count += 1
            if isinstance(progress, WalkProgress):
                progress.step(count)
            elif progress is not None:
                progress.step(f"{count} {what}")
    except VTError as exc:
        return exc
    except (KeyboardInterrupt, asyncio.CancelledError):
        output.warn(f"interrupted after {count} {what}")
        if pages.cursor:
            print_cursor(pages.cursor)
        raise
    return None


def report_stop(error: VTError, pages: Paginator, count: int, what: str) -> int:
    """Say where the walk stopped and why, print the resume cursor; the exit code."""
    cursor = pages.cursor
    kept = f"the output holds the {count} {what} that arrived"
    where = "" if isinstance(error, PagingError) else f" (page {pages.pages + 1} failed)"
    if cursor:
        output.error(f"stopped after {count} {what}{where}: {error.message} "
                     f"({kept}; continue with --cursor and the cursor below)")
        print_cursor(cursor)
    else:
        output.error(f"stopped after {count} {what}: {error.message} ({kept})")
    return error.exit_code

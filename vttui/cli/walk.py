"""Walking a paged list from the CLI: every item handed on as it arrives, and a clear
account of where the walk stopped and how to resume it.

Shared by ``relations``, ``comments`` and ``votes``. A failing page does not cost the
pages before it: they are already written. The caller closes its output validly; this
module says on stderr what stopped the walk and prints ``next cursor: X`` (the same
line a bounded run prints) so ``--cursor X`` continues exactly there.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

from ..vt.errors import PagingError, VTError
from ..vt.paging import Paginator
from ..vt.sanitize import clean_line
from . import output

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


async def walk(pages: Paginator, take: Callable[[dict[str, Any]], None], what: str,
               progress: output.Progress | None = None) -> VTError | None:
    """Give every item to ``take`` as it arrives. Returns the error that stopped the walk
    (None when it ran to its end or its limit). On Ctrl-C the resume cursor is printed
    before the interrupt goes on."""
    count = 0
    try:
        async for item in pages:
            take(item)
            count += 1
            if progress is not None:
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

"""The Paginator against a server that loops (issue 16 item 3): library users get the
guarantee too — no item twice, a clear stop, never an endless walk."""

from __future__ import annotations

import pytest

from vttui.vt.errors import MalformedResponseError, PagingError
from vttui.vt.paging import Page, Paginator

#: A bound so that a Paginator without loop detection ends (and the test fails) instead of spinning.
BOUND = 1000


def scripted(pages: dict[str | None, Page]):
    calls: list[str | None] = []

    async def fetch(cursor: str | None, _limit: int) -> Page:
        calls.append(cursor)
        return pages[cursor]

    return fetch, calls


def items(*ids: str) -> list[dict]:
    return [{"type": "domain", "id": i} for i in ids]


async def collect(pager: Paginator) -> tuple[list[str], Exception | None]:
    got: list[str] = []
    try:
        async for item in pager:
            got.append(item["id"])
    except Exception as exc:  # noqa: BLE001 - the test looks at it
        return got, exc
    return got, None


async def test_a_cursor_that_does_not_advance_stops_without_repeats():
    fetch, calls = scripted({
        None: Page(items("a", "b", "c"), "X"),
        "X": Page(items("a", "b", "c"), "X"),  # the same page, pointing at itself
    })
    got, error = await collect(Paginator(fetch, limit=3, max_items=BOUND))
    assert got == ["a", "b", "c"]
    assert isinstance(error, PagingError) and isinstance(error, MalformedResponseError)
    assert "did not advance" in error.message and error.exit_code == 6
    assert calls == [None, "X"]


async def test_a_cursor_cycle_stops_and_keeps_new_items():
    fetch, calls = scripted({
        None: Page(items("a", "b"), "X"),
        "X": Page(items("c", "d"), "Y"),
        "Y": Page(items("e", "a"), "X"),  # back to X: a loop of two pages
    })
    pager = Paginator(fetch, limit=2, max_items=BOUND)
    got, error = await collect(pager)
    assert got == ["a", "b", "c", "d", "e"]
    assert isinstance(error, PagingError)
    assert pager.cursor is None and pager.duplicates == 1
    assert calls == [None, "X", "Y"]


async def test_an_empty_page_with_a_cursor_stops_and_keeps_the_cursor():
    fetch, calls = scripted({
        None: Page(items("a"), "X"),
        "X": Page([], "Y"),
        "Y": Page([], "Z"),
    })
    pager = Paginator(fetch, limit=1, max_items=BOUND)
    got, error = await collect(pager)
    assert got == ["a"]
    assert isinstance(error, PagingError) and "empty page" in error.message
    assert pager.cursor == "Y"  # what to try again with
    assert calls == [None, "X"]


async def test_an_item_repeated_on_a_later_page_is_not_yielded_twice():
    fetch, _calls = scripted({
        None: Page(items("a", "b"), "X"),
        "X": Page(items("b", "c"), None),
    })
    pager = Paginator(fetch, limit=2)
    got, error = await collect(pager)
    assert got == ["a", "b", "c"] and error is None and pager.duplicates == 1


async def test_resuming_mid_page_still_counts_skipped_duplicates():
    fetch, _calls = scripted({
        None: Page(items("a", "a", "b", "c"), None),
    })
    pager = Paginator(fetch, limit=4)
    first = [await pager.__anext__(), await pager.__anext__()]
    assert [i["id"] for i in first] == ["a", "b"]
    rest, error = await collect(Paginator(fetch, limit=4, cursor=pager.cursor))
    assert rest == ["c"] and error is None


@pytest.mark.parametrize("repeat_from", [1, 2, 5])
async def test_never_more_pages_than_distinct_cursors(repeat_from):
    """Whatever page starts repeating its cursor, the walk ends right there."""
    pages: dict[str | None, Page] = {None: Page(items("i0"), "c1")}
    for n in range(1, 10):
        nxt = f"c{n}" if n >= repeat_from else f"c{n + 1}"
        pages[f"c{n}"] = Page(items(f"i{n}"), nxt)
    fetch, calls = scripted(pages)
    got, error = await collect(Paginator(fetch, limit=1, max_items=BOUND))
    assert isinstance(error, PagingError)
    assert got == [f"i{n}" for n in range(repeat_from + 1)]
    assert len(calls) == repeat_from + 1

"""Paginator: resume from any point without skipping or repeating."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vttui.vt.paging import Page, Paginator, decode_resume, encode_resume


def make_source(n: int):
    items = [{"id": str(i)} for i in range(n)]
    fetched: list[tuple[str | None, int]] = []

    async def fetch(cursor: str | None, limit: int) -> Page:
        fetched.append((cursor, limit))
        start = int(cursor) if cursor else 0
        chunk = items[start:start + limit]
        nxt = str(start + limit) if start + limit < n else None
        return Page(chunk, nxt, n)

    return items, fetch, fetched


async def test_iterates_all_pages():
    items, fetch, fetched = make_source(25)
    got = await Paginator(fetch, limit=10).collect()
    assert got == items
    assert [c for c, _ in fetched] == [None, "10", "20"]


async def test_resume_at_page_boundary_uses_api_cursor():
    items, fetch, _ = make_source(30)
    it = Paginator(fetch, limit=10)
    got = [await it.__anext__() for _ in range(10)]
    assert it.cursor == "10"
    rest = await Paginator(fetch, limit=10, cursor=it.cursor).collect()
    assert got + rest == items


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), limit=st.integers(1, 15), stops=st.lists(st.integers(0, 20), max_size=6))
async def test_resume_mid_page_never_skips_or_repeats(n, limit, stops):
    items, fetch, _ = make_source(n)
    seen: list[dict] = []
    cursor = None
    for stop in stops:
        it = Paginator(fetch, limit=limit, cursor=cursor)
        for _ in range(stop):
            try:
                seen.append(await it.__anext__())
            except StopAsyncIteration:
                break
        cursor = it.cursor
        if cursor is None and it.done:
            break
    if cursor is not None or not seen:
        seen.extend(
            await Paginator(fetch, limit=limit, cursor=cursor).collect() if cursor is not None or not seen else []
        )
    assert seen == items


def test_resume_token_round_trip():
    token = encode_resume("abc==", 3, 10)
    assert decode_resume(token) == ("abc==", 3, 10)
    assert decode_resume("plain-api-cursor") == ("plain-api-cursor", 0, None)
    assert decode_resume(None) == (None, 0, None)


def test_page_from_odd_replies():
    assert Page.from_reply(None).items == []
    assert Page.from_reply({"data": None}).items == []
    assert Page.from_reply({"data": {"id": "x"}}).items == [{"id": "x"}]
    page = Page.from_reply({"data": [1, "x", {"id": "a"}], "meta": {"cursor": "", "count": "12"}})
    assert page.items == [{"id": "a"}] and page.cursor is None and page.count == 12
    assert Page.from_reply({"data": [], "meta": {"count": 1e400}}).count is None


async def test_max_items():
    items, fetch, fetched = make_source(100)
    got = await Paginator(fetch, limit=40, max_items=15).collect()
    assert got == items[:15]
    assert len(fetched) == 1

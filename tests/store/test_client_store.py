"""The client with a persistent store: what one process fetched, the next one does not fetch
again (objects, aliases, pages, listed objects, completed analyses); refresh and ctrl+r go
around it; writes invalidate it for everyone; fetch times travel with the replies.

Each "process" here is a client with its own store handle on one SQLite directory or one
Redis database; the demo backend behind an in-process transport counts the requests.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from vttui.demo import DemoBackend, DemoTransport, demo_iocs
from vttui.export import render, render_batch
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.refs import ObjectRef
from vttui.vt.store.factory import open_store
from vttui.vt.store.guard import GuardedStore
from vttui.vt.store.policy import StoreOptions

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
BASE = "https://vt.test/api/v3"
KEY = "client-store-key-" + "x" * 40


def gets(backend: DemoBackend) -> list[str]:
    return [t for m, t in backend.requests if m == "GET"]


@pytest.fixture(params=["sqlite", "redis"])
async def processes(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Callable[..., VTClient]]:
    """``processes(**options)``: a new client (as if a new vttui process) on the shared store."""
    spec = "sqlite" if request.param == "sqlite" else request.getfixturevalue("redis_url")
    backend = DemoBackend(base_url=BASE)
    made: list[VTClient] = []

    def start(ttl_hours: dict[str, float] | None = None, key: str = KEY) -> VTClient:
        options = StoreOptions(spec, "test")
        if ttl_hours:
            options = StoreOptions(spec, "test", ttl_hours=tuple({**dict(options.ttl_hours), **ttl_hours}.items()))
        store = open_store(options, key, BASE, directory=tmp_path / "cache")
        assert store is not None and store.kind == request.param, getattr(store, "warnings", None)
        client = VTClient(key, base_url=BASE, transport=DemoTransport(backend), store=store, store_options=options,
                          limiter=RateLimiter(None, None, ledger=store))
        made.append(client)
        return client

    start.backend = backend  # type: ignore[attr-defined]
    start.kind = request.param  # type: ignore[attr-defined]
    yield start
    for client in made:
        await client.aclose()


async def test_the_next_process_gets_the_report_without_a_request(processes):
    first = processes()
    data = await first.get_file(FILE)
    assert gets(processes.backend) == [f"/files/{FILE}"]
    info = first.fetch_info(ObjectRef("file", FILE))
    assert info is not None and not info.from_store  # fetched by this process

    second = processes()
    assert await second.get_file(FILE) == data
    assert gets(processes.backend) == [f"/files/{FILE}"]  # still one
    stored = second.fetch_info(ObjectRef("file", FILE))
    assert stored is not None and stored.from_store
    assert stored.fetched_at == pytest.approx(info.fetched_at, abs=0.01)
    assert second.stats.store_hits == 1 and second.stats.requests == 0


async def test_md5_sha1_and_url_aliases_work_across_processes(processes):
    first = processes()
    await first.get_file(FILE)
    await first.lookup(IOCS["url"])
    before = len(gets(processes.backend))
    second = processes()
    by_md5 = await second.get_file(IOCS["detected_file_md5"])
    by_sha1 = await second.lookup(IOCS["detected_file_sha1"])
    by_url = await second.lookup(IOCS["url"])  # asked by URL: its base64 id is an alias of the sha256
    assert by_md5["id"] == by_sha1["id"] == FILE and by_url["attributes"]["url"] == IOCS["url"]
    assert len(gets(processes.backend)) == before


async def test_the_same_frame_path(processes):
    """SQLite answers synchronously (the TUI paints a cached report in the same frame);
    Redis does not, by design: the memory cache answers, then one round trip."""
    first = processes()
    await first.get_file(FILE)
    await first.persist.drain()  # (the store is written just after the caller has the reply)
    second = processes()
    ref = ObjectRef("file", IOCS["detected_file_md5"])
    shown = second.cached_object(ref)
    if processes.kind == "sqlite":
        assert shown is not None and shown["id"] == FILE
    else:
        assert shown is None
        await second.get_object(ref)
        assert second.cached_object(ref)["id"] == FILE
    assert gets(processes.backend) == [f"/files/{FILE}"]


async def test_pages_and_the_objects_they_list_are_kept(processes):
    ip = ObjectRef("ip_address", IOCS["sinkhole_ip"])
    first = processes()
    page = await first.get_related(ip, "communicating_files", limit=5)
    listed = page.items[2]["id"]
    before = len(gets(processes.backend))
    second = processes()
    again = await second.get_related(ip, "communicating_files", limit=5)
    assert [i["id"] for i in again.items] == [i["id"] for i in page.items]
    assert (await second.get_file(listed))["id"] == listed  # seeded from the page
    assert len(gets(processes.backend)) == before


async def test_refresh_goes_to_virustotal_and_the_fresh_copy_is_shared(processes):
    first = processes()
    await first.get_file(FILE)
    old = first.fetch_info(ObjectRef("file", FILE)).fetched_at
    time.sleep(0.01)
    second = processes()
    second.refresh_all()  # `vttui lookup --refresh`
    await second.get_file(FILE)
    assert gets(processes.backend) == [f"/files/{FILE}"] * 2
    third = processes()
    await third.get_file(FILE)
    info = third.fetch_info(ObjectRef("file", FILE))
    assert info.from_store and info.fetched_at > old
    assert len(gets(processes.backend)) == 2


async def test_forget_reaches_the_store(processes):
    """ctrl+r in the TUI calls forget(): the next load is fetched, whatever is stored."""
    domain = ObjectRef("domain", IOCS["domain"])
    first = processes()
    await first.get_object(domain)
    await first.get_comments(domain)
    second = processes()
    await second.get_object(domain)
    second.forget(domain)
    await second.get_object(domain)
    await second.get_comments(domain)
    assert gets(processes.backend).count(f"/domains/{IOCS['domain']}") == 2
    assert sum(1 for t in gets(processes.backend) if "/comments" in t) == 2
    await second.persist.drain()  # the store deletions run in the background
    third = processes()
    await third.get_comments(domain)  # the refetched page was stored again
    assert sum(1 for t in gets(processes.backend) if "/comments" in t) == 2


async def test_a_comment_posted_in_one_process_is_not_hidden_from_another(processes):
    domain = ObjectRef("domain", IOCS["clean_domain"])
    reader = processes()
    assert (await reader.get_comments(domain)).items == []
    writer = processes()
    await writer.add_comment(domain, "seen in our proxy logs")
    await writer.persist.drain()
    later = processes()
    texts = [c["attributes"]["text"] for c in (await later.get_comments(domain)).items]
    assert texts == ["seen in our proxy logs"]


async def test_only_completed_analyses_are_kept(processes):
    first = processes()
    submitted = await first.scan_url("http://new-thing.example/path")
    running = await first.get_analysis(submitted["id"])
    assert running["data"]["attributes"]["status"] != "completed"
    done = await first.wait_for_analysis(submitted["id"], first_delay=0, max_delay=0)
    await first.persist.drain()
    polls = gets(processes.backend).count(f"/analyses/{submitted['id']}")
    second = processes()
    assert await second.get_analysis(submitted["id"]) == done
    assert gets(processes.backend).count(f"/analyses/{submitted['id']}") == polls


async def test_a_kind_with_no_ttl_is_not_kept(processes):
    domain = ObjectRef("domain", IOCS["domain"])
    first = processes(ttl_hours={"comments": 0})
    await first.get_comments(domain)
    await first.get_object(domain)
    second = processes(ttl_hours={"comments": 0})
    await second.get_comments(domain)
    await second.get_object(domain)
    assert sum(1 for t in gets(processes.backend) if t.endswith("/comments?limit=10")) == 2
    assert gets(processes.backend).count(f"/domains/{IOCS['domain']}") == 1


async def test_other_keys_do_not_see_the_cache(processes):
    await processes().get_file(FILE)
    await processes(key="another-key-" + "y" * 40).get_file(FILE)
    assert gets(processes.backend) == [f"/files/{FILE}"] * 2


async def test_exports_say_a_stored_report_is_a_cached_copy(processes):
    first = processes()
    fresh = await first.get_file(FILE)
    info = first.fetch_info(ObjectRef("file", FILE))
    assert "vttui" not in json.loads(render(fresh, "json", fetched=info))  # fetched now: nothing to say
    second = processes()
    data = await second.get_file(FILE)
    info = second.fetch_info(ObjectRef("file", FILE))
    doc = json.loads(render(data, "json", fetched=info))
    assert doc["vttui"]["cached"] is True and doc["vttui"]["fetched_at"].endswith("Z")
    assert doc["vttui"]["age_seconds"] >= 0 and doc["id"] == FILE
    md = render(data, "markdown", fetched=info)
    assert md.splitlines()[2].startswith("> Cached copy: fetched from VirusTotal ")
    meta = ET.fromstring(render(data, "xml", fetched=info)).find("object/vttui")
    assert meta is not None and meta.findtext("cached") == "true"
    assert meta.findtext("fetched_at") == doc["vttui"]["fetched_at"]
    batch = json.loads(render_batch([data, fresh], "json", fetched=[info, None]))
    assert "vttui" in batch[0] and "vttui" not in batch[1]
    assert "vttui" not in data  # the cached object itself is never changed


async def test_the_quota_ledger_is_shared_and_reconciled(processes):
    first = processes()
    first.limiter.configure(4, 500)
    for _ in range(2):
        await first.limiter.acquire()
    second = processes()
    second.limiter.configure(4, 500)
    await second.limiter.refresh()  # (SQLite is also read at every state(); Redis only so)
    state = second.limiter.state()
    assert (state.left_minute, state.left_day) == (2, 498)  # the first process's two requests
    processes.backend.api_calls = 17  # the server counted more today (another tool, the web UI)
    await second.reconcile_quota()
    await first.limiter.refresh()
    assert first.limiter.state().left_day == 500 - 17
    third = processes()
    third.limiter.configure(4, 500)
    await third.limiter.refresh()
    assert third.limiter.state().used_day == 17


async def test_the_start_up_quota_check_is_once_a_day_per_store(processes):
    """Each TUI start asked the server for the quota: a request of the public 4 a minute
    spent before the user's first lookup. With a store it is asked once a UTC day."""
    first = processes()
    assert await first.quota_reconcile_due()
    await first.reconcile_quota()
    asked = [p for p in gets(processes.backend) if p.endswith("/overall_quotas")]
    assert len(asked) == 1
    second = processes()  # the next start, the same day
    assert not await second.quota_reconcile_due()
    bare = VTClient(KEY, base_url=BASE, transport=DemoTransport(processes.backend))
    assert await bare.quota_reconcile_due()  # no store (--no-store): nothing remembers it
    await bare.aclose()


async def test_a_failing_store_costs_no_view(tmp_path: Path):
    """Whatever happens to the store, the report the user asked for arrives."""
    backend = DemoBackend(base_url=BASE)
    store = open_store(StoreOptions("sqlite"), KEY, BASE, directory=tmp_path / "cache")
    assert isinstance(store, GuardedStore)
    client = VTClient(KEY, base_url=BASE, transport=DemoTransport(backend), store=store)
    store.active._writer.execute("PRAGMA max_page_count = 1")  # type: ignore[attr-defined]  # every write: SQLITE_FULL
    data = await client.get_file(FILE)
    assert data["id"] == FILE  # the view first; the store is written after
    await client.persist.drain()
    assert client.store_notice == "sqlite disk full: cache in memory only"
    assert (await client.get_file(FILE))["id"] == FILE and len(gets(backend)) == 1
    await client.aclose()

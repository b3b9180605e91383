"""Micro-benchmarks of the VirusTotal layer: cache hits, page parsing, single-flight.

These run in process against the demo backend (``DemoTransport``): no sockets, no UI,
so they isolate the cost of our own code.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from .core import ROOT, Result, benchmark, median, ms, percentile, spread

#: The largest real relationship page in the bundled samples: 10 full file objects, 328 KB.
REAL_PAGE = (
    "tests/fixtures/vt-samples/ninoseki__virustotalx/"
    "spec__fixtures__vcr_cassettes__VirusTotal_Client_Domain__with_relationships__communicating_files__1_3_2_1.yml"
    ".response_body.json"
)


def _demo_client(middleware: Any = None):
    from vttui.config import Settings
    from vttui.demo import DemoBackend, DemoTransport
    from vttui.runtime import make_client

    backend = DemoBackend(base_url="https://demo.vttui.invalid/api/v3")
    transport = DemoTransport(backend, middleware=middleware)
    settings = Settings(api_key=DemoBackend.DEMO_API_KEY, base_url=backend.base_url, per_minute=None, per_day=None)
    return make_client(settings, transport=transport), backend


@benchmark("cache_hit", cheap=True)
def cache_hit(quick: bool) -> Result:
    """Median time of client.get_object on an object already cached (target < 0.2 ms).

    Every back navigation, re-render and pivot to a seen object goes through this path,
    so it must cost nothing next to a frame (16 ms).
    """
    from vttui.demo import demo_iocs
    from vttui.vt.refs import ObjectRef

    n = 500 if quick else 5000

    async def run() -> tuple[list[float], int, int]:
        client, backend = _demo_client()
        ref = ObjectRef("file", demo_iocs()["detected_file"])
        md5 = ObjectRef("file", demo_iocs()["detected_file_md5"])
        async with client:
            await client.get_object(ref)
            samples: list[float] = []
            alias_samples: list[float] = []
            for i in range(n):
                target = md5 if i % 2 else ref
                t0 = time.perf_counter()
                await client.get_object(target)
                (alias_samples if i % 2 else samples).append(time.perf_counter() - t0)
            return samples + alias_samples, len(backend.requests), len(alias_samples)

    samples, requests, _ = asyncio.run(run())
    med = median(samples)
    res = Result("cache_hit", f"{med * 1000:.4f} ms median", "< 0.2 ms", med < 0.0002)
    res.add("hits timed (half by sha256, half by md5 alias)", len(samples))
    res.add("p99", f"{percentile(samples, 0.99) * 1000:.4f} ms")
    res.add("requests sent in total", requests)
    return res


def build_demo_page(limit: int = 40) -> bytes:
    """A real-shaped relationship page of ``limit`` full demo file objects, as the server sends it."""
    from vttui.demo import demo_iocs

    async def fetch() -> bytes:
        client, _ = _demo_client()
        async with client:
            ip = demo_iocs()["sinkhole_ip"]
            response = await client._http.get(
                f"{client.base_url}/ip_addresses/{ip}/communicating_files",
                params={"limit": limit}, headers={"x-apikey": client.api_key or ""},
            )
            return response.content

    return asyncio.run(fetch())


def _parse(raw: bytes) -> int:
    """What the app does with a page: parse, page it, wrap each item, read what the tree shows."""
    from vttui.vt.models import wrap
    from vttui.vt.paging import Page

    page = Page.from_reply(json.loads(raw))
    touched = 0
    for item in page.items:
        view = wrap(item)
        stats = view.stats
        touched += stats.flagged + len(view.title)
    return touched


def _time_parse(raw: bytes, reps: int) -> list[float]:
    _parse(raw)  # warm imports and caches
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        _parse(raw)
        out.append(time.perf_counter() - t0)
    return out


@benchmark("page_parse", cheap=True)
def page_parse(quick: bool) -> Result:
    """Median time to parse a 330 KB relationship page of full file objects (target < 20 ms).

    json.loads + Page.from_reply + models.wrap on each item + reading stats and title:
    what expanding a relationship in the tree costs before anything is drawn. Measured
    on the largest real page in the samples (10 files, 328 KB) and on a 40-file demo page.
    """
    reps = 5 if quick else 40
    real_path = ROOT / REAL_PAGE
    real = real_path.read_bytes() if real_path.is_file() else None
    demo = build_demo_page(40)
    res = Result("page_parse", "", "< 20 ms (330 KB page)")
    if real is not None:
        items = len(json.loads(real).get("data") or [])
        t = _time_parse(real, reps)
        res.figure = f"{ms(median(t))} median ({len(real) / 1000:.0f} KB, {items} files)"
        res.met = median(t) < 0.020
        res.add(f"real page ({len(real) / 1000:.0f} KB), all runs", spread(t))
    demo_t = _time_parse(demo, reps)
    demo_items = len(json.loads(demo).get("data") or [])
    per_100k = median(demo_t) / (len(demo) / 100_000)
    res.add(
        f"demo page, {demo_items} files, {len(demo) / 1000:.0f} KB", f"{ms(median(demo_t))} median; {spread(demo_t)}"
    )
    res.add("demo page cost per 100 KB", ms(per_100k, 2))
    if real is None:
        # No samples (an installed package): scale the demo page's cost to 330 KB.
        scaled = per_100k * 3.3
        res.figure = f"{ms(scaled)} (demo page scaled to 330 KB)"
        res.met = scaled < 0.020
    return res


@benchmark("single_flight", cheap=True)
def single_flight(quick: bool) -> Result:
    """Requests sent for 50 concurrent identical lookups against a slow server (target 1).

    An analyst pasting the same hash in several places, or a UI refreshing while a fetch
    is in flight, must not spend quota more than once.
    """
    from vttui.demo import demo_iocs
    from vttui.vt.refs import ObjectRef

    from .middleware import Latency

    delay = 0.05 if quick else 0.2
    iocs = demo_iocs()

    async def burst(refs: list[ObjectRef]) -> tuple[int, float]:
        client, backend = _demo_client(Latency(delay))
        async with client:
            t0 = time.perf_counter()
            await asyncio.gather(*(client.get_object(r) for r in refs))
            return len(backend.requests), time.perf_counter() - t0

    same = [ObjectRef("file", iocs["detected_file"])] * 50
    count, elapsed = asyncio.run(burst(same))
    forms = [iocs["detected_file"], iocs["detected_file_md5"], iocs["detected_file_sha1"]]
    mixed_count, _ = asyncio.run(burst([ObjectRef("file", forms[i % 3]) for i in range(50)]))
    res = Result("single_flight", f"{count} request(s) for 50 lookups", "1", count == 1)
    res.add("server latency", ms(delay, 0))
    res.add("all 50 answered after", ms(elapsed))
    res.add(
        "50 lookups mixing md5/sha1/sha256 of one file",
        f"{mixed_count} requests (aliases are learnt from the first reply)",
    )
    return res

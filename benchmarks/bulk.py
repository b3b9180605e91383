"""Bulk lookups under a server-enforced quota: `vttui lookup -` with 100 indicators."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from .core import Result, benchmark, ms


async def demo_indicators(n: int) -> list[str]:
    """``n`` distinct indicators that exist in the demo: the sinkhole IP's 60 communicating
    files, then host names from its resolutions."""
    from vttui.config import Settings
    from vttui.demo import demo_iocs
    from vttui.runtime import make_client
    from vttui.vt.refs import ObjectRef

    client = make_client(Settings(), demo=True)
    out: list[str] = []
    async with client:
        ip = ObjectRef("ip_address", demo_iocs()["sinkhole_ip"])
        async for item in client.iter_related(ip, "communicating_files", max_items=n):
            out.append(str(item.get("id")))
        async for item in client.iter_related(ip, "resolutions"):
            if len(out) >= n:
                break
            host = (item.get("attributes") or {}).get("host_name")
            if isinstance(host, str) and host not in out:
                out.append(host)
    return out[:n]


async def _run(n: int, per_minute: int, scale: float) -> dict[str, Any]:
    from tests.support.server import DemoServer
    from vttui.cli.lookup import Input, lookup_batch
    from vttui.demo import DemoBackend
    from vttui.vt.cache import ResponseCache
    from vttui.vt.client import VTClient
    from vttui.vt.ioc import classify
    from vttui.vt.ratelimit import RateLimiter

    from .middleware import Quota

    texts = await demo_indicators(n)
    inputs = [Input(classify(t), f"stdin line {i}") for i, t in enumerate(texts, 1)]
    window = 60.0 / scale
    quota = Quota(per_minute, window)
    server = DemoServer(DemoBackend(), middleware=quota).start()
    try:
        # The limiter believes in one-minute windows; with scale > 1 its clock runs faster.
        limiter = RateLimiter(per_minute, None, clock=lambda: time.monotonic() * scale,
                              sleep=lambda s: asyncio.sleep(s / scale))
        client = VTClient(DemoBackend.DEMO_API_KEY, base_url=server.base_url, limiter=limiter, cache=ResponseCache())
        async with client:
            t0 = time.perf_counter()
            batch = await lookup_batch(client, inputs)
            elapsed = time.perf_counter() - t0
            retries = client.stats.retries
            sent = client.stats.requests
    finally:
        server.stop()
    return {
        "n": len(inputs), "elapsed": elapsed, "rejected": quota.rejected, "accepted": quota.accepted,
        "results": len(batch.results), "not_found": len(batch.not_found), "retries": retries, "sent": sent,
        "stopped": f"{batch.stopped[0].where}: {batch.stopped[1].message}" if batch.stopped else "",
        "window": window, "early": max(quota.early, default=0.0),
    }


@benchmark("bulk_lookup")
def bulk_lookup(quick: bool) -> Result:
    """100 IOCs through `vttui lookup -` against a server enforcing 60/min, the client set to
    60/min: total time vs 100/60 minutes, and 429s received (target 0).

    Batch lookups must go as fast as the quota allows and never be refused: on
    VirusTotal a 429 QuotaExceededError stops the batch. ``--quick`` runs 10 IOCs at
    6/min with both clocks sped up 10x (a 6-second "minute"), and says so.
    """
    n, per_minute, scale = (10, 6, 10.0) if quick else (100, 60, 1.0)
    out = asyncio.run(_run(n, per_minute, scale))
    window = out["window"]
    pacing = n / per_minute * window  # n requests spread evenly at the quota's rate
    sliding = (math.ceil(n / per_minute) - 1) * window  # a sliding window allows a burst first
    rejected = out["rejected"]
    scaled = f" (scaled: 1 min = {window:.0f} s)" if scale != 1 else ""
    done = out["results"] + out["not_found"]
    what = (
        f"{out['elapsed']:.1f} s for {n} IOCs"
        if not out["stopped"]
        else f"stopped after {done}/{n} IOCs ({out['elapsed']:.1f} s)"
    )
    res = Result("bulk_lookup", f"{what}, {rejected} x 429{scaled}", "0 x 429",
                 rejected == 0 and not out["stopped"])
    res.add("quota (server and client)", f"{per_minute} per {window:.0f} s sliding window")
    res.add(f"{n}/{per_minute} minutes", f"{pacing:.1f} s -> measured/that = {out['elapsed'] / pacing:.2f}")
    res.add("fastest a sliding window allows", f"{sliding:.1f} s (a burst of {per_minute}, the rest one window later)")
    res.add("looked up", f"{out['results']} found, {out['not_found']} not found, {out['sent']} requests sent, "
            f"{out['retries']} retries")
    if rejected:
        res.add("worst 429", f"the request reached the server {ms(out['early'])} before the window let it in "
                "(the client's limiter stamps a request when it leaves, the server when it arrives)")
    if out["stopped"]:
        res.add("batch stopped at", out["stopped"])
    return res

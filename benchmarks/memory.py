"""Memory benchmarks. Each runs in a child process (``python -m benchmarks.memory``), so
the peak it reports is that process's own, not the benchmark runner's or the server's.

Peak resident memory comes from ``VmHWM`` in /proc/self/status, reset to the current
RSS (``/proc/self/clear_refs``) once the process is idle, so "peak above idle" is the
growth caused by the measured work alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .core import ROOT, Result, benchmark, mb, proc_status_kb, reset_peak_rss

CACHE_BOUND = 32 * 1024 * 1024


def _child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``python -m benchmarks.memory ARGS``; its last stdout line is JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    out = subprocess.run([sys.executable, "-m", "benchmarks.memory", *args], capture_output=True, text=True,
                         timeout=timeout, env=env, cwd=str(ROOT))
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr or out.stdout).strip().splitlines()[-5:]
        return {"error": f"child exited {out.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


# --- 9. browsing ---------------------------------------------------------------------


async def _browse(base_url: str, resolutions: int, files: int, cache_bytes: int) -> dict[str, Any]:
    """In the child: walk the sinkhole IP's resolutions and communicating files in the TUI."""
    import gc

    from vttui.config import Settings
    from vttui.demo import DemoBackend, demo_iocs
    from vttui.runtime import make_client
    from vttui.tui.app import VTApp
    from vttui.tui.widgets.relations import MoreNode, ObjNode, RelationsTree, ResNode
    from vttui.tui.widgets.report import ReportView
    from vttui.vt.refs import ObjectRef

    from .tui import open_hash, rel_node, settle

    settings = Settings(api_key=DemoBackend.DEMO_API_KEY, base_url=base_url, per_minute=None, per_day=None,
                        cache_bytes=cache_bytes)
    client = make_client(settings)
    app = VTApp(settings=settings, client=client, clipboard=False, freeze_heap=True)  # as `vttui` runs it
    out: dict[str, Any] = {"phases": []}

    def phase(name: str, t0: float) -> None:
        out["phases"].append((name, proc_status_kb("VmRSS"), time.perf_counter() - t0))

    async def more_until(tree: Any, node: Any, kind: type, limit: int) -> None:
        while sum(isinstance(c.data, kind) for c in node.children) < limit:
            more = next((c for c in node.children if isinstance(c.data, MoreNode)), None)
            if more is None:
                break
            tree.move_cursor(more)
            await pilot.press("m")
            await app.workers.wait_for_complete()
        await settle(pilot)

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await open_hash(pilot, demo_iocs()["sinkhole_ip"])
            await pilot.press("3")
            await settle(pilot)
            gc.collect()
            out["idle_kb"] = proc_status_kb("VmRSS")
            out["reset"] = reset_peak_rss()
            t0 = time.perf_counter()
            tree = app.main.current_view.query_one(RelationsTree)  # not the screen: its query cache would keep the tree
            res = rel_node(tree, "resolutions")
            res.expand()
            await settle(pilot)
            await more_until(tree, res, ResNode, resolutions)
            out["resolutions"] = sum(isinstance(c.data, ResNode) for c in res.children)
            phase(f"{out['resolutions']} resolutions in the tree", t0)
            fnode = rel_node(tree, "communicating_files")
            fnode.expand()
            await settle(pilot)
            await more_until(tree, fnode, ObjNode, files)
            refs = [c.data.ref for c in fnode.children if isinstance(c.data, ObjNode)][:files]
            phase(f"{len(refs)} files in the tree", t0)
            # Let go of the tree: once its view leaves the live set, only the app may keep it.
            del tree, res, fnode
            before = client.stats.requests
            for i, ref in enumerate(refs, 1):  # pivot to each in turn: a long trail of reports
                app.main.open_ref(ObjectRef(ref.type, ref.id))
                await settle(pilot)
                if i in (16, 32) and i < len(refs):
                    phase(f"{i} file reports opened", t0)
            phase(f"{len(refs)} file reports opened", t0)
            out["files"] = len(refs)
            out["file_requests"] = client.stats.requests - before
            out["seconds"] = time.perf_counter() - t0
            out["peak_kb"] = proc_status_kb("VmHWM")
            gc.collect()
            out["end_kb"] = proc_status_kb("VmRSS")
            stats = client.cache.stats()
            out.update(cache_bytes=stats.bytes, cache_entries=stats.entries, cache_evictions=stats.evictions,
                       cache_max_bytes=stats.max_bytes, live_views=len(app.main.live),
                       report_views_in_memory=sum(isinstance(o, ReportView) for o in gc.get_objects()),
                       widgets=len(list(app.screen.walk_children(with_self=True))),
                       **_dom_census(app),
                       requests=client.stats.requests)
    finally:
        await client.aclose()
    return out


def _dom_census(app: Any) -> dict[str, Any]:
    """Textual nodes still in memory vs attached to a screen: removed widgets that stay
    referenced (a leak) show up as detached."""
    import gc
    from collections import Counter

    from textual.widget import Widget

    gc.collect()
    attached: set[int] = set()
    for screen in app.screen_stack:
        attached.update(id(w) for w in screen.walk_children(with_self=True))
    detached: Counter[str] = Counter()
    total = 0
    for obj in gc.get_objects():
        if isinstance(obj, Widget):
            total += 1
            if id(obj) not in attached:
                detached[type(obj).__name__] += 1
    return {"widgets_in_memory": total, "detached": detached.most_common(4)}


@benchmark("browse_memory")
def browse_memory(quick: bool) -> Result:
    """Peak memory growth while browsing 2,500 resolutions and 60 files in the TUI, against
    a 32 MB cache bound (target: growth within the bound).

    A long investigation must not grow without limit: the cache is bounded in bytes and
    only the last few report views stay alive (MAX_LIVE_VIEWS). The app runs in a child process from idle; the demo
    server runs in this one, so its data is not counted.
    """
    from tests.support.server import DemoServer
    from vttui.demo import DemoBackend

    resolutions, files = (400, 10) if quick else (2500, 60)
    server = DemoServer(DemoBackend()).start()
    try:
        out = _child(["browse", server.base_url, str(resolutions), str(files), str(CACHE_BOUND)], timeout=1800)
    finally:
        server.stop()
    res = Result("browse_memory", "", f"peak growth <= cache bound ({CACHE_BOUND // 2**20} MB)")
    if "error" in out:
        res.figure = "not measured"
        res.notes.append(out["error"])
        return res
    growth = out["peak_kb"] - out["idle_kb"]
    res.figure = f"+{mb(growth)} peak RSS (cache holds {out['cache_bytes'] / 2**20:.1f} MB)"
    res.met = growth * 1024 <= CACHE_BOUND if out.get("reset") else None
    res.add("browsed", f"{out['resolutions']} resolutions, {out['files']} file reports ({out['seconds']:.1f} s)")
    res.add("RSS idle -> peak -> end", f"{mb(out['idle_kb'])} -> {mb(out['peak_kb'])} -> {mb(out['end_kb'])}")
    for name, kb, secs in out["phases"]:
        res.add(f"after {name}", f"RSS +{mb(kb - out['idle_kb'])} at {secs:.1f} s")
    res.add("cache (its own byte estimate)",
            f"{out['cache_bytes'] / 2**20:.1f} MB of {out['cache_max_bytes'] / 2**20:.0f} MB, "
            f"{out['cache_entries']} entries, {out['cache_evictions']} evictions")
    res.add("report views", f"{out['live_views']} alive in the screen, {out['report_views_in_memory']} in memory "
            f"(more than alive = views removed but still referenced)")
    res.add("widgets at the end", f"{out['widgets']} on the screen, {out['widgets_in_memory']} in memory")
    if out["detached"]:
        res.add("widgets in memory but not on any screen",
                ", ".join(f"{name} x{count}" for name, count in out["detached"]))
    res.add("requests", f"{out['requests']} in total, {out['file_requests']} for the {out['files']} file reports")
    if not out.get("reset"):
        res.notes.append("/proc/self/clear_refs unavailable: the peak includes startup")
    return res


# --- 10. upload ----------------------------------------------------------------------


async def _upload(base_url: str, size: int) -> dict[str, Any]:
    """In the child: upload a sparse file of ``size`` bytes; RSS idle and peak."""
    from vttui.demo import DemoBackend
    from vttui.vt.cache import ResponseCache
    from vttui.vt.client import VTClient
    from vttui.vt.ratelimit import RateLimiter

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="vttui-bench-upload-") as tmp:
        path = Path(tmp) / "sample.bin"
        with open(path, "wb") as fh:
            fh.truncate(size)  # sparse: no disk space, reads as zeros
        client = VTClient(DemoBackend.DEMO_API_KEY, base_url=base_url, limiter=RateLimiter(None, None),
                          cache=ResponseCache())
        async with client:
            await client.overall_quotas()  # connection up, client warm: this is "idle"
            out["idle_kb"] = proc_status_kb("VmRSS")
            out["reset"] = reset_peak_rss()
            t0 = time.perf_counter()
            reply = await client.upload_file(path)
            out["seconds"] = time.perf_counter() - t0
            out["peak_kb"] = proc_status_kb("VmHWM")
            out["analysis"] = str(reply.get("id", ""))[:40]
            out["requests"] = [f"{m} {p.split('?')[0][:40]}" for m, p in client.request_log]
    return out


@benchmark("upload_memory")
def upload_memory(quick: bool) -> Result:
    """Peak memory above idle while uploading a 200 MB file to a loopback server
    (target < 100 MB).

    Uploads must stream from disk: a 650 MB sample must not need 650 MB of RAM. The
    client runs in a child process; the server stays in this one, so only the client's
    memory is counted.
    """
    from tests.support.server import DemoServer
    from vttui.demo import DemoBackend

    size = (40 if quick else 200) * 1024 * 1024
    server = DemoServer(DemoBackend()).start()
    try:
        out = _child(["upload", server.base_url, str(size)], timeout=900)
    finally:
        server.stop()
    res = Result("upload_memory", "", "< 100 MB above idle")
    if "error" in out:
        res.figure = "not measured"
        res.notes.append(out["error"])
        return res
    growth = out["peak_kb"] - out["idle_kb"]
    res.figure = f"+{mb(growth)} peak for {size // 2**20} MB"
    res.met = growth < 100 * 1024 if out.get("reset") else None
    res.add("RSS idle -> peak", f"{mb(out['idle_kb'])} -> {mb(out['peak_kb'])}")
    res.add("upload time (loopback)", f"{out['seconds']:.1f} s = {size / 2**20 / max(out['seconds'], 1e-9):.0f} MB/s")
    res.add("requests", "; ".join(out["requests"]))
    if not out.get("reset"):
        res.notes.append("/proc/self/clear_refs unavailable: the peak includes startup")
    return res


# --- child entry point -----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description="memory benchmark child")
    sub = parser.add_subparsers(dest="what", required=True)
    b = sub.add_parser("browse")
    b.add_argument("base_url")
    b.add_argument("resolutions", type=int)
    b.add_argument("files", type=int)
    b.add_argument("cache_bytes", type=int)
    u = sub.add_parser("upload")
    u.add_argument("base_url")
    u.add_argument("size", type=int)
    args = parser.parse_args(argv)
    if args.what == "browse":
        out = asyncio.run(_browse(args.base_url, args.resolutions, args.files, args.cache_bytes))
    else:
        out = asyncio.run(_upload(args.base_url, args.size))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

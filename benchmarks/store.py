"""The persistent store: how fast a stored report comes back (SQLite, Redis on loopback),
and whether several processes together fetch each indicator once.

Hit latency is measured the way the app pays it: ``client.get_object`` with the memory
cache emptied before each call, so every answer comes from the store (key, read, JSON
parse, back into memory). Redis runs as a real ``redis-server`` started here on a free
loopback port (when the binary is missing, that figure is n/a).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .core import ROOT, Result, benchmark, median, ms, percentile

KEY = "bench-store-key-" + "0123456789abcdef" * 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[str | None]:
    """A throwaway redis-server on loopback (its URL), or None when it is not installed."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="vttui-bench-redis-") as tmp:
        port = _free_port()
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        break
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)


def _indicators(n: int) -> list[str]:
    from .bulk import demo_indicators

    return asyncio.run(demo_indicators(n))


async def _hits(spec: str, cache_dir: Path, texts: list[str], rounds: int) -> dict[str, Any]:
    from vttui.demo import DemoBackend, DemoTransport
    from vttui.vt.client import VTClient
    from vttui.vt.ioc import classify
    from vttui.vt.ratelimit import RateLimiter
    from vttui.vt.store.factory import open_store
    from vttui.vt.store.policy import StoreOptions

    base = "https://demo.vttui.invalid/api/v3"
    backend = DemoBackend(base_url=base)
    options = StoreOptions(spec, "bench")

    def client() -> VTClient:
        store = open_store(options, KEY, base, directory=cache_dir)
        return VTClient(KEY, base_url=base, transport=DemoTransport(backend), store=store, store_options=options,
                        limiter=RateLimiter(None, None))

    refs = [classify(t).ref for t in texts]
    async with client() as filler:  # one process fetches them all ...
        for ref in refs:
            await filler.get_object(ref)
    sent = len(backend.requests)
    samples: list[float] = []
    cpu: list[float] = []
    sync_samples: list[float] = []
    sizes: list[int] = []
    async with client() as reader:  # ... another reads them back
        canonical = [reader.canonical_ref(r) for r in refs]
        for _ in range(rounds):
            for ref in canonical:
                reader.cache.clear()
                t0, c0 = time.perf_counter(), time.thread_time()
                await reader.get_object(ref)
                samples.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
                if reader.store is not None and reader.store.sync_reads:
                    reader.cache.clear()
                    t0 = time.perf_counter()
                    reader.cached_object(ref)
                    sync_samples.append(time.perf_counter() - t0)
        for ref in canonical:
            stored = await reader.store.get(reader._key(ref.path)) if reader.store is not None else None
            sizes.append(len(stored.body) if stored is not None else 0)
        kind = reader.store.kind if reader.store is not None else "memory"
    return {"samples": samples, "cpu": cpu, "sync": sync_samples, "extra_requests": len(backend.requests) - sent,
            "objects": len(refs), "size": sum(sizes) / max(1, len(sizes)), "kind": kind}


def _hit_result(name: str, spec: str | None, target_ms: float, quick: bool) -> Result:
    if spec is None:
        return Result(name, "n/a: redis-server is not installed (apt-get install redis-server)",
                      f"p99 < {target_ms:g} ms")
    texts = _indicators(50)
    with tempfile.TemporaryDirectory(prefix="vttui-bench-store-") as tmp:
        out = asyncio.run(_hits(spec, Path(tmp), texts, 2 if quick else 20))
    samples = out["samples"]
    p50, p99 = median(samples), percentile(samples, 0.99)
    res = Result(name, f"p50 {ms(p50, 3)}, p99 {ms(p99, 3)}", f"p99 < {target_ms:g} ms", p99 * 1000 < target_ms)
    res.add("what is timed", "client.get_object(ref) with the memory cache emptied first: "
            "store read + JSON parse + back into memory")
    res.add("store", out["kind"] + ("" if out["kind"] != "redis" else " (loopback, one round trip per hit)"))
    res.add("objects", f"{out['objects']} demo reports, {out['size'] / 1024:.1f} KB of JSON on average; "
            f"{len(samples)} timed hits")
    res.add("requests during the timed hits", out["extra_requests"])
    res.add("p90 (wall)", ms(percentile(samples, 0.9), 3))
    res.add("CPU time of a hit (this thread)",
            f"p50 {ms(median(out['cpu']), 3)}, p99 {ms(percentile(out['cpu'], 0.99), 3)} "
            "(wall minus waiting for the CPU: what the code costs on an idle machine)")
    if out["sync"]:
        res.add("synchronous path (cached_object)", f"p50 {ms(median(out['sync']), 3)}, "
                f"p99 {ms(percentile(out['sync'], 0.99), 3)} (what the TUI uses within a frame)")
    if out["kind"] != spec.split(":")[0]:
        res.notes.append(f"the store fell back to {out['kind']}: the figure is not {spec}'s")
    return res


@benchmark("store_hit_sqlite")
def store_hit_sqlite(quick: bool) -> Result:
    """p50/p99 of a report served from the SQLite store (target p99 < 1 ms).

    What a second vttui process, or a restart, pays for a report an earlier one fetched:
    it must be instant next to a frame (16 ms) and to a network request (hundreds of ms).
    """
    return _hit_result("store_hit_sqlite", "sqlite", 1.0, quick)


@benchmark("store_hit_redis")
def store_hit_redis(quick: bool) -> Result:
    """p50/p99 of a report served from Redis on loopback (target p99 < 2 ms).

    A team's shared store: one network round trip per hit (a Lua script reads the reply,
    touches its recency and counts the hit).
    """
    with redis_server() as url:
        return _hit_result("store_hit_redis", url, 2.0, quick)


def _processes(spec: str, texts: list[str], processes: int, lookups: int) -> dict[str, Any]:
    from tests.support.faults import chain, latency, record
    from tests.support.server import DemoServer
    from vttui.demo import DemoBackend

    recorder = record()
    server = DemoServer(DemoBackend(), middleware=chain(recorder, latency(0.02))).start()
    try:
        with tempfile.TemporaryDirectory(prefix="vttui-bench-procs-") as tmp:
            iocs = Path(tmp) / "iocs.txt"
            iocs.write_text("\n".join(texts) + "\n")
            config = Path(tmp) / "config"
            config.mkdir()
            (config / "config.toml").write_text('[quota]\ntier = "premium"\n')
            env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
            env.update({"VT_API_KEY": KEY, "VT_API_URL": server.base_url, "VTTUI_STORE": spec,
                        "VTTUI_CONFIG_DIR": str(config), "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
                        "VTTUI_BENCH_ROOT": str(ROOT)})
            child = Path(__file__).with_name("_store_child.py")
            t0 = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, str(child), str(iocs), str(lookups // processes), str(seed)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for seed in range(processes)]
            outputs = [p.communicate(timeout=600) for p in procs]
            elapsed = time.perf_counter() - t0
    finally:
        server.stop()
    reports = []
    for (out, err), proc in zip(outputs, procs, strict=True):
        if proc.returncode != 0:
            raise RuntimeError(f"a child failed: {err.strip()[-300:]}")
        reports.append(json.loads(out))
    upstream = [t for t in recorder.targets("GET") if not t.startswith("/users/")]
    return {"upstream": len(upstream), "distinct": len(set(upstream)), "reports": reports, "elapsed": elapsed}


@benchmark("store_processes")
def store_processes(quick: bool) -> Result:
    """1,000 lookups of 50 IOCs from 4 processes at once through one SQLite store: upstream
    requests (target 50, one per IOC), and the same through Redis.

    Four analysts' scripts on one jump box (or a team on one Redis) asking overlapping
    indicators must cost VirusTotal one request per indicator: the store shares replies
    and the cross-process lock makes concurrent askers wait for one fetch.
    """
    n_iocs, lookups = (10, 80) if quick else (50, 1000)
    texts = _indicators(n_iocs)
    out = _processes("sqlite", texts, 4, lookups)
    res = Result("store_processes", f"{out['upstream']} upstream requests for {lookups} lookups of {n_iocs} IOCs "
                 f"(4 processes, SQLite)", f"= {n_iocs}", out["upstream"] == n_iocs)
    res.add("wall time (4 processes, incl. start-up)", f"{out['elapsed']:.1f} s")
    for n, r in enumerate(out["reports"]):
        res.add(f"process {n + 1}", f"{r['lookups']} lookups: {r['sent']} sent, {r['store_hits']} from the store, "
                f"{r['memory_hits']} from memory, {r['errors']} errors")
    with redis_server() as url:
        if url is None:
            res.add("Redis", "n/a: redis-server is not installed")
        else:
            red = _processes(url, texts, 4, lookups)
            res.add("Redis (same run through a loopback redis-server)",
                    f"{red['upstream']} upstream requests ({red['distinct']} distinct), {red['elapsed']:.1f} s")
    return res

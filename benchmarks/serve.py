"""`vttui serve` under load: cached answers against VT4AI's approach, and MCP answer sizes.

The server runs as another process (a real uvicorn), in front of a demo server in a third
process that answers 50 ms late, as VirusTotal is another machine. Callers are raw HTTP/1.1
keep-alive connections (:func:`hammer`): a light client, so the figures are the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .core import ROOT, Result, benchmark, median, percentile

UPSTREAM_LATENCY = 0.05


@dataclass
class LoadResult:
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def errors(self) -> int:
        return sum(1 for s in self.statuses if s != 200)

    @property
    def rate(self) -> float:
        return len(self.statuses) / self.elapsed if self.elapsed else 0.0


async def hammer(host: str, port: int, plans: Sequence[Sequence[str]], headers: str = "") -> LoadResult:
    """One keep-alive connection per plan, all at once; each sends its paths in order.

    ``headers`` are extra header lines (``"Name: value\\r\\n"``). Answers must carry a
    Content-Length (every vttui answer does).
    """
    out = LoadResult()

    async def caller(paths: Sequence[str]) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for path in paths:
                t0 = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}\r\n".encode("latin-1"))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if match is None:
                    raise RuntimeError("an answer without Content-Length")
                await reader.readexactly(int(match.group(1)))
                out.latencies.append(time.perf_counter() - t0)
                out.statuses.append(status)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    t0 = time.perf_counter()
    await asyncio.gather(*(caller(p) for p in plans))
    out.elapsed = time.perf_counter() - t0
    return out


def plans(iocs: Sequence[str], callers: int, total: int,
          route: str = "/api/v1/files/{}?template=essential") -> list[list[str]]:
    """``total`` requests spread over ``callers``, cycling through ``iocs`` (each caller from another start)."""
    per = total // callers
    return [[route.format(iocs[(n * 7 + i) % len(iocs)]) for i in range(per)] for n in range(callers)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server_process(upstream: str, mode: str, *, extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """``benchmarks/_serve_child.py MODE`` on a free port; yields (host, port) once it answers."""
    import httpx

    port = free_port()
    env = dict(os.environ, VT_API_URL=upstream, VT_API_KEY="bench-key-" + "0" * 54,
               PYTHONPATH=str(ROOT), VTTUI_BENCH_ROOT=str(ROOT), **(extra_env or {}))
    child = Path(__file__).with_name("_serve_child.py")
    proc = subprocess.Popen([sys.executable, str(child), mode, str(port)], env=env, cwd=str(ROOT),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server did not start: {proc.stderr.read()[-1500:] if proc.stderr else ''}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in 60 s")
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def upstream_requests(host: str, port: int) -> int:
    import httpx

    text = httpx.get(f"http://{host}:{port}/metrics", timeout=10).text
    match = re.search(r"^vttui_upstream_requests_total (\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else -1


def _figures(load: LoadResult) -> str:
    return (f"p50 {median(load.latencies) * 1000:.1f} ms, p99 {percentile(load.latencies, 0.99) * 1000:.1f} ms, "
            f"{load.rate:.0f} req/s, {load.errors} errors")


@benchmark("serve_cached")
def serve_cached(quick: bool) -> Result:
    """`vttui serve` answering from its cache vs VT4AI's approach (every call a VirusTotal request),
    upstream 50 ms away: p50/p99 latency and requests/s.

    Both run the same server code in a real uvicorn; "VT4AI's approach" turns the cache and
    single-flight off, so each call costs one upstream request, as VT4AI's do. Sequential:
    one caller; concurrent: 200 callers over 50 IOCs (2,000 requests; --quick: 400).
    """
    from tests.support.serve import served

    from .bulk import demo_indicators

    iocs = asyncio.run(demo_indicators(50))
    sequential, total = (100, 400) if quick else (500, 2000)
    res = Result("serve_cached", "", "cached p50 < 5 ms; 50 upstream requests for 50 IOCs")
    figures: dict[str, tuple[LoadResult, LoadResult, int]] = {}
    with served(UPSTREAM_LATENCY) as upstream:
        for mode in ("vttui", "per-call"):
            with server_process(upstream, mode) as (host, port):
                if mode == "vttui":
                    asyncio.run(hammer(host, port, plans(iocs, 1, 50)))  # warm: every IOC fetched once
                seq_n = sequential if mode == "vttui" else max(20, sequential // 10)
                one = asyncio.run(hammer(host, port, plans(iocs, 1, seq_n)))
                before = upstream_requests(host, port)
                many = asyncio.run(hammer(host, port, plans(iocs, 200, total)))
                figures[mode] = (one, many, upstream_requests(host, port) - before)
        with server_process(upstream, "vttui") as (host, port):  # cold: coalescing, not the cache
            cold = asyncio.run(hammer(host, port, plans(iocs, 200, total)))
            cold_upstream = upstream_requests(host, port)
    cached_one, cached_many, cached_up = figures["vttui"]
    vt4ai_one, vt4ai_many, vt4ai_up = figures["per-call"]
    p50 = median(cached_one.latencies)
    res.figure = (f"cached p50 {p50 * 1000:.1f} ms vs {median(vt4ai_one.latencies) * 1000:.1f} ms per-call; "
                  f"{cached_many.rate:.0f} vs {vt4ai_many.rate:.0f} req/s")
    res.met = p50 < 0.005 and cold_upstream == 50 and cold.errors == 0
    res.add("upstream latency (demo server, another process)", f"{UPSTREAM_LATENCY * 1000:.0f} ms")
    res.add("vttui, cached, 1 caller", f"{len(cached_one.statuses)} requests: {_figures(cached_one)}")
    res.add("vttui, cached, 200 callers", f"{len(cached_many.statuses)} requests: {_figures(cached_many)}; "
            f"{cached_up} upstream requests")
    res.add("vttui, cold cache, 200 callers", f"{len(cold.statuses)} requests over 50 IOCs: {_figures(cold)}; "
            f"{cold_upstream} upstream requests")
    res.add("VT4AI's approach, 1 caller", f"{len(vt4ai_one.statuses)} requests: {_figures(vt4ai_one)}")
    res.add("VT4AI's approach, 200 callers", f"{len(vt4ai_many.statuses)} requests: {_figures(vt4ai_many)}; "
            f"{vt4ai_up} upstream requests")
    return res


@benchmark("mcp_template_sizes", cheap=True)
def mcp_template_sizes(quick: bool) -> Result:
    """Size of an MCP lookup answer for a typical demo file report (58/72 detections), by
    template and format: what an agent pays in tokens (about 4 characters a token)."""
    from vttui.config import Settings
    from vttui.demo import demo_iocs
    from vttui.export.templates import BUILTIN_TEMPLATES
    from vttui.runtime import make_client
    from vttui.serve.mcp_tools import _report

    async def fetch() -> dict:
        client = make_client(Settings(), demo=True)
        async with client:
            return await client.lookup(demo_iocs()["detected_file"])

    obj = asyncio.run(fetch())
    res = Result("mcp_template_sizes", "", "")
    sizes: dict[tuple[str, str], int] = {}
    for name, template in BUILTIN_TEMPLATES.items():
        for fmt in ("markdown", "json"):
            sizes[(name, fmt)] = len(_report(obj, fmt, template))
        res.add(f"{name}", "; ".join(f"{fmt} {sizes[(name, fmt)]:,} chars (~{sizes[(name, fmt)] // 4:,} tokens)"
                                     for fmt in ("markdown", "json")))
    default = sizes[("essential", "markdown")]
    res.figure = (f"default (essential, markdown) {default:,} chars; full JSON {sizes[('full', 'json')]:,} "
                  f"({sizes[('full', 'json')] / default:.1f}x)")
    return res


@contextlib.contextmanager
def vttui_serve(upstream: str, *args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """``vttui serve ARGS`` as a user runs it (premium quota, a private config and cache folder)."""
    import tempfile

    import httpx

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="vttui-bench-serve-") as folder:
        (Path(folder) / "config.toml").write_text('[quota]\ntier = "premium"\n')
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("VTTUI_", "VT_"))}
        full_env.update(VT_API_URL=upstream, VT_API_KEY="bench-key-" + "0" * 54, VTTUI_CONFIG_DIR=folder,
                        XDG_CACHE_HOME=str(Path(folder) / "cache"), PYTHONPATH=str(ROOT), **(env or {}))
        proc = subprocess.Popen([sys.executable, "-m", "vttui", "serve", "--port", str(port), "--log-level", "warning",
                                 *args], env=full_env, cwd=str(ROOT), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("vttui serve exited at start")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("vttui serve did not start in 120 s")
                time.sleep(0.2)
            yield "127.0.0.1", port
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@benchmark("serve_workers")
def serve_workers(quick: bool) -> Result:
    """`vttui serve --workers 4` sharing a real redis-server: 200 callers, 2,000 requests over 50
    IOCs (--quick: 400), cold then cached; upstream requests (target 50) and requests/s.

    The demo server (50 ms late, counting every request it gets) runs in this process; the
    four workers are real processes that share one cache, quota ledger and flight table
    through Redis, so an IOC fetched by one worker is an answer for the three others.
    """
    import tempfile

    from tests.store.conftest import RedisServer
    from tests.support.faults import chain, latency, record
    from tests.support.server import DemoServer
    from vttui.demo import DemoBackend

    from .bulk import demo_indicators

    iocs = asyncio.run(demo_indicators(50))
    total = 400 if quick else 2000
    recorder = record()
    upstream = DemoServer(DemoBackend(), middleware=chain(recorder, latency(UPSTREAM_LATENCY))).start()
    with tempfile.TemporaryDirectory(prefix="vttui-bench-redis-") as folder:
        redis = RedisServer(Path(folder)).start()
        try:
            with vttui_serve(upstream.base_url, "--workers", "4", env={"VTTUI_STORE": redis.url}) as (host, port):
                cold = asyncio.run(hammer(host, port, plans(iocs, 200, total)))
                cold_up = sum(1 for e in list(recorder.exchanges) if e.in_api and e.method == "GET")
                warm = asyncio.run(hammer(host, port, plans(iocs, 200, total)))
                warm_up = sum(1 for e in list(recorder.exchanges) if e.in_api and e.method == "GET") - cold_up
                health = asyncio.run(_health(host, port, 100))
        finally:
            redis.stop()
            upstream.stop()
    res = Result("serve_workers", f"{cold_up} upstream requests for 50 IOCs over 4 workers; "
                 f"cached {warm.rate:.0f} req/s", "50 upstream requests, 0 errors",
                 cold_up == 50 and cold.errors == 0 and warm.errors == 0)
    res.add("cold: 200 callers", f"{len(cold.statuses)} requests: {_figures(cold)}; {cold_up} upstream requests")
    res.add("cached: 200 callers", f"{len(warm.statuses)} requests: {_figures(warm)}; {warm_up} upstream requests")
    notices = {h.get("store_notice") for h in health.values()} - {None}
    res.add("workers that answered /healthz after", f"{len(health)} of 4; store fallbacks: {sorted(notices) or 'none'}")
    return res


async def _health(host: str, port: int, n: int) -> dict[int, dict[str, object]]:
    """/healthz of the workers that answer ``n`` concurrent requests, by pid."""
    import httpx

    async def one() -> dict[str, object]:
        async with httpx.AsyncClient(timeout=30) as http:
            return dict((await http.get(f"http://{host}:{port}/healthz")).json())

    found = await asyncio.gather(*(one() for _ in range(n)))
    return {int(str(h["pid"])): h for h in found}

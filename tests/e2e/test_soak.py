"""Soak: minutes of randomised navigation against the faulty server (loopback only).

Run with ``pytest -m soak tests/e2e/test_soak.py`` (excluded by default; CI skips it).
VTTUI_SOAK_SECONDS sets the length (default 180), VTTUI_SOAK_SEED the seed.

Asserts: the app never crashes (strict mode: any unexpected exception fails the run);
memory stays flat within the cache bound; every request goes to the loopback server;
and no request is ever sent for something the client already had cached (checked at
the moment each request starts; retries of a failed request do not count, and "fresh
copy" reloads drop the cached entry first, so they do not count either).
"""

from __future__ import annotations

import gc
import os
import random
import resource
import time

import pytest

from tests.support.faults import chain, faults, latency, record
from tests.support.pilot import settle
from vttui.demo import demo_iocs
from vttui.tui.widgets.relations import MoreNode, ObjNode, RelationsTree, RelNode, ResNode
from vttui.tui.widgets.search import SearchBar

pytestmark = [pytest.mark.soak, pytest.mark.e2e]

SECONDS = float(os.environ.get("VTTUI_SOAK_SECONDS", "180"))
SEED = int(os.environ.get("VTTUI_SOAK_SEED", "2024"))
#: Small on purpose: a few minutes of walking must reach the bound and evict.
CACHE_BYTES = 2 * 1024 * 1024
CACHE_ENTRIES = 60
#: Allowed RSS growth after warm-up beyond the cache bound (interpreter, Textual, views).
SLACK = 96 * 1024 * 1024
IOCS = demo_iocs()
START_POINTS = [IOCS[k] for k in ("detected_file", "domain", "ip", "url", "sinkhole_ip", "phishing_domain",
                                   "clean_file", "dropped_dll", "ipv6", "c2_url", "detected_file_md5")]


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


class Watch:
    """Wraps the client: every logical GET must miss the cache; every request stays local."""

    def __init__(self, client, origin: str) -> None:
        self.client = client
        self.origin = origin
        self.violations: list[str] = []
        self.sends = 0
        self.logical_gets = 0
        real_send, real_http_send = client._send, client._http.send

        async def send(method, path_or_url, *, params=None, **kw):
            if method == "GET" and not path_or_url.startswith(("http://", "https://")):
                self.logical_gets += 1
                keys = [client._key(path_or_url, params)]
                if params and set(params) == {"relationships"}:
                    keys.append(client._key(path_or_url))  # an object fetched with its relations
                cached = [k for k in keys if k in client.cache]
                if cached:
                    self.violations.append(f"GET {path_or_url} {params} while cached as {cached}")
            return await real_send(method, path_or_url, params=params, **kw)

        async def http_send(request, **kw):
            self.sends += 1
            if not str(request.url).startswith(self.origin + "/"):
                self.violations.append(f"a request left loopback: {request.url}")
            return await real_http_send(request, **kw)

        client._send = send
        client._http.send = http_send


class Walker:
    def __init__(self, pilot, rng: random.Random) -> None:
        self.pilot = pilot
        self.rng = rng
        self.actions: dict[str, int] = {}

    @property
    def app(self):
        return self.pilot.app

    @property
    def view(self):
        try:
            return self.app.main.current_view
        except RuntimeError:
            return None

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.pilot)

    async def leave_search(self) -> None:
        if isinstance(self.app.focused, SearchBar) or self.app.screen is not self.app.main:
            await self.press("escape")

    async def step(self) -> None:
        view = self.view
        if view is not None and view.error is not None and self.rng.random() < 0.7:
            return await self._do("retry", self.press("ctrl+r"))
        choices = [("open", 1), ("tab", 5), ("expand", 5), ("pivot", 3), ("more", 1), ("back", 2),
                   ("forward", 1), ("list_more", 1), ("reload", 0.2)] if view is not None else [("open", 1)]
        name = self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        await self._do(name, getattr(self, name)())

    async def _do(self, name: str, coro) -> None:
        self.actions[name] = self.actions.get(name, 0) + 1
        await coro

    async def open(self) -> None:
        await self.leave_search()
        await self.pilot.press("slash")
        self.app.screen.query_one(SearchBar).value = self.rng.choice(START_POINTS)
        await self.press("enter")

    async def tab(self) -> None:
        await self.leave_search()
        await self.press(self.rng.choice("12345"))

    def _tree(self) -> RelationsTree | None:
        view = self.view
        if view is None or view.obj is None:
            return None
        return view.query_one(RelationsTree)

    async def _relations(self) -> RelationsTree | None:
        tree = self._tree()
        if tree is not None and self.view.active_tab != "relations":
            await self.leave_search()
            await self.press("3")
        return tree

    def _nodes(self, tree: RelationsTree, kinds) -> list:
        out, stack = [], [tree.root]
        while stack:
            node = stack.pop()
            if isinstance(node.data, kinds):
                out.append(node)
            if node.is_expanded or node is tree.root:
                stack.extend(node.children)
        return out

    async def expand(self) -> None:
        tree = await self._relations()
        if tree is None:
            return
        nodes = [n for n in self._nodes(tree, (RelNode, ObjNode)) if n.allow_expand and not n.is_expanded
                 and not (isinstance(n.data, RelNode) and n.data.rel.premium)]
        if nodes:
            tree.move_cursor(self.rng.choice(nodes))
            await self.press("right")

    async def more(self) -> None:
        tree = await self._relations()
        nodes = self._nodes(tree, (MoreNode,)) if tree is not None else []
        if nodes:
            tree.move_cursor(self.rng.choice(nodes))
            await self.press("m")

    async def pivot(self) -> None:
        tree = await self._relations()
        nodes = [n for n in self._nodes(tree, (ObjNode, ResNode)) if n is not tree.root] if tree is not None else []
        nodes = [n for n in nodes if not isinstance(n.data, ResNode) or n.data.target is not None]
        if nodes:
            tree.move_cursor(self.rng.choice(nodes))
            await self.press("enter")

    async def back(self) -> None:
        await self.leave_search()
        await self.press("backspace")

    async def forward(self) -> None:
        await self.leave_search()
        await self.press("alt+right")

    async def list_more(self) -> None:
        view = self.view
        if view is not None and view.obj is not None:
            await self.leave_search()
            await self.press(self.rng.choice("45"))
            await self.press("m")

    async def reload(self) -> None:
        await self.leave_search()
        await self.press("ctrl+r")


async def test_soak_randomised_navigation_under_faults(apps, serve):
    rng = random.Random(SEED)
    flaky = faults(0.3, seed=SEED)
    rec = record()
    server = serve(chain(rec, latency(0.002, jitter=0.01, seed=SEED), flaky))
    app = apps(server, timeout=0.5, cache_bytes=CACHE_BYTES, cache_entries=CACHE_ENTRIES)
    watch = Watch(app.client, server.origin)
    async with app.run_test(size=(120, 40)) as pilot:
        walker = Walker(pilot, rng)
        await walker.open()
        started = time.monotonic()
        warm_rss = None
        peak = 0
        steps = 0
        while time.monotonic() - started < SECONDS:
            await walker.step()
            steps += 1
            if warm_rss is None and time.monotonic() - started > SECONDS / 4:
                gc.collect()
                warm_rss = rss()
            if warm_rss is not None:
                peak = max(peak, rss())
            stats = app.client.cache.stats()
            assert stats.bytes <= CACHE_BYTES and stats.entries <= CACHE_ENTRIES
            assert app.is_running and not app.crashes
        await settle(pilot)
        gc.collect()
        end_rss = rss()
    assert steps > 20, walker.actions
    assert not watch.violations, watch.violations[:5]
    # the server saw exactly what the client sent, no more (no hidden or repeated traffic)
    assert len(rec.exchanges) == watch.sends
    assert flaky.injected and app.client.stats.retries > 0
    assert warm_rss is not None
    growth = max(end_rss, peak) - warm_rss
    print(f"\nsoak: {steps} steps {walker.actions}; {watch.sends} requests, {len(flaky.injected)} faults, "
          f"{app.client.stats.retries} retries; cache {app.client.cache.stats()}; "
          f"RSS warm {warm_rss >> 20} MB, peak {peak >> 20} MB, end {end_rss >> 20} MB")
    assert growth < CACHE_BYTES + SLACK, f"memory grew by {growth >> 20} MB after warm-up"

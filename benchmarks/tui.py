"""Benchmarks of the triage workspace, driven by Pilot: what an analyst waits for.

They run the real app headless (``App.run_test``) against the demo backend, either on a
loopback ``DemoServer`` with artificial latency (real sockets, real httpx) or in process.
"Shown" times end at the first frame composed with the result (:class:`FrameProbe`, which
hooks Textual's private ``App._display``: pinned Textual, revisit on upgrade); "idle"
times end when Pilot finds every widget's message queue drained.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from .core import Result, benchmark, median, ms, spread

SIZE = (120, 40)


# --- helpers ---------------------------------------------------------------------------


async def settle(pilot: Any) -> None:
    """Let workers finish and the screen repaint (as tests/tui/helpers.py does)."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


class FrameProbe:
    """Notes when a frame is sent to the terminal, and the first frame showing a condition.

    Wraps the app's ``_display`` (where every compositor update goes), so "shown" means
    a frame was composed with it, not that a widget merely holds the data.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0
        self.hit: float | None = None
        self._cond: Callable[[], bool] | None = None
        self._original = app._display
        app._display = self._display

    def _display(self, screen: Any, renderable: Any) -> Any:
        if renderable is not None and not self.app._batch_count:
            self.frames += 1
            if self._cond is not None and self.hit is None:
                try:
                    if self._cond():
                        self.hit = time.perf_counter()
                except Exception:  # the condition probes widgets that may be mid-mount
                    pass
        return self._original(screen, renderable)

    def arm(self, cond: Callable[[], bool]) -> None:
        self._cond = cond
        self.hit = None

    async def press(self, pilot: Any, key: str, cond: Callable[[], bool], timeout: float = 30.0) -> tuple[float, float]:
        """Press ``key``; (seconds to the first frame showing ``cond``, seconds until the app
        had processed everything the key caused)."""
        self.arm(cond)
        t0 = time.perf_counter()
        task = asyncio.ensure_future(pilot.press(key))
        deadline = t0 + timeout
        while self.hit is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        await task
        idle = time.perf_counter() - t0
        shown = (self.hit - t0) if self.hit is not None else float("nan")
        self._cond = None
        return shown, idle


def tree_node(tree: Any, predicate: Callable[[Any], bool]) -> Any:
    """The first node, depth first, matching ``predicate`` (None if there is none)."""
    stack = [tree.root]
    while stack:
        node = stack.pop(0)
        if predicate(node):
            return node
        stack[0:0] = list(node.children)
    return None


def rel_node(tree: Any, name: str, under: Any = None) -> Any:
    from vttui.tui.widgets.relations import RelNode

    nodes = under.children if under is not None else None
    if nodes is not None:
        return next((c for c in nodes if isinstance(c.data, RelNode) and c.data.rel.name == name), None)
    return tree_node(tree, lambda n: isinstance(n.data, RelNode) and n.data.rel.name == name)


def demo_app(**settings_kw: Any) -> tuple[Any, Any]:
    """The demo app in process, as `vttui --demo` runs it, with its backend to count requests."""
    import gc

    from vttui.config import Settings
    from vttui.demo import DemoBackend
    from vttui.tui.app import VTApp

    gc.collect()  # an earlier benchmark's app is garbage: not for this one to freeze
    backend = DemoBackend()
    app = VTApp(settings=Settings(**settings_kw), demo=True, backend=backend, clipboard=False, freeze_heap=True)
    return app, backend


async def open_hash(pilot: Any, text: str) -> None:
    """Type (paste) into the search bar and press enter."""
    from vttui.tui.widgets.search import SearchBar

    await pilot.press("slash")
    pilot.app.screen.query_one(SearchBar).value = text
    await pilot.press("enter")
    await settle(pilot)


# --- 5. enter to detections ---------------------------------------------------------


async def _enter_once(base_url: str, hashes: tuple[str, ...]) -> tuple[list[tuple[float, float]], int]:
    """For each hash, (seconds from enter to the first frame with Detections rows, seconds
    until the app was idle again); and the requests sent."""
    import gc

    from vttui.config import Settings
    from vttui.demo import DemoBackend
    from vttui.runtime import make_client
    from vttui.tui.app import VTApp
    from vttui.tui.widgets.detections import DetectionsTable
    from vttui.tui.widgets.search import SearchBar

    gc.collect()  # earlier repetitions' apps are garbage: not for this one to freeze
    client = make_client(Settings(api_key=DemoBackend.DEMO_API_KEY, base_url=base_url, per_minute=None, per_day=None))
    app = VTApp(settings=Settings(), client=client, clipboard=False, freeze_heap=True)  # as `vttui` runs it
    times: list[tuple[float, float]] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            probe = FrameProbe(app)
            await pilot.pause()
            for ident in hashes:
                bar = app.screen.query_one(SearchBar)
                bar.focus()
                bar.value = ident
                await pilot.pause()

                def rows_shown(ident: str = ident) -> bool:
                    view = app.main.current_view
                    return (view is not None and view.obj is not None and view.obj.id == ident
                            and view.query_one(DetectionsTable).row_count > 0)

                times.append(await probe.press(pilot, "enter", rows_shown))
                await settle(pilot)
    finally:
        await client.aclose()
    return times, client.stats.requests


@benchmark("enter_to_detections")
def enter_to_detections(quick: bool) -> Result:
    """Enter on a hash to Detections rows on screen, against a loopback server N ms away
    (target <= 1.2 x latency + 50 ms).

    A lookup is one request; everything else (parsing, building the report, the first
    frame) must hide inside the network's time. Each repetition is a fresh app: "cold"
    is its first report (widgets built for the first time), "warm" a second file. The
    server runs in another process, so building its replies takes nothing from the app.
    """
    from tests.support.serve import served
    from vttui.demo import demo_iocs

    iocs = demo_iocs()
    latencies = (0.1,) if quick else (0.1, 0.3)
    reps = 1 if quick else 5
    res = Result("enter_to_detections", "", "<= 1.2x latency + 50 ms")
    verdicts: list[bool] = []
    heads: list[str] = []
    for latency in latencies:
        cold: list[float] = []
        warm: list[float] = []
        idle: list[float] = []
        requests: list[int] = []
        with served(latency) as base_url:  # another process, as VirusTotal is another machine
            for _ in range(reps):
                times, n = asyncio.run(_enter_once(base_url, (iocs["detected_file"], iocs["clean_file"])))
                cold.append(times[0][0])
                warm.append(times[1][0])
                idle.extend(t[1] for t in times)
                requests.append(n)
        budget = 1.2 * latency + 0.05
        worst = max(median(cold), median(warm))
        verdicts.append(worst <= budget)
        heads.append(f"{median(cold) / latency:.2f}x @{latency * 1000:.0f} ms")
        label = f"{latency * 1000:.0f} ms latency"
        res.add(
            f"{label}: first report (cold)",
            f"{ms(median(cold))} median = {median(cold) / latency:.2f}x latency, "
            f"overhead {ms(median(cold) - latency)}; {spread(cold)}",
        )
        res.add(
            f"{label}: second report (warm)",
            f"{ms(median(warm))} median = {median(warm) / latency:.2f}x latency, "
            f"overhead {ms(median(warm) - latency)}; {spread(warm)}",
        )
        res.add(f"{label}: until the app was idle again", f"{ms(median(idle))} median (all tabs built, keys answered)")
        res.add(f"{label}: budget 1.2x + 50 ms", ms(budget))
        res.add(f"{label}: requests per app (2 lookups)", ", ".join(map(str, sorted(set(requests)))))
    res.figure = "; ".join(heads) + " (cold)"
    res.met = all(verdicts)
    return res


# --- 6. cached back ------------------------------------------------------------------


@benchmark("cached_back")
def cached_back(quick: bool) -> Result:
    """Backspace after a pivot until the earlier view is painted again (target <= 50 ms).

    Going back must feel instant: the view is kept alive (tab, tree, cursor) and nothing
    is fetched. Timed from the key press to the first frame composed with that view.
    """
    from vttui.demo import demo_iocs
    from vttui.tui.widgets.relations import ObjNode, RelationsTree

    iocs = demo_iocs()
    reps = 5 if quick else 30

    async def run() -> tuple[list[float], list[float], list[float], int, bool]:
        app, backend = demo_app()
        back: list[float] = []
        back_idle: list[float] = []
        forward: list[float] = []
        correct = True
        async with app.run_test(size=SIZE) as pilot:
            await open_hash(pilot, iocs["detected_file"])
            await pilot.press("3")
            await settle(pilot)
            tree = app.screen.query_one(RelationsTree)
            domains = rel_node(tree, "contacted_domains")
            domains.expand()
            await settle(pilot)
            node = next(c for c in domains.children if isinstance(c.data, ObjNode))
            tree.move_cursor(node)
            await pilot.press("enter")
            await settle(pilot)
            probe = FrameProbe(app)
            file_key = app.main.nav.entries[0].key
            domain_key = app.main.nav.entries[1].key

            def showing(key: int) -> Callable[[], bool]:
                def cond() -> bool:
                    view = app.main.current_view
                    return view is not None and view.entry.key == key and view.display and view.obj is not None
                return cond

            before = len(backend.requests)
            for _ in range(reps):
                shown, idle = await probe.press(pilot, "backspace", showing(file_key))
                back.append(shown)
                back_idle.append(idle)
                correct = correct and not math.isnan(shown)  # nan: the earlier view never showed
                await settle(pilot)
                shown, _idle = await probe.press(pilot, "alt+right", showing(domain_key))
                forward.append(shown)
                await settle(pilot)
            requests = len(backend.requests) - before
        return back, back_idle, forward, requests, correct

    back, back_idle, forward, requests, correct = asyncio.run(run())
    med = median(back)
    res = Result("cached_back", f"{ms(med)} median", "<= 50 ms", med <= 0.050 and correct)
    res.add("back (backspace) to the first frame showing the earlier view", spread(back))
    res.add("back until the app was idle again", f"{ms(median(back_idle))} median; {spread(back_idle)}")
    res.add("forward (alt+right), same views", f"{ms(median(forward))} median; {spread(forward)}")
    res.add("requests during the back/forward loop", requests)
    res.add("earlier view shown each time", correct)
    return res


# --- 7. reference investigation -------------------------------------------------------


async def _minimum_requests(file_hash: str, domain: str, ip: str) -> tuple[int, list[tuple[str, int, str]]]:
    """The fewest requests the reference investigation can cost, from first principles.

    Each thing shown needs one request unless an earlier reply already held it in full.
    """
    from vttui.config import Settings
    from vttui.runtime import make_client
    from vttui.vt.refs import ObjectRef

    client = make_client(Settings(), demo=True)
    rows: list[tuple[str, int, str]] = []
    try:
        f = ObjectRef("file", file_hash)
        rows.append(("the file report", 1, "nothing seen before it"))
        rows.append(("its comments (first page)", 1, "only the comments endpoint has them"))
        rows.append(("its votes (first page)", 1, "only the votes endpoint has them"))
        rows.append(("detections, details, relations counts", 0, "in the file object (counts via ?relationships=)"))
        cd = await client.get_related(f, "contacted_domains", limit=40)
        rows.append(("contacted_domains page", 1, "full objects, one page"))
        ci = await client.get_related(f, "contacted_ips", limit=40)
        rows.append(("contacted_ips page", 1, "full objects, one page"))
        seeded_domain = any(i.get("id") == domain and isinstance(i.get("attributes"), dict) for i in cd.items)
        rows.append((f"the domain report ({domain})", 0 if seeded_domain else 1,
                     "in full in the contacted_domains page" if seeded_domain else "not in any earlier reply"))
        rows.append(("the domain's resolutions page", 1, "resolutions are their own objects"))
        seeded_ip = any(i.get("id") == ip and isinstance(i.get("attributes"), dict) for i in ci.items)
        rows.append((f"the IP report ({ip})", 0 if seeded_ip else 1,
                     "in full in the contacted_ips page" if seeded_ip else "resolutions name it but do not hold it"))
        rows.append(("the IP's communicating_files page", 1, "full objects, one page"))
        rows.append(("back twice", 0, "both views were shown already"))
    finally:
        await client.aclose()
    return sum(n for _, n, _ in rows), rows


@benchmark("reference_investigation")
def reference_investigation(quick: bool) -> Result:
    """Requests spent on the reference investigation vs the minimum possible.

    Open a file, look at all five tabs, expand contacted domains and IPs, pivot to the C2
    domain, expand its resolutions, pivot to the IP, expand its communicating files, go
    back twice. Quota is money (4 requests a minute on a public key): every request
    beyond the minimum is a wasted one.
    """
    from vttui.demo import demo_iocs
    from vttui.tui.widgets.relations import ObjNode, RelationsTree, ResNode

    iocs = demo_iocs()
    file_hash, domain, ip = iocs["detected_file"], iocs["domain"], iocs["ip"]

    async def run() -> tuple[list[tuple[str, str]], list[str], bool]:
        app, backend = demo_app()
        steps: list[str] = []
        ok = True

        def mark(step: str) -> None:
            steps.append(f"{step}: {len(backend.requests)}")

        async with app.run_test(size=SIZE) as pilot:
            await open_hash(pilot, file_hash)
            mark("file opened")
            for key in ("1", "2", "3", "4", "5"):
                await pilot.press(key)
                await settle(pilot)
            mark("five tabs seen")
            await pilot.press("3")
            await settle(pilot)
            tree = app.screen.query_one(RelationsTree)
            for name in ("contacted_domains", "contacted_ips"):
                node = rel_node(tree, name)
                if node is None:
                    ok = False
                    continue
                node.expand()
                await settle(pilot)
            mark("contacted domains and IPs expanded")
            domains = rel_node(tree, "contacted_domains")
            target = next(
                (c for c in domains.children if isinstance(c.data, ObjNode) and c.data.ref.id == domain), None
            )
            if target is None:
                return list(backend.requests), steps + ["the C2 domain was not listed"], False
            tree.move_cursor(target)
            await pilot.press("enter")
            await settle(pilot)
            mark("pivoted to the domain")
            await pilot.press("3")
            await settle(pilot)
            dtree = app.main.current_view.query_one(RelationsTree)
            res = rel_node(dtree, "resolutions")
            res.expand()
            await settle(pilot)
            mark("resolutions expanded")
            to_ip = next(
                (c for c in res.children if isinstance(c.data, ResNode) and c.data.target and c.data.target.id == ip),
                None,
            )
            if to_ip is None:
                return list(backend.requests), steps + ["the IP was not among the resolutions"], False
            dtree.move_cursor(to_ip)
            await pilot.press("enter")
            await settle(pilot)
            mark("pivoted to the IP")
            await pilot.press("3")
            await settle(pilot)
            itree = app.main.current_view.query_one(RelationsTree)
            files = rel_node(itree, "communicating_files")
            files.expand()
            await settle(pilot)
            mark("communicating files expanded")
            await pilot.press("backspace")
            await settle(pilot)
            await pilot.press("backspace")
            await settle(pilot)
            mark("back twice")
            view = app.main.current_view
            ok = ok and view is not None and view.obj is not None and view.obj.id == file_hash
        return list(backend.requests), steps, ok

    requests, steps, ok = asyncio.run(run())
    minimum, rows = asyncio.run(_minimum_requests(file_hash, domain, ip))
    spent = len(requests)
    res = Result("reference_investigation", f"{spent} requests (minimum {minimum})", "= minimum",
                 spent <= minimum and ok)
    res.add("requests after each step (cumulative)", "; ".join(steps))
    for what, n, why in rows:
        res.add(f"minimum: {what}", f"{n}  ({why})")
    for method, path in requests:
        res.notes.append(f"{method} {path.split('?')[0]}{' ?' + path.split('?')[1] if '?' in path else ''}")
    if not ok:
        res.notes.append("the walk did not complete as scripted: see the steps above")
    return res

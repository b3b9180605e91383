"""The Behaviour tab on a huge sandbox summary (issue 15): opening it stays responsive.

A summary with 14,000 files written and 14,000 registry keys is served to the tab; the
figures are the time from pressing 6 to the tab showing its sections, and from enter on
a folded table to its first rows. Big tables start folded and add 100 rows at a time,
so both stay near a small summary's. Never asserts: the figures are for people.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .core import Result, benchmark, median, ms, spread
from .tui import SIZE, demo_app, open_hash, settle

HUGE = 14_000


def _huge_summary() -> dict[str, Any]:
    return {"files_written": [f"C:\\Users\\u\\AppData\\Local\\Temp\\{i:05d}.tmp" for i in range(HUGE)],
            "registry_keys_set": [{"key": f"HKCU\\Software\\k{i}", "value": str(i)} for i in range(HUGE)],
            "dns_lookups": [{"hostname": f"h{i}.example.com"} for i in range(HUGE)]}


@benchmark("behaviour_huge")
def behaviour_huge(quick: bool) -> Result:
    """Open the Behaviour tab on a 3 x 14,000-entry summary (target: as a small one, < 1 s)."""
    from vttui.demo import demo_iocs
    from vttui.tui.widgets.behaviour import BehaviourTree, Rows

    reps = 2 if quick else 7
    file = demo_iocs()["behaviour_file"]

    async def once(huge: bool) -> tuple[float, float, int]:
        app, _backend = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_hash(pilot, file)
            if huge:
                summary = _huge_summary()

                async def served(_ref: Any) -> dict[str, Any]:
                    return summary

                app.vt.behaviour_summary = served  # type: ignore[method-assign]
            tree = app.main.current_view.query_one(BehaviourTree)
            t0 = time.perf_counter()
            await pilot.press("6")
            while not tree.root.children:
                await pilot.pause(0.005)
            shown = time.perf_counter() - t0
            await settle(pilot)
            table = next((n for s in tree.root.children for n in s.children
                          if isinstance(n.data, Rows) and not n.is_expanded), None)
            t1 = time.perf_counter()
            if table is not None:
                table.expand()
                await pilot.pause()
            opened = time.perf_counter() - t1
            nodes = sum(1 for _ in _walk(tree.root))
        return shown, opened, nodes

    def run(huge: bool) -> tuple[list[float], list[float], int]:
        shown, opened, nodes = [], [], 0
        for _ in range(reps):
            s, o, nodes = asyncio.run(once(huge))
            shown.append(s)
            opened.append(o)
        return shown, opened, nodes

    small_shown, _small_opened, small_nodes = run(False)
    huge_shown, huge_opened, huge_nodes = run(True)
    med = median(huge_shown)
    res = Result("behaviour_huge", f"{ms(med)} median", "< 1 s", med < 1.0)
    res.add("6 to sections shown, 3 x 14,000 entries", spread(huge_shown))
    res.add("6 to sections shown, the demo's summary", spread(small_shown))
    res.add("enter on a folded 14,000-row table to its first rows", spread(huge_opened))
    res.add("tree nodes built (huge / demo)", f"{huge_nodes} / {small_nodes}")
    return res


def _walk(node: Any) -> Any:
    for child in node.children:
        yield child
        yield from _walk(child)

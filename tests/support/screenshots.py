"""Render SVG screenshots of the main views from the offline demo data.

    python -m tests.support.screenshots [--out screenshots]

The same scenarios drive the snapshot tests (tests/tui/test_snapshots.py), so what the
README shows is what the tests check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vttui.config import Settings
from vttui.demo import DemoBackend, demo_iocs

Step = Callable[[Any], Awaitable[None]]


async def _settle(pilot: Any) -> None:
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        pending = [w for w in app.workers if w.group != "_loader" and not w.is_finished]
        if pending:
            with contextlib.suppress(Exception):
                await app.workers.wait_for_complete(pending)
    await pilot.pause()


async def _open(pilot: Any, text: str) -> None:
    bar = pilot.app.screen.query_one("SearchBar")
    bar.focus()
    bar.value = text
    await pilot.press("enter")
    await _settle(pilot)


async def _expand(pilot: Any, *names: str, under: Any = None) -> Any:
    from vttui.tui.widgets.relations import RelationsTree, RelNode

    tree = pilot.app.screen.query_one(RelationsTree)
    node = under or tree.root
    found = None
    for name in names:
        found = next(c for c in node.children if isinstance(c.data, RelNode) and c.data.rel.name == name)
        found.expand()
        await _settle(pilot)
    return found


def _iocs() -> dict[str, str]:
    return demo_iocs()


async def search_hint(pilot: Any) -> None:
    await _settle(pilot)
    await pilot.press(*"hxxps://login.account-verify[.]test/secure")


async def file_detections(pilot: Any) -> None:
    await _open(pilot, _iocs()["detected_file"])


async def file_details(pilot: Any) -> None:
    await _open(pilot, _iocs()["detected_file"])
    await pilot.press("2")
    await _settle(pilot)


async def relations_pivot(pilot: Any) -> None:
    from vttui.tui.widgets.relations import ObjNode, RelationsTree

    iocs = _iocs()
    await _open(pilot, iocs["detected_file"])
    await pilot.press("3")
    await _settle(pilot)
    domains = await _expand(pilot, "contacted_domains")
    c2 = next(c for c in domains.children if isinstance(c.data, ObjNode) and c.data.ref.id == iocs["domain"])
    c2.expand()
    await _settle(pilot)
    await _expand(pilot, "resolutions", under=c2)
    await _expand(pilot, "contacted_ips")
    tree = pilot.app.screen.query_one(RelationsTree)
    tree.move_cursor(c2)
    tree.scroll_to_node(tree.root, animate=False)
    await _settle(pilot)


async def domain_details(pilot: Any) -> None:
    await _open(pilot, _iocs()["domain"])
    await pilot.press("2")
    await _settle(pilot)


async def ip_report(pilot: Any) -> None:
    await _open(pilot, _iocs()["ip"])


async def url_report(pilot: Any) -> None:
    await _open(pilot, _iocs()["url"])
    await pilot.press("2")
    await _settle(pilot)


async def comments(pilot: Any) -> None:
    await _open(pilot, _iocs()["detected_file"])
    await pilot.press("4")
    await _settle(pilot)


async def votes(pilot: Any) -> None:
    await _open(pilot, _iocs()["detected_file"])
    await pilot.press("5")
    await _settle(pilot)


async def help_screen(pilot: Any) -> None:
    await _settle(pilot)
    await pilot.press("escape", "question_mark")
    await _settle(pilot)


async def export_dialog(pilot: Any) -> None:
    await _open(pilot, _iocs()["domain"])
    await pilot.press("e")
    await _settle(pilot)


async def small_terminal(pilot: Any) -> None:
    await _open(pilot, _iocs()["detected_file"])


async def behaviour(pilot: Any) -> None:
    await _open(pilot, _iocs()["behaviour_file"])
    await pilot.press("6")
    await _settle(pilot)


async def collection(pilot: Any) -> None:
    from vttui.tui.widgets.relations import ObjNode, RelationsTree

    await _open(pilot, _iocs()["detected_file"])
    await pilot.press("3")
    await _settle(pilot)
    found = await _expand(pilot, "collections")
    tree = pilot.app.screen.query_one(RelationsTree)
    tree.move_cursor(next(c for c in found.children if isinstance(c.data, ObjNode)))
    await _settle(pilot)
    await pilot.press("enter")
    await _settle(pilot)


async def intel_search(pilot: Any) -> None:
    await _open(pilot, "vti:" + _iocs()["search_query"])


async def triage(pilot: Any) -> None:
    from vttui.demo.ticket import triage_ticket

    await _settle(pilot)
    pilot.app.open_triage(triage_ticket())
    await _settle(pilot)


@dataclass(frozen=True)
class Shot:
    name: str
    title: str
    run: Step
    size: tuple[int, int] = (120, 36)
    #: The demo's premium key (Intelligence search, premium relationships).
    premium: bool = False


SHOTS: tuple[Shot, ...] = (
    Shot("01-search", "The search bar says what it understood (refanged) before sending", search_hint),
    Shot("02-detections", "A detected file: verdict header and every engine, worst first", file_detections),
    Shot("03-details", "Details: hashes, PE sections and imports, signature, TrID...", file_details),
    Shot("04-relations", "Relations: walk file → contacted domain → resolutions → IPs, then pivot", relations_pivot),
    Shot("05-domain", "A domain: registrar, categories, DNS records, certificate, whois", domain_details),
    Shot("06-ip", "An IP: ASN, owner, country, network", ip_report),
    Shot("07-url", "A URL: final URL, redirects, response headers", url_report),
    Shot("08-comments", "Comments, literally (a hostile one included: its markup does nothing)", comments),
    Shot("09-votes", "Votes: the tally and each vote", votes),
    Shot("10-help", "? lists every key", help_screen),
    Shot("11-export", "e exports in JSON, Markdown, XML, raw or CSV, trimmed by a template", export_dialog),
    Shot("12-80x24", "Sensible in an 80x24 terminal over SSH", small_terminal, (80, 24)),
    Shot("13-behaviour", "6: what the sandboxes saw, ATT&CK techniques, verdicts; enter pivots, P saves a PCAP",
         behaviour),
    Shot("14-collection", "A collection opened from Relations as a report of its own", collection),
    Shot("15-search", "vti:QUERY: VirusTotal Intelligence search (premium keys), m for more", intel_search,
         premium=True),
    Shot("16-triage", "T: bulk triage of a pasted ticket, one row per IOC, filled in within the quota", triage),
)


def make_app(premium: bool = False) -> Any:
    from vttui.tui.app import VTApp

    settings = Settings(tier="premium") if premium else Settings()
    return VTApp(settings=settings, demo=True, backend=DemoBackend(), clipboard=False)


async def render(shot: Shot, out_dir: Path) -> Path:
    app = make_app(shot.premium)
    async with app.run_test(size=shot.size) as pilot:
        await shot.run(pilot)
        await _settle(pilot)
        path = out_dir / f"{shot.name}.svg"
        app.save_screenshot(filename=path.name, path=str(out_dir))
    return path


async def render_all(out_dir: Path, names: list[str] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for shot in SHOTS:
        if names and shot.name not in names:
            continue
        paths.append(await render(shot, out_dir))
        print(f"wrote {paths[-1]}")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", help="output directory (default: screenshots)")
    parser.add_argument("names", nargs="*", help="only these shots (e.g. 02-detections)")
    args = parser.parse_args(argv)
    asyncio.run(render_all(Path(args.out), args.names))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

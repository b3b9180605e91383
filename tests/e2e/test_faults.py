"""Faults at 30 %: the reference investigation still completes, nothing crashes, nothing
typed or loaded is lost, and no write is ever sent (or applied) twice.

The fault server is the demo backend behind ``vttui.demo.faults`` on a real socket:
503s, 504s, a proxy's HTML 502, plain-text 404s, truncated and malformed JSON, dropped
connections and replies that never come, chosen by a seed.
"""

from __future__ import annotations

import contextlib
import os

import httpx
import pytest

from tests.support.faults import ALL_KINDS, chain, faults, latency, record
from tests.support.investigation import DOMAIN, FILE, IP, Investigator, assert_plain_words, reference_investigation
from tests.support.pilot import screen_text, settle
from vttui.demo import DemoBackend, DemoTransport
from vttui.tui.widgets.comments import CommentsPane
from vttui.tui.widgets.relations import ObjNode, RelationsTree, RelNode
from vttui.tui.widgets.report import PREFETCH
from vttui.tui.widgets.search import SearchBar
from vttui.vt import errors as E
from vttui.vt.refs import ObjectRef

from .conftest import KEY

pytestmark = pytest.mark.e2e

RATE = 0.3
SEEDS = (1, 2, 3, 4, 5)
#: The TUI walk costs ~12 s a seed; more seeds with VTTUI_TUI_FAULT_SEEDS="11,14,21".
TUI_SEEDS = tuple(int(x) for x in os.environ.get("VTTUI_TUI_FAULT_SEEDS", "14").split(",") if x.strip())


def comment_texts(backend: DemoBackend, ref=("domain", DOMAIN)) -> list[str]:
    """The comments the backend holds on ``ref`` (newest first)."""
    ds = backend.dataset
    return [ds.objects[("comment", cid)]["attributes"]["text"] for cid in ds.comments.get(ref, ())]


# --- the middleware itself ------------------------------------------------------------------


async def _get_many(flaky, n: int = 600) -> list[str | None]:
    backend = DemoBackend()
    transport = DemoTransport(backend, middleware=flaky)
    async with httpx.AsyncClient(transport=transport, base_url=backend.base_url, headers={"x-apikey": KEY},
                                 timeout=httpx.Timeout(5.0, read=0.01)) as http:
        for i in range(n):
            with contextlib.suppress(httpx.HTTPError):
                await http.get(f"/domains/{DOMAIN}", params={"n": i})
    return [s.kind for s in flaky.seen]


async def test_faults_are_seeded_and_hit_the_asked_share():
    first = await _get_many(faults(RATE, seed=7))
    again = await _get_many(faults(RATE, seed=7))
    other = await _get_many(faults(RATE, seed=8))
    assert first == again != other
    injected = [k for k in first if k is not None]
    assert 0.25 < len(injected) / len(first) < 0.35
    assert set(injected) == set(ALL_KINDS)  # every kind shows up in 600 requests


async def test_a_repeated_request_gets_a_fresh_draw():
    flaky = faults(0.5, ("transient",), seed=1)
    backend = DemoBackend()
    async with httpx.AsyncClient(transport=DemoTransport(backend, middleware=flaky), base_url=backend.base_url,
                                 headers={"x-apikey": KEY}) as http:
        statuses = [(await http.get(f"/domains/{DOMAIN}")).status_code for _ in range(40)]
    assert set(statuses) == {200, 503}


async def test_post_faults_record_whether_the_backend_acted():
    flaky = faults(1.0, ("drop", "hang"), seed=5)
    backend = DemoBackend()
    transport = DemoTransport(backend, middleware=flaky)
    async with httpx.AsyncClient(transport=transport, base_url=backend.base_url, headers={"x-apikey": KEY},
                                 timeout=httpx.Timeout(5.0, read=0.01)) as http:
        for i in range(30):
            with pytest.raises(httpx.HTTPError):
                await http.post(f"/domains/{DOMAIN}/comments",
                                json={"data": {"type": "comment", "attributes": {"text": f"c{i}"}}})
    posts = flaky.received("POST")
    applied = flaky.applied("POST")
    assert len(posts) == 30 and 0 < len(applied) < 30  # some dropped before, some after
    stored = comment_texts(backend)
    assert sorted(t for t in stored if t.startswith("c")) == sorted(
        f"c{i}" for i, s in enumerate(posts) if s.applied)


# --- the reference investigation through the client ------------------------------------------


async def _until_ok(errors: list[str], call, attempts: int = 12):
    """What a user does: read the message, try again (a bounded number of times)."""
    for _ in range(attempts):
        try:
            return await call()
        except E.VTError as exc:
            assert_plain_words(exc.message)
            assert not isinstance(exc, (E.AuthenticationRequiredError, E.ForbiddenError, E.QuotaExceededError))
            errors.append(exc.message)
    raise AssertionError(f"still failing after {attempts} tries: {errors[-3:]}")


async def client_investigation(client, errors: list[str]) -> dict[str, list[str]]:
    """The reference investigation in API calls; returns what each step showed (ids)."""
    file_ref, domain_ref, ip_ref = ObjectRef("file", FILE), ObjectRef("domain", DOMAIN), ObjectRef("ip_address", IP)
    seen: dict[str, list[str]] = {}
    obj = await _until_ok(errors, lambda: client.get_object(file_ref, relationships=PREFETCH["file"]))
    seen["file"] = [obj["id"], obj["attributes"]["meaningful_name"]]
    seen["comments"] = [
        c["id"] for c in (await _until_ok(errors, lambda: client.get_comments(file_ref, limit=20))).items
    ]
    seen["votes"] = [v["id"] for v in (await _until_ok(errors, lambda: client.get_votes(file_ref, limit=20))).items]
    for rel in ("contacted_domains", "contacted_ips"):
        page = await _until_ok(errors, lambda rel=rel: client.get_related(file_ref, rel, limit=40))
        seen[rel] = [i["id"] for i in page.items]
    seen["domain"] = [
        (await _until_ok(errors, lambda: client.get_object(domain_ref, relationships=PREFETCH["domain"])))["id"]
    ]
    page = await _until_ok(errors, lambda: client.get_related(domain_ref, "resolutions", limit=40))
    seen["resolutions"] = [i["id"] for i in page.items]
    seen["ip"] = [
        (await _until_ok(errors, lambda: client.get_object(ip_ref, relationships=PREFETCH["ip_address"])))["id"]
    ]
    page = await _until_ok(errors, lambda: client.get_related(ip_ref, "communicating_files", limit=40))
    seen["communicating_files"] = [i["id"] for i in page.items]
    return seen


async def test_client_investigation_completes_under_faults(serve, clients):
    clean = await client_investigation(clients(serve()), [])
    assert IP in clean["contacted_ips"] or any(IP in r for r in clean["resolutions"])
    total_errors = 0
    for seed in SEEDS:
        flaky = faults(RATE, seed=seed)
        client = clients(serve(flaky), timeout=0.5)
        errors: list[str] = []
        got = await client_investigation(client, errors)
        assert got == clean, f"seed {seed}: the data differs from a fault-free run"
        assert flaky.injected, f"seed {seed} injected nothing"
        assert client.stats.retries > 0
        total_errors += len(errors)
        assert not flaky.received("POST")
    assert total_errors > 0  # the seeds include faults that no retry hides (a plain-text 404)


# --- writes under faults: never sent twice ---------------------------------------------------


async def _write(call) -> str:
    try:
        await call()
        return "ok"
    except E.WriteOutcomeUnknownError as exc:
        assert_plain_words(exc.message)
        return "unknown"
    except E.VTError as exc:
        assert_plain_words(exc.message)
        return type(exc).__name__


@pytest.mark.parametrize("seed", SEEDS)
async def test_no_write_is_sent_or_applied_twice(serve, clients, tmp_path, seed):
    flaky = faults(0.5, seed=seed)
    server = serve(flaky)
    client = clients(server, timeout=0.5)
    sample = tmp_path / "sample.bin"
    sample.write_bytes(os.urandom(2048) + seed.to_bytes(2, "big"))
    writes = {
        f"/domains/{DOMAIN}/comments": lambda: client.add_comment(ObjectRef("domain", DOMAIN), f"under faults {seed}"),
        f"/files/{FILE}/votes": lambda: client.add_vote(ObjectRef("file", FILE), "malicious"),
        "/files": lambda: client.upload_file(sample),
        "/urls": lambda: client.scan_url(f"https://faults.example/{seed}"),
        f"/files/{FILE}/analyse": lambda: client.reanalyse(ObjectRef("file", FILE)),
    }
    outcomes = {target: await _write(call) for target, call in writes.items()}
    for target, outcome in outcomes.items():
        received = [s for s in flaky.received("POST") if s.target == target]
        assert len(received) == 1, f"{target} was sent {len(received)} times ({outcome})"
        applied = flaky.applied("POST", target)
        if outcome == "ok":
            assert len(applied) == 1
        assert len(applied) <= 1
    # and what the backend holds agrees: at most one comment with this text
    texts = [t for t in comment_texts(server.backend) if t == f"under faults {seed}"]
    assert len(texts) == len(flaky.applied("POST", f"/domains/{DOMAIN}/comments")) <= 1


async def test_a_write_that_may_have_happened_says_so(serve, clients):
    for kind in ("deadline", "cut", "malformed"):
        flaky = faults(1.0, (kind,))
        server = serve(flaky)
        client = clients(server)
        with pytest.raises(E.WriteOutcomeUnknownError):
            await client.add_comment(ObjectRef("domain", DOMAIN), f"applied, reply lost ({kind})")
        assert len(flaky.applied("POST")) == 1


# --- the TUI under faults ---------------------------------------------------------------------


def first_time(*paths: str):
    """A predicate true for the first request to each of ``paths`` (query ignored)."""
    pending = set(paths)

    def predicate(request) -> bool:
        if request.path in pending:
            pending.discard(request.path)
            return True
        return False

    return predicate


@pytest.mark.parametrize("seed", TUI_SEEDS)
async def test_tui_investigation_completes_under_faults(apps, serve, seed):
    flaky = faults(RATE, seed=seed)
    # on top of the random faults, three that no retry hides, one in each kind of place:
    # a tree branch, a list tab and a whole report; the user retries each with the app's keys
    sure = faults(1.0, ("plain404",), only=first_time(f"/files/{FILE}", f"/files/{FILE}/comments",
                                                       f"/files/{FILE}/contacted_ips"))
    app = apps(serve(chain(sure, flaky)), timeout=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=20)
        views = await reference_investigation(inv)
        assert len(sure.injected) == 3 and len(inv.errors_seen) >= 3, inv.errors_seen
        assert flaky.injected and not app.crashes and app.is_running
        for message in inv.errors_seen:
            assert_plain_words(message)
        # everything loaded on the way is still there, as it was left
        file_view = views["file"]
        assert inv.view is file_view and file_view.obj.id == FILE and file_view.error is None
        tree = file_view.query_one(RelationsTree)
        domains = next(c for c in tree.root.children if isinstance(c.data, RelNode)
                       and c.data.rel.name == "contacted_domains")
        assert domains.is_expanded and sum(isinstance(c.data, ObjNode) for c in domains.children) == 4
        assert len(file_view.query_one(CommentsPane).items) == 20
        for view in views.values():
            assert view.obj is not None and view.error is None
        assert "invoice_viewer.exe" in screen_text(app)


async def test_what_the_user_typed_survives_a_failure(apps, serve):
    def domain_report(request) -> bool:
        return request.segments[:2] == ("domains", DOMAIN) and len(request.segments) == 2

    flaky = faults(1.0, ("hang",), only=domain_report)
    rec = record()
    app = apps(serve(chain(rec, latency(0.05), flaky)), timeout=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(FILE)
        file_view = inv.view
        await pilot.press("slash")
        app.screen.query_one(SearchBar).value = DOMAIN
        await pilot.press("enter")  # the domain's report hangs, four times
        await pilot.press("slash", *"198.51.100")  # meanwhile the user types the next thing
        await settle(pilot)
        bar = app.screen.query_one(SearchBar)
        assert inv.view.error is not None and "did not answer in time" in inv.view.error.message
        assert bar.value == "198.51.100" and app.focused is bar
        assert "did not answer in time" in screen_text(app).replace("\n", " ")
        # the report loaded before is intact, and nothing about it was fetched again
        fetched = len(rec.exchanges)
        await pilot.press("escape")
        await inv.back()
        assert inv.view is file_view and file_view.obj.id == FILE and len(rec.exchanges) == fetched
        assert bar.value == "198.51.100"
        assert not app.crashes


async def test_tui_writes_under_faults_keep_the_text_and_are_not_resent(apps, serve):
    from textual.widgets import TextArea

    from vttui.tui.screens.comment import CommentScreen, VoteScreen

    def writes(request) -> bool:
        return request.method == "POST"

    flaky = faults(1.0, ("drop", "deadline", "transient"), seed=4, only=writes)
    server = serve(flaky)
    app = apps(server, timeout=0.5)
    async with app.run_test(size=(110, 40)) as pilot:
        inv = Investigator(pilot, max_retries=0)
        await inv.open(DOMAIN)
        typed = "C2 confirmed by our sandbox; blocking #c2\nsecond line"
        await inv.press("w")
        app.screen.query_one(TextArea).text = typed
        statuses = []
        for kind in ("drop", "deadline", "transient"):  # post, fail, read the message, try again
            flaky.kinds = (kind,)
            await inv.press("ctrl+s")
            await inv.press("y")
            assert isinstance(app.screen, CommentScreen), "the dialog closed on a failed post"
            statuses.append(str(app.screen.query_one(".status").render()))
            assert_plain_words(statuses[-1])
            assert app.screen.query_one(TextArea).text == typed  # nothing typed is lost
        await inv.press("escape")
        await inv.press("v")
        await inv.press("m")
        await inv.press("y")
        assert isinstance(app.screen, VoteScreen)
        assert_plain_words(str(app.screen.query_one(".status").render()))
        await inv.press("escape")
        assert not app.crashes and app.is_running
    posts = flaky.received("POST")
    assert len(posts) == 4  # three posts the user asked for, one vote: none resent by the app
    kinds = [p.kind for p in posts[:3]]
    assert kinds == ["drop", "deadline", "transient"]
    for kind, status in zip(kinds, statuses, strict=False):
        expected = {"drop": "may or may not have taken effect", "transient": "temporary problem",
                    "deadline": "took too long"}[kind]
        assert expected in status, (kind, status)

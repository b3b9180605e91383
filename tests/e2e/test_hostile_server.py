"""A misbehaving server (issue 16): slow drip, slow headers, silence, a gzip bomb, 429s
that say nothing, redirects, replies that do not answer the question. Every request
ends within its deadline with a plain message and exit code 6; nothing balloons in
memory. Deadlines here are fractions of a second; a guard of many times that keeps a
broken build from hanging CI (it is not what is asserted).
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc

import pytest

from tests.support.investigation import DOMAIN, FILE, assert_plain_words
from tests.support.misbehaving import (
    api_path_startswith,
    gzip_bomb,
    hang,
    redirect,
    replace,
    slow_drip,
    slow_headers,
)
from vttui.demo.protocol import DemoResponse
from vttui.vt import errors as E
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.refs import ObjectRef

from .conftest import FakeTime

pytestmark = pytest.mark.e2e

#: Long enough that a client without a deadline would still be waiting when the guard fires.
GUARD = 20.0
DEADLINE = 0.5
DOMAINS = api_path_startswith("/domains/")


async def guarded(coro):
    return await asyncio.wait_for(coro, GUARD)


def deadline_client(clients, server, *, deadline: float = DEADLINE, timeout: float = 10.0):
    """A client whose per-read timeout is long (it never fires here) and whose deadline is short."""
    client = clients(server, timeout=timeout)
    client.deadline = deadline
    return client


def assert_deadline_error(error: E.VTError) -> None:
    assert isinstance(error, E.RequestDeadlineError), f"{type(error).__name__}: {error.message}"
    assert error.exit_code == 6
    assert "network.deadline" in error.message and f"{DEADLINE:g} s" in error.message
    assert_plain_words(error.message)


# --- item 1: a total deadline ------------------------------------------------------------------


async def test_a_dripping_body_is_cut_at_the_deadline(serve, clients):
    server = serve(slow_drip(0.05, only=DOMAINS))
    client = deadline_client(clients, server)
    with pytest.raises(E.VTError) as info:
        await guarded(client.get_domain(DOMAIN))
    assert_deadline_error(info.value)


async def test_slow_headers_are_cut_at_the_deadline(serve, clients):
    server = serve(slow_headers(0.05, only=DOMAINS))
    client = deadline_client(clients, server)
    with pytest.raises(E.VTError) as info:
        await guarded(client.get_domain(DOMAIN))
    assert_deadline_error(info.value)


async def test_a_hang_is_cut_at_the_deadline(serve, clients):
    server = serve(hang(only=DOMAINS))
    client = deadline_client(clients, server)
    with pytest.raises(E.VTError) as info:
        await guarded(client.get_domain(DOMAIN))
    assert_deadline_error(info.value)


async def test_retries_share_one_deadline(serve, clients):
    """Each attempt times out on its own read timeout and is retried, but all of them
    together stop at the deadline: the deadline bounds the total, not each try."""
    server = serve(hang(only=DOMAINS))
    client = deadline_client(clients, server, timeout=0.2)
    client.max_retries = 1000
    with pytest.raises(E.VTError) as info:
        await guarded(client.get_domain(DOMAIN))
    assert_deadline_error(info.value)


async def test_a_write_past_the_deadline_is_reported_as_unknown_not_resent(serve, clients):
    server = serve(hang(only=api_path_startswith(f"/domains/{DOMAIN}/comments")))
    client = deadline_client(clients, server)
    with pytest.raises(E.WriteOutcomeUnknownError) as info:
        await guarded(client.add_comment(ObjectRef("domain", DOMAIN), "hello"))
    assert "may or may not" in info.value.message
    assert [m for m, _p in client.request_log].count("POST") == 1


def test_cli_lookup_against_a_dripping_server_exits_6(cli, serve):
    (cli.config_dir / "config.toml").write_text(
        f'[quota]\ntier = "premium"\n\n[network]\ntimeout = 10\ndeadline = {DEADLINE}\n')
    cli.point_at(serve(slow_drip(0.05, only=DOMAINS)))
    result = cli.run("lookup", DOMAIN)
    assert result.code == 6, result.err
    assert result.out == ""
    assert "network.deadline" in result.err


# --- item 1: a cap on what a reply may inflate to ------------------------------------------------


async def test_a_gzip_bomb_is_stopped_at_the_cap_without_inflating_it(serve, clients):
    bomb = gzip_bomb(256 * 2**20, only=DOMAINS)  # 256 MB once inflated
    assert bomb.packed_size < 2**20  # type: ignore[attr-defined]
    server = serve(bomb)
    client = clients(server)
    client.max_reply_bytes = 2**20
    tracemalloc.start()
    try:
        with pytest.raises(E.VTError) as info:
            await guarded(client.get_domain(DOMAIN))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = info.value
    assert isinstance(error, E.ReplyTooLargeError), f"{type(error).__name__}: {error.message}"
    assert error.exit_code == 6 and "network.max_reply_mb" in error.message
    assert peak < 24 * 2**20, f"{peak / 2**20:.0f} MB held while reading a capped reply"
    assert len([p for _m, p in client.request_log]) == 1  # too large is final: not retried


async def test_a_plain_oversized_reply_is_refused_by_its_length(serve, clients):
    big = b'{"data": {"type": "domain", "id": "' + b"a" * (3 * 2**20) + b'"}}'
    server = serve(replace(lambda _r: DemoResponse(200, [("content-type", "application/json")], big), only=DOMAINS))
    client = clients(server)
    client.max_reply_bytes = 2**20
    with pytest.raises(E.ReplyTooLargeError):
        await guarded(client.get_domain(DOMAIN))


async def test_an_ordinary_gzip_reply_still_works(serve, clients):
    async def gzipped(request, call_next):
        reply = await call_next(request)
        packed = gzip.compress(bytes(reply.body))
        out = DemoResponse(reply.status, [(k, v) for k, v in reply.headers if k.lower() != "content-length"], packed)
        out.set_header("content-encoding", "gzip")
        return out

    client = clients(serve(gzipped))
    data = await guarded(client.get_domain(DOMAIN))
    assert data["id"] == DOMAIN


async def test_a_download_is_capped_on_disk_and_leaves_nothing(serve, clients, tmp_path):
    client = clients(serve())
    client.max_download_bytes = 1024
    dest = tmp_path / "sample.bin"
    with pytest.raises(E.ReplyTooLargeError) as info:
        await guarded(client.download_file(FILE, dest))
    assert "network.max_download_mb" in info.value.message and info.value.exit_code == 6
    assert list(tmp_path.iterdir()) == []


async def test_a_dripping_download_is_stopped_by_the_throughput_rule(serve, clients, tmp_path):
    server = serve(slow_drip(0.02, only=lambda r: r.path.startswith("/_download/")))
    client = clients(server, timeout=10.0)
    client.download_window = 0.3
    client.download_min_rate = 10_000  # bytes a second: the drip sends ~50
    with pytest.raises(E.TransferTooSlowError) as info:
        await guarded(client.download_file(FILE, tmp_path / "s.bin"))
    assert info.value.exit_code == 6
    assert list(tmp_path.iterdir()) == []


# --- item 8: 429 without Retry-After, and redirects ---------------------------------------------


async def test_a_429_that_says_nothing_is_not_waited_out_for_minutes(serve, clients):
    """A proxy's 429 (plain text, no Retry-After): a short pause, a few tries, then a
    message saying why vttui stopped. Time runs on a fake clock: the waits are counted."""
    server = serve(replace(lambda _r: DemoResponse.text("slow down", 429), only=DOMAINS))
    clock = FakeTime()
    client = clients(server)
    client._sleep = clock.sleep
    client.backoff_base, client.backoff_cap = 1.0, 60.0
    client.limiter = RateLimiter(None, None, clock=clock.clock, sleep=clock.sleep)
    start = clock.now
    with pytest.raises(E.TooManyRequestsError) as info:
        await guarded(client.get_domain(DOMAIN))
    waited = clock.now - start
    assert waited <= 20, f"waited {waited:.0f} s for a 429 that gave no Retry-After"
    assert "Retry-After" in info.value.message and "stopped" in info.value.message
    assert info.value.exit_code == 5


async def test_virustotals_own_429_waits_at_most_the_deadline(serve, clients):
    """VirusTotal's 429 without Retry-After means its minute: waited, but never past the
    deadline (at most one minute-long hold with the default 120 s, not three)."""
    server = serve(replace(lambda _r: DemoResponse.error(429, "TooManyRequestsError", "slow"), only=DOMAINS))
    clock = FakeTime()
    client = clients(server)
    client._sleep = clock.sleep
    client._clock = clock.clock
    client.limiter = RateLimiter(None, None, clock=clock.clock, sleep=clock.sleep)
    client.deadline = 120.0
    start = clock.now
    with pytest.raises(E.TooManyRequestsError) as info:
        await guarded(client.get_domain(DOMAIN))
    assert clock.now - start <= 120, f"waited {clock.now - start:.0f} s in all"
    assert "stopped" in info.value.message and info.value.exit_code == 5


async def test_a_redirect_on_an_api_call_says_where_to(serve, clients):
    target = "http://elsewhere.test:8080/steal?key=abc#frag"
    server = serve(redirect(target, only=DOMAINS))
    client = clients(server)
    with pytest.raises(E.VTError) as info:
        await guarded(client.get_domain(DOMAIN))
    message = info.value.message
    assert "redirect" in message and "http://elsewhere.test:8080/steal" in message
    assert "key=abc" not in message and "empty reply" not in message
    assert info.value.exit_code == 6
    assert_plain_words(message)


def test_cli_redirect_is_reported_with_its_target(cli, serve):
    cli.point_at(serve(redirect("https://user:secret@evil.test/a/b?token=t", only=DOMAINS)))
    result = cli.run("lookup", DOMAIN)
    assert result.code == 6
    assert "redirect" in result.err and "https://evil.test/a/b" in result.err
    assert "secret" not in result.err and "token" not in result.err


# --- a reference: the misbehaviour is only where asked ---------------------------------------------


async def test_well_behaved_requests_are_unaffected(serve, clients):
    server = serve(slow_drip(0.05, only=DOMAINS))
    client = deadline_client(clients, server, deadline=5.0)
    data = await guarded(client.get_file(FILE))
    assert data["id"] == FILE

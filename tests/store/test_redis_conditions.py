"""Redis as a team store: keys named by a hash (never the API key), a server that is not
there at start or that goes away mid-session (the local SQLite store takes over, and the
status line says so), and two machines (two cache directories) sharing one server.
"""

from __future__ import annotations

from pathlib import Path

from vttui.demo import DemoBackend, DemoTransport, demo_iocs
from vttui.vt.client import VTClient
from vttui.vt.ratelimit import RateLimiter
from vttui.vt.refs import ObjectRef
from vttui.vt.store.factory import open_store
from vttui.vt.store.policy import StoreOptions

from .conftest import RedisServer, free_port

IOCS = demo_iocs()
FILE = IOCS["detected_file"]
BASE = "https://vt.test/api/v3"
KEY = "redis-team-key-" + "s3cr3t" * 8


def gets(backend: DemoBackend) -> list[str]:
    return [t for m, t in backend.requests if m == "GET"]


def client_on(url: str, directory: Path, backend: DemoBackend) -> VTClient:
    options = StoreOptions(url, "test")
    store = open_store(options, KEY, BASE, directory=directory)
    return VTClient(KEY, base_url=BASE, transport=DemoTransport(backend), store=store, store_options=options,
                    limiter=RateLimiter(4, 500, ledger=store))


def redis_keys(server: RedisServer) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(server.url)
    try:
        return list(client.keys("*"))
    finally:
        client.close()


async def test_two_machines_share_one_server_and_the_key_is_never_written(redis_url, redis_server, tmp_path):
    backend = DemoBackend(base_url=BASE)
    laptop = client_on(redis_url, tmp_path / "laptop-cache", backend)
    jumpbox = client_on(redis_url, tmp_path / "jumpbox-cache", backend)
    await laptop.get_file(IOCS["detected_file_md5"])
    assert (await jumpbox.get_file(IOCS["detected_file_sha1"]))["id"] == FILE
    assert gets(backend) == [f"/files/{IOCS['detected_file_md5']}"]
    await jumpbox.limiter.refresh()
    assert jumpbox.limiter.state().used_day == 1  # the laptop's request, counted for both
    assert not (tmp_path / "jumpbox-cache").exists()  # Redis answered: nothing local was needed
    keys = redis_keys(redis_server)
    assert keys and all(k.startswith(b"vttui:{") for k in keys)
    assert not any(KEY.encode() in k or b"s3cr3t" in k for k in keys)
    await laptop.aclose()
    await jumpbox.aclose()


async def test_redis_unreachable_at_start_falls_back_to_the_local_store(tmp_path):
    backend = DemoBackend(base_url=BASE)
    client = client_on(f"redis://127.0.0.1:{free_port()}/0", tmp_path / "cache", backend)
    await client.prepare()  # what the CLI and the TUI do first
    assert client.store.kind == "sqlite"
    assert client.store_notice == "redis unreachable: cache local sqlite"
    assert any("unreachable" in w and "local sqlite" in w for w in client.store.warnings)
    await client.get_file(FILE)
    await client.aclose()
    again = client_on(f"redis://127.0.0.1:{free_port()}/0", tmp_path / "cache", backend)
    await again.prepare()
    await again.get_file(FILE)  # the local store kept it
    assert gets(backend) == [f"/files/{FILE}"]
    await again.aclose()


async def test_redis_going_away_mid_session_loses_nothing(own_redis: RedisServer, tmp_path):
    backend = DemoBackend(base_url=BASE)
    client = client_on(own_redis.url, tmp_path / "cache", backend)
    await client.prepare()
    domain = ObjectRef("domain", IOCS["domain"])
    await client.get_object(domain)
    for _ in range(2):
        await client.limiter.acquire()
    own_redis.stop()
    data = await client.get_file(FILE)  # the store fails under this lookup
    assert data["id"] == FILE
    assert client.store.kind == "sqlite" and client.store_notice == "redis unreachable: cache local sqlite"
    assert (await client.get_object(domain))["id"] == IOCS["domain"]  # still in memory: no request
    assert gets(backend) == [f"/domains/{IOCS['domain']}", f"/files/{FILE}"]
    await client.limiter.acquire()  # the limiter carries on with the local ledger, count carried over:
    assert client.limiter.state().used_day == 5  # 2 lookups + 3 acquired here, before and after the switch
    await client.aclose()

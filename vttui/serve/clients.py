"""The clients a server answers with: its own, and one per caller key (VT4AI mode).

One client means one cache, one quota ledger and one single-flight table, so every caller
of the same key shares them (and, through the store, every worker too). Per-caller
clients live in a bounded LRU keyed by a hash of the key; an evicted client is closed
once the requests using it are done.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

import httpx

from ..config import Settings
from ..runtime import demo_settings, make_client
from ..vt.client import VTClient

ClientFactory = Callable[[str | None], VTClient]
log = logging.getLogger("vttui.serve")


@dataclass(slots=True)
class _Entry:
    client: VTClient
    active: int = 0
    evicted: bool = False


def _forget_key(client: VTClient) -> None:
    """Stop masking a closed client's key in httpx's logs: the mask list is global and would
    otherwise grow with every caller key ever seen (nothing logs for a closed client)."""
    from ..vt import client as client_module

    redact = getattr(client_module, "_REDACT", None)
    keys = getattr(redact, "keys", None)
    if isinstance(keys, set) and client.api_key:
        keys.discard(client.api_key)


def default_factory(settings: Settings, *, demo: bool,
                    transport: httpx.AsyncBaseTransport | None) -> ClientFactory:
    """Clients built by ``runtime.make_client`` (so the configured store comes with them).

    In demo mode every client shares one demo backend, so what one caller posts another
    sees, as on VirusTotal.
    """
    if demo and transport is None:
        from ..demo import DemoBackend, DemoTransport
        from ..runtime import DEMO_BASE_URL

        transport = DemoTransport(DemoBackend(base_url=DEMO_BASE_URL))
    base = demo_settings(settings) if demo else settings

    def build(api_key: str | None) -> VTClient:
        if api_key is None:
            return make_client(base, transport=transport)
        return make_client(replace(base, api_key=api_key, api_key_source="X-API-Key", user_id=None),
                           transport=transport)

    return build


async def _prepare(client: VTClient) -> None:
    """Let a client reach its store (if it has one) and log what the store had to say."""
    prepare = getattr(client, "prepare", None)
    if prepare is None:
        return
    await prepare()
    store = getattr(client, "store", None)
    for warning in list(getattr(store, "warnings", [])):
        log.warning("%s", warning)


class ClientPool:
    """The server's client (built on first use) plus an LRU of per-key clients."""

    def __init__(self, factory: ClientFactory, *, max_clients: int = 64) -> None:
        self._factory = factory
        self.max_clients = max(1, max_clients)
        self._server: VTClient | None = None
        self._keyed: OrderedDict[str, _Entry] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()
        self.evictions = 0

    @property
    def server_client(self) -> VTClient:
        if self._server is None:
            self._server = self._factory(None)
        return self._server

    @property
    def current_server_client(self) -> VTClient | None:
        """The server's client if it was made (never makes one)."""
        return self._server

    async def start(self) -> None:
        """Open the server's own client now, so a store that does not answer says so at
        start-up (it falls back, and the warning is logged) rather than on a first request."""
        await _prepare(self.server_client)

    def clients(self) -> list[VTClient]:
        """Every live client (for metrics)."""
        out = [self._server] if self._server is not None else []
        return out + [e.client for e in self._keyed.values()]

    @property
    def keyed_count(self) -> int:
        return len(self._keyed)

    @contextlib.asynccontextmanager
    async def lease(self, api_key: str | None) -> AsyncIterator[VTClient]:
        """The client for ``api_key`` (None: the server's), kept open while in use."""
        if api_key is None:
            yield self.server_client
            return
        ident = hashlib.sha256(api_key.encode("utf-8")).hexdigest()  # never the key itself
        entry = self._keyed.get(ident)
        if entry is None:
            entry = _Entry(self._factory(api_key))
            self._keyed[ident] = entry
            self._evict()
            await _prepare(entry.client)
        else:
            self._keyed.move_to_end(ident)
        entry.active += 1
        try:
            yield entry.client
        finally:
            entry.active -= 1
            if entry.evicted and entry.active == 0:
                self._close_later(entry.client)

    def _evict(self) -> None:
        while len(self._keyed) > self.max_clients:
            _ident, entry = self._keyed.popitem(last=False)
            entry.evicted = True
            self.evictions += 1
            if entry.active == 0:
                self._close_later(entry.client)

    def _close_later(self, client: VTClient) -> None:
        if self._server is None or client.api_key != self._server.api_key:
            _forget_key(client)
        task = asyncio.ensure_future(client.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        clients = self.clients()
        self._keyed.clear()
        self._server = None
        for client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

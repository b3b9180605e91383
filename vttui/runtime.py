"""Build the client from settings: live against VirusTotal, or the offline demo.

Shared by the CLI and the TUI so both talk to VirusTotal the same way.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx

from .config import Settings
from .vt.cache import ResponseCache
from .vt.client import VTClient
from .vt.errors import MissingAPIKeyError
from .vt.ratelimit import WINDOW, RateLimiter

if TYPE_CHECKING:
    from .demo import DemoBackend

#: The demo behaves like a generous key so a walk through it is not throttled,
#: while the status line still shows real accounting.
DEMO_PER_MINUTE = 60
DEMO_PER_DAY = 5000
DEMO_BASE_URL = "https://demo.vttui.invalid/api/v3"


def demo_settings(settings: Settings) -> Settings:
    """The demo's settings: its public key, or its premium key when the configured tier
    is premium (then Intelligence search and premium relationships work in the demo)."""
    from .demo import DemoBackend

    return replace(
        settings,
        api_key=DemoBackend.DEMO_PREMIUM_KEY if settings.tier == "premium" else DemoBackend.DEMO_API_KEY,
        api_key_source="demo",
        base_url=DEMO_BASE_URL,
        proxy=None,
        tier="demo",
        user_id="vttui-demo",  # the demo account: the key never goes in a URL
        per_minute=DEMO_PER_MINUTE,
        per_day=DEMO_PER_DAY,
        store=settings.store.memory_only("demo"),  # the offline demo keeps nothing on disk
    )


def _test_window() -> float | None:
    """``VTTUI_TEST_QUOTA_WINDOW`` (seconds): a shorter "minute" for tests that must see the
    per-minute limit work across processes without waiting minutes. Not a user setting."""
    value = os.environ.get("VTTUI_TEST_QUOTA_WINDOW", "")
    try:
        seconds = float(value) if value else 0.0
    except ValueError:
        return None
    return seconds if 0 < seconds <= 60 else None


def make_client(
    settings: Settings,
    *,
    demo: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    backend: DemoBackend | None = None,
) -> VTClient:
    """A ready client. ``demo`` plugs the bundled offline backend in as the transport."""
    if demo:
        if transport is None:
            from .demo import DemoBackend, DemoTransport

            backend = backend or DemoBackend(base_url=DEMO_BASE_URL)
            transport = DemoTransport(backend)
        settings = demo_settings(settings)
    if not settings.api_key:
        raise MissingAPIKeyError()
    store = None
    if settings.store.kind != "memory":
        from .vt.store.factory import open_store

        store = open_store(settings.store, settings.api_key, settings.base_url)
    limiter = RateLimiter(settings.per_minute, settings.per_day, ledger=store, window=_test_window() or WINDOW)
    client = VTClient(
        settings.api_key,
        base_url=settings.base_url,
        transport=transport,
        limiter=limiter,
        cache=ResponseCache(settings.cache_entries, settings.cache_bytes, settings.cache_ttl),
        timeout=settings.timeout,
        upload_timeout=settings.upload_timeout,
        proxy=settings.proxy,
        user_id=settings.user_id,
        deadline=settings.deadline,
        upload_deadline=settings.upload_deadline,
        max_reply_bytes=settings.max_reply_bytes,
        max_download_bytes=settings.max_download_bytes,
        store=store,
        store_options=settings.store,
    )
    client.key_source = settings.api_key_source
    return client

"""The server under test for the ``serve_cached`` benchmark (run as a script, never imported).

``python _serve_child.py MODE PORT``: ``vttui`` is `vttui serve` as shipped (cache,
single-flight); ``per-call`` is the same server with both turned off, so every call is one
upstream request, as VT4AI makes them. Settings come from the environment (VT_API_URL,
VT_API_KEY); the quota is lifted so the limiter measures nothing.
"""

import os
import sys

sys.path[0] = os.environ.get("VTTUI_BENCH_ROOT", sys.path[0])

from dataclasses import replace  # noqa: E402
from typing import Any  # noqa: E402

import uvicorn  # noqa: E402

from vttui.config import load_settings  # noqa: E402
from vttui.serve.clients import default_factory  # noqa: E402
from vttui.serve.config import ServeConfig  # noqa: E402
from vttui.serve.factory import create_app  # noqa: E402
from vttui.vt.cache import ResponseCache, SingleFlight  # noqa: E402
from vttui.vt.client import VTClient  # noqa: E402


class NoFlight(SingleFlight[Any]):
    """Every call makes its own request, however many identical ones are in flight."""

    async def run(self, key: Any, fn: Any) -> Any:
        return await fn()


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])
    settings = replace(load_settings(), per_minute=None, per_day=None)
    build = default_factory(settings, demo=False, transport=None)

    def factory(api_key: str | None) -> VTClient:
        client = build(api_key)
        if mode == "per-call":
            client.cache = ResponseCache(ttl=0.0)  # everything expires at once
            client.flights = NoFlight()
        return client

    app = create_app(ServeConfig(mcp=False), settings=settings, factory=factory)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=30)


if __name__ == "__main__":
    main()

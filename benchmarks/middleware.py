"""Demo-backend middleware for benchmarks: artificial latency and a server-side quota.

Small on purpose (the general fault-injection middleware lives in ``vt/demo/faults.py``):
the benchmarks need only "answer every request N ms late" and "answer 429 past Q
requests in any sliding minute, like VirusTotal". Both work with ``DemoTransport``
(in process) and ``DemoServer`` (loopback), since both speak the same middleware protocol.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from vttui.demo.protocol import DemoRequest, DemoResponse, Handler


class Latency:
    """Answer every API request ``seconds`` late (the server's think time plus the WAN)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        if self.seconds > 0:
            await asyncio.sleep(self.seconds)
        return await call_next(request)


class Quota:
    """At most ``per_window`` API requests in any sliding ``window`` seconds; past that,
    429 QuotaExceededError (what VirusTotal answers a public key going too fast).

    ``window`` can be shortened to run a scaled-down version of a one-minute quota.
    Requests outside the API (upload URLs) and to ``/users`` are not counted, as on VT.
    """

    def __init__(self, per_window: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_window = per_window
        self.window = window
        self.clock = clock
        self._stamps: deque[float] = deque()
        self.accepted = 0
        self.rejected = 0
        self.early: list[float] = []

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        if not request.in_api or request.segments[:1] == ("users",):
            return await call_next(request)
        now = self.clock()
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        if len(self._stamps) >= self.per_window:
            self.rejected += 1
            # how far inside the window this request came: the margin a client lacked
            self.early.append(self.window - (now - self._stamps[0]))
            return DemoResponse.error(429, "QuotaExceededError", "Quota exceeded")
        self._stamps.append(now)
        self.accepted += 1
        return await call_next(request)


class Chain:
    """Several middlewares, outermost first."""

    def __init__(self, *layers: Callable) -> None:
        self.layers = layers

    async def __call__(self, request: DemoRequest, call_next: Handler) -> DemoResponse:
        async def run(index: int, req: DemoRequest) -> DemoResponse:
            if index == len(self.layers):
                return await call_next(req)
            return await self.layers[index](req, lambda r: run(index + 1, r))

        return await run(0, request)

"""Prometheus text exposition of what the server did, without a metrics dependency.

Counters are per process: with several workers each answers /metrics for itself (label
your scrape by instance). Cache and upstream figures come from the clients themselves,
so they count exactly what reached VirusTotal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..vt.client import VTClient


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.refused_quota = 0

    def observe(self, route: str, method: str, status: int) -> None:
        self.requests[(route, method, status)] += 1

    def render(self, clients: Iterable[VTClient], *, server_client: VTClient | None, keyed_clients: int) -> str:
        lines: list[str] = []

        def metric(name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float | int]]) -> None:
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            for labels, value in samples:
                lines.append(f"{name}{labels} {value}")

        metric("vttui_http_requests_total", "counter", "HTTP requests answered, by route template and status.",
               ((f'{{route="{_label(r)}",method="{_label(m)}",status="{s}"}}', n)
                for (r, m, s), n in sorted(self.requests.items())))
        all_clients = list(clients)
        hits = sum(getattr(c.cache, "hits", 0) for c in all_clients)
        misses = sum(getattr(c.cache, "misses", 0) for c in all_clients)
        metric("vttui_cache_hits_total", "counter", "Answers served from the cache.", [("", hits)])
        metric("vttui_cache_misses_total", "counter", "Cache lookups that missed.", [("", misses)])
        metric("vttui_store_hits_total", "counter",
               "Answers found in the shared store (an earlier run, or another worker fetched them).",
               [("", sum(getattr(c.stats, "store_hits", 0) for c in all_clients))])
        metric("vttui_singleflight_shared_total", "counter",
               "Requests that joined an identical request already in flight instead of sending their own.",
               [("", sum(c.flights.shared for c in all_clients))])
        metric("vttui_upstream_requests_total", "counter", "Requests sent to VirusTotal (retries included).",
               [("", sum(c.stats.requests for c in all_clients))])
        metric("vttui_upstream_retries_total", "counter", "Requests to VirusTotal that were retries.",
               [("", sum(c.stats.retries for c in all_clients))])
        metric("vttui_quota_refused_total", "counter", "Requests answered 429 because the quota was spent or "
               "the queue for it too long.", [("", self.refused_quota)])
        metric("vttui_caller_clients", "gauge", "Per-caller-key clients kept (key mode).", [("", keyed_clients)])
        if server_client is not None:
            state = server_client.limiter.state()
            samples: list[tuple[str, float | int]] = []
            if state.left_minute is not None:
                samples.append(('{window="minute"}', state.left_minute))
            if state.left_day is not None:
                samples.append(('{window="day"}', state.left_day))
            metric("vttui_quota_remaining", "gauge", "Requests the server's key may still make, by window "
                   "(absent: unlimited).", samples)
            metric("vttui_quota_used_today", "gauge", "Requests the server's key made today (UTC).",
                   [("", state.used_day)])
        return "\n".join(lines) + "\n"

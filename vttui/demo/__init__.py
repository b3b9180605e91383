"""Offline demo of the VirusTotal API v3: a fictional, coherent dataset behind the real API.

``vttui --demo``, the screenshots, the tests and the benchmarks run against this instead
of VirusTotal. Mount it in process with ``httpx.AsyncClient(transport=DemoTransport(b))``
or over a loopback socket with the tests' ``DemoServer(b)``. Entry points into the data are listed
by :func:`demo_iocs`; :data:`NOT_FOUND_SHA256` is a well-formed hash it answers with 404;
:func:`triage_ticket` is a pasted ticket for bulk triage; :data:`DEMO_PREMIUM_KEY` is the
key that unlocks Intelligence search (the default demo key is a public one).
"""

from __future__ import annotations

from .backend import DEFAULT_BASE_URL, DemoBackend, canonical_url
from .base import DEMO_PREMIUM_KEY
from .dataset import NOT_FOUND_SHA256, Dataset, demo_iocs, url_sha256
from .protocol import Action, DemoRequest, DemoResponse, Middleware
from .ticket import TICKET_IOC_COUNT, triage_ticket
from .transport import DemoTransport

__all__ = [
    "DEFAULT_BASE_URL",
    "DEMO_PREMIUM_KEY",
    "TICKET_IOC_COUNT",
    "triage_ticket",
    "NOT_FOUND_SHA256",
    "Action",
    "Dataset",
    "DemoBackend",
    "DemoRequest",
    "DemoResponse",
    "DemoTransport",
    "Middleware",
    "canonical_url",
    "demo_iocs",
    "url_sha256",
]

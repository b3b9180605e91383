"""Bulk triage: every indicator in a pasted block, one row each, filled in as answers come.

:meth:`Triage.from_text` extracts and deduplicates the indicators of any text (a ticket,
an e-mail, a log). :meth:`Triage.run` then yields row updates: the rows already in the
client's cache (or found missing minutes ago) at once, with no request, then the others
as VirusTotal answers them, paced
by the client's rate limiter so a public key's 4 requests a minute are never exceeded.
Row indexes never change, so a table can update rows in place and sort as it likes.

A per-minute 429 is waited out once (the limiter then holds new requests for a minute);
a spent daily quota or a refused key stops the run, and the rows not yet answered say
why. Nothing here imports Textual: the TUI, the CLI and exports all read :class:`TriageRow`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from . import errors as E
from .ioc import IOC, IOCType, extract
from .models import URL, Domain, IPAddress, VTObject, wrap
from .refs import ObjectRef

if TYPE_CHECKING:
    from .client import VTClient

__all__ = ["CONCURRENCY", "NOT_FOUND_TTL", "RowStatus", "Triage", "TriageRow"]

#: Lookups in flight at once (the client's limiter still paces them).
CONCURRENCY = 4
#: How long "VirusTotal has no record of this" is believed without asking again.
NOT_FOUND_TTL = 600.0

#: Per client: canonical path -> (when it was not found, the message). The client caches
#: answers, not 404s; a triage run should not pay twice for the same "not found" either.
_NOT_FOUND: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, str]]] = weakref.WeakKeyDictionary()


class RowStatus(StrEnum):
    PENDING = "pending"  # not asked yet
    DONE = "done"  # VirusTotal's answer is in the row
    NOT_FOUND = "not found"  # VirusTotal has no record of it
    ERROR = "error"  # this lookup failed (message says why); the others went on
    SKIPPED = "skipped"  # not looked up: the run stopped (quota spent, key refused, cancelled)


@dataclass(frozen=True, slots=True)
class TriageRow:
    """One indicator and what VirusTotal said about it."""

    index: int  # position in the input, stable for the whole run
    ioc: IOC
    status: RowStatus = RowStatus.PENDING
    malicious: int | None = None
    suspicious: int | None = None
    total: int | None = None  # engines that gave a verdict
    severity: str = ""  # malicious, suspicious, clean, unknown
    reputation: int | None = None
    first_seen: datetime | None = None
    asn: int | None = None
    as_owner: str = ""
    country: str = ""
    tags: tuple[str, ...] = ()
    #: The id VirusTotal answered with (a file's sha256 even when an md5 was given).
    object_id: str = ""
    #: Answered from the cache: it cost no request.
    cached: bool = False
    message: str = ""

    @property
    def value(self) -> str:
        return self.ioc.value

    @property
    def kind(self) -> str:
        """The indicator's kind as people say it (SHA-256, domain, IPv4...)."""
        return self.ioc.label

    @property
    def ref(self) -> ObjectRef:
        """What enter opens."""
        return ObjectRef(self.ioc.object_type, self.object_id) if self.object_id else self.ioc.ref

    @property
    def ratio(self) -> str:
        return f"{self.malicious}/{self.total}" if self.malicious is not None and self.total else ""

    @property
    def finished(self) -> bool:
        return self.status is not RowStatus.PENDING

    def as_dict(self) -> dict[str, Any]:
        """The row for JSON, CSV and XML exports (dates as ISO text)."""
        return {
            "ioc": self.value, "type": self.ioc.type.value, "status": self.status.value, "ratio": self.ratio,
            "malicious": self.malicious, "suspicious": self.suspicious, "total": self.total,
            "severity": self.severity, "reputation": self.reputation,
            "first_seen": self.first_seen.strftime("%Y-%m-%dT%H:%M:%SZ") if self.first_seen else None,
            "asn": self.asn, "as_owner": self.as_owner, "country": self.country, "tags": list(self.tags),
            "object_id": self.object_id, "message": self.message,
        }  # fmt: skip


def _filled(row: TriageRow, view: VTObject, *, cached: bool, network: IPAddress | None) -> TriageRow:
    stats = view.stats
    first = view.first_seen or (view.creation_date if isinstance(view, Domain) else None)
    net = view if isinstance(view, IPAddress) else network
    return replace(
        row, status=RowStatus.DONE, cached=cached, object_id=view.id, message="",
        malicious=None if stats.is_empty else stats.malicious, suspicious=None if stats.is_empty else stats.suspicious,
        total=None if stats.is_empty else stats.total, severity=stats.severity, reputation=view.reputation,
        first_seen=first, tags=tuple(view.tags[:20]),
        asn=net.asn if net else None, as_owner=net.as_owner if net else "", country=net.country if net else "",
    )  # fmt: skip


@dataclass
class Triage:
    """The rows of one triage run (``rows[i].index == i``), updated as answers arrive."""

    rows: list[TriageRow] = field(default_factory=list)
    #: Requests this run sent (cache hits cost none).
    requests: int = 0
    #: The error that stopped the run (quota spent, key refused), if one did.
    stopped: E.VTError | None = None

    @classmethod
    def from_iocs(cls, iocs: Iterable[IOC]) -> Triage:
        """Rows for indicators (analysis ids are left out: they are not triaged)."""
        seen: set[tuple[IOCType, str]] = set()
        rows: list[TriageRow] = []
        for ioc in iocs:
            if ioc.type is IOCType.ANALYSIS or (ioc.type, ioc.value) in seen:
                continue
            seen.add((ioc.type, ioc.value))
            rows.append(TriageRow(len(rows), ioc))
        return cls(rows)

    @classmethod
    def from_text(cls, text: str) -> Triage:
        """Rows for every indicator in a block of text, defanged or not, each once."""
        return cls.from_iocs(extract(text))

    def counts(self) -> dict[RowStatus, int]:
        out = dict.fromkeys(RowStatus, 0)
        for row in self.rows:
            out[row.status] += 1
        return out

    @property
    def pending(self) -> list[TriageRow]:
        return [r for r in self.rows if r.status is RowStatus.PENDING]

    def _set(self, row: TriageRow) -> TriageRow:
        self.rows[row.index] = row
        return row

    def _network_of(self, client: VTClient, view: VTObject) -> IPAddress | None:
        """A domain's or URL's network from an address already in the cache (never a request)."""
        refs: list[ObjectRef | None] = []
        if isinstance(view, Domain):
            refs = [p.ref for (rtype, _v, _t), p in zip(view.dns_records, view.dns_pivots, strict=False)
                    if rtype.upper() in ("A", "AAAA")]
        elif isinstance(view, URL):
            refs = [view.network_location_ref]
        for ref in refs[:8]:
            if ref is not None and ref.type == "ip_address":  # validated addresses only
                data = client.cached_object(ref)
                if isinstance(data, dict):
                    return IPAddress(data)
        return None

    def _answer(self, client: VTClient, row: TriageRow, data: dict[str, Any], *, cached: bool) -> TriageRow:
        view = wrap(data)
        return self._set(_filled(row, view, cached=cached, network=self._network_of(client, view)))

    async def run(self, client: VTClient, *, concurrency: int = CONCURRENCY) -> AsyncIterator[TriageRow]:
        """Yield each row as it is answered: cached ones first and at once, then the rest."""
        missing = _NOT_FOUND.setdefault(client, {})
        for row in self.pending:
            ref = client.canonical_ref(row.ioc.ref)
            data = client.cached_object(ref)
            if isinstance(data, dict):
                yield self._answer(client, row, data, cached=True)
                continue
            known = missing.get(ref.path)
            if known is not None and time.monotonic() - known[0] < NOT_FOUND_TTL:
                yield self._set(replace(row, status=RowStatus.NOT_FOUND, message=known[1], cached=True))
        todo = self.pending
        if not todo:
            return
        results: asyncio.Queue[TriageRow | None] = asyncio.Queue()
        queue = iter(todo)
        stop: list[E.VTError] = []
        before = client.stats.requests

        async def worker() -> None:
            for row in queue:
                if stop:
                    return
                try:
                    data = await self._lookup(client, row)
                    await results.put(self._answer(client, row, data, cached=False))
                except E.NotFoundError as exc:
                    missing[client.canonical_ref(row.ioc.ref).path] = (time.monotonic(), exc.message)
                    await results.put(self._set(replace(row, status=RowStatus.NOT_FOUND, message=exc.message)))
                except E.VTError as exc:
                    if _stops_the_run(exc):
                        stop.append(exc)
                        await results.put(self._set(replace(row, status=RowStatus.SKIPPED, message=exc.message)))
                        return
                    await results.put(self._set(replace(row, status=RowStatus.ERROR, message=exc.message)))

        async def all_workers() -> None:
            try:
                await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(todo))))))
            finally:
                await results.put(None)

        runner = asyncio.create_task(all_workers())
        try:
            while (answered := await results.get()) is not None:
                yield answered
            await runner
            self.stopped = stop[0] if stop else None
            for left in self.pending:  # what the stop left unasked
                yield self._set(replace(left, status=RowStatus.SKIPPED, message=stop[0].message if stop else ""))
        finally:
            self.requests += client.stats.requests - before
            if not runner.done():
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner

    @staticmethod
    async def _lookup(client: VTClient, row: TriageRow) -> dict[str, Any]:
        """A per-minute 429 is waited out once (the limiter now holds for a minute)."""
        try:
            return await client.get_object(row.ioc.ref)
        except E.QuotaExceededError:
            if client.limiter.state().left_day == 0:
                raise
            return await client.get_object(row.ioc.ref)

    async def collect(self, client: VTClient, *, concurrency: int = CONCURRENCY) -> list[TriageRow]:
        """Run to the end; the rows in input order."""
        async for _ in self.run(client, concurrency=concurrency):
            pass
        return list(self.rows)


def _stops_the_run(error: E.VTError) -> bool:
    """A spent quota or a refused key fails every other lookup too: stop asking."""
    return error.kind in (E.ErrorKind.AUTH, E.ErrorKind.QUOTA, E.ErrorKind.CANCELLED)

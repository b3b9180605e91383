"""Reading reply bodies under a size cap, decompressing piece by piece.

httpx inflates a gzip body in one go: a 1 MB "gzip bomb" becomes gigabytes in memory
before anyone can look at its size. Here the raw bytes are inflated with a bounded
output per step (``zlib`` ``max_length``), and the count of *decompressed* bytes is
checked after every step, so memory never holds more than the cap plus one step.
Downloads use the same reader, with their own cap and a minimum-throughput rule
(a server dripping one byte a second never trips a per-read timeout).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import httpx

from . import errors as E

#: Most decompressed bytes produced per step.
STEP = 64 * 1024
_GZIP = 16 + zlib.MAX_WBITS


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> bytes:
        return b""


class _Inflate:
    """gzip or deflate, ``STEP`` bytes of output at a time."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        self._wbits = zlib.MAX_WBITS if self._deflate else _GZIP
        self._d = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._d.decompress(data, STEP)
            except zlib.error:
                if self._deflate and not self._started:  # some servers send raw deflate
                    self._wbits = -zlib.MAX_WBITS
                    self._d = zlib.decompressobj(self._wbits)
                    self._started = True
                    continue
                raise E.MalformedResponseError("The reply's compressed body is corrupt.") from None
            self._started = True
            if out:
                yield out
            data = self._d.unconsumed_tail
            if self._d.eof and self._d.unused_data:  # another gzip member follows
                data = self._d.unused_data
                self._d = zlib.decompressobj(self._wbits)
                continue
            if not data and len(out) < STEP:
                return

    def flush(self) -> bytes:
        return self._d.flush(STEP) if not self._d.eof else b""


def _decoder(content_encoding: str | None) -> _Identity | _Inflate:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflate("deflate" if codings[0] == "deflate" else "gzip")
    shown = "".join(ch for ch in ", ".join(codings) if ch.isprintable())[:60]
    raise E.MalformedResponseError(f"The reply is compressed with {shown!r}, which vttui does not accept.")


def declared_length(response: httpx.Response) -> int | None:
    try:
        value = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


async def decoded_chunks(
    response: httpx.Response,
    limit: int,
    too_large: Callable[[], E.VTError],
    *,
    check: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The decompressed body in pieces; ``too_large()`` is raised as soon as more than
    ``limit`` bytes came out. ``check(total)`` runs after every piece (throughput rules)."""
    if response.is_stream_consumed:  # a transport that answered with a body already read (tests, mocks)
        try:
            body = response.content
        except httpx.ResponseNotRead:
            body = b""
        if len(body) > limit:
            raise too_large()
        if body:
            yield body
        return
    decoder = _decoder(response.headers.get("content-encoding"))
    if isinstance(decoder, _Identity):
        declared = declared_length(response)
        if declared is not None and declared > limit:
            raise too_large()
    total = 0
    async for raw in response.aiter_raw():
        for piece in decoder.feed(raw):
            total += len(piece)
            if total > limit:
                raise too_large()
            if check is not None:
                check(total)
            yield piece
    tail = decoder.flush()
    if tail:
        total += len(tail)
        if total > limit:
            raise too_large()
        yield tail


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The whole decompressed body, or ReplyTooLargeError past ``limit`` bytes."""

    def too_large() -> E.VTError:
        return E.ReplyTooLargeError(
            f"VirusTotal's reply was larger than {limit / 2**20:g} MB once decompressed "
            "(network.max_reply_mb); vttui stopped reading it."
        )

    parts = [piece async for piece in decoded_chunks(response, limit, too_large)]
    return b"".join(parts)


class Throughput:
    """Fails a transfer that keeps going but too slowly: within every ``window`` seconds
    at least ``min_rate * window`` bytes must arrive (a complete stall is the per-read
    timeout's job)."""

    def __init__(self, clock: Callable[[], float], *, window: float, min_rate: float) -> None:
        self._clock = clock
        self.window = window
        self.min_rate = min_rate
        self._start = clock()
        self._start_total = 0

    def __call__(self, total: int) -> None:
        now = self._clock()
        if now - self._start < self.window:
            return
        if total - self._start_total < self.min_rate * self.window:
            raise E.TransferTooSlowError(
                f"The download slowed to under {self.min_rate / 1024:g} KB/s for {self.window:g} s; "
                "vttui stopped it. Try again later."
            )
        self._start, self._start_total = now, total

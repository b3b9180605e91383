"""Downloading samples and pcaps: streamed through the size cap and a minimum rate,
redirects followed by hand (the key never goes to the redirect target), written to a
private temp file and moved into place.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx

from . import errors as E
from .bodies import Throughput, decoded_chunks
from .client_cache import CachedClient
from .client_wire import Progress
from .refs import ObjectRef, path_segment
from .transport import map_transport_error
from .validate import check_ref

T = TypeVar("T")
#: Takes a download's chunks and its announced size (None: unknown).
Consumer = Callable[[AsyncIterator[bytes], int | None], Awaitable[T]]


class DownloadEndpoints(CachedClient):
    """Sample and pcap downloads of :class:`~vttui.vt.client.VTClient` (premium keys)."""

    async def download_url(self, file_hash: str) -> str:
        check_ref(ObjectRef("file", file_hash))
        body = await self._send_json("GET", f"/files/{path_segment(file_hash)}/download_url")
        url = body.get("data")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise E.MalformedResponseError("VirusTotal did not return a usable download URL.")
        return url

    async def download_file(self, file_hash: str, dest: str | os.PathLike[str], *,
                            progress: Progress | None = None) -> Path:
        """Stream a sample to ``dest`` (mode 0600, never executable). Premium keys only."""
        return await self.download_file_into(
            file_hash, lambda chunks, total: _stream_to_file(chunks, Path(dest), total, progress))

    async def download_file_into(self, file_hash: str, consume: Consumer[T]) -> T:
        """Stream a sample into ``consume(chunks, total)`` (e.g. straight into an encrypted
        ZIP, so the bare sample never touches the disk). Premium keys only."""
        check_ref(ObjectRef("file", file_hash))
        try:
            return await self._download_into(f"/files/{path_segment(file_hash)}/download", consume)
        except E.ForbiddenError as exc:
            raise E.ForbiddenError(
                "Downloading samples needs a premium VirusTotal key; this key is not allowed to.",
                code=exc.code, status=exc.status, detail=exc.detail,
            ) from None

    async def download_pcap(self, behaviour_id: str, dest: str | os.PathLike[str], *,
                            progress: Progress | None = None) -> Path:
        return await self._download_into(f"/file_behaviours/{path_segment(behaviour_id)}/pcap",
                                         lambda chunks, total: _stream_to_file(chunks, Path(dest), total, progress))

    async def _download_into(self, path: str, consume: Consumer[T]) -> T:
        response = await self._send("GET", path, stream=True)
        hops = 0
        while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
            location = response.headers.get("location")
            await response.aclose()
            if not location:
                raise E.MalformedResponseError("VirusTotal redirected the download nowhere.")
            location = str(response.url.join(location))
            response = await self._send("GET", location, stream=True)
            hops += 1
        limit = self.max_download_bytes

        def too_large() -> E.VTError:
            return E.ReplyTooLargeError(
                f"The download is larger than {limit / 2**20:g} MB (network.max_download_mb); vttui stopped it "
                "and kept nothing."
            )

        rate = Throughput(asyncio.get_running_loop().time, window=self.download_window, min_rate=self.download_min_rate)
        try:
            total = _int_header(response.headers.get("content-length"))
            chunks = decoded_chunks(response, limit, too_large, check=rate)
            return await consume(chunks, total)
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        finally:
            await response.aclose()



def _int_header(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _stream_to_file(chunks: AsyncIterator[bytes], dest: Path, total: int | None,
                          progress: Progress | None) -> Path:
    """Write to a private temp file beside ``dest``, then move it into place (mode 0600)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".vttui-", suffix=".part", dir=dest.parent)
    os.fchmod(fd, 0o600)
    received = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            async for chunk in chunks:
                await asyncio.to_thread(fh.write, chunk)
                received += len(chunk)
                if progress:
                    progress(received, total)
        os.replace(tmp_name, dest)
        os.chmod(dest, 0o600)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return dest

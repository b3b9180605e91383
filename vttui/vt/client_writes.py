"""Everything that writes to VirusTotal or waits on what it wrote: comments, votes,
uploads, URL scans, re-analysis and polling analyses. Writes are never resent when their
effect is unknown (``idempotent=False`` in ``_send``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

from . import errors as E
from .client_cache import CachedClient
from .client_wire import Progress
from .ioc import IOCType, classify, url_id
from .models.coerce import as_dict
from .refs import ObjectRef, path_segment
from .sanitize import clean_comment
from .validate import check_analysis, check_ref

SMALL_UPLOAD_LIMIT = 32 * 1024 * 1024
MAX_UPLOAD = 650 * 1024 * 1024
UPLOAD_CHUNK = 1024 * 1024


class WriteEndpoints(CachedClient):
    """Submissions and analyses of :class:`~vttui.vt.client.VTClient`."""

    async def add_comment(self, ref: ObjectRef, text: str) -> dict[str, Any]:
        """Post a comment (a write: never resent when its effect is unknown). Control and
        escape characters are removed first (:func:`clean_comment`): callers that want
        to show what is posted clean it the same way before asking."""
        check_ref(ref)
        text = clean_comment(text)
        if not text:
            raise E.InvalidArgumentError("A comment cannot be empty.")
        body = {"data": {"type": "comment", "attributes": {"text": text}}}
        reply = await self._send_json("POST", f"{ref.path}/comments", json=body)
        self._invalidate_prefix(f"{ref.path}/comments")
        return as_dict(reply.get("data"))

    async def add_vote(self, ref: ObjectRef, verdict: str) -> dict[str, Any]:
        """Cast a vote; a second vote on the same object raises AlreadyExistsError (409)."""
        check_ref(ref)
        if verdict not in ("malicious", "harmless"):
            raise E.InvalidArgumentError("A vote is either 'malicious' or 'harmless'.")
        body = {"data": {"type": "vote", "attributes": {"verdict": verdict}}}
        try:
            reply = await self._send_json("POST", f"{ref.path}/votes", json=body)
        except E.AlreadyExistsError as exc:
            raise E.AlreadyExistsError(
                "You have already voted on this; VirusTotal keeps one vote per user.",
                code=exc.code, status=exc.status, detail=exc.detail,
            ) from None
        self._invalidate_prefix(f"{ref.path}/votes")
        self._invalidate(ref.path)
        return as_dict(reply.get("data"))

    async def get_upload_url(self) -> str:
        """A fresh single-use upload URL for files over 32 MB (never cached)."""
        body = await self._send_json("GET", "/files/upload_url")
        url = body.get("data")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise E.MalformedResponseError("VirusTotal did not return a usable upload URL.")
        return url

    async def upload_file(
        self, path: str | os.PathLike[str], *, progress: Progress | None = None, password: str | None = None
    ) -> dict[str, Any]:
        """Upload a file (streamed from disk) and return the analysis descriptor.

        Up to 32 MB goes to POST /files; larger files, up to 650 MB, to a fresh upload URL.
        """
        file_path = Path(path)
        try:
            size = file_path.stat().st_size
        except OSError as exc:
            raise E.InvalidArgumentError(f"Cannot read {file_path.name}: {exc.strerror or exc}.") from None
        if not file_path.is_file():
            raise E.InvalidArgumentError(f"{file_path.name} is not a regular file.")
        if size > MAX_UPLOAD:
            raise E.UploadTooLargeError(
                f"{file_path.name} is {size / 2**20:.0f} MB; VirusTotal accepts files up to 650 MB."
            )
        target = await self.get_upload_url() if size > SMALL_UPLOAD_LIMIT else "/files"
        boundary = "vttui-" + secrets.token_hex(16)
        fields = [("password", password)] if password else []
        head, tail = _multipart_frame(boundary, _safe_filename(file_path.name), fields)
        total = len(head) + size + len(tail)

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            yield head
            sent += len(head)
            with open(file_path, "rb") as fh:
                while True:
                    chunk = await asyncio.to_thread(fh.read, UPLOAD_CHUNK)
                    if not chunk:
                        break
                    sent += len(chunk)
                    if progress:
                        progress(min(sent, total), total)
                    yield chunk
            yield tail
            if progress:
                progress(total, total)

        headers = {"content-type": f"multipart/form-data; boundary={boundary}", "content-length": str(total)}
        # Sending may take long (each chunk may wait up to upload_timeout); the reply, once
        # the body is sent, must not: a server that never answers is a failure in minutes.
        timeout = httpx.Timeout(connect=15.0, write=self.upload_timeout, read=self.reply_timeout, pool=15.0)
        reply = await self._send_json("POST", target, content=body, headers=headers, idempotent=False, timeout=timeout,
                                      deadline=self.upload_deadline)
        return _analysis_descriptor(reply)

    async def scan_url(self, url: str) -> dict[str, Any]:
        """Submit a URL for scanning; returns the analysis descriptor."""
        ioc = classify(url)
        if ioc.type is not IOCType.URL:
            raise E.InvalidIOCError(f"Only URLs can be scanned this way, not a {ioc.label}.")
        reply = await self._send_json("POST", "/urls", data={"url": ioc.value})
        return _analysis_descriptor(reply)

    async def reanalyse(self, ref: ObjectRef) -> dict[str, Any]:
        """Ask VirusTotal to analyse a file or URL again; returns the analysis descriptor."""
        if ref.type not in ("file", "url"):
            raise E.InvalidArgumentError("Only files and URLs can be re-analysed.")
        check_ref(ref)
        reply = await self._send_json("POST", f"{ref.path}/analyse")
        self._invalidate(ref.path)
        return _analysis_descriptor(reply)

    async def get_analysis(self, analysis_id: str) -> dict[str, Any]:
        """The whole analysis reply (data and meta). Completed analyses are cached."""
        path = f"/analyses/{path_segment(analysis_id)}"
        cached: dict[str, Any] | None = self.cache.get(path)
        if cached is not None:
            return cached
        stored = await self._from_store(path) if self.persist is not None else None
        if stored is not None:
            return stored  # only completed analyses are ever stored
        body = await self.flights.run(("analysis", path), lambda: self._send_json("GET", path))
        check_analysis(body, submitted=False)
        data = as_dict(body.get("data"))
        attrs = as_dict(data.get("attributes"))
        if attrs.get("status") == "completed":
            self.cache.put(path, body, len(str(body)))
            self._analysis_completed(body)
            if self.persist is not None:
                self.persist.spawn(self._save_reply(path, json.dumps(body).encode(), []))
        return body

    def _analysis_completed(self, body: dict[str, Any]) -> None:
        """Drop the stale report of whatever the analysis was about."""
        meta = as_dict(body.get("meta"))
        file_info = as_dict(meta.get("file_info"))
        url_info = as_dict(meta.get("url_info"))
        for field in ("sha256", "sha1", "md5"):
            if isinstance(file_info.get(field), str):
                self._invalidate(f"/files/{file_info[field]}")
        if isinstance(url_info.get("id"), str):
            self._invalidate(f"/urls/{url_info['id']}")
        if isinstance(url_info.get("url"), str):
            self._invalidate(f"/urls/{url_id(url_info['url'])}")

    async def wait_for_analysis(
        self,
        analysis_id: str,
        *,
        timeout: float = 600.0,
        first_delay: float = 5.0,
        max_delay: float = 60.0,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> dict[str, Any]:
        """Poll until the analysis completes; backs off; raises AnalysisTimeoutError at the limit."""
        loop_clock = clock or asyncio.get_running_loop().time
        start = loop_clock()
        delay = first_delay
        while True:
            body = await self.get_analysis(analysis_id)
            if on_update is not None:
                with contextlib.suppress(Exception):
                    on_update(body)
            data = as_dict(body.get("data"))
            attrs = as_dict(data.get("attributes"))
            if attrs.get("status") == "completed":
                return body
            if loop_clock() - start + delay > timeout:
                raise E.AnalysisTimeoutError(
                    f"The analysis was still {attrs.get('status') or 'pending'} after "
                    f"{int(timeout)} s; it may complete later (id {analysis_id})."
                )
            await self._sleep(delay)
            delay = min(max_delay, delay * 2)



def _analysis_descriptor(reply: dict[str, Any]) -> dict[str, Any]:
    return check_analysis(reply, submitted=True)


def _safe_filename(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '"\\\r\n')
    return cleaned[:200] or "upload.bin"


def _multipart_frame(boundary: str, filename: str, fields: Iterable[tuple[str, str]]) -> tuple[bytes, bytes]:
    head = b""
    for name, value in fields:
        head += (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ).encode()
    head += (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode()


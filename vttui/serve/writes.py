"""Submissions: URL scans and file uploads, only when the server was started with writes.

Uploads are streamed to a private temporary folder as they arrive (never held in
memory), then handed to the client, which streams them on to VirusTotal (up to 32 MB
directly, larger through an upload URL, at most 650 MB) and never resends a POST whose
effect is unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from python_multipart.multipart import MultipartParser, parse_options_header

from ..vt import errors as E
from ..vt.ioc import IOCType
from . import formats, validate
from .config import MAX_UPLOAD
from .context import Call, call

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

router = APIRouter()
CallD = Annotated[Call, Depends(call)]
MAX_FIELD = 4096


class WritesDisabledError(E.ForbiddenError):
    default_message = ("This server was started without --allow-writes: it does not submit anything "
                       "to VirusTotal (scans and uploads spend quota and share data).")


def _check_writes(c: Call) -> None:
    if not c.state.config.allow_writes:
        raise WritesDisabledError()


def safe_name(name: str | None) -> str:
    """A file name safe to create in our own folder (no path, no controls), or a default."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    cleaned = cleaned.strip(". ")[:200]
    return cleaned or "upload.bin"


class _Form:
    """A streaming multipart reader: the ``file`` part goes to disk, small fields to memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path: Path | None = None
        self.size = 0
        self.fields: dict[str, str] = {}
        self.pending: list[bytes] = []
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._buffer = bytearray()
        self._to_file = False
        self._fh: Any = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._name, self._buffer, self._to_file = {}, None, bytearray(), False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _kind, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._name = name
        if name == "file" and filename is not None and self.path is None:
            self.path = self.folder / safe_name(filename.decode("utf-8", "replace"))
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in finish()
            self._to_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._to_file:
            self.pending.append(bytes(data[start:end]))
            self.size += end - start
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD:
            raise E.InvalidArgumentError(f"The form field {self._name!r} is too long.")

    def _part_end(self) -> None:
        if not self._to_file and self._name:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")
        self._to_file = False

    async def flush(self) -> None:
        if self.pending and self._fh is not None:
            chunks, self.pending = self.pending, []
            await asyncio.to_thread(self._fh.writelines, chunks)
        if self.size > MAX_UPLOAD:
            raise E.UploadTooLargeError(f"The file is over {MAX_UPLOAD // 2**20} MB; VirusTotal accepts up to 650 MB.")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


async def _receive_file(request: Request, folder: Path, filename: str | None) -> tuple[Path, str | None]:
    """Stream the request body to ``folder``; (the file, the zip password if one was sent)."""
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    form = _Form(folder)
    try:
        if kind == b"multipart/form-data":
            boundary = options.get(b"boundary")
            if not boundary:
                raise E.InvalidArgumentError("The multipart body has no boundary in its Content-Type.")
            parser = MultipartParser(boundary, form.callbacks())
            async for chunk in request.stream():
                parser.write(chunk)
                await form.flush()
            parser.finalize()
            await form.flush()
            if form.path is None:
                raise E.InvalidArgumentError("Send the file in a multipart/form-data field named 'file'.")
            return form.path, form.fields.get("password") or None
        if kind in (b"application/octet-stream", b""):
            form.path = folder / safe_name(filename)
            form._fh = await asyncio.to_thread(open, form.path, "wb")  # closed below
            async for chunk in request.stream():
                form.pending.append(chunk)
                form.size += len(chunk)
                await form.flush()
            return form.path, None
        raise E.InvalidArgumentError("Send the file as multipart/form-data (field 'file') or as "
                                     "application/octet-stream with ?filename=.")
    finally:
        form.close()


@router.post("/api/v1/files", tags=["Submissions"], summary="Submit a file (needs --allow-writes)")
async def submit_file(c: CallD, request: Request,
                      filename: Annotated[str | None, Query(max_length=255)] = None) -> Response:
    _check_writes(c)
    c.check_room()
    folder = Path(tempfile.mkdtemp(prefix="vttui-upload-"))
    try:
        path, password = await _receive_file(request, folder, filename)
        descriptor = await c.client.upload_file(path, password=password)
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    return c.answer(formats.plain(descriptor), "json")


async def _url_from_body(request: Request) -> str:
    kind, _ = parse_options_header(request.headers.get("content-type", ""))
    body = await request.body()
    if kind == b"application/json":
        with contextlib.suppress(ValueError):
            value = json.loads(body)
            if isinstance(value, dict) and isinstance(value.get("url"), str):
                return str(value["url"])
        raise E.InvalidArgumentError('Send the URL as JSON: {"url": "https://..."}.')
    if kind == b"application/x-www-form-urlencoded":
        values = parse_qs(body.decode("utf-8", "replace"))
        if values.get("url"):
            return values["url"][0]
    raise E.InvalidArgumentError('Send the URL as JSON ({"url": "https://..."}) or as a form field url=.')


@router.post("/api/v1/urls", tags=["Submissions"], summary="Submit a URL for scanning (needs --allow-writes)")
async def scan_url(c: CallD, request: Request) -> Response:
    _check_writes(c)
    url = await _url_from_body(request)
    ioc = validate.parse(url, frozenset({IOCType.URL}), "a URL")
    c.check_room()
    descriptor = await c.scan_url(ioc.value)
    return c.answer(formats.plain(descriptor), "json")

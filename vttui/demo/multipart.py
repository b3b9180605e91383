"""A small streaming multipart/form-data parser.

Uploads can be hundreds of megabytes, so the ``file`` part is never held in memory:
its bytes are hashed (md5, sha1, sha256) and counted as they arrive. Only its first
bytes (to guess the type) and, for small files, the whole content (so the demo can
serve it back for download) are kept. Other fields (``password``, ``url``) are small
and collected as text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

HEAD_BYTES = 4096
_HEADER_LIMIT = 16 * 1024
_PARAM = re.compile(r';\s*([A-Za-z0-9_*.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


def boundary_of(content_type: str | None) -> str | None:
    """The boundary parameter of a multipart/form-data content type, if any."""
    if not content_type or not content_type.lower().lstrip().startswith("multipart/form-data"):
        return None
    params = dict(_params(content_type))
    boundary = params.get("boundary")
    if not boundary or len(boundary) > 200:
        return None
    return boundary


def _params(header: str) -> list[tuple[str, str]]:
    out = []
    for name, value in _PARAM.findall(header):
        value = value.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((name.lower(), value))
    return out


@dataclass
class FilePart:
    """What was learnt from the uploaded file while it streamed past."""

    filename: str | None = None
    content_type: str | None = None
    size: int = 0
    head: bytes = b""
    #: The whole content when it is at most ``keep_limit`` bytes, else None.
    content: bytes | None = None
    too_large: bool = False
    _md5: hashlib._Hash = field(default_factory=hashlib.md5, repr=False)
    _sha1: hashlib._Hash = field(default_factory=hashlib.sha1, repr=False)
    _sha256: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)
    _kept: bytearray | None = field(default_factory=bytearray, repr=False)

    def write(self, data: memoryview | bytes, *, max_size: int | None, keep_limit: int) -> None:
        n = len(data)
        if not n:
            return
        self.size += n
        if max_size is not None and self.size > max_size:
            self.too_large = True
            self._kept = None
            return  # keep counting, stop hashing: the upload will be refused
        if self.too_large:
            return
        self._md5.update(data)
        self._sha1.update(data)
        self._sha256.update(data)
        if len(self.head) < HEAD_BYTES:
            self.head += bytes(data[: HEAD_BYTES - len(self.head)])
        if self._kept is not None:
            if self.size <= keep_limit:
                self._kept += data
            else:
                self._kept = None

    def finish(self) -> None:
        self.content = bytes(self._kept) if self._kept is not None and not self.too_large else None
        self._kept = None

    @property
    def md5(self) -> str:
        return self._md5.hexdigest()

    @property
    def sha1(self) -> str:
        return self._sha1.hexdigest()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()


@dataclass
class FormData:
    fields: dict[str, str] = field(default_factory=dict)
    file: FilePart | None = None


class _Field:
    def __init__(self, name: str, cap: int) -> None:
        self.name, self.cap, self.buf = name, cap, bytearray()

    def write(self, data: memoryview | bytes) -> None:
        room = self.cap - len(self.buf)
        if room > 0:
            self.buf += data[:room]


class MultipartParser:
    """Feed it the body chunk by chunk; ``close()`` returns the parsed form.

    Memory stays bounded by the chunk size plus a boundary's length whatever the
    upload's size.
    """

    def __init__(
        self,
        boundary: str,
        *,
        file_field: str = "file",
        max_file_size: int | None = None,
        keep_limit: int = 1 << 20,
        max_field_size: int = 64 * 1024,
        max_parts: int = 32,
    ) -> None:
        self._delim = b"\r\n--" + boundary.encode("latin-1")
        # The body starts with "--boundary" (no CRLF before it): pretend there was one.
        self._buf = bytearray(b"\r\n")
        self._state = "preamble"
        self._file_field = file_field
        self._max_file_size = max_file_size
        self._keep_limit = keep_limit
        self._max_field = max_field_size
        self._max_parts = max_parts
        self._parts = 0
        self._sink: FilePart | _Field | None = None
        self.form = FormData()

    # --- feeding ------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if self._state == "end" or not data:
            return
        self._buf += data
        while self._step():
            pass

    def close(self) -> FormData:
        if self._state != "end":
            raise MultipartError("the multipart body ended before its closing boundary")
        if self.form.file is not None:
            self.form.file.finish()
        return self.form

    # --- state machine ------------------------------------------------------------

    def _step(self) -> bool:
        """Advance once; True when progress was made and another step may follow."""
        buf, delim = self._buf, self._delim
        if self._state == "preamble":
            idx = buf.find(delim)
            if idx < 0:
                keep = len(delim) - 1
                if len(buf) > keep:
                    del buf[: len(buf) - keep]
                return False
            del buf[: idx + len(delim)]
            self._state = "after_delim"
            return True
        if self._state == "after_delim":
            if len(buf) < 2:
                return False
            if buf[:2] == b"--":
                self._state = "end"
                buf.clear()
                return False
            eol = buf.find(b"\r\n")
            if eol < 0:
                if len(buf) > 256:
                    raise MultipartError("garbage after a boundary")
                return False
            if buf[:eol].strip(b" \t"):
                raise MultipartError("garbage after a boundary")
            del buf[: eol + 2]
            self._state = "headers"
            return True
        if self._state == "headers":
            if buf[:2] == b"\r\n":
                headers_blob, consumed = b"", 2
            else:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > _HEADER_LIMIT:
                        raise MultipartError("part headers too long")
                    return False
                headers_blob, consumed = bytes(buf[:end]), end + 4
            del buf[:consumed]
            self._start_part(headers_blob)
            self._state = "body"
            return True
        if self._state == "body":
            idx = buf.find(delim)
            if idx < 0:
                safe = len(buf) - (len(delim) - 1)
                if safe > 0:
                    self._emit(safe)
                    del buf[:safe]
                return False
            self._emit(idx)
            del buf[: idx + len(delim)]
            self._end_part()
            self._state = "after_delim"
            return True
        return False

    def _emit(self, n: int) -> None:
        if n <= 0 or self._sink is None:
            return
        view = memoryview(self._buf)[:n]
        try:
            if isinstance(self._sink, FilePart):
                self._sink.write(view, max_size=self._max_file_size, keep_limit=self._keep_limit)
            else:
                self._sink.write(view)
        finally:
            view.release()

    def _start_part(self, blob: bytes) -> None:
        self._parts += 1
        if self._parts > self._max_parts:
            raise MultipartError("too many parts")
        headers: dict[str, str] = {}
        for line in blob.decode("utf-8", "replace").split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        params = dict(_params(disposition))
        name = params.get("name", "")
        filename = params.get("filename")
        if "filename*" in params:
            encoded = params["filename*"]
            filename = encoded.split("''", 1)[-1] if "''" in encoded else encoded
        if name == self._file_field and self.form.file is None:
            self._sink = FilePart(filename=filename, content_type=headers.get("content-type"))
            self.form.file = self._sink
        elif name:
            self._sink = _Field(name, self._max_field)
        else:
            self._sink = None

    def _end_part(self) -> None:
        if isinstance(self._sink, _Field):
            self.form.fields.setdefault(self._sink.name, self._sink.buf.decode("utf-8", "replace"))
        self._sink = None

"""Password-protected ZIP files ("ZipCrypto", the traditional PKWARE encryption), streamed.

Why: analysts pass malware samples around zipped with the password ``infected`` so that
mail filters, antivirus scanners and a stray double-click leave them alone. Python's
``zipfile`` reads such archives (``pwd=``) but cannot write them, hence this module.

The writer is one pass and never holds the sample in memory: each member's local header
sets bit 3 (sizes and CRC follow the data in a data descriptor), so the password check
byte comes from the modification time, as Info-ZIP does when it encrypts. Members are
deflated (``zlib.compressobj``) or stored. ZIP64 is not written: anything over 4 GB is
refused with a clear error (VirusTotal samples stop at 650 MB).

ZipCrypto is weak cryptography: this is a safety wrapper, not secrecy. Big pieces are
encrypted with arrays (:mod:`.zipcrypto_fast`, numpy; tens of MB/s), small ones by the
byte loop (the cipher is :mod:`.zipcipher`); async callers still run it in a thread. Members whose first megabyte
does not compress (packed or encrypted samples, most of them) are stored rather than
deflated: deflating them costs more time than the cipher and saves nothing.

``method="aes"`` writes WinZip AES-256 instead (what 7-Zip and WinZip call "AES-256",
strong encryption) through pyzipper; that member is written by pyzipper's own writer.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import struct
import time
import zlib
from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from .errors import ErrorKind, VTError
from .outfiles import (
    OutputExistsError,
    OutputPathError,
    _remove,
    ensure_directory,
    private_temp,
    publish,
    refuse_existing,
)
from .zipchoice import SNIFF, worth_deflating
from .zipcipher import ZipCrypto

DEFAULT_PASSWORD = "infected"
CHUNK = 1024 * 1024
#: Compressed bytes gathered before they are encrypted: arrays pay off on big pieces.
BATCH = 2 * 1024 * 1024
METHODS = ("zipcrypto", "aes")
#: The largest size or offset a ZIP without ZIP64 records can hold.
ZIP32_LIMIT = 0xFFFFFFFF

_LOCAL_SIG = 0x04034B50
_DESCRIPTOR_SIG = 0x08074B50
_CENTRAL_SIG = 0x02014B50
_END_SIG = 0x06054B50
_FLAG_ENCRYPTED = 0x0001
_FLAG_DESCRIPTOR = 0x0008
_FLAG_UTF8 = 0x0800
_STORED = 0
_DEFLATED = 8
_VERSION = 20  # 2.0: deflate and traditional encryption
_MADE_BY_UNIX = 3 << 8
_ENCRYPTION_HEADER = 12

Progress = Callable[[int, int | None], None]


class ZipTooLargeError(VTError):
    kind = ErrorKind.INVALID
    default_message = (
        "The ZIP would be over 4 GB, which needs ZIP64 and vttui does not write it; "
        "save the sample without --zip."
    )


def _password_bytes(password: str | bytes) -> bytes:
    pwd = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    if not pwd:
        raise VTError("A ZIP password cannot be empty.")
    return pwd


def _dos_datetime(mtime: float | None) -> tuple[int, int]:
    """(time, date) in MS-DOS format, local time as zip tools expect; clamped to 1980..2107."""
    t = time.localtime(time.time() if mtime is None else mtime)
    year = min(max(t.tm_year, 1980), 2107)
    if year != t.tm_year:
        return (0, (year - 1980) << 9 | 1 << 5 | 1)
    dostime = t.tm_hour << 11 | t.tm_min << 5 | min(t.tm_sec, 59) // 2
    dosdate = (year - 1980) << 9 | t.tm_mon << 5 | t.tm_mday
    return dostime, dosdate


# --- the archive writer ----------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    csize: int
    usize: int
    offset: int
    mode: int


class EncryptedZipWriter:
    """Writes encrypted members one after another to a binary stream, then the directory.

    The stream need not be seekable. ``close()`` writes the central directory; without
    it the archive is not valid. ``compress``: True (deflate), False (store) or "auto"
    (deflate only if the member's first :data:`SNIFF` bytes shrink; samples that are
    packed or encrypted are stored, which is several times faster).
    """

    def __init__(self, fh: BinaryIO, password: str | bytes = DEFAULT_PASSWORD, *,
                 compress: bool | Literal["auto"] = True, level: int = 6) -> None:
        self._fh = fh
        self._password = _password_bytes(password)
        self._compress = compress
        self._level = level
        self._entries: list[_Entry] = []
        self._offset = 0
        self._open: MemberWriter | None = None
        self._closed = False

    def _write(self, data: bytes) -> None:
        if data:
            if self._offset + len(data) > ZIP32_LIMIT:
                raise ZipTooLargeError()
            self._fh.write(data)
            self._offset += len(data)

    def open_member(self, arcname: str, *, mtime: float | None = None, mode: int = 0o600) -> MemberWriter:
        """Start a member; write its bytes with ``.write()`` and finish with ``.close()``."""
        if self._closed or self._open is not None:
            raise RuntimeError("finish the current member (or archive) first")
        name = arcname.replace("\\", "/").lstrip("/")
        if not name or any(part in ("", ".", "..") for part in name.split("/")):
            raise VTError(f"Not a safe name inside a ZIP: {arcname!r}.")
        encoded = name.encode("utf-8")
        flags = _FLAG_ENCRYPTED | _FLAG_DESCRIPTOR | (_FLAG_UTF8 if not name.isascii() else 0)
        dostime, dosdate = _dos_datetime(mtime)
        entry = _Entry(encoded, flags, _STORED, dostime, dosdate, 0, 0, 0, self._offset, mode & 0o7777)
        member = MemberWriter(self, entry, self._compress, self._level)
        self._open = member
        return member

    def _start_member(self, entry: _Entry) -> ZipCrypto:
        """The local header and the encryption header, once the method is known."""
        self._write(struct.pack("<IHHHHHIIIHH", _LOCAL_SIG, _VERSION, entry.flags, entry.method, entry.dostime,
                                entry.dosdate, 0, 0, 0, len(entry.name), 0) + entry.name)
        cipher = ZipCrypto(self._password)
        # 11 random bytes, then the check byte: the high byte of the DOS time (bit 3 is set).
        header = secrets.token_bytes(_ENCRYPTION_HEADER - 1) + bytes([(entry.dostime >> 8) & 0xFF])
        self._write(cipher.encrypt(header))
        return cipher

    def _finish_member(self, entry: _Entry) -> None:
        self._write(struct.pack("<IIII", _DESCRIPTOR_SIG, entry.crc, entry.csize, entry.usize))
        self._entries.append(entry)
        self._open = None

    def close(self) -> None:
        """Write the central directory and the end record."""
        if self._closed:
            return
        if self._open is not None:
            self._open.close()
        start = self._offset
        for e in self._entries:
            external = (0o100000 | e.mode) << 16  # a regular file with these permission bits
            self._write(struct.pack(
                "<IHHHHHHIIIHHHHHII", _CENTRAL_SIG, _MADE_BY_UNIX | _VERSION, _VERSION, e.flags, e.method,
                e.dostime, e.dosdate, e.crc, e.csize, e.usize, len(e.name), 0, 0, 0, 0, external, e.offset,
            ) + e.name)
        size = self._offset - start
        if len(self._entries) > 0xFFFF:
            raise ZipTooLargeError("Too many members for a ZIP without ZIP64.")
        self._write(struct.pack("<IHHHHIIH", _END_SIG, 0, 0, len(self._entries), len(self._entries), size, start, 0))
        self._closed = True

    def __enter__(self) -> EncryptedZipWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()


class MemberWriter:
    """One member being written: compress, checksum, encrypt (in big batches), pass on."""

    def __init__(self, archive: EncryptedZipWriter, entry: _Entry, compress: bool | Literal["auto"],
                 level: int) -> None:
        self._archive = archive
        self._entry = entry
        self._compress = compress
        self._level = level
        self._cipher: ZipCrypto | None = None
        self._deflate: Any = None
        self._held = bytearray()  # raw bytes waiting for the method decision ("auto")
        self._pending = bytearray()  # compressed bytes waiting to be encrypted
        self._crc = 0
        self._usize = 0
        self._csize = _ENCRYPTION_HEADER
        self._done = False

    @property
    def size(self) -> int:
        """Bytes of the original content written so far."""
        return self._usize

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._done:
            raise RuntimeError("member already closed")
        if not data:
            return
        if self._usize + len(data) > ZIP32_LIMIT:
            raise ZipTooLargeError()
        self._crc = zlib.crc32(data, self._crc)
        self._usize += len(data)
        if self._cipher is None:
            if self._compress == "auto" and len(self._held) + len(data) < SNIFF:
                self._held += data
                return
            self._begin(bytes(self._held) + bytes(data))
            self._held.clear()
            return
        self._feed(data)

    def _begin(self, first: bytes) -> None:
        """Choose deflate or store (on the first bytes, if "auto"), write the headers."""
        deflate = worth_deflating(first[:SNIFF]) if self._compress == "auto" else bool(self._compress)
        if deflate:
            self._entry.method = _DEFLATED
            self._deflate = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        self._cipher = self._archive._start_member(self._entry)
        self._feed(first)

    def _feed(self, data: bytes | bytearray | memoryview) -> None:
        self._emit(self._deflate.compress(data) if self._deflate is not None else bytes(data))

    def _emit(self, data: bytes, *, final: bool = False) -> None:
        if data:
            if self._csize + len(data) > ZIP32_LIMIT:
                raise ZipTooLargeError()
            self._pending += data
            self._csize += len(data)
        if self._pending and (final or len(self._pending) >= BATCH):
            assert self._cipher is not None
            self._archive._write(self._cipher.encrypt(self._pending))
            self._pending = bytearray()

    def close(self) -> None:
        if self._done:
            return
        if self._cipher is None:
            self._begin(bytes(self._held))
            self._held.clear()
        self._emit(self._deflate.flush() if self._deflate is not None else b"", final=True)
        self._done = True
        e = self._entry
        e.crc, e.csize, e.usize = self._crc & 0xFFFFFFFF, self._csize, self._usize
        self._archive._finish_member(e)


Compress = bool | Literal["auto"]


class _Member:
    """What every writer below needs of a member: write, size, close (ends the archive)."""

    def __init__(self, fh: BinaryIO, arcname: str, *, method: str, password: str | bytes, compress: Compress,
                 mtime: float | None, total: int | None) -> None:
        if method not in METHODS:
            raise VTError(f"Unknown ZIP encryption {method!r}; use one of: {', '.join(METHODS)}.")
        pwd = _password_bytes(password)
        if method == "aes":
            from .zipaes import AESMember

            self._aes: AESMember | None = AESMember(fh, arcname, pwd, compress=compress, mtime=mtime,
                                                    large=total is None or total > 0x7FFFFFFF)
            return
        self._aes = None
        self._archive = EncryptedZipWriter(fh, pwd, compress=compress, level=1 if compress == "auto" else 6)
        self._member = self._archive.open_member(arcname, mtime=mtime)

    @property
    def size(self) -> int:
        return self._aes.size if self._aes is not None else self._member.size

    def write(self, data: bytes) -> None:
        (self._aes or self._member).write(data)

    def close(self) -> None:
        if self._aes is not None:
            self._aes.close()
        else:
            self._archive.close()


def zip_file(
    source: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    arcname: str | None = None,
    password: str | bytes = DEFAULT_PASSWORD,
    compress: Compress = True,
    overwrite: bool = False,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
    method: str = "zipcrypto",
) -> Path:
    """Write ``dest``: a ZIP holding ``source`` encrypted with ``password``. Blocking."""
    src = Path(source)
    size = src.stat().st_size
    if size > ZIP32_LIMIT:
        raise ZipTooLargeError(f"{src.name} is over 4 GB; a ZIP without ZIP64 cannot hold it.")

    def chunks() -> Iterable[bytes]:
        with open(src, "rb") as fh:
            while chunk := fh.read(chunk_size):
                yield chunk

    dest_path = Path(dest)
    refuse_existing(dest_path, overwrite)
    tmp = private_temp(dest_path.parent, dest_path.name)
    try:
        with open(tmp, "wb") as fh:
            member = _Member(fh, arcname or src.name, method=method, password=password, compress=compress,
                             mtime=src.stat().st_mtime, total=size)
            for chunk in chunks():
                member.write(chunk)
                if progress:
                    progress(member.size, size)
            member.close()
        return publish(tmp, dest_path, overwrite=overwrite)
    finally:
        _remove(tmp)


async def zip_stream(
    chunks: AsyncIterable[bytes],
    dest: str | os.PathLike[str],
    *,
    arcname: str,
    password: str | bytes = DEFAULT_PASSWORD,
    compress: Compress = True,
    overwrite: bool = False,
    mtime: float | None = None,
    total: int | None = None,
    progress: Progress | None = None,
    method: str = "zipcrypto",
) -> Path:
    """Write ``dest`` from async chunks (via a private temp file renamed into place)."""
    dest = Path(dest)
    refuse_existing(dest, overwrite)
    tmp = private_temp(dest.parent, dest.name)
    try:
        await write_zip_stream(chunks, tmp, arcname=arcname, password=password, compress=compress,
                               mtime=mtime, total=total, progress=progress, method=method)
        return publish(tmp, dest, overwrite=overwrite)
    finally:
        _remove(tmp)


async def write_zip_stream(
    chunks: AsyncIterable[bytes],
    target: Path,
    *,
    arcname: str,
    password: str | bytes = DEFAULT_PASSWORD,
    compress: Compress = True,
    mtime: float | None = None,
    total: int | None = None,
    progress: Progress | None = None,
    method: str = "zipcrypto",
) -> None:
    """Write the archive into ``target`` (truncated). Compression and the cipher run in a
    thread, a piece at a time, so the event loop stays responsive and memory stays flat
    (pieces are gathered up to :data:`BATCH` bytes: the array cipher wants big ones)."""
    fh = await asyncio.to_thread(open, target, "wb")
    try:
        member = _Member(fh, arcname, method=method, password=password, compress=compress, mtime=mtime, total=total)
        piece = bytearray()
        async for chunk in chunks:
            piece += chunk
            if len(piece) >= BATCH:
                await asyncio.to_thread(member.write, bytes(piece))
                piece.clear()
                if progress:
                    progress(member.size, total)
        if piece:
            await asyncio.to_thread(member.write, bytes(piece))
        if progress:
            progress(member.size, total)
        await asyncio.to_thread(member.close)
    finally:
        await asyncio.to_thread(fh.close)


async def file_chunks(path: str | os.PathLike[str], chunk_size: int = CHUNK) -> AsyncIterable[bytes]:
    """A file's bytes as async chunks, read in a thread (the loop never blocks on disk)."""
    fh = await asyncio.to_thread(open, path, "rb")
    try:
        while chunk := await asyncio.to_thread(fh.read, chunk_size):
            yield chunk
    finally:
        fh.close()


__all__ = [
    "CHUNK",
    "DEFAULT_PASSWORD",
    "METHODS",
    "EncryptedZipWriter",
    "MemberWriter",
    "OutputExistsError",
    "OutputPathError",
    "ZIP32_LIMIT",
    "ZipCrypto",
    "ZipTooLargeError",
    "ensure_directory",
    "file_chunks",
    "private_temp",
    "publish",
    "refuse_existing",
    "zip_file",
    "write_zip_stream",
    "zip_stream",
]

"""Password-protected ZIP files ("ZipCrypto", the traditional PKWARE encryption), streamed.

Why: analysts pass malware samples around zipped with the password ``infected`` so that
mail filters, antivirus scanners and a stray double-click leave them alone. Python's
``zipfile`` reads such archives (``pwd=``) but cannot write them, hence this module.

The writer is one pass and never holds the sample in memory: each member's local header
sets bit 3 (sizes and CRC follow the data in a data descriptor), so the password check
byte comes from the modification time, as Info-ZIP does when it encrypts. Members are
deflated (``zlib.compressobj``) or stored. ZIP64 is not written: anything over 4 GB is
refused with a clear error (VirusTotal samples stop at 650 MB).

ZipCrypto is weak cryptography: this is a safety wrapper, not secrecy. The cipher runs
in pure Python (about 2 MB/s), so async callers run it in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import struct
import tempfile
import time
import zlib
from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ErrorKind, VTError

DEFAULT_PASSWORD = "infected"
CHUNK = 1024 * 1024
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


class OutputExistsError(VTError):
    """A local file is in the way; nothing is overwritten unless the user says so."""

    kind = ErrorKind.CONFLICT
    default_message = "The output file already exists (use --overwrite to replace it)."


class OutputPathError(VTError):
    kind = ErrorKind.INVALID
    default_message = "The output directory cannot be used."


# --- the cipher ------------------------------------------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_CRC = _crc_table()
#: The keystream byte depends only on the low 16 bits of key2: precomputed once.
_KEYSTREAM = bytes((((k | 2) * ((k | 2) ^ 1)) >> 8) & 0xFF for k in range(65536))


class ZipCrypto:
    """The PKWARE stream cipher: three 32-bit keys stirred by every plaintext byte."""

    __slots__ = ("k0", "k1", "k2")

    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        self.encrypt(password)  # the password primes the keys; its ciphertext is dropped

    def encrypt(self, data: bytes | bytearray | memoryview) -> bytes:
        k0, k1, k2 = self.k0, self.k1, self.k2
        crc, ks = _CRC, _KEYSTREAM
        out = bytearray()
        append = out.append
        for p in data:  # hot loop: locals only
            append(p ^ ks[k2 & 0xFFFF])
            k0 = (k0 >> 8) ^ crc[(k0 ^ p) & 0xFF]
            k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
            k2 = (k2 >> 8) ^ crc[(k2 ^ (k1 >> 24)) & 0xFF]
        self.k0, self.k1, self.k2 = k0, k1, k2
        return bytes(out)


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
    it the archive is not valid.
    """

    def __init__(self, fh: BinaryIO, password: str | bytes = DEFAULT_PASSWORD, *, compress: bool = True,
                 level: int = 6) -> None:
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

    def open_member(self, arcname: str, *, mtime: float | None = None, mode: int = 0o600) -> "MemberWriter":
        """Start a member; write its bytes with ``.write()`` and finish with ``.close()``."""
        if self._closed or self._open is not None:
            raise RuntimeError("finish the current member (or archive) first")
        name = arcname.replace("\\", "/").lstrip("/")
        if not name or any(part in ("", ".", "..") for part in name.split("/")):
            raise VTError(f"Not a safe name inside a ZIP: {arcname!r}.")
        encoded = name.encode("utf-8")
        flags = _FLAG_ENCRYPTED | _FLAG_DESCRIPTOR | (_FLAG_UTF8 if not name.isascii() else 0)
        method = _DEFLATED if self._compress else _STORED
        dostime, dosdate = _dos_datetime(mtime)
        entry = _Entry(encoded, flags, method, dostime, dosdate, 0, 0, 0, self._offset, mode & 0o7777)
        self._write(struct.pack("<IHHHHHIIIHH", _LOCAL_SIG, _VERSION, flags, method, dostime, dosdate,
                                0, 0, 0, len(encoded), 0) + encoded)
        cipher = ZipCrypto(self._password)
        # 11 random bytes, then the check byte: the high byte of the DOS time (bit 3 is set).
        header = secrets.token_bytes(_ENCRYPTION_HEADER - 1) + bytes([(dostime >> 8) & 0xFF])
        self._write(cipher.encrypt(header))
        member = MemberWriter(self, entry, cipher, self._level if self._compress else None)
        self._open = member
        return member

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

    def __enter__(self) -> "EncryptedZipWriter":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.close()


class MemberWriter:
    """One member being written: compress, checksum, encrypt, pass to the archive."""

    def __init__(self, archive: EncryptedZipWriter, entry: _Entry, cipher: ZipCrypto, level: int | None) -> None:
        self._archive = archive
        self._entry = entry
        self._cipher = cipher
        self._deflate = zlib.compressobj(level, zlib.DEFLATED, -15) if level is not None else None
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
        self._emit(self._deflate.compress(data) if self._deflate is not None else bytes(data))

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        if self._csize + len(data) > ZIP32_LIMIT:
            raise ZipTooLargeError()
        self._archive._write(self._cipher.encrypt(data))
        self._csize += len(data)

    def close(self) -> None:
        if self._done:
            return
        if self._deflate is not None:
            self._emit(self._deflate.flush())
        self._done = True
        e = self._entry
        e.crc, e.csize, e.usize = self._crc & 0xFFFFFFFF, self._csize, self._usize
        self._archive._finish_member(e)


# --- files on disk ---------------------------------------------------------------------


def ensure_directory(directory: str | os.PathLike[str]) -> Path:
    """The output directory, created private (0700) if missing."""
    path = Path(directory).expanduser()
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{path} is not a directory.")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise OutputPathError(f"Cannot create {path}: {exc.strerror or exc}.") from None
    return path


def private_temp(directory: Path, label: str) -> Path:
    """A new empty file (mode 0600) in ``directory``: written there, then renamed into place."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".vttui-{label[:24]}-", suffix=".part", dir=directory)
    except OSError as exc:
        raise OutputPathError(f"Cannot write in {directory}: {exc.strerror or exc}.") from None
    os.close(fd)  # mkstemp made it 0600 and O_EXCL
    return Path(name)


def publish(tmp: Path, dest: Path, *, overwrite: bool = False) -> Path:
    """Move a finished temp file to ``dest`` (mode 0600, never executable), atomically.

    Without ``overwrite`` an existing ``dest`` is never replaced, even if it appeared
    during the download (a hard link fails when the name is taken).
    """
    os.chmod(tmp, 0o600)
    if overwrite:
        os.replace(tmp, dest)
        return dest
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise OutputExistsError(f"{dest} already exists; not overwritten (use --overwrite to replace it).") from None
    except OSError:
        # No hard links here (FAT, some network shares): check, then rename.
        if dest.exists() or dest.is_symlink():
            raise OutputExistsError(f"{dest} already exists; not overwritten (use --overwrite to replace it).") from None
        os.replace(tmp, dest)
        return dest
    os.unlink(tmp)
    return dest


def refuse_existing(dest: Path, overwrite: bool) -> None:
    """Fail early (before any download) when the output name is taken."""
    if not overwrite and (dest.exists() or dest.is_symlink()):
        raise OutputExistsError(f"{dest} already exists; not overwritten (use --overwrite to replace it).")


def _remove(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def zip_file(
    source: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    arcname: str | None = None,
    password: str | bytes = DEFAULT_PASSWORD,
    compress: bool = True,
    overwrite: bool = False,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
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

    return _write_sync(chunks(), Path(dest), arcname or src.name, password, compress, overwrite,
                       src.stat().st_mtime, size, progress)


def _write_sync(chunks: Iterable[bytes], dest: Path, arcname: str, password: str | bytes, compress: bool,
                overwrite: bool, mtime: float | None, total: int | None, progress: Progress | None) -> Path:
    refuse_existing(dest, overwrite)
    tmp = private_temp(dest.parent, dest.name)
    try:
        with open(tmp, "wb") as fh:
            archive = EncryptedZipWriter(fh, password, compress=compress)
            member = archive.open_member(arcname, mtime=mtime)
            for chunk in chunks:
                member.write(chunk)
                if progress:
                    progress(member.size, total)
            archive.close()
        return publish(tmp, dest, overwrite=overwrite)
    finally:
        _remove(tmp)


async def zip_stream(
    chunks: AsyncIterable[bytes],
    dest: str | os.PathLike[str],
    *,
    arcname: str,
    password: str | bytes = DEFAULT_PASSWORD,
    compress: bool = True,
    overwrite: bool = False,
    mtime: float | None = None,
    total: int | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write ``dest`` from async chunks (via a private temp file renamed into place)."""
    dest = Path(dest)
    refuse_existing(dest, overwrite)
    tmp = private_temp(dest.parent, dest.name)
    try:
        await write_zip_stream(chunks, tmp, arcname=arcname, password=password, compress=compress,
                               mtime=mtime, total=total, progress=progress)
        return publish(tmp, dest, overwrite=overwrite)
    finally:
        _remove(tmp)


async def write_zip_stream(
    chunks: AsyncIterable[bytes],
    target: Path,
    *,
    arcname: str,
    password: str | bytes = DEFAULT_PASSWORD,
    compress: bool = True,
    mtime: float | None = None,
    total: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the archive into ``target`` (truncated). The cipher runs in a thread, a chunk
    at a time, so the event loop stays responsive and memory stays flat."""
    fh = await asyncio.to_thread(open, target, "wb")
    try:
        archive = EncryptedZipWriter(fh, password, compress=compress)
        member = archive.open_member(arcname, mtime=mtime)
        async for chunk in chunks:
            await asyncio.to_thread(member.write, chunk)
            if progress:
                progress(member.size, total)
        await asyncio.to_thread(archive.close)
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

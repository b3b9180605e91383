"""Samples in and out: hash and vet a file before uploading it, save downloads safely.

Shared by the CLI and the TUI so both follow the same rules: a downloaded sample is
named by its SHA-256 (never by a name from VirusTotal, which an attacker chose), is
private (0600) and never executable, is checked against the hash that was asked for,
and can be wrapped in a ZIP encrypted with the analysts' password ``infected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import errors as E
from .sanitize import clean_line
from .ziputil import (
    DEFAULT_PASSWORD,
    METHODS,
    OutputExistsError,
    OutputPathError,
    ensure_directory,
    private_temp,
    publish,
    refuse_existing,
    write_zip_stream,
)

if TYPE_CHECKING:  # the client is only needed for its type here
    from .client import VTClient

CHUNK = 1024 * 1024
#: The same limits the client enforces; repeated here so nothing is hashed for nothing.
SMALL_UPLOAD_LIMIT = 32 * 1024 * 1024
MAX_UPLOAD = 650 * 1024 * 1024

Progress = Callable[[int, int | None], None]
UploadRoute = Literal["direct", "upload_url"]

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_UNSAFE_ID_CHARS = re.compile(r"[/\\?#%\x00-\x1f\x7f]")
_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")

__all__ = [
    "DEFAULT_PASSWORD",
    "FileDigest",
    "OutputExistsError",
    "OutputPathError",
    "SampleIntegrityError",
    "UploadPlan",
    "check_uploadable",
    "find_known_file",
    "hash_file",
    "human_size",
    "normalise_sha256",
    "pcap_filename",
    "plan_upload",
    "save_pcap",
    "save_sample",
    "upload_question",
    "upload_route",
    "url_question",
    "validate_behaviour_id",
]


class SampleIntegrityError(E.VTError):
    """The downloaded bytes are not the sample that was asked for (corrupt or swapped)."""

    kind = E.ErrorKind.NETWORK
    default_message = "The downloaded file does not match the requested SHA-256; it was deleted."


# --- hashing and upload checks ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileDigest:
    size: int
    md5: str
    sha1: str
    sha256: str


class _Hasher:
    """md5, sha1 and sha256 fed together (hashlib releases the GIL on big chunks)."""

    def __init__(self) -> None:
        self.md5, self.sha1, self.sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes) -> None:
        self.md5.update(chunk)
        self.sha1.update(chunk)
        self.sha256.update(chunk)
        self.size += len(chunk)

    def digest(self) -> FileDigest:
        return FileDigest(self.size, self.md5.hexdigest(), self.sha1.hexdigest(), self.sha256.hexdigest())


async def hash_file(path: str | os.PathLike[str], *, progress: Progress | None = None,
                    chunk_size: int = CHUNK) -> FileDigest:
    """Size and hashes of a file, read in 1 MB chunks in a thread (flat memory)."""
    file_path = Path(path)
    try:
        fh = await asyncio.to_thread(open, file_path, "rb")
    except OSError as exc:
        raise E.InvalidArgumentError(f"Cannot read {clean_line(file_path.name)}: {exc.strerror or exc}.") from None
    hasher = _Hasher()

    def step() -> int:
        chunk = fh.read(chunk_size)
        hasher.update(chunk)
        return len(chunk)

    try:
        total = os.fstat(fh.fileno()).st_size
        while await asyncio.to_thread(step):
            if progress:
                progress(hasher.size, total)
    except OSError as exc:
        raise E.InvalidArgumentError(f"Cannot read {clean_line(file_path.name)}: {exc.strerror or exc}.") from None
    finally:
        fh.close()
    return hasher.digest()


def check_uploadable(size: int) -> None:
    """Refuse, before any request, a file VirusTotal would refuse."""
    if size > MAX_UPLOAD:
        raise E.UploadTooLargeError(
            f"The file is {human_size(size)}; VirusTotal accepts files up to 650 MB."
        )


def upload_route(size: int) -> UploadRoute:
    """``direct`` (POST /files) up to 32 MB, else ``upload_url`` (a one-time upload URL)."""
    return "direct" if size <= SMALL_UPLOAD_LIMIT else "upload_url"


@dataclass(frozen=True, slots=True)
class UploadPlan:
    """A file vetted for upload: what it is, how big, and which route it takes."""

    path: Path
    name: str  # the local name, cleaned for display
    digest: FileDigest

    @property
    def route(self) -> UploadRoute:
        return upload_route(self.digest.size)

    @property
    def question(self) -> str:
        return upload_question(self.name, self.digest.size, self.digest.sha256)


async def plan_upload(path: str | os.PathLike[str], *, progress: Progress | None = None) -> UploadPlan:
    """Check that ``path`` is a regular file VirusTotal accepts, and hash it."""
    file_path = Path(path).expanduser()
    try:
        st = file_path.stat()
    except OSError as exc:
        raise E.InvalidArgumentError(f"Cannot read {clean_line(str(file_path))}: {exc.strerror or exc}.") from None
    if not file_path.is_file():
        raise E.InvalidArgumentError(f"{clean_line(str(file_path))} is not a regular file.")
    check_uploadable(st.st_size)  # before hashing 4 GB for nothing
    digest = await hash_file(file_path, progress=progress)
    check_uploadable(digest.size)  # it may have grown meanwhile
    return UploadPlan(file_path, clean_line(file_path.name, 120), digest)


async def find_known_file(client: VTClient, sha256: str) -> dict[str, Any] | None:
    """The file's report if VirusTotal already has it, else None (one cached GET)."""
    try:
        return await client.get_file(normalise_sha256(sha256))
    except E.NotFoundError:
        return None


def human_size(n: int | float) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


def upload_question(name: str, size: int, sha256: str) -> str:
    """The confirmation for an upload: it says plainly what sharing means."""
    return (
        "Files you submit are shared with the security community and downloadable by "
        f"premium users. Upload {clean_line(name, 120)} ({human_size(size)}, sha256 {sha256})?"
    )


def url_question(url: str) -> str:
    return (
        "URLs you submit are shared with the security community and VirusTotal will "
        f"visit them. Submit {clean_line(url, 300)} for scanning?"
    )


# --- downloads -------------------------------------------------------------------------


def normalise_sha256(text: str) -> str:
    """The SHA-256 as 64 lower-case hex characters, or InvalidIOCError."""
    value = text.strip() if isinstance(text, str) else ""
    if not _SHA256.fullmatch(value):
        raise E.InvalidIOCError(f"Not a SHA-256 (64 hex characters): {clean_line(value, 80)!r}.")
    return value.lower()


def validate_behaviour_id(behaviour_id: str) -> str:
    """A sandbox report id (``<sha256>_<sandbox name>``) safe to put in a URL path."""
    value = behaviour_id.strip() if isinstance(behaviour_id, str) else ""
    if not value or len(value) > 300 or _UNSAFE_ID_CHARS.search(value) or value.strip(".") == "":
        raise E.InvalidIOCError(f"Not a sandbox report id: {clean_line(value, 80)!r}.")
    return value


def pcap_filename(behaviour_id: str) -> str:
    """``<id>.pcap`` with everything but letters, digits, dot, dash and underscore made ``_``."""
    stem = _FILENAME_CHARS.sub("_", behaviour_id).strip("._")[:200] or "capture"
    return f"{stem}.pcap"


async def _chunks_hashing(path: Path, sha256: Any) -> AsyncIterator[bytes]:
    """A file's chunks, each hashed as it is read (in the reading thread)."""
    fh = await asyncio.to_thread(open, path, "rb")

    def step() -> bytes:
        chunk = fh.read(CHUNK)
        sha256.update(chunk)
        return chunk

    try:
        while chunk := await asyncio.to_thread(step):
            yield chunk
    finally:
        fh.close()


def _mismatch(expected: str, got: str) -> SampleIntegrityError:
    return SampleIntegrityError(
        f"The downloaded file's SHA-256 is {got}, not the requested {expected}; it was deleted."
    )


async def _hashing(chunks: AsyncIterator[bytes], sha256: Any, progress: Progress | None,
                   total: int | None) -> AsyncIterator[bytes]:
    """The download's chunks, hashed (and counted for the progress bar) as they pass."""
    received = 0
    async for chunk in chunks:
        sha256.update(chunk)
        received += len(chunk)
        if progress:
            progress(received, total)
        yield chunk


async def save_sample(
    client: VTClient,
    sha256: str,
    directory: str | os.PathLike[str],
    *,
    zip: bool = False,  # noqa: A002 - the name callers expect
    password: str = DEFAULT_PASSWORD,
    overwrite: bool = False,
    compress: bool | Literal["auto"] = "auto",
    progress: Progress | None = None,
    method: str = "zipcrypto",
) -> Path:
    """Download a sample into ``directory`` as ``<sha256>`` (or ``<sha256>.zip``).

    The bytes go to a private temp file first; they are checked against ``sha256``
    and only then moved into place, so a partial or wrong file never carries the name.
    With ``zip`` the download streams straight into the encrypted archive (``method``:
    "zipcrypto", the analysts' classic, or "aes", WinZip AES-256), stored inside as
    ``<sha256>``: the bare sample never touches the disk.
    """
    sha = normalise_sha256(sha256)
    if zip and not password:
        raise E.InvalidArgumentError("The ZIP password cannot be empty.")
    if zip and method not in METHODS:
        raise E.InvalidArgumentError(f"Unknown ZIP encryption {method!r}; use one of: {', '.join(METHODS)}.")
    folder = ensure_directory(directory)
    dest = folder / (f"{sha}.zip" if zip else sha)
    refuse_existing(dest, overwrite)  # before spending a download on it
    staging = private_temp(folder, "zip" if zip else sha[:16])
    digest = hashlib.sha256()
    try:
        if zip:
            async def into_zip(chunks: AsyncIterator[bytes], total: int | None) -> None:
                await write_zip_stream(_hashing(chunks, digest, progress, total), staging, arcname=sha,
                                       password=password, compress=compress, total=total, method=method)

            await client.download_file_into(sha, into_zip)
        else:
            await client.download_file(sha, staging, progress=progress)
            digest = hashlib.sha256()
            async for _ in _chunks_hashing(staging, digest):
                pass
        got = digest.hexdigest()
        if got != sha:
            raise _mismatch(sha, got)
        return publish(staging, dest, overwrite=overwrite)
    finally:
        _unlink(staging)


async def save_pcap(
    client: VTClient,
    behaviour_id: str,
    directory: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Download a sandbox report's network capture as ``<behaviour id, sanitised>.pcap``."""
    ident = validate_behaviour_id(behaviour_id)
    folder = ensure_directory(directory)
    dest = folder / pcap_filename(ident)
    refuse_existing(dest, overwrite)
    tmp = private_temp(folder, "pcap")
    try:
        await client.download_pcap(ident, tmp, progress=progress)
        return publish(tmp, dest, overwrite=overwrite)
    finally:
        _unlink(tmp)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()

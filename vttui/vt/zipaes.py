"""One member of a WinZip AES-256 ZIP ("AES-256" in 7-Zip and WinZip), written as it comes.

Why: ZipCrypto keeps mail filters and a stray double-click away from a sample, but its
cipher is broken; a team that must keep samples confidential wants AES. pyzipper (a
zipfile fork with WinZip AES over pycryptodomex, C speed) writes it; this wrapper gives
it the same small interface as :class:`.ziputil.MemberWriter` (``write``, ``size``,
``close``), including the "auto" choice between deflate and store.
"""

from __future__ import annotations

import time
from typing import Any, BinaryIO, Literal

from .errors import VTError
from .zipchoice import SNIFF, worth_deflating

__all__ = ["AESMember"]


def _date_time(mtime: float | None) -> tuple[int, int, int, int, int, int]:
    t = time.localtime(time.time() if mtime is None else mtime)
    if not 1980 <= t.tm_year <= 2107:
        return (1980, 1, 1, 0, 0, 0)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


class AESMember:
    """A one-member AES-256 archive written into ``fh`` (seekable); ``close`` ends it."""

    def __init__(self, fh: BinaryIO, arcname: str, password: bytes, *, compress: bool | Literal["auto"] = "auto",
                 level: int = 1, mtime: float | None = None, large: bool = False) -> None:
        try:
            import pyzipper  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - a dependency; said plainly if missing
            raise VTError("AES ZIPs need the pyzipper package: pip install pyzipper.") from None
        self._pyzipper = pyzipper
        self._zf: Any = pyzipper.AESZipFile(fh, "w", compression=pyzipper.ZIP_DEFLATED, compresslevel=level)
        self._zf.setpassword(password)
        self._zf.setencryption(pyzipper.WZ_AES, nbits=256)
        self._info: Any = self._zf.zipinfo_cls(arcname, date_time=_date_time(mtime))
        self._info.external_attr = (0o100000 | 0o600) << 16
        self._compress = compress
        self._large = large
        self._held = bytearray()
        self._member: Any = None
        self.size = 0
        self._closed = False

    def _begin(self, first: bytes) -> None:
        deflate = worth_deflating(first[:SNIFF]) if self._compress == "auto" else bool(self._compress)
        self._info.compress_type = self._pyzipper.ZIP_DEFLATED if deflate else self._pyzipper.ZIP_STORED
        self._member = self._zf.open(self._info, "w", force_zip64=self._large)
        if first:
            self._member.write(first)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self.size += len(data)
        if self._member is None:
            if self._compress == "auto" and len(self._held) + len(data) < SNIFF:
                self._held += data
                return
            self._begin(bytes(self._held) + bytes(data))
            self._held.clear()
            return
        self._member.write(data)

    def close(self) -> None:
        if self._closed:
            return
        if self._member is None:
            self._begin(bytes(self._held))
        self._member.close()
        self._zf.close()
        self._closed = True

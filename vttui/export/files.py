"""Writing an export to disk: atomically, private (mode 0600), never half a file.

Reports can name internal hosts and ticket details; they are written like the key is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..vt.errors import ErrorKind, VTError


class ExportWriteError(VTError):
    """The file could not be written (bad directory, permissions, disk full)."""

    kind = ErrorKind.INVALID


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` via a temp file in the same folder, then rename."""
    dest = Path(path).expanduser()
    folder = dest.parent
    if not folder.is_dir():
        raise ExportWriteError(f"Cannot write {dest}: the folder {folder} does not exist.")
    if dest.is_dir():
        raise ExportWriteError(f"Cannot write {dest}: it is a folder.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".vttui-", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportWriteError(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        os.chmod(dest, 0o600)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ExportWriteError(f"Cannot write {dest}: {exc.strerror or exc}.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest


class PartialFile:
    """A file written piece by piece (``relations --all -o FILE``): the pieces go to a
    private temp file beside ``path``; :meth:`commit` moves it into place, whatever
    stopped the run, so the file holds everything that arrived and never half a rename.
    :meth:`discard` drops it (nothing worth keeping was written)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        dest = Path(path).expanduser()
        folder = dest.parent
        if not folder.is_dir():
            raise ExportWriteError(f"Cannot write {dest}: the folder {folder} does not exist.")
        if dest.is_dir():
            raise ExportWriteError(f"Cannot write {dest}: it is a folder.")
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=".vttui-", suffix=".part", dir=folder)
        except OSError as exc:
            raise ExportWriteError(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
        os.fchmod(fd, 0o600)
        self.path = dest
        self.bytes = 0
        self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, text: str) -> None:
        try:
            self._fh.write(text)
        except OSError as exc:
            self.discard()
            raise ExportWriteError(f"Cannot write {self.path}: {exc.strerror or exc}.") from None
        self.bytes += len(text.encode("utf-8", "surrogatepass"))

    def commit(self) -> Path:
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.path)
            os.chmod(self.path, 0o600)
        except OSError as exc:
            self.discard()
            raise ExportWriteError(f"Cannot write {self.path}: {exc.strerror or exc}.") from None
        return self.path

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._fh.close()
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)

"""Writing an export to disk: atomically, private (mode 0600), never half a file, and
never over an earlier export unless the user said so.

Reports can name internal hosts and ticket details; they are written like the key is.
An existing file is replaced only with ``overwrite`` (the CLI's ``--force``; a dialog
asks first, with :func:`target_exists`, or proposes :func:`free_path`).
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


class ExportExistsError(VTError):
    """The target file exists and the user did not say to replace it (exit code 7)."""

    kind = ErrorKind.CONFLICT


def target_exists(path: str | os.PathLike[str]) -> bool:
    """Whether writing ``path`` would replace something (a file, a link, even a broken one):
    what a dialog asks about before it overwrites."""
    dest = Path(path).expanduser()
    return dest.exists() or dest.is_symlink()


def refuse_existing(path: str | os.PathLike[str], overwrite: bool, *, hint: str = "--force") -> None:
    """ExportExistsError when ``path`` exists and ``overwrite`` is not set (checked before
    any request, so a refused export costs no quota)."""
    if not overwrite and target_exists(path):
        raise ExportExistsError(f"{Path(path).expanduser()} already exists; not overwritten "
                                f"(use {hint} to replace it, or choose another name).")


def free_path(path: str | os.PathLike[str]) -> Path:
    """``path`` if nothing is there, else the first free ``name-2.ext``, ``name-3.ext``...
    (the name a dialog proposes instead of replacing an earlier export)."""
    dest = Path(path).expanduser()
    if not target_exists(dest):
        return dest
    stem, suffix = dest.stem, dest.suffix
    for n in range(2, 10_000):
        candidate = dest.with_name(f"{stem}-{n}{suffix}")
        if not target_exists(candidate):
            return candidate
    raise ExportWriteError(f"Cannot find a free name beside {dest}.")


def _publish(tmp: str, dest: Path, overwrite: bool) -> None:
    """Move the finished temp file into place; without ``overwrite`` never replace a file,
    even one that appeared meanwhile (a hard link fails when the name is taken)."""
    if overwrite:
        os.replace(tmp, dest)
        return
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise ExportExistsError(f"{dest} already exists; not overwritten (use --force to replace it).") from None
    except OSError:  # no hard links here (FAT, some network shares): check, then rename
        refuse_existing(dest, False)
        os.replace(tmp, dest)
        return
    os.unlink(tmp)


def write_atomic(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` via a temp file in the same folder, then rename.
    An existing file is replaced only with ``overwrite`` (ExportExistsError otherwise)."""
    dest = Path(path).expanduser()
    folder = dest.parent
    if not folder.is_dir():
        raise ExportWriteError(f"Cannot write {dest}: the folder {folder} does not exist.")
    if dest.is_dir():
        raise ExportWriteError(f"Cannot write {dest}: it is a folder.")
    refuse_existing(dest, overwrite)
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
        _publish(tmp, dest, overwrite)
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

    def __init__(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        dest = Path(path).expanduser()
        folder = dest.parent
        if not folder.is_dir():
            raise ExportWriteError(f"Cannot write {dest}: the folder {folder} does not exist.")
        if dest.is_dir():
            raise ExportWriteError(f"Cannot write {dest}: it is a folder.")
        refuse_existing(dest, overwrite)
        self.overwrite = overwrite
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
            _publish(self._tmp, self.path, self.overwrite)
            os.chmod(self.path, 0o600)
        except OSError as exc:
            self.discard()
            raise ExportWriteError(f"Cannot write {self.path}: {exc.strerror or exc}.") from None
        except BaseException:
            self.discard()
            raise
        return self.path

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._fh.close()
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)

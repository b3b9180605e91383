"""Output files on disk (downloads, archives): a private folder, a private temp file, and
a rename into place that never replaces a file the user did not agree to replace.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import ErrorKind, VTError

__all__ = ["OutputExistsError", "OutputPathError", "ensure_directory", "private_temp", "publish", "refuse_existing"]


class OutputExistsError(VTError):
    """A local file is in the way; nothing is overwritten unless the user says so."""

    kind = ErrorKind.CONFLICT
    default_message = "The output file already exists (use --overwrite to replace it)."


class OutputPathError(VTError):
    kind = ErrorKind.INVALID
    default_message = "The output directory cannot be used."


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
            raise OutputExistsError(
                f"{dest} already exists; not overwritten (use --overwrite to replace it).") from None
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

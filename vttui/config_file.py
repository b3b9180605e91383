"""The config file on disk: read only if it is a regular file; written (it holds a
secret) privately, atomically, keeping the user's own layout.

The text is edited with tomlkit, so comments, arrays, inline tables and key order
survive a save. The new text goes to a fresh temp file in the same folder, created by
``tempfile.mkstemp`` (``O_CREAT | O_EXCL``, mode 0600, a random name: a link planted
in advance can never be written through), flushed to disk, then renamed over the
config in one step. On any failure the temp file is removed, so no copy of the key is
left behind. A config path that is itself a link, a folder or a device is refused.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from .vt.errors import ConfigError

#: A config file is a few hundred bytes; anything this big is not one.
MAX_CONFIG_BYTES = 1024 * 1024
HEADER = "# vttui settings. Holds your VirusTotal API key: keep this file private.\n"


def regular_file_or_none(path: Path) -> os.stat_result | None:
    """The file's stat when it exists; ConfigError when it exists but is not a regular
    file (a folder, a device such as /dev/null, a socket): silently ignoring it would
    hide the user's settings, and writing to it would fail or worse."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ConfigError(f"The config file {path} is a link to nothing; remove it.") from None
        return None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a device or special file"
        raise ConfigError(f"The config file {path} is not a regular file (it is {kind}); "
                          "remove it or point VTTUI_CONFIG_DIR elsewhere.")
    return st


def read_config_text(path: Path) -> str | None:
    """The file's text, or None when there is no file."""
    st = regular_file_or_none(path)
    if st is None:
        return None
    if st.st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"The config file {path} is {st.st_size:,} bytes; a config file is far smaller.")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"Cannot read the config file {path}: {reason}.") from None


def _parse(path: Path, text: str) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix it before saving.") from None
    except RecursionError:
        raise ConfigError(f"The config file {path} has arrays or tables nested too deeply.") from None


def _set(doc: TOMLDocument, dotted: tuple[str, ...], value: Any) -> None:
    """Set ``a.b = value``, creating table ``a`` (after the other content) if missing."""
    *tables, name = dotted
    node: Any = doc
    for part in tables:
        if part not in node:
            node[part] = tomlkit.table()
        node = node[part]
        if not isinstance(node, (Table, dict)):
            raise ConfigError(f"[{part}] in the config file must be a table; fix it before saving.")
    if not tables and name not in doc:
        # Top-level keys must come before the first table, or TOML would file them under it.
        at = next((i for i, (key, _item) in enumerate(doc.body) if key is not None), len(doc.body))
        before_table = at < len(doc.body) and isinstance(doc.body[at][1], (Table, AoT))
        doc.body.insert(at, (tomlkit.key(name), tomlkit.item(value)))
        if before_table:
            doc.body.insert(at + 1, (None, tomlkit.ws("\n")))
        return
    node[name] = value


def render_config(path: Path, text: str | None, updates: Mapping[tuple[str, ...], Any]) -> str:
    """The new file text: ``text`` with ``updates`` applied, everything else untouched."""
    doc = _parse(path, text) if text is not None else tomlkit.document()
    for dotted, value in updates.items():
        _set(doc, dotted, value)
    out = tomlkit.dumps(doc)
    if text is None:
        out = HEADER + out
    return out


def _refuse_links(path: Path) -> None:
    if path.is_symlink():
        raise ConfigError(
            f"The config file {path} is a symbolic link; vttui does not write the API key through links. "
            "Replace it with a regular file or set VTTUI_CONFIG_DIR to the real folder."
        )


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: private temp file, fsync, atomic rename; never a leftover."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the config folder {folder}: {exc.strerror or exc}.") from None
    if not folder.is_dir():
        raise ConfigError(f"Cannot save to {path}: {folder} is not a folder.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ConfigError(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
    try:
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fd = -1
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            raise ConfigError(f"Cannot save {path}: {exc.strerror or exc}.") from None
    except BaseException:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def update_config(path: Path, updates: Mapping[tuple[str, ...], Any]) -> Path:
    """Apply ``updates`` (dotted key -> value) to the config file at ``path``, safely."""
    _refuse_links(path)
    text = read_config_text(path)  # refuses a folder or a device by name
    write_private(path, render_config(path, text, updates))
    return path

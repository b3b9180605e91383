"""Many at once: `vttui download HASH [HASH...] [-]` and `vttui submit DIR [--recursive]`.

Downloads go one after another (each is big, and the quota is per request), one line
per hash as each ends; the exit code is the highest of them all, so a script sees the
worst outcome. A key that may not download (403) or a spent quota stops the run: the
hashes left are named, not tried.

A folder is submitted the way an analyst would do it by hand, cheaply: every file is
hashed first, each hash is looked up (cached answers cost nothing), and only the files
VirusTotal does not know are uploaded, after one confirmation that lists them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.ioc import IOCType, classify
from ..vt.samples import (
    DEFAULT_PASSWORD,
    MAX_UPLOAD,
    FileDigest,
    find_known_file,
    hash_file,
    human_size,
    normalise_sha256,
    save_sample,
)
from ..vt.sanitize import clean_line
from ..vt.ziputil import METHODS
from . import output, prompt
from .lookup import read_inputs
from .registry import command

_HASH_TYPES = (IOCType.MD5, IOCType.SHA1, IOCType.SHA256)
#: Errors after which the other hashes would fail the same way: stop, say which were left.
_FATAL = (E.AuthenticationRequiredError, E.ForbiddenError, E.QuotaExceededError, E.MissingAPIKeyError)
#: Lookups of a folder's hashes in flight at once (the limiter still paces them).
LOOKUP_CONCURRENCY = 4


def worst(codes: list[int]) -> int:
    """The exit code of a run of many: the highest one (0 when all went well)."""
    return max(codes, default=0)


def _line(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _emit_json(data: Any) -> None:
    """One JSON document on stdout; lone surrogates fall back to \\u escapes (still valid)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        sys.stdout.write(text + "\n")
    except UnicodeEncodeError:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    sys.stdout.flush()


# --- download -------------------------------------------------------------------------


class _ZipAction(argparse.Action):
    """``--zip`` alone means ZipCrypto; ``--zip aes`` AES-256. A value that is neither
    (``vttui download --zip HASH``) is a hash argparse took for the option's value: it
    is handed back to the hashes."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if values is None or values in METHODS:
            setattr(namespace, self.dest, values or "zipcrypto")
            return
        setattr(namespace, self.dest, "zipcrypto")
        namespace.more_hashes = [*getattr(namespace, "more_hashes", []), values]


def _download_args(p: argparse.ArgumentParser) -> None:
    # "*": `--zip HASH` may have taken the only hash (see _ZipAction); none at all is refused below
    p.add_argument("hashes", nargs="*", metavar="HASH",
                   help="MD5, SHA-1 or SHA-256 of a sample; several are downloaded one after another; "
                        "'-' reads them from stdin, one a line")
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="directory to save into (default: here)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file of the same name")
    p.add_argument("--zip", nargs="?", action=_ZipAction, default=None, metavar="METHOD",
                   help=f"save <sha256>.zip encrypted with the password '{DEFAULT_PASSWORD}' instead of the bare "
                        "sample (never written to disk bare): zipcrypto (the default, opens everywhere) or aes "
                        "(AES-256, for 7-Zip and WinZip)")
    p.add_argument("--password", metavar="P", help="ZIP password (implies --zip)")
    p.add_argument("--format", "-f", choices=["text", "json"], default="text", help="output format (default text)")


async def _sha256_of(client: VTClient, text: str) -> str:
    ioc = classify(text)
    if ioc.type not in _HASH_TYPES:
        raise E.InvalidIOCError(f"download takes a file hash (MD5, SHA-1 or SHA-256), not a {ioc.label}.")
    if ioc.type is IOCType.SHA256:
        return ioc.value
    # the file is saved and checked by its SHA-256: learn it first (one cached GET)
    data = await client.get_file(ioc.value)
    raw_attrs = data.get("attributes")
    attrs: dict[str, Any] = raw_attrs if isinstance(raw_attrs, dict) else {}
    raw_sha = attrs.get("sha256")
    sha = raw_sha if isinstance(raw_sha, str) else str(data.get("id") or "")
    return normalise_sha256(sha)


@command("download", "download samples, each named by its SHA-256 (premium keys)")(_download_args)
async def download(args: argparse.Namespace, client: VTClient) -> int:
    given = [*args.hashes, *getattr(args, "more_hashes", [])]
    if not given:
        raise E.InvalidArgumentError("download needs at least one hash (or '-' to read them from stdin).")
    pairs, _stdin = read_inputs(given)
    if not pairs:
        raise E.InvalidIOCError("No hashes were given (stdin was empty).")
    for text, where in pairs:  # every input is checked before the first download
        ioc = classify(text)
        if ioc.type not in _HASH_TYPES:
            raise E.InvalidIOCError(f"{where}: download takes file hashes (MD5, SHA-1 or SHA-256), not a "
                                    f"{ioc.label}. Nothing was downloaded.")
    if args.password is not None and not args.password:
        raise E.InvalidArgumentError("The ZIP password cannot be empty.")
    method = args.zip or ("zipcrypto" if args.password is not None else None)
    single = len(pairs) == 1
    results: list[dict[str, Any]] = []
    codes: list[int] = []
    for n, (text, _where) in enumerate(pairs):
        result: dict[str, Any] = {"hash": text}
        try:
            sha = await _sha256_of(client, text)
            result["sha256"] = sha
            bar = output.Progress(f"downloading {n + 1}/{len(pairs)}" if not single else "downloading")
            try:
                path = await save_sample(client, sha, args.output, zip=method is not None,
                                         password=args.password or DEFAULT_PASSWORD, overwrite=args.overwrite,
                                         progress=bar, method=method or "zipcrypto")
            finally:
                bar.finish()
        except E.VTError as exc:
            if single:
                raise
            codes.append(exc.exit_code)
            results.append({**result, "error": exc.message, "exit_code": exc.exit_code})
            output.error(f"{clean_line(text, 80)}: {exc.message}")
            if isinstance(exc, _FATAL):
                left = [t for t, _ in pairs[n + 1:]]
                if left:
                    names = ", ".join(clean_line(t, 80) for t in left)
                    output.warn(f"stopped: {len(left)} hash(es) not tried: {names}")
                break
            continue
        absolute = Path(os.path.abspath(path))
        codes.append(0)
        results.append({**result, "path": str(absolute), "zip": method is not None, "zip_method": method,
                        "bytes": absolute.stat().st_size})
        if args.format != "json":
            _line(str(absolute))
            sys.stdout.flush()
    if args.format == "json":
        if single:
            only = results[0]
            _emit_json({"path": only["path"], "sha256": only["sha256"], "zip": only["zip"],
                        "zip_method": only["zip_method"], "bytes": only["bytes"]})
        else:
            _emit_json(results)
    return worst(codes)


# --- submit a folder ------------------------------------------------------------------


@dataclass(slots=True)
class Entry:
    """One file of the folder and what became of it."""

    path: Path
    digest: FileDigest | None = None
    status: str = ""  # known, uploaded, failed, skipped
    detail: str = ""
    analysis_id: str = ""
    exit_code: int = 0
    report: dict[str, Any] | None = field(default=None, repr=False)


def list_files(folder: Path, recursive: bool) -> list[Path]:
    """Regular files of ``folder`` (and its subfolders), sorted; links are not followed
    (a link could lead out of the folder the user named)."""
    found: list[Path] = []
    if recursive:
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                if path.is_file() and not path.is_symlink():
                    found.append(path)
    else:
        found = sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())
    return found


def _question(todo: list[Entry], folder: Path) -> str:
    shown = todo[:20]
    lines = [f"  {clean_line(str(e.path.relative_to(folder)), 100)}  ({human_size(e.digest.size)})"  # type: ignore[union-attr]
             for e in shown]
    if len(todo) > len(shown):
        lines.append(f"  ... and {len(todo) - len(shown)} more")
    total = sum(e.digest.size for e in todo if e.digest)
    return ("VirusTotal does not know these files. Files you submit are shared with the security community and "
            f"downloadable by premium users. Upload these {len(todo)} file(s) ({human_size(total)} in all)?\n"
            + "\n".join(lines) + "\n")


async def _hash_all(entries: list[Entry]) -> None:
    bar = output.Progress("hashing")
    try:
        for n, entry in enumerate(entries, 1):
            bar.step(f"{n}/{len(entries)} files")
            try:
                entry.digest = await hash_file(entry.path)
            except E.VTError as exc:
                entry.status, entry.detail, entry.exit_code = "failed", exc.message, exc.exit_code
                continue
            if entry.digest.size > MAX_UPLOAD:
                entry.status, entry.exit_code = "skipped", E.EXIT_CODES[E.ErrorKind.INVALID]
                entry.detail = f"{human_size(entry.digest.size)}; VirusTotal accepts files up to 650 MB"
    finally:
        bar.finish()


async def _look_up_all(client: VTClient, entries: list[Entry]) -> None:
    """Which files VirusTotal knows (one cached GET per distinct hash, a few at a time)."""
    by_hash: dict[str, list[Entry]] = {}
    for entry in entries:
        if not entry.status and entry.digest is not None:
            by_hash.setdefault(entry.digest.sha256, []).append(entry)
    hashes = list(by_hash)
    queue = iter(hashes)
    bar = output.Progress("looking up")
    done = 0

    async def worker() -> None:
        nonlocal done
        for sha in queue:
            known = await find_known_file(client, sha)
            done += 1
            bar.step(f"{done}/{len(hashes)} hashes")
            for entry in by_hash[sha]:
                if known is not None:
                    entry.status, entry.report, entry.detail = "known", known, "already on VirusTotal"

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, min(LOOKUP_CONCURRENCY, len(hashes))))))
    finally:
        bar.finish()


async def _upload_all(client: VTClient, todo: list[Entry], password: str | None) -> None:
    uploaded: dict[str, Entry] = {}
    for n, entry in enumerate(todo, 1):
        assert entry.digest is not None
        twin = uploaded.get(entry.digest.sha256)
        if twin is not None:  # the same bytes twice in the folder: one upload
            entry.status, entry.analysis_id, entry.detail = twin.status, twin.analysis_id, "same file as above"
            continue
        bar = output.Progress(f"uploading {n}/{len(todo)}")
        try:
            descriptor = await client.upload_file(entry.path, progress=bar, password=password)
        except E.VTError as exc:
            entry.status, entry.detail, entry.exit_code = "failed", exc.message, exc.exit_code
            if isinstance(exc, _FATAL):
                for rest in todo[n:]:
                    rest.status, rest.detail, rest.exit_code = "skipped", f"not tried after: {exc.message}", \
                        exc.exit_code
                return
            continue
        finally:
            bar.finish()
        ident = descriptor.get("id")
        entry.status, entry.analysis_id = "uploaded", ident if isinstance(ident, str) else ""
        uploaded[entry.digest.sha256] = entry


def _print_entries(entries: list[Entry], folder: Path, fmt: str) -> None:
    if fmt == "json":
        _emit_json([{"path": str(e.path), "sha256": e.digest.sha256 if e.digest else None, "status": e.status,
                     "analysis_id": e.analysis_id or None, "detail": e.detail or None} for e in entries])
        return
    for e in entries:
        sha = e.digest.sha256 if e.digest else "-"
        extra = e.analysis_id or e.detail
        _line(f"{e.status:<8}  {sha}  {clean_line(str(e.path.relative_to(folder)), 200)}"
              + (f"  {clean_line(extra, 200)}" if extra else ""))


async def submit_directory(args: argparse.Namespace, client: VTClient, folder: Path) -> int:
    """`vttui submit DIR`: hash everything, look it up, upload only the unknown files."""
    files = list_files(folder, args.recursive)
    if not files:
        hint = "" if args.recursive else " (add --recursive for subfolders)"
        raise E.InvalidArgumentError(f"No files in {clean_line(str(folder), 200)}{hint}.")
    entries = [Entry(path) for path in files]
    await _hash_all(entries)
    if args.force:
        todo = [e for e in entries if not e.status]
    else:
        await _look_up_all(client, entries)
        todo = [e for e in entries if not e.status]
    if todo:
        prompt.require(_question(todo, folder), yes_flag=args.yes)
        await _upload_all(client, todo, args.archive_password)
    _print_entries(entries, folder, args.format)
    return worst([e.exit_code for e in entries])

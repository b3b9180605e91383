"""`vttui lookup IOC... | -`: print reports in JSON, Markdown, XML, raw JSON or CSV.

All inputs are classified before any request: one bad input stops the command (exit 2)
and names the input and its position. Lookups then run through the shared rate limiter
(a few at a time), and results come out in input order.

Shapes: one IOC given as an argument gives one document for that object; several IOCs,
or any read from stdin (``-``), give one document holding them all (a JSON array, one
XML root, Markdown reports separated by ``---``, CSV rows naming their object).

A not-found among several is reported on stderr and skipped; the others are printed
and the exit code is 3. Any other error stops the run: the results before the failing
input are still printed, then the error is reported with its exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..export import FORMATS, get_template, redact, render, render_batch
from ..export.files import write_atomic
from ..vt.cache import FetchInfo
from ..vt.client import VTClient
from ..vt.errors import (
    EXIT_CODES,
    ErrorKind,
    InvalidArgumentError,
    InvalidIOCError,
    NotFoundError,
    QuotaExceededError,
    VTError,
)
from ..vt.ioc import IOC, IOCType, classify
from ..vt.refs import ObjectRef, path_segment
from ..vt.relationships import get_relationship, relationships_for
from ..vt.sanitize import clean_line
from . import output
from .registry import command

#: Lookups in flight at once (the limiter still paces them).
CONCURRENCY = 4
EXIT_NOT_FOUND = EXIT_CODES[ErrorKind.NOT_FOUND]


@dataclass(frozen=True, slots=True)
class Input:
    """One indicator as the user gave it, with where it came from (for messages)."""

    ioc: IOC
    where: str


@dataclass(slots=True)
class Batch:
    """What a batch lookup produced, in input order."""

    results: list[tuple[Input, dict[str, Any]]] = field(default_factory=list)
    not_found: list[tuple[Input, VTError]] = field(default_factory=list)
    #: The error that stopped the run, and the input it happened on.
    stopped: tuple[Input, VTError] | None = None


def _quote(text: str) -> str:
    return repr(clean_line(text, 80))


def read_inputs(args: Sequence[str], stdin: TextIO | None = None) -> tuple[list[tuple[str, str]], bool]:
    """(text, where) pairs with ``-`` expanded to stdin's lines; and whether stdin was read.

    Blank lines and lines starting with ``#`` are skipped.
    """
    pairs: list[tuple[str, str]] = []
    used_stdin = False
    for n, arg in enumerate(args, 1):
        if arg != "-":
            pairs.append((arg, f"argument {n}"))
            continue
        if used_stdin:
            raise InvalidArgumentError("'-' (read stdin) can be given only once.")
        used_stdin = True
        stream = stdin if stdin is not None else sys.stdin
        for line_no, line in enumerate(stream, 1):
            text = line.strip()
            if text and not text.startswith("#"):
                pairs.append((text, f"stdin line {line_no}"))
    return pairs, used_stdin


def classify_inputs(pairs: Sequence[tuple[str, str]]) -> list[Input]:
    """Classify everything first; InvalidIOCError naming every bad input otherwise."""
    inputs: list[Input] = []
    bad: list[str] = []
    for text, where in pairs:
        try:
            inputs.append(Input(classify(text), where))
        except InvalidIOCError as exc:
            bad.append(f"{where} ({_quote(text)}): {exc.message}")
    if bad:
        shown = bad[:10] + ([f"... and {len(bad) - 10} more"] if len(bad) > 10 else [])
        raise InvalidIOCError("; ".join(shown) + " Nothing was looked up.")
    if not inputs:
        raise InvalidIOCError("No indicators were given (stdin was empty).")
    return inputs


def relationships_by_input(inputs: Sequence[Input], names: Sequence[str]) -> list[tuple[str, ...]]:
    """The requested relationships valid for each input's type; unknown everywhere is an error."""
    types = {i.ioc.object_type for i in inputs}
    for name in names:
        if not any(get_relationship(t, name) for t in types):
            valid = sorted({r.name for t in types for r in relationships_for(t)})
            raise InvalidArgumentError(
                f"Unknown relationship {name!r} for {', '.join(sorted(types))}; valid: {', '.join(valid) or 'none'}."
            )
    return [tuple(n for n in names if get_relationship(i.ioc.object_type, n)) for i in inputs]


async def lookup_batch(
    client: VTClient,
    inputs: Sequence[Input],
    *,
    relationships: Sequence[Sequence[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    concurrency: int = CONCURRENCY,
) -> Batch:
    """Look everything up through the client's limiter; results in input order."""
    total = len(inputs)
    slots: list[dict[str, Any] | VTError | None] = [None] * total
    queue = iter(range(total))
    stop = False
    done = 0

    async def worker() -> None:
        nonlocal done, stop
        for index in queue:
            if stop:
                return
            rels = relationships[index] if relationships else ()
            try:
                slots[index] = await _lookup_once_more_after_a_minute(client, inputs[index].ioc, rels)
            except VTError as exc:
                slots[index] = exc
                if not isinstance(exc, NotFoundError):
                    stop = True
                    return
            done += 1
            if progress is not None:
                progress(done, total)

    # A stopping error lets lookups already in flight finish but starts no new ones.
    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, total)))))
    return _collect(inputs, slots)


async def _lookup_once_more_after_a_minute(client: VTClient, ioc: Any, rels: Sequence[str]) -> dict[str, Any]:
    """A batch should not die of one per-minute 429: the client's limiter now holds
    requests for a minute; try that item once more (a spent daily quota is final)."""
    try:
        return await client.lookup(ioc, relationships=rels)
    except QuotaExceededError:
        state = client.limiter.state()
        if state.left_day == 0:
            raise
        output.warn("VirusTotal says the quota is spent; waiting for the per-minute window, then trying once more")
        return await client.lookup(ioc, relationships=rels)


def _collect(inputs: Sequence[Input], slots: list[Any]) -> Batch:
    """Results up to the first stopping error, in input order."""
    batch = Batch()
    for item, slot in zip(inputs, slots, strict=False):
        if isinstance(slot, NotFoundError):
            batch.not_found.append((item, slot))
        elif isinstance(slot, dict):
            batch.results.append((item, slot))
        else:
            if isinstance(slot, VTError):
                batch.stopped = (item, slot)
            break
    return batch


def _fetched(client: VTClient, data: dict[str, Any]) -> FetchInfo | None:
    """When the report was fetched, if it came from the cache (said in the export)."""
    kind, ident = data.get("type"), data.get("id")
    if not isinstance(kind, str) or not isinstance(ident, str) or not ident:
        return None
    try:
        return client.fetch_info(f"/analyses/{path_segment(ident)}" if kind == "analysis" else ObjectRef(kind, ident))
    except ValueError:
        return None


def output_file_args(p: argparse.ArgumentParser) -> None:
    """``-o FILE`` and ``--force``: an existing FILE is refused (before any request) unless
    ``--force`` says to replace it."""
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (mode 0600) instead of stdout")
    p.add_argument("--force", action="store_true", help="with -o: replace FILE if it exists (else refused)")
    p.set_defaults(output_is_file=True)


def emit(text: str, args: argparse.Namespace, client: VTClient | None) -> None:
    """Write the result to ``-o FILE`` (atomically, 0600) or stdout; never the API key."""
    text = redact(text, getattr(client, "api_key", None))
    target = getattr(args, "output", None)
    if target:
        path = write_atomic(target, text, overwrite=getattr(args, "force", False))
        output.warn(f"wrote {len(text.encode('utf-8')):,} bytes to {path}")
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("iocs", nargs="+", metavar="IOC",
                   help="hash, URL, domain, IP or analysis id (defanged is fine); "
                   "'-' reads them from stdin, one a line")
    p.add_argument("--format", "-f", choices=FORMATS, default="json", help="output format (default json)")
    p.add_argument("--template", "-t", metavar="NAME", help="trim fields with a template (see `vttui templates`)")
    output_file_args(p)
    p.add_argument("--relationships", "-r", metavar="REL,...",
                   help="also fetch these relationships' first items (see `vttui relationship-types`)")
    p.add_argument("--refresh", action="store_true",
                   help="fetch fresh reports: ignore what earlier runs cached (the fresh ones are cached)")


@command("lookup", "look up hashes, URLs, domains or IPs and print their reports")(_args)
async def lookup(args: argparse.Namespace, client: VTClient) -> int:
    template = get_template(args.template)  # an unknown name fails before any request
    pairs, used_stdin = read_inputs(args.iocs)
    inputs = classify_inputs(pairs)  # garbage is refused before any request
    names = [n.strip() for n in (args.relationships or "").split(",") if n.strip()]
    if names and any(i.ioc.type is IOCType.ANALYSIS for i in inputs):
        raise InvalidArgumentError("Analyses have no relationships; drop --relationships or the analysis id.")
    rels = relationships_by_input(inputs, names) if names else None
    many = len(inputs) > 1 or used_stdin

    bar = output.Progress("looking up")
    bar.enabled = bar.enabled and many
    batch = await lookup_batch(client, inputs, relationships=rels,
                               progress=lambda d, t: bar.step(f"{d}/{t}"))
    bar.finish()

    if not many:
        if batch.stopped or batch.not_found:
            raise (batch.stopped or batch.not_found[0])[1]
        data = batch.results[0][1]
        emit(render(data, args.format, template=template, fetched=_fetched(client, data)), args, client)
        return 0

    for item, error in batch.not_found:
        output.error(f"{item.where} ({_quote(item.ioc.original)}): {error.message}")
    objects = [data for _item, data in batch.results]
    fetched = [_fetched(client, data) for data in objects]
    emit(render_batch(objects, args.format, template=template, fetched=fetched), args, client)
    if batch.stopped:
        item, error = batch.stopped
        output.error(
            f"stopped at {item.where} ({_quote(item.ioc.original)}): {error.message} "
            f"(the output holds the {len(objects)} results before it)"
        )
        return error.exit_code
    return EXIT_NOT_FOUND if batch.not_found else 0

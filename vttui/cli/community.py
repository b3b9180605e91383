"""Comments and votes from the shell: read them (paged, ``--all``) and add one.

Adding is a write: it asks first (``--yes`` in scripts) and shows the text as it will be
posted. What others wrote is printed cleaned (escape and control characters removed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from ..vt import errors as E
from ..vt.client import VTClient
from ..vt.models import Comment, Vote
from ..vt.paging import Paginator
from ..vt.sanitize import clean_comment, clean_line, clean_text
from . import output, prompt
from .action_common import (
    add_format_arg,
    add_paging_args,
    add_yes_arg,
    date_text,
    describe,
    echo,
    emit_json,
    report_ioc,
)
from .registry import command
from .walk import MAX_ITEMS, bounded, report_stop, walk

# --- comments and votes --------------------------------------------------------------


def _read_stdin_text() -> str:
    raw = getattr(sys.stdin, "buffer", None)
    try:
        return raw.read().decode("utf-8") if raw is not None else sys.stdin.read()
    except UnicodeDecodeError:
        raise E.InvalidArgumentError("The comment on stdin is not UTF-8 text.") from None


def _comment_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP")
    p.add_argument("text", metavar="TEXT", help="the comment; - reads it from stdin (then --yes is needed)")
    add_yes_arg(p)
    add_format_arg(p)


@command("comment", "post a public comment on a file, URL, domain or IP")(_comment_args)
async def comment(args: argparse.Namespace, client: VTClient) -> int:
    ioc = report_ioc(args.ioc, "commented on")
    if args.text == "-":
        if not args.yes:
            raise prompt.ConfirmationRequiredError(
                "reading the comment from stdin needs --yes (stdin cannot also answer the question)"
            )
        text = _read_stdin_text()
    else:
        text = args.text
    cleaned = clean_comment(text)
    if not cleaned:
        raise E.InvalidArgumentError("A comment cannot be empty.")
    removed = cleaned != text.strip().replace("\r\n", "\n")
    if removed:
        output.warn("the comment held control characters or escape sequences; they were removed "
                    "(what is posted is exactly what is shown)")
    text = cleaned
    prompt.require(
        f"Comments are public: everyone on VirusTotal can read them, with your user name. "
        f"Post this comment ({len(text)} characters: \"{clean_line(text, 60)}\") on {describe(ioc)}?",
        yes_flag=args.yes,
    )
    data = await client.add_comment(ioc.ref, text)
    if args.format == "json":
        emit_json(data)
    else:
        echo(f"comment posted on {describe(ioc)}" + (f": {clean_line(data.get('id'), 200)}" if data.get("id") else ""))
    return 0


def _vote_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP")
    p.add_argument("verdict", choices=["malicious", "harmless"], help="your verdict")
    add_yes_arg(p)
    add_format_arg(p)


@command("vote", "vote a file, URL, domain or IP malicious or harmless (public, one vote each)")(_vote_args)
async def vote(args: argparse.Namespace, client: VTClient) -> int:
    ioc = report_ioc(args.ioc, "voted on")
    prompt.require(
        f"Votes are public and VirusTotal keeps one per user. Vote {describe(ioc)} {args.verdict}?",
        yes_flag=args.yes,
    )
    data = await client.add_vote(ioc.ref, args.verdict)
    if args.format == "json":
        emit_json(data)
    else:
        echo(f"voted {args.verdict} on {describe(ioc)}")
    return 0


def _list_args(what: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("ioc", metavar="IOC", help="hash, URL, domain or IP")
        add_paging_args(p, what)
        add_format_arg(p)

    return add


def _json_text(value: Any, pad: str) -> str:
    """``value`` as indented JSON; lone surrogates fall back to \\u escapes (still valid)."""
    from ..export.json_out import escape_terminal_unsafe  # only when printing JSON

    text = json.dumps(value, indent=2, ensure_ascii=False)
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = json.dumps(value, indent=2, ensure_ascii=True)
    text = escape_terminal_unsafe(text)  # bidi overrides and C1 controls as \u escapes: same data
    return "\n".join(pad + line for line in text.split("\n"))


async def _list(args: argparse.Namespace, make: Callable[..., Paginator], printer: Callable[[dict[str, Any]], None],
                what: str) -> int:
    """Items printed as they arrive; JSON as ``{"data": [...], "meta": {...}}``, closed
    validly even when a page fails (then ``meta.cursor`` is where to resume)."""
    limit = bounded(args.limit, "--limit")
    page_size = 40 if args.all else min(limit, 40)
    pager = make(limit=page_size, cursor=args.cursor or None, max_items=MAX_ITEMS if args.all else limit)
    count = 0

    def take(item: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        if args.format == "json":
            head = '{\n  "data": [\n' if count == 1 else ",\n"
            sys.stdout.write(head + _json_text(item, "    "))
        else:
            printer(item)
        sys.stdout.flush()

    error = None
    ended = False
    try:
        error = await walk(pager, take, what)
        ended = True
    finally:
        more = pager.cursor if (error is not None or not args.all or count >= MAX_ITEMS) else None
        if args.format == "json" and (count or (ended and error is None)):
            meta = {"count": pager.count, "cursor": more, "complete": error is None and more is None}
            head = "\n  ]" if count else '{\n  "data": []'
            sys.stdout.write(head + ',\n  "meta": ' + _json_text(meta, "  ").lstrip() + "\n}\n")
            sys.stdout.flush()
    if error is not None:
        return report_stop(error, pager, count, what)
    if args.format != "json" and not count:
        output.warn("none yet")
    if more:
        if args.all:
            output.warn(f"stopped at {MAX_ITEMS:,} {what}, the most one run fetches; more remain")
        output.warn(f"next cursor: {clean_line(more, 500)}")
    return 0


def _print_comment(item: dict[str, Any]) -> None:
    c = Comment(item)
    positive, negative, abuse = c.votes
    head = f"{date_text(c.date)}  +{positive} -{negative}" + (f" abuse {abuse}" if abuse else "")
    if c.tags:
        head += "  " + clean_line(" ".join(f"#{t}" for t in c.tags[:20]), 300)
    echo(head)
    for text_line in clean_text(c.text, 20_000).splitlines() or [""]:
        echo(f"    {text_line}")
    echo()


def _print_vote(item: dict[str, Any]) -> None:
    v = Vote(item)
    value = v.value
    shown_value = f"  value {value}" if value is not None else ""
    echo(f"{date_text(v.date)}  {clean_line(v.verdict or '?', 20):<9}{shown_value}")


@command("comments", "list the community comments on a file, URL, domain or IP")(_list_args("comments"))
async def comments(args: argparse.Namespace, client: VTClient) -> int:
    ref = report_ioc(args.ioc, "commented on").ref
    return await _list(args, lambda **kw: client.iter_comments(ref, **kw), _print_comment, "comments")


@command("votes", "list the community votes on a file, URL, domain or IP")(_list_args("votes"))
async def votes(args: argparse.Namespace, client: VTClient) -> int:
    ref = report_ioc(args.ioc, "voted on").ref
    return await _list(args, lambda **kw: client.iter_votes(ref, **kw), _print_vote, "votes")

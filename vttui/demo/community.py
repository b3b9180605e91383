"""Comments and votes of the demo: their ids and attributes, and the seeded history.

The dataset stores them; here is only what one looks like and when the catalogue's
were posted, so the same seed always gives the same community.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

from . import catalogue as C
from . import engines as eng
from .identity import Ref
from .specs import HOUR, T, hexid

__all__ = [
    "comment_attributes",
    "comment_id",
    "seeded_comments",
    "seeded_votes",
    "vote_attributes",
    "vote_id",
]

_PREFIX = {"file": "f", "url": "u", "domain": "d", "ip_address": "i"}
_HASHTAG = re.compile(r"#([A-Za-z0-9][A-Za-z0-9_-]{0,63})")


def comment_id(ref: Ref, salt: str) -> str:
    return f"{_PREFIX.get(ref[0], 'x')}-{ref[1]}-{hexid('comment', ref, salt, n=8)}"


def comment_attributes(cid: str, text: str, date: int, *, seeded: bool) -> dict[str, Any]:
    """A comment's attributes; seeded ones already carry a few votes."""
    return {
        "date": date, "text": text, "html": html.escape(text).replace("\n", "<br />"),
        "tags": sorted({t.lower() for t in _HASHTAG.findall(text)}),
        "votes": {"positive": eng.hnum("cv", cid) % 7 if seeded else 0, "negative": 0, "abuse": 0},
    }  # fmt: skip


def vote_id(ref: Ref, salt: str) -> str:
    return f"{_PREFIX.get(ref[0], 'x')}-{ref[1]}-{hexid('vote', ref, salt, n=8)}"


def vote_attributes(verdict: str, date: int) -> dict[str, Any]:
    return {"date": date, "verdict": verdict, "value": 1 if verdict == "harmless" else -1}


def seeded_comments(seed: int, ref_of: Callable[[str, str], Ref]) -> Iterator[tuple[Ref, str, int, str]]:
    """(ref, text, date, salt) of the catalogue's comments, newest first."""
    for (kind, name), texts in C.COMMENTS.items():
        ref = ref_of(kind, name)
        date = T - 2 * HOUR
        for i, text in enumerate(texts):
            date -= 5 * HOUR + eng.hnum(seed, "c", ref, i) % (9 * HOUR)
            yield ref, text, date, f"{i}"


def seeded_votes(seed: int, ref_of: Callable[[str, str], Ref]) -> Iterator[tuple[Ref, str, int, str]]:
    """(ref, verdict, date, salt) of the catalogue's votes, newest first, with exact counts."""
    for (kind, name), (harmless, malicious) in C.VOTES.items():
        ref = ref_of(kind, name)
        date = T - 3 * HOUR
        total = harmless + malicious
        for i in range(total):
            # Spread the harmless votes evenly among the malicious ones (exact counts).
            verdict = "harmless" if (i * harmless) % total < harmless else "malicious"
            date -= 3 * HOUR + eng.hnum(seed, "vd", ref, i) % (20 * HOUR)
            yield ref, verdict, date, f"seed-{i}"

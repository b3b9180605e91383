"""Ask before anything is written to VirusTotal.

Uploads, comments and votes are public and cannot be taken back, so every write asks
first. A script must say ``--yes``: with stdin not a terminal there is nobody to ask,
and guessing "yes" would share files nobody agreed to share.
"""

from __future__ import annotations

import sys
from typing import TextIO

from ..vt.errors import CancelledByUser, ErrorKind, VTError
from ..vt.sanitize import clean_text

NOT_A_TERMINAL = "refusing to write to VirusTotal without --yes when stdin is not a terminal"


class ConfirmationRequiredError(VTError):
    kind = ErrorKind.INVALID
    default_message = NOT_A_TERMINAL


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError, AttributeError):  # closed or odd streams are no terminal
        return False


def confirm(question: str, *, yes_flag: bool, stdin: TextIO | None = None, stream: TextIO | None = None) -> bool:
    """True if the user agreed (or passed ``--yes``); asks on stderr, reads stdin.

    Raises ConfirmationRequiredError (exit 2) when there is no terminal to ask.
    """
    if yes_flag:
        return True
    stdin = sys.stdin if stdin is None else stdin
    stream = sys.stderr if stream is None else stream
    if not _is_terminal(stdin):
        raise ConfirmationRequiredError()
    stream.write(f"{clean_text(question)} [y/N] ")
    stream.flush()
    answer = stdin.readline()
    if not answer.endswith("\n"):
        stream.write("\n")  # end of input: leave the terminal on a fresh line
    return answer.strip().lower() in ("y", "yes")


def require(question: str, *, yes_flag: bool) -> None:
    """Like :func:`confirm`, but a "no" stops the command (exit 130, nothing was sent)."""
    if not confirm(question, yes_flag=yes_flag):
        raise CancelledByUser("Cancelled; nothing was sent to VirusTotal.")

"""A real pseudo-terminal running a program, read back as a screen of text.

The terminal tests (``tests/terminal/``) and the terminal benchmarks drive the installed
``vttui`` exactly as a user's terminal does: bytes in (keys, mouse reports, focus events,
bracketed paste, window-size changes), bytes out, rendered by a terminal emulator
(``pyte``) into lines of text. Nothing runs inside the app's process, so it meets the
timing a user's terminal gives it, not Pilot's.

Every chunk the program writes is kept with the time it arrived: a benchmark can say
when the first frame showing something reached the terminal, and a test can look for
escape sequences the emulator does not show (OSC 52 clipboard writes).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

#: What a terminal sends for each key Textual knows by name (xterm, the common case).
KEYS: dict[str, bytes] = {
    "enter": b"\r",
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "escape": b"\x1b",
    "backspace": b"\x7f",
    "space": b" ",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "alt+left": b"\x1b[1;3D",
    "alt+right": b"\x1b[1;3C",
    "f1": b"\x1bOP",
    "slash": b"/",
    "question_mark": b"?",
}

#: Synchronized output (mode 2026): a terminal that supports it shows a frame only once
#: it is complete. Textual uses it when the terminal says so, as modern terminals do.
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"
SYNC_BEGIN = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
FOCUS_IN = b"\x1b[I"
FOCUS_OUT = b"\x1b[O"
_SYNC = re.compile(re.escape(SYNC_BEGIN) + b"|" + re.escape(SYNC_END))
_OSC52 = re.compile(rb"\x1b\]52;[a-z]*;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)")


def key_bytes(key: str) -> bytes:
    """The bytes for a named key, or the key itself if it is one printable character."""
    if key in KEYS:
        return KEYS[key]
    if key.startswith("ctrl+") and len(key) == 6 and key[5].isalpha():
        return bytes([ord(key[5].lower()) - 96])
    if len(key) == 1:
        return key.encode()
    raise ValueError(f"no byte sequence known for key {key!r}")


def mouse_move(x: int, y: int) -> bytes:
    """An SGR mouse report of the pointer moving with no button held (1-based cells)."""
    return f"\x1b[<35;{x};{y}M".encode()


def mouse_click(x: int, y: int) -> bytes:
    """Left button down and up at (x, y), 1-based cells."""
    return f"\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m".encode()


def bracketed_paste(text: str) -> bytes:
    return b"\x1b[200~" + text.encode() + b"\x1b[201~"


@dataclass
class Chunk:
    """Bytes the program wrote, with the ``time.monotonic()`` they were read at (one
    clock for every process on Linux: comparable with the app's own trace marks)."""

    at: float
    data: bytes


@dataclass
class Terminal:
    """A program under a pseudo-terminal of ``width`` x ``height`` cells.

    ``wait_for`` polls the rendered screen until a condition holds or a deadline passes;
    tests use it instead of sleeping. Timings come from :attr:`chunks`.
    """

    argv: Sequence[str]
    env: Mapping[str, str]
    width: int = 120
    height: int = 35
    cwd: str | None = None
    chunks: list[Chunk] = field(default_factory=list)

    def __post_init__(self) -> None:
        import pyte

        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._screen = pyte.Screen(self.width, self.height)
        self._stream = pyte.ByteStream(self._screen)
        self._raw = bytearray()
        self._closed = False
        self._in_frame = False
        self._shown: list[str] = [""] * self.height
        #: Text that must never appear: every frame shown is checked for each, and the
        #: first frame showing one is kept in ``alarms_seen`` (marker, screen).
        self.alarms: list[str] = []
        self.alarms_seen: list[tuple[str, str]] = []
        #: Every complete frame (time it arrived, screen text), once the program draws in
        #: synchronized frames: a test can check each frame the user saw, not only the last.
        self.frames: list[tuple[float, str]] = []
        self._synced = False
        #: Called (under the lock) with (time the bytes arrived, screen text) whenever what
        #: the user sees changes: a benchmark notes when the screen first showed something.
        self.watchers: list[Callable[[float, str], None]] = []
        master, slave = os.openpty()
        self._set_size(slave, self.width, self.height)
        self._master = master
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            list(self.argv), stdin=slave, stdout=slave, stderr=slave, env=dict(self.env), cwd=self.cwd,
            start_new_session=True, preexec_fn=_take_controlling_tty, close_fds=True,
        )
        os.close(slave)
        self._arrived = threading.Condition()
        self._queue: list[Chunk] = []
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._parser = threading.Thread(target=self._parse, name="pty-emulator", daemon=True)
        self._reader.start()
        self._parser.start()

    # --- output ------------------------------------------------------------------------

    def _read(self) -> None:
        """Read and time-stamp only: a chunk's time is when it reached the terminal, not
        when the (slower) emulator got round to it."""
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                data = b""
            at = time.monotonic()
            with self._arrived:
                self._queue.append(Chunk(at, data))
                self._arrived.notify()
            if not data:
                return

    def _parse(self) -> None:
        while True:
            with self._arrived:
                while not self._queue:
                    self._arrived.wait()
                batch, self._queue = self._queue, []
            for chunk in batch:
                data = chunk.data
                with self._changed:
                    if not data:
                        self._closed = True
                        self._changed.notify_all()
                        return
                    tail = bytes(self._raw[-16:])
                    self.chunks.append(chunk)
                    self._raw.extend(data)
                    self._render(chunk.at, tail, data)
                    self._changed.notify_all()
                if SYNC_QUERY in tail + data and SYNC_QUERY not in tail:
                    self.send(SYNC_REPLY)

    def _render(self, at: float, tail: bytes, data: bytes) -> None:
        """Feed the emulator; what the user sees changes only at the end of a frame when
        the program draws in synchronized frames, else after every chunk."""
        window = tail + data
        start = 0
        for match in _SYNC.finditer(window):
            end = match.end() - len(tail)
            if end <= 0:
                continue  # seen with the previous chunk
            self._stream.feed(data[start:end])
            start = end
            self._in_frame = match.group() == SYNC_BEGIN
            self._synced = True
            if not self._in_frame:
                self._show(at, frame_end=True)
        rest = data[start:]
        if rest:
            self._stream.feed(rest)
            if not self._in_frame:
                self._show(at, frame_end=False)

    def _show(self, at: float, *, frame_end: bool) -> None:
        self._shown = list(self._screen.display)
        screen = self._text()
        if frame_end:
            self.frames.append((at, screen))
        for watch in self.watchers:
            watch(at, screen)
        if self.alarms:
            for marker in self.alarms:
                if marker in screen and not any(m == marker for m, _ in self.alarms_seen):
                    self.alarms_seen.append((marker, screen))

    def text(self) -> str:
        """The screen as the user reads it: one line per row, trailing blanks dropped."""
        with self._lock:
            return self._text()

    def _text(self) -> str:
        return "\n".join(line.rstrip() for line in self._shown)

    def lines(self) -> list[str]:
        return self.text().split("\n")

    @property
    def raw(self) -> bytes:
        with self._lock:
            return bytes(self._raw)

    @property
    def cursor(self) -> tuple[int, int]:
        with self._lock:
            return self._screen.cursor.x, self._screen.cursor.y

    def clipboard(self) -> list[str]:
        """Every text the program sent to the terminal's clipboard (OSC 52), in order."""
        out = []
        for match in _OSC52.finditer(self.raw):
            try:
                out.append(base64.b64decode(match.group(1)).decode("utf-8", "replace"))
            except ValueError:
                out.append("<undecodable OSC 52>")
        return out

    def wait_for(self, condition: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        """Wait until the screen shows ``condition`` (a substring, or a predicate on the
        text); returns that screen. Raises ``TimeoutError`` with the screen if it never does."""
        check = (lambda s: condition in s) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                screen = self._text()
                if check(screen):
                    return screen
                left = deadline - time.monotonic()
                if left <= 0:
                    what = condition if isinstance(condition, str) else (condition.__doc__ or "condition")
                    raise TimeoutError(f"the screen never showed {what!r} in {timeout:.0f} s; it shows:\n{screen}")
                if self._closed:
                    if check(screen):
                        return screen
                    raise TimeoutError(f"the program ended (exit {self.proc.poll()}) before the screen showed "
                                       f"{condition!r}; it shows:\n{screen}")
                self._changed.wait(min(left, 0.05))

    # --- input -------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        os.write(self._master, data)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.send(key_bytes(key))

    def type(self, text: str) -> None:
        self.send(text.encode())

    def paste(self, text: str) -> None:
        self.send(bracketed_paste(text))

    def resize(self, width: int, height: int) -> None:
        """Change the window size as a terminal does: the kernel signals SIGWINCH."""
        with self._lock:
            self.width, self.height = width, height
            self._screen.resize(height, width)
            self._shown = list(self._screen.display)
        self._set_size(self._master, width, height)

    @staticmethod
    def _set_size(fd: int, width: int, height: int) -> None:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    # --- the end -------------------------------------------------------------------------

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The program's exit code, once it has exited and its last output is read."""
        code = self.proc.wait(timeout)
        self._reader.join(5)
        self._parser.join(5)
        return code

    def close(self) -> None:
        """Stop the program if it still runs (its whole process group) and free the pty."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._reader.join(5)
        self._parser.join(5)
        with contextlib.suppress(OSError):
            os.close(self._master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _take_controlling_tty() -> None:
    """In the child, after setsid: make the pty its controlling terminal, so a window
    size change reaches it as SIGWINCH (as under any terminal emulator)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)

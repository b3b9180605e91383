"""Hostile data from the API never drives the terminal: checked on the bytes that reach it.

The real app runs in a pseudo-terminal (``python -m vttui IOC`` against a fake server
whose every string carries markup, OSC 52 clipboard writes, title changes, screen clears,
bidi overrides, NULs and 20,000-character lines). Keys go in through the pty; everything
the app writes is read back and searched for the attacker's sequences. The CLI and the
exports get the same data and must print inert text, valid JSON and valid XML.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import select
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.faults import hostile
from tests.support.investigation import DOMAIN, FILE, IOCS
from tests.support.server import DemoServer
from vttui.export import FORMATS, render, render_batch
from vttui.export.trail import Trail
from vttui.export.trail_export import TRAIL_FORMATS, export_trail
from vttui.vt.models import wrap
from vttui.vt.refs import ObjectRef

from .conftest import KEY

pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal")
termios = pytest.importorskip("termios")
fcntl = pytest.importorskip("fcntl")

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
COLS, ROWS = 120, 40
ATTACK_CLIPBOARD = b"ZXZpbA=="  # base64 of the payload's OSC 52 write ("evil")
TITLE_CHANGE = re.compile(rb"\x1b\][012];[^\x07\x1b]*")
OSC52 = re.compile(rb"\x1b\]52;[^;]*;([^\x07\x1b]*)")
UP, DOWN, ENTER = b"\x1b[A", b"\x1b[B", b"\r"


class Terminal:
    """A child process on a pty; collects every byte it writes."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = bytearray()

    def pump(self, *, quiet: float, limit: float = 30.0, ready=lambda: True) -> None:
        """Read until the app has been silent for ``quiet`` seconds (and ``ready()``)."""
        end = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < end:
            readable, _, _ = select.select([self.master], [], [], 0.05)
            if readable:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # the child closed the pty
                    return
                if not data:
                    return
                self.output.extend(data)
                last = time.monotonic()
            elif time.monotonic() - last > quiet and ready():
                return

    def keys(self, *keys: bytes, quiet: float = 0.4) -> None:
        for key in keys:
            os.write(self.master, key)
            self.pump(quiet=quiet)

    def close(self) -> int | None:
        """Wait for the child to exit (reading, so it never blocks on a full pty), or kill it."""
        end = time.monotonic() + 15
        while self.proc.poll() is None and time.monotonic() < end:
            self.pump(quiet=0.1, limit=0.5)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        self.pump(quiet=0.1, limit=1)
        os.close(self.master)
        return self.proc.returncode


@pytest.fixture
def child_env(tmp_path) -> dict[str, str]:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "config.toml").write_text('[quota]\ntier = "premium"\n\n[network]\ntimeout = 10\n')
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(VT_API_KEY=KEY, TERM="xterm-256color", VTTUI_CONFIG_DIR=str(config),
               XDG_STATE_HOME=str(tmp_path / "state"), COLUMNS=str(COLS), LINES=str(ROWS),
               PYTHONPATH=str(ROOT), DISPLAY="", WAYLAND_DISPLAY="")
    return env


def run_app(server: DemoServer, env: dict[str, str], cwd: Path, ioc: str, *keys: bytes) -> tuple[bytes, int | None]:
    env = dict(env, VT_API_URL=server.base_url)
    term = Terminal([sys.executable, "-m", "vttui", ioc], env, cwd)
    try:
        # the report has arrived and been drawn before any key is sent (keys typed earlier
        # would land in the search bar)
        # (the app redraws its status line every second, so "quiet" must be shorter than that)
        term.pump(quiet=0.6, limit=60, ready=lambda: bool(server.backend.requests))
        term.keys(*keys)
        term.keys(b"q", quiet=0.2)
    finally:
        code = term.close()
    return bytes(term.output), code


def assert_terminal_inert(stream: bytes) -> None:
    assert ATTACK_CLIPBOARD not in stream, "the attacker's OSC 52 clipboard write reached the terminal"
    assert not [t for t in TITLE_CHANGE.findall(stream) if b"pwned" in t], "the data retitled the terminal"
    assert b"pwned" not in stream
    assert b"\x1b[2J" not in stream, "a screen clear from the data reached the terminal"
    assert "\u202e".encode() not in stream and "\u2066".encode() not in stream, "a bidi override reached the terminal"
    assert "\x9b".encode() not in stream, "an 8-bit CSI reached the terminal"
    assert b"\x00" not in stream
    assert b"Traceback" not in stream
    for payload in OSC52.findall(stream):  # the app's own copies: cleaned text only
        copied = base64.b64decode(payload).decode("utf-8")
        assert "\x1b" not in copied and "\x07" not in copied and "\u202e" not in copied


def test_the_app_in_a_real_terminal_stays_inert(serve, child_env, tmp_path):
    server = serve(hostile())
    # (keys right after a tab switch are sent separately: the app moves focus a frame later)
    stream, code = run_app(
        server, child_env, tmp_path, FILE,
        b"1", b"y",  # detections, copy the engine label under the cursor
        b"2", DOWN + ENTER + b"y",  # details: open a section, copy
        b"3", DOWN + ENTER,  # relations: expand contacted_domains (a request)
        DOWN + b"y" + ENTER,  # copy the first domain, pivot to it
        b"c45",  # copy its id, comments, votes (requests)
        b"\x7f",  # back
    )
    assert code == 0
    # the hostile data really was on screen (literally), and was read from the server
    assert b"restyled" in stream and b"[@click=app.quit]" in stream
    gets = [t.split("?")[0] for m, t in server.backend.requests if m == "GET"]
    assert f"/files/{FILE}/contacted_domains" in gets  # the tree was expanded ...
    pivoted = [t for t in gets if t.startswith("/domains/") and t.endswith("/comments")]
    assert len(pivoted) == 1  # ... and the pivot led to a domain whose comments were read
    assert_terminal_inert(stream)
    assert len(OSC52.findall(stream)) >= 3  # the copies did happen (as the app's own OSC 52)


# --- the CLI and the exports --------------------------------------------------------------


def assert_inert_text(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    for bad in (b"\x1b", b"\x07", b"\x00", b"\x08"):
        assert bad not in raw, f"{bad!r} in the output"
    for bad in ("\u202e", "\u2066", "\x9b", "\ud800"):
        assert bad not in text, f"{bad!r} in the output"


def check_format(fmt: str, text: str) -> None:
    assert_inert_text(text)
    if fmt in ("json", "raw"):
        json.loads(text)
    elif fmt == "xml":
        ET.fromstring(text)
    elif fmt == "csv":
        for row in csv.reader(io.StringIO(text)):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


@pytest.mark.parametrize("mode", ["hostile", "wrong_types"])
def test_cli_prints_hostile_objects_inertly(cli, serve, mode):
    cli.point_at(serve(hostile(mode)))
    for fmt in ("json", "markdown", "xml", "csv", "raw"):
        one = cli.run("lookup", FILE, "--format", fmt)
        assert one.code == 0, one.err
        check_format(fmt, one.out)
        batch = cli.run("lookup", DOMAIN, IOCS["ip"], IOCS["url"], "--format", fmt)
        assert batch.code == 0, batch.err
        check_format(fmt, batch.out)
        related = cli.run("relations", FILE, "contacted_domains", "--format", fmt)
        assert related.code == 0
        check_format(fmt, related.out)
    for command in (["comments", DOMAIN], ["votes", FILE], ["comments", DOMAIN, "--format", "json"]):
        result = cli.run(*command)
        assert result.code == 0, result.err
        assert_inert_text(result.out)
        assert_inert_text(result.err)


async def test_exports_of_hostile_objects_are_valid_and_inert(serve, clients):
    client = clients(serve(hostile()))
    objects = [await client.get_object(ObjectRef(t, i)) for t, i in
               (("file", FILE), ("domain", DOMAIN), ("ip_address", IOCS["ip"]))]
    page = await client.get_related(ObjectRef("file", FILE), "contacted_domains", limit=40)
    for fmt in FORMATS:
        for obj in objects:
            check_format(fmt, render(obj, fmt))
        check_format(fmt, render_batch(objects, fmt))
        check_format(fmt, render(page.items, fmt, relationship="contacted_domains", source="file [/]\x1b]0;pwned\x07"))
    trail = Trail()
    file_ref = ObjectRef("file", FILE)
    trail.visit(file_ref, title=wrap(objects[0]).title)
    trail.loaded(_Entry(file_ref), wrap(objects[0]))
    for item in page.items:
        ref = ObjectRef.of(item)
        trail.visit(ref, _Via(file_ref, "contacted_domains"), title=wrap(item).title)
        trail.loaded(_Entry(ref), wrap(item))
    assert len(trail.pivots) == len(page.items) == 4
    for fmt in TRAIL_FORMATS:
        text = export_trail(trail, fmt)
        assert_inert_text(text)
        if fmt == "json":
            json.loads(text)


class _Entry:
    def __init__(self, ref: ObjectRef) -> None:
        self.ref = ref


class _Via:
    def __init__(self, source: ObjectRef, relationship: str) -> None:
        self.source = source
        self.relationship = relationship

"""`relations --all` says on stderr where it stands (pages, items, time left at the quota)
while results stream to stdout; silent on a non-terminal stderr unless --progress."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from vttui.cli.walk import WalkProgress
from vttui.demo import demo_iocs
from vttui.vt.ratelimit import LimiterState

SINKHOLE = demo_iocs()["sinkhole_ip"]


class Pager:
    def __init__(self, pages=3, count=None, limit=40, done=False):
        self.pages, self.count, self.limit, self.done = pages, count, limit, done


class Limiter:
    def __init__(self, per_minute=4, left=0, next_slot=30.0, waiting=1):
        self._state = LimiterState(per_minute, 500, left, 400, next_slot, waiting, 100,
                                   dt.datetime(2026, 11, 24, tzinfo=dt.UTC))

    def state(self):
        return self._state


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_time_left_comes_from_the_quota():
    progress = WalkProgress("resolutions", Pager(pages=3, count=520), Limiter(), most=1000, stream=io.StringIO())
    progress.items = 120
    text = progress.text()
    # 520 items known, 120 in: 10 pages of 40 left; none free this minute, the next in 30 s,
    # then one every 15 s at 4 a minute: 30 + 10 * 15 = 180 s
    assert text == ("resolutions: page 3 · 120 items · 10 pages left · about 3 min left at 4 requests/min "
                    "· waiting 30 s for quota")


def test_an_unknown_total_is_an_upper_bound_and_premium_has_no_estimate():
    progress = WalkProgress("resolutions", Pager(pages=1), Limiter(per_minute=None, left=None, next_slot=0),
                            most=200, stream=io.StringIO())
    progress.items = 40
    assert progress.text() == "resolutions: page 1 · 40 items · up to 4 pages left"


def test_a_terminal_gets_one_redrawn_line():
    stream = Terminal()
    progress = WalkProgress("x", Pager(), Limiter(), most=100, stream=stream)
    progress.step(5)
    progress.draw()
    assert stream.getvalue().startswith("\rx: page 3") and stream.getvalue().endswith("\x1b[K")


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    from vttui.cli import main

    monkeypatch.setenv("VTTUI_CONFIG_DIR", str(tmp_path))

    def run(*argv):
        capsys.readouterr()
        code = main(list(argv))
        return (code, *capsys.readouterr())

    return run


def test_progress_lines_on_request_while_results_stream(cli, monkeypatch):
    from vttui.cli import relations

    seen_pages: list[int] = []
    real_walk = relations.walk

    async def spy_walk(pages, take, what, progress=None):
        def taking(item):
            seen_pages.append(pages.pages)
            take(item)
        return await real_walk(pages, taking, what, progress)

    monkeypatch.setattr(relations, "walk", spy_walk)
    code, out, err = cli("relations", "--demo", SINKHOLE, "resolutions", "--all", "--max", "200", "-f", "csv",
                         "--progress")
    assert code == 0
    lines = [line for line in err.splitlines() if line.startswith("vttui: resolutions: page")]
    assert [line.split("page ")[1].split(" ")[0] for line in lines] == ["1", "2", "3", "4", "5"]
    assert "pages left" in lines[0] and "requests/min" in lines[0]
    assert len(out.splitlines()) == 201  # header + 200 rows
    assert seen_pages[0] == 1 and seen_pages[-1] == 5  # items were handed on page by page


def test_no_progress_noise_when_stderr_is_not_a_terminal(cli):
    code, out, err = cli("relations", "--demo", SINKHOLE, "resolutions", "--all", "--max", "120", "-f", "csv")
    assert code == 0 and "page 1" not in err and len(out.splitlines()) == 121

"""Smoke test of the benchmark suite: the code runs and prints figures. No timings are
asserted (machines are shared and noisy); only that the cheap benchmarks produce their
rows and that the docs section is written without touching hand-written text."""

from __future__ import annotations

from benchmarks import ORDER, load_all
from benchmarks.__main__ import main
from benchmarks.core import Result
from benchmarks.report import BEGIN, END, markdown, table, write_markdown


def test_every_benchmark_is_registered_with_a_summary():
    benches = load_all()
    assert list(benches) == list(ORDER)
    assert len(benches) == 20
    for bench in benches.values():
        assert bench.summary and bench.func.__doc__


def test_quick_run_of_cheap_benchmarks_prints_a_table(capsys):
    assert load_all()["cache_hit"].cheap and load_all()["single_flight"].cheap
    assert main(["--quick", "cache_hit", "single_flight"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("benchmark "))
    rows = {line.split()[0]: line for line in lines[header + 2:] if line.strip()}
    assert set(rows) == {"cache_hit", "single_flight"}
    assert "failed" not in out
    assert "request(s) for 50 lookups" in rows["single_flight"]  # a count, not a crash
    assert "ms median" in rows["cache_hit"]


def test_unknown_name_is_refused(capsys):
    assert main(["--quick", "no_such_bench"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err


def test_markdown_replaces_only_the_generated_section(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nHand-written intro.\n\n{BEGIN}\nold figures\n{END}\n\nHand-written notes.\n")
    result = Result("cache_hit", "0.004 ms median", "< 0.2 ms", True)
    result.add("p99", "0.01 ms")
    section = markdown([result], load_all(), {"cpu": "test cpu"}, "python -m benchmarks", quick=True)
    write_markdown(doc, section)
    text = doc.read_text()
    assert "Hand-written intro." in text and "Hand-written notes." in text
    assert "old figures" not in text
    assert "| cache_hit | 0.004 ms median | < 0.2 ms | ok |" in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1


def test_table_marks_missed_targets():
    text = table([Result("a", "1", "< 2", True), Result("b", "3", "< 2", False), Result("c", "x")])
    status = {line.split()[0]: line.split()[-1] for line in text.splitlines()[2:]}
    assert status == {"a": "ok", "b": "MISSED", "c": "n/a"}

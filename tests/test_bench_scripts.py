"""The benchmark scripts stay runnable: they import what they use from the app (a moved name
breaks them long before anyone runs a benchmark by hand)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize(
    "module", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__")
)
def test_bench_module_imports(module):
    assert importlib.import_module(f"bench.{module}")


def test_feed_benchmark_runs_at_a_tiny_size(capsys):
    """bench.feed end to end on SQLite with 300 posts: it walks to page 3 of each feed and
    prints page 1 and page 3 with their timings and statement counts."""
    from bench import feed

    feed.main(["--posts", "300", "--page", "3", "--repeat", "1", "--backends", "sqlite"])
    printed = capsys.readouterr().out
    assert "[sqlite] 480 posts" in printed
    lines = printed.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("everything"))
    assert lines[first].split()[1] == "1", printed
    assert lines[first + 1].split()[0] == "3", printed  # page 3, reached by its cursor
    assert "kind=request" in printed and "from my connections" in printed


def test_chat_benchmark_runs_at_a_tiny_size(capsys):
    """bench.chat end to end in threading mode on SQLite: gunicorn serving the echo baseline
    and the app, 3 sending clients for a second, fan-out with 12 sockets, memory."""
    from bench import chat

    tiny = ["--clients", "3", "--seconds", "1", "--messages", "5", "--connected", "12"]
    chat.main([*tiny, "--modes", "threading"])
    printed = capsys.readouterr().out
    assert "== threading (SQLite) ==" in printed
    assert "acked sends/s, 3 clients" in printed
    assert "fan-out to 10, alongside" in printed and "with 12 sockets" in printed


@pytest.mark.redis
def test_notifications_benchmark_runs_at_a_tiny_size(capsys):
    """bench.notifications end to end: 3 members connected to gunicorn with Redis, 5 comments
    committed here and 5 through the API, each reaching the member's socket."""
    from bench import notifications

    notifications.main(["--members", "3", "--samples", "5", "--rounds", "1"])
    printed = capsys.readouterr().out
    assert "via commit     3 members connected  5 samples" in printed, printed
    assert "via http       3 members connected  5 samples" in printed, printed


def test_matching_benchmark_runs_at_a_tiny_size(capsys):
    """bench.matching end to end at 30 per side, once: the timing table (end to end against
    the bare solver) and the pairs of the optimum against both greedy baselines."""
    from bench import matching

    matching.main(["--sizes", "30", "--repeat", "1"])
    printed = capsys.readouterr().out
    assert "end-to-end s" in printed and "bare solve s" in printed
    row = next(line for line in printed.splitlines()[4:] if line.split()[:1] == ["30"])
    optimum, first_come, best_first = (int(n) for n in row.split()[1:4])
    assert optimum >= max(first_come, best_first)

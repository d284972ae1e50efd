"""A gunicorn config for `bench.chat --profile DIR`: the worker runs under yappi (every
thread, CPU clock) and writes its function statistics when it exits, as a pstats file
(`<DIR>/<name>-<mode>.pstat`, named by BENCH_PROFILE) for `python -m pstats` or snakeviz.

Profiling slows the worker down several times over: a profiled run tells where the time
goes, never how fast it is. Needs yappi (`.venv/bin/pip install yappi`; not a dependency).
"""

from __future__ import annotations

import os


def post_worker_init(worker) -> None:
    import yappi

    yappi.set_clock_type(os.environ.get("BENCH_PROFILE_CLOCK", "cpu"))
    yappi.start(builtins=False, profile_threads=True)


def worker_exit(server, worker) -> None:
    import yappi

    yappi.stop()
    yappi.get_func_stats().save(os.environ["BENCH_PROFILE"], type="pstat")

"""How `make test` shares the tests between its two xdist workers (`-n 2 --dist loadgroup`).

Every test is its own unit of work, handed to whichever worker is free, except the tests
of the groups below: a group is one unit, run whole by one worker, so the servers its
modules start (module- or session-scoped fixtures) start once instead of once per worker
that happens to get one of its tests. Groups are handed out first, longest first (by
GROUP_SECONDS, not by their number of tests: 25 browser journeys outlast 25 socket
checks many times over), so the long ones do not end up alone on one worker at the end of
the run.

xdist's own `loadgroup` reads `xdist_group` marks by rewriting node ids in the workers,
which pytest 9.2 no longer honours (pytest-dev/pytest-xdist#1386: the marks are silently
ignored), so `tests/conftest.py` hands xdist this scheduler instead (its documented
`pytest_xdist_make_scheduler` hook), with groups named here by path.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

XDIST_GROUPS: dict[str, tuple[str, ...]] = {
    # One live server, Chromium and the vnu service per worker that runs any of these.
    "browser": ("tests/browser/",),
    # The two-process PostgreSQL + Redis cluster (tests/cluster.py, session-scoped).
    "cluster": (
        "tests/test_scale_out.py",
        "tests/test_chat_scale_out.py",
        "tests/test_presence_scale_out.py",
        "tests/test_notifications_scale_out.py",
    ),
    # Modules with module-scoped live servers.
    "chat_sockets": ("tests/test_chat_sockets.py",),
    "presence_live": ("tests/test_presence_live.py",),
    "notifications_live": ("tests/test_notifications_live.py",),
    "checkin_live": ("tests/test_events_checkin_live.py",),
    "events_concurrency": ("tests/test_events_concurrency.py",),
    "approval_race": ("tests/test_events_approval_race.py",),
    "posts_races": ("tests/test_posts_races.py",),
    "races": ("tests/test_races.py",),
    "headers": ("tests/test_headers.py",),
}


# Worker-seconds of each group (setup included) in a full run on the shared 2-core machine
# (`--durations`, Nov 2026, loaded): only their order matters. The browser journeys go
# first, so the worker that builds the demo SQLite file (`demo_sqlite`) for their live
# server is the one that needs it first; the cluster goes second (ahead of the RSVP rush,
# which takes as long), building its own PostgreSQL demo meanwhile instead of waiting on
# that file's lock as the SQLite servers would.
GROUP_SECONDS: dict[str, float] = {
    "browser": 235,
    "cluster": 100,
    "events_concurrency": 95,
    "approval_race": 60,
    "races": 25,
    "chat_sockets": 24,
    "posts_races": 22,
    "notifications_live": 16,
    "presence_live": 11,
    "checkin_live": 10,
    "headers": 10,
}


def group_of(nodeid: str) -> str | None:
    """The group whose paths hold the test `nodeid`, or None."""
    path = nodeid.split("::", 1)[0]
    for name, prefixes in XDIST_GROUPS.items():
        if any(path == prefix or path.startswith(prefix) for prefix in prefixes):
            return name
    return None


class GroupScheduling(LoadScopeScheduling):
    """`--dist loadgroup` with the groups of XDIST_GROUPS; every other test on its own.

    LoadScopeScheduling hands out one unit at a time to a worker with at most two tests
    left, and (by default) orders the units by size, so the groups go first.
    """

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        group = group_of(nodeid)
        return f"group:{group}" if group else nodeid

    def _assign_work_unit(self, node) -> None:
        """Hand out the next unit, the queue first put in order: groups longest first
        (GROUP_SECONDS), then the single tests in collection order."""
        if not self._ordered:
            ordered = sorted(self.workqueue.items(), key=lambda unit: -unit_seconds(unit[0]))
            self.workqueue.clear()
            self.workqueue.update(ordered)
            self._ordered = True
        super()._assign_work_unit(node)


def unit_seconds(scope: str) -> float:
    """GROUP_SECONDS of a group's unit ("group:NAME"); 0 for a single test."""
    return (
        GROUP_SECONDS.get(scope.removeprefix("group:"), 0.0) if scope.startswith("group:") else 0.0
    )

"""The work units `make test` hands its xdist workers (tests/scheduling.py): each group's
tests stay together, everything else is shared test by test, and no group names a path
that is gone (which would silently split its servers across workers again)."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest

from tests.scheduling import GROUP_SECONDS, XDIST_GROUPS, GroupScheduling, group_of, unit_seconds

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("nodeid", "group"),
    [
        (
            "tests/browser/test_checks.py::test_contexts_that_bypass_the_policy_are_refused",
            "browser",
        ),
        ("tests/browser/test_account_journey.py::test_other_sizes[desktop-dark]", "browser"),
        ("tests/test_scale_out.py::test_failed_logins_count_across_processes_in_redis", "cluster"),
        ("tests/test_chat_scale_out.py::test_healthz[x::y]", "cluster"),
        ("tests/test_races.py::test_the_same_connection_request[postgresql]", "races"),
        ("tests/test_posts_races.py::test_one_member[sqlite]", "posts_races"),
        ("tests/test_api.py::test_list[sqlite]", None),
        ("tests/test_races_extra.py::test_x", None),  # a prefix of a file name is not the file
    ],
)
def test_tests_fall_into_their_groups(nodeid: str, group: str | None) -> None:
    assert group_of(nodeid) == group


def test_a_group_is_one_unit_and_other_tests_are_their_own() -> None:
    split = GroupScheduling._split_scope
    a = split(None, "tests/test_scale_out.py::test_a")
    assert a == split(None, "tests/test_chat_scale_out.py::test_b") == "group:cluster"
    assert split(None, "tests/test_api.py::test_a") == "tests/test_api.py::test_a"
    assert split(None, "tests/test_api.py::test_b") == "tests/test_api.py::test_b"


def test_every_grouped_path_exists() -> None:
    for name, paths in XDIST_GROUPS.items():
        for path in paths:
            assert (ROOT / path).exists(), f"group {name} names {path}, which is gone"


def test_every_group_has_its_seconds() -> None:
    assert set(GROUP_SECONDS) == set(XDIST_GROUPS)


class _Worker:
    """Stands in for xdist's WorkerController: records the test indexes it is sent."""

    shutting_down = False

    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent.append(indexes)


def test_groups_go_out_longest_first_then_single_tests_in_collection_order() -> None:
    collection = [
        "tests/test_api.py::test_a",
        "tests/test_headers.py::test_h",
        "tests/test_notifications_live.py::test_n1",
        "tests/test_notifications_live.py::test_n2",
        "tests/test_notifications_live.py::test_n3",
        "tests/browser/test_checks.py::test_b",
        "tests/test_api.py::test_b",
        "tests/test_scale_out.py::test_c",
    ]
    scheduler = GroupScheduling.__new__(GroupScheduling)  # xdist's __init__ wants a -n run
    worker = _Worker()
    scheduler.registered_collections = {worker: collection}
    scheduler.assigned_work = {}
    scheduler.workqueue = OrderedDict()
    for nodeid in collection:  # by number of tests, as LoadScopeScheduling queues them
        scheduler.workqueue.setdefault(scheduler._split_scope(nodeid), {})[nodeid] = False
    while scheduler.workqueue:
        scheduler._assign_work_unit(worker)
    sent = [[collection[index] for index in unit] for unit in worker.sent]
    assert [unit[0].split("::")[0] for unit in sent] == [
        "tests/browser/test_checks.py",
        "tests/test_scale_out.py",
        "tests/test_notifications_live.py",
        "tests/test_headers.py",
        "tests/test_api.py",
        "tests/test_api.py",
    ]
    assert sent[-2:] == [["tests/test_api.py::test_a"], ["tests/test_api.py::test_b"]]
    assert unit_seconds("group:browser") > unit_seconds("group:cluster") > 0
    assert unit_seconds("tests/test_api.py::test_a") == 0

"""What the suite needs from the machine: skip without it locally, fail without it in CI.

The fixtures that start PostgreSQL (``tests/conftest.py``), Redis (the same) and the browser
checks (``tests/browser/conftest.py``) ask their helper why they cannot run here
(``missing_reason()`` / ``checks_available()``) and hand the answer to :func:`skip_or_fail`.
On a laptop a missing server skips its tests with what to install; under CI (the ``CI``
environment variable set to a true value, as every CI service does) it fails them, so a run
that was meant to cover both databases and the browser can never quietly cover less.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

__all__ = ["in_ci", "skip_or_fail"]

_FALSE = {"", "0", "false", "no", "off"}


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``CI`` is set to anything but an empty or false value (0/false/no/off)."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in _FALSE


def skip_or_fail(reason: str | None, *, what: str) -> None:
    """Do nothing when ``reason`` is None; otherwise skip the test, or fail it under CI.

    ``reason`` says what is missing and which Debian package provides it; ``what`` names the
    thing that cannot run ("PostgreSQL tests"), for the failure message.
    """
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"{what} cannot run in CI (CI is set): {reason}", pytrace=False)
    pytest.skip(reason)

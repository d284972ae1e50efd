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

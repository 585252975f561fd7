"""The benchmark scripts tested as modules: loaded from benchmarks/perf/ by file name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

PERF = Path(__file__).resolve().parents[2] / "benchmarks" / "perf"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, PERF / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


@pytest.fixture(scope="module")
def coreset_cv():
    """benchmarks/perf/coreset_cv.py."""
    yield from _script("coreset_cv")


@pytest.fixture(scope="module")
def coreset_graph():
    """benchmarks/perf/coreset_graph.py."""
    yield from _script("coreset_graph")

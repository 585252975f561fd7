"""Fixtures for the whole suite: a private cache per test session, an empty temp dir to check leftovers, envs that
must leave nothing behind, and a small split of real programs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from process_checks import assert_clean

from rl_compiler.llvm.cache import CACHE_ENV


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Builds, baselines and the engine go to a cache of this test session, not the user's."""
    old = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = old


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route tempfile (build, run and compiler directories) to an empty folder, so a test can check that
    nothing is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def make_env(private_tmp: Path) -> Iterator[Callable[..., Any]]:
    """``make_env(EnvClass, *args, **kwargs)``: an environment closed at the end of the test, after which no
    compiler process and no temporary file (FIFOs included) may be left."""
    made: list[Any] = []

    def make(env_class: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        made.append(env_class(*args, **kwargs))
        return made[-1]

    yield make
    for env in made:
        env.close()
    assert_clean(private_tmp)


#: Two of the smallest built-in programs: a split small enough for every agent and wrapper to run on in seconds.
SMALL_SPLIT = ["benchmark://builtin-v0/crc32", "benchmark://builtin-v0/kmp"]


@pytest.fixture(scope="session")
def small_split() -> list[str]:
    return list(SMALL_SPLIT)

"""Fixtures for the datasets tests: a private cache and temp dir per session, and leftover checks."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from rl_compiler.llvm.cache import CACHE_ENV


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Builds go to a cache of this test session, not the user's."""
    old = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = old


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Route tempfile (build and run directories) to an empty folder, so a test can check nothing is left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _processes_mentioning(text: str) -> list[int]:
    """PIDs of live processes whose command line or executable path contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            exe = os.readlink(entry / "exe") if (entry / "exe").exists() else ""
        except OSError:
            continue
        if text in cmdline or text in exe:
            found.append(int(entry.name))
    return found


@pytest.fixture
def processes_mentioning():
    """A function: PIDs of live processes whose command line or executable contains a string."""
    return _processes_mentioning

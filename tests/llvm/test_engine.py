"""The native engine's build cache."""

from __future__ import annotations

import dataclasses

from rl_compiler.llvm.engine import library_path
from rl_compiler.llvm.toolchain import get_toolchain


def test_each_installation_gets_its_own_engine_build(tmp_path):
    """The engine reaches libLLVM through an rpath, so a build must never serve a second venv: deleting the
    venv that built it would break the other one's engine (it did, for every venv sharing the cache)."""
    toolchain = get_toolchain()
    other = dataclasses.replace(toolchain, libdir=tmp_path / "other-venv" / "lib")
    assert library_path(toolchain) != library_path(other)
    assert library_path(toolchain) == library_path(dataclasses.replace(toolchain))

"""Fixtures for the LLVM layer's tests: the toolchain, and real modules compiled from C with its clang."""

from __future__ import annotations

from pathlib import Path

import pytest
from c_to_ir import compile_c
from llvm_programs import C_FLAGS, c_sources

from rl_compiler.llvm.toolchain import Toolchain, get_toolchain


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    return get_toolchain()


@pytest.fixture(scope="session")
def c_modules(toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``"<program>-<level>"`` -> bitcode path, for every C source and flag set."""
    out = tmp_path_factory.mktemp("c_modules")
    return {
        f"{src.stem}-{level}": compile_c(src, out / f"{src.stem}-{level}.bc", *flags)
        for src in c_sources()
        for level, flags in C_FLAGS.items()
    }


@pytest.fixture(scope="session")
def kitchen_o0(c_modules: dict[str, Path]) -> Path:
    return c_modules["kitchen-O0"]


@pytest.fixture(scope="session")
def pressure_bc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module with register pressure (the MLGO probe program at -O2), for the MLGO channel tests."""
    from rl_compiler.llvm.mlgo import PROBE_SOURCE

    return compile_c(PROBE_SOURCE, tmp_path_factory.mktemp("src") / "pressure.bc", "-O2")

"""Fixtures for the LLVM layer's tests: the toolchain, and real modules compiled from C with its clang."""

from __future__ import annotations

from pathlib import Path

import pytest
from c_to_ir import compile_c
from llvm_programs import C_FLAGS, CRASH_C, FATAL_C, PROGRAM_C, c_sources

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


@pytest.fixture(scope="session")
def program(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Bitcode of ``PROGRAM_C`` at -O0 (without optnone): the session and fast-lane tests' program."""
    return compile_c(PROGRAM_C, tmp_path_factory.mktemp("session") / "program.bc", *C_FLAGS["O0"]).read_bytes()


@pytest.fixture(scope="session")
def crasher(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Bitcode of ``CRASH_C`` as the envs start from it, where ``SEGFAULT_PIPELINE`` crashes LLVM."""
    return compile_c(CRASH_C, tmp_path_factory.mktemp("session") / "crasher.bc", *C_FLAGS["Oz-pre"]).read_bytes()


@pytest.fixture(scope="session")
def fatal(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Bitcode of ``FATAL_C`` at -O0, where ``FATAL_PIPELINE`` ends LLVM with a fatal error."""
    return compile_c(FATAL_C, tmp_path_factory.mktemp("session") / "fatal.bc", *C_FLAGS["O0"]).read_bytes()

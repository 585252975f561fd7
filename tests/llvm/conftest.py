"""Fixtures for the LLVM layer's tests: the toolchain, and real modules compiled from C with its clang."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rl_compiler.llvm.toolchain import Toolchain, get_toolchain

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
#: Real bitcode from a Debian package (LLVM 15), when installed: read by newer LLVMs through the upgrader.
POSTGRES_BITCODE = Path("/usr/lib/postgresql/15/lib/bitcode/postgres")
POSTGRES_MODULES = ("utils/adt/timestamp.bc", "regex/regcomp.bc", "access/heap/heapam.bc")

#: clang flags giving the starting points environments use.
C_FLAGS = {
    "O0": ["-O0", "-Xclang", "-disable-O0-optnone"],
    "O2": ["-O2"],
    "Oz-pre": ["-Oz", "-Xclang", "-disable-llvm-passes"],
}


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    return get_toolchain()


def compile_c(toolchain: Toolchain, source: Path, flags: list[str], out: Path) -> Path:
    """Compile a C file to bitcode with the toolchain's clang."""
    subprocess.run([str(toolchain.clang), *flags, "-c", "-emit-llvm", str(source), "-o", str(out)], check=True)
    return out


def c_sources() -> list[Path]:
    """C programs to test on: our own, plus a few single-file built-in benchmarks when present."""
    sources = [DATA / "kitchen.c"]
    for name in ("crc32", "regex", "huffman"):
        path = REPO / "benchmarks" / "builtin-v0" / name / f"{name}.c"
        if path.exists():
            sources.append(path)
    return sources


@pytest.fixture(scope="session")
def c_modules(toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``"<program>-<level>"`` -> bitcode path, for every C source and flag set."""
    out = tmp_path_factory.mktemp("c_modules")
    return {
        f"{src.stem}-{level}": compile_c(toolchain, src, flags, out / f"{src.stem}-{level}.bc")
        for src in c_sources()
        for level, flags in C_FLAGS.items()
    }


@pytest.fixture(scope="session")
def kitchen_o0(c_modules: dict[str, Path]) -> Path:
    return c_modules["kitchen-O0"]


def postgres_modules() -> list[Path]:
    return [POSTGRES_BITCODE / name for name in POSTGRES_MODULES if (POSTGRES_BITCODE / name).exists()]


@pytest.fixture(scope="session")
def pressure_bc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module with register pressure (the MLGO probe program at -O2), for the MLGO channel tests."""
    from rl_compiler.llvm.mlgo import PROBE_SOURCE

    c_file = tmp_path_factory.mktemp("src") / "pressure.c"
    c_file.write_text(PROBE_SOURCE)
    return compile_c(get_toolchain(), c_file, ["-O2"], c_file.with_suffix(".bc"))

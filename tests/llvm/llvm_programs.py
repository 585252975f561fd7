"""Real programs for the LLVM layer's tests: the test data, C sources and the clang flags of the starting
points, compiled with the toolchain's clang (the fixtures over them are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

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


def c_sources() -> list[Path]:
    """C programs to test on: our own, plus a few single-file built-in benchmarks when present."""
    sources = [DATA / "kitchen.c"]
    for name in ("crc32", "regex", "huffman"):
        path = REPO / "benchmarks" / "builtin-v0" / name / f"{name}.c"
        if path.exists():
            sources.append(path)
    return sources


def postgres_modules() -> list[Path]:
    return [POSTGRES_BITCODE / name for name in POSTGRES_MODULES if (POSTGRES_BITCODE / name).exists()]

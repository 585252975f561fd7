"""Real programs for the graph tests: built-in benchmarks and the LLVM tests' C file, unoptimized and -Oz."""

from __future__ import annotations

from pathlib import Path

import pytest
from c_to_ir import compile_c

from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm import Module
from rl_compiler.llvm.baselines import optimize_oz

KITCHEN = Path(__file__).resolve().parents[1] / "llvm" / "data" / "kitchen.c"
PROGRAMS = ("crc32", "regex", "huffman", "minilisp", "bytecodevm")


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """``"<name>-O0"`` (as the envs start) and ``"<name>-Oz"`` -> bitcode."""
    out: dict[str, bytes] = {}
    for name in PROGRAMS:
        out[f"{name}-O0"] = get_benchmark(f"benchmark://builtin-v0/{name}").bitcode()
    target = tmp_path_factory.mktemp("graph") / "kitchen.bc"
    out["kitchen-O0"] = compile_c(KITCHEN, target, "-O0", "-Xclang", "-disable-O0-optnone").read_bytes()
    for name in list(out):
        with Module.from_bitcode(out[name]) as module, optimize_oz(module) as optimized:
            out[name.replace("-O0", "-Oz")] = optimized.bitcode()
    return out

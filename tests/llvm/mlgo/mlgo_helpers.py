"""Shared by the MLGO channel tests: a module with register pressure, llc's command line, a legal action."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rl_compiler.llvm import mlgo
from rl_compiler.llvm.toolchain import get_toolchain

PRESSURE_C = mlgo.PROBE_SOURCE


def llc_argv(module: Path, compilation: mlgo.InteractiveCompilation, *extra: str) -> list[str]:
    return [
        str(get_toolchain().llc),
        *mlgo.REGALLOC_FLAGS,
        "-filetype=obj",
        *extra,
        "-o",
        str(compilation.path("out.o")),
        str(module),
    ]


def first_legal(spec: mlgo.ChannelSpec, blob: bytes) -> int:
    return int(np.flatnonzero(spec.tensors(blob)["mask"])[0])

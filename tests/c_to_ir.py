"""Compile C to LLVM IR with the toolchain's clang, for tests that need a module of their own."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rl_compiler.llvm.toolchain import get_toolchain


def compile_c(source: str | Path, out: Path, *flags: str) -> Path:
    """``clang FLAGS -c -emit-llvm SOURCE -o OUT`` (``-S``, textual IR, when ``out`` ends in ``.ll``); return ``out``.

    :param source: a C file (a :class:`~pathlib.Path`), or C text (a ``str``) written beside ``out`` as ``.c``.
    """
    if isinstance(source, str):
        c_file = out.with_suffix(".c")
        c_file.write_text(source)
        source = c_file
    output = "-S" if out.suffix == ".ll" else "-c"
    subprocess.run([str(get_toolchain().clang), *flags, output, "-emit-llvm", str(source), "-o", str(out)], check=True)
    return out

"""rl_compiler.llvm: the compiler layer (toolchain, native engine, ``Module``, sessions, baselines).

``rl_compiler.llvm.Module`` is imported lazily so that ``import rl_compiler.llvm.toolchain`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Module"]


def __getattr__(name: str) -> Any:
    if name == "Module":
        from rl_compiler.llvm.module import Module

        return Module
    raise AttributeError(f"module 'rl_compiler.llvm' has no attribute {name!r}")

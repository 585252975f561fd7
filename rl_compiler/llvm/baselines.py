"""The -O0/-O3/-Oz baselines of a module: IR instruction counts and object ``.text`` sizes, cached on disk.

One definition for every LLVM version: O0 is the module as given; O3 is ``default<O3>`` after removing
any ``minsize``/``optsize`` attributes (a size-prepared module carries them, and O3 would honour them); Oz is
``minsize``+``optsize`` on every defined non-``optnone`` function, then ``default<O2>``. That is what
``clang -Oz`` does (LLVM 22+ ``opt`` rejects ``default<Oz>``, and in LLVM 23 it is a fatal error even
through the C API). Object sizes use :meth:`Module.object_text_size` (codegen -O2, PIC).

Results are cached as JSON in ``cache_dir("baselines")``, keyed by the module's bitcode SHA-1 and the
toolchain id, written atomically.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from rl_compiler.llvm.cache import atomic_write_text, cache_dir
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

O3_PIPELINE = "default<O3>"
#: Run after :meth:`Module.set_size_attributes`; see the module docstring.
OZ_PIPELINE = "default<O2>"
#: Bump when the definition of a baseline changes, to invalidate old cache entries.
BASELINES_VERSION = 2


@dataclass(frozen=True)
class Baselines:
    """IR instruction counts (``ic_*``) and object ``.text`` bytes (``text_*``) at -O0, -O3 and -Oz."""

    ic_O0: int
    ic_O3: int
    ic_Oz: int
    text_O0: int
    text_O3: int
    text_Oz: int


def optimize_o3(module: Module) -> Module:
    """A copy of ``module`` without size attributes, optimized like ``opt -passes='default<O3>'``."""
    optimized = module.clone()
    optimized.clear_size_attributes()
    optimized.run_passes(O3_PIPELINE)
    return optimized


def optimize_oz(module: Module) -> Module:
    """A copy of ``module`` optimized like ``clang -Oz``: size attributes, then ``default<O2>``."""
    optimized = module.clone()
    optimized.set_size_attributes()
    optimized.run_passes(OZ_PIPELINE)
    return optimized


def compute_baselines(module: Module, *, use_cache: bool = True) -> Baselines:
    """The O0/O3/Oz instruction counts and object sizes of ``module`` (left unchanged).

    :param module: the unoptimized module (its current state is "O0").
    :param use_cache: read and write the on-disk cache.
    """
    toolchain = get_toolchain()
    key = f"{module.sha1()}-{toolchain.id}-v{BASELINES_VERSION}"
    path = cache_dir("baselines") / f"{key}.json"
    if use_cache and path.exists():
        try:
            return Baselines(**json.loads(path.read_text()))
        except (ValueError, TypeError):
            pass  # a corrupt or outdated entry: recompute and overwrite it
    with optimize_o3(module) as o3, optimize_oz(module) as oz:
        result = Baselines(
            ic_O0=module.instruction_count(),
            ic_O3=o3.instruction_count(),
            ic_Oz=oz.instruction_count(),
            text_O0=module.object_text_size(),
            text_O3=o3.object_text_size(),
            text_Oz=oz.object_text_size(),
        )
    if use_cache:
        atomic_write_text(path, json.dumps(dataclasses.asdict(result), indent=1))
    return result

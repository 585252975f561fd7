"""Names of whole pipelines that agents and wrappers run on a pass-ordering environment.

The envs start from ``clang -Oz -Xclang -disable-llvm-passes`` bitcode, which already carries ``minsize
optsize`` on every function, so ``default<O2>`` on it is exactly what ``clang -Oz`` and the -Oz baseline do
(LLVM 22+ has no ``default<Oz>``; see docs/architecture.md).
"""

from __future__ import annotations

from rl_compiler.llvm.baselines import OZ_PIPELINE

#: The -Oz pipeline on the envs' start module.
OZ = OZ_PIPELINE
#: The -O3 pipeline.
O3 = "default<O3>"
#: Spellings accepted for the -Oz pipeline in pass lists and agent options.
OZ_ALIASES = ("oz", "-Oz", "Oz", "default<Oz>")


def canonical_pipeline(pipeline: str) -> str:
    """``pipeline`` with any spelling of the -Oz pipeline replaced by :data:`OZ`."""
    return OZ if pipeline in OZ_ALIASES else pipeline

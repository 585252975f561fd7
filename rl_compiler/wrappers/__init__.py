"""Gymnasium wrappers that shape a pass-ordering environment: its observation, its actions, its episodes.

- :mod:`~rl_compiler.wrappers.observations`: ``AutophaseNormalized``, ``IrTokens``, ``ActionHistogram``;
- :mod:`~rl_compiler.wrappers.actions`: ``MacroActions``, ``StartFromPipeline``, ``MaskAll``;
- :mod:`~rl_compiler.wrappers.benchmarks`: ``BenchmarkSampler``.

The names the hyperparameter files use for them (``start-oz``, ``macro-actions``, ...) are in
:mod:`rl_compiler.agents.rl.wrappers`.
"""

from __future__ import annotations

from rl_compiler.wrappers.actions import MacroActions, MaskAll, StartFromPipeline
from rl_compiler.wrappers.benchmarks import BenchmarkSampler
from rl_compiler.wrappers.observations import ActionHistogram, AutophaseNormalized, IrTokens

__all__ = [
    "ActionHistogram",
    "AutophaseNormalized",
    "BenchmarkSampler",
    "IrTokens",
    "MacroActions",
    "MaskAll",
    "StartFromPipeline",
]

"""Gymnasium wrappers that shape a pass-ordering environment: its observation, its actions, its episodes.

- :mod:`~rl_compiler.wrappers.observations`: ``AutophaseNormalized``, ``IrTokens``, ``ActionHistogram``;
- :mod:`~rl_compiler.wrappers.actions`: ``MacroActions``, ``StartFromPipeline``, ``MaskAll``;
- :mod:`~rl_compiler.wrappers.benchmarks`: CompilerGym's ``IterateOverBenchmarks``, ``CycleOverBenchmarks``,
  ``RandomOrderBenchmarks``, and ``BenchmarkSampler``;
- :mod:`~rl_compiler.wrappers.commandline`: CompilerGym's ``ConstrainedCommandline``,
  ``CommandlineWithTerminalAction``;
- :mod:`~rl_compiler.wrappers.validation`: CompilerGym's ``ValidateBenchmarkAfterEveryStep``, ``Counter``.

Gymnasium's own wrappers (``TimeLimit``, ``RecordEpisodeStatistics``, ...) apply as they are.

The names the hyperparameter files use for them (``start-oz``, ``macro-actions``, ...) are in
:mod:`rl_compiler.agents.rl.wrappers`.
"""

from __future__ import annotations

from rl_compiler.wrappers.actions import MacroActions, MaskAll, StartFromPipeline
from rl_compiler.wrappers.benchmarks import (
    BenchmarkSampler,
    CycleOverBenchmarks,
    IterateOverBenchmarks,
    RandomOrderBenchmarks,
)
from rl_compiler.wrappers.commandline import CommandlineWithTerminalAction, ConstrainedCommandline
from rl_compiler.wrappers.observations import ActionHistogram, AutophaseNormalized, IrTokens
from rl_compiler.wrappers.validation import Counter, ValidateBenchmarkAfterEveryStep

__all__ = [
    "ActionHistogram",
    "AutophaseNormalized",
    "BenchmarkSampler",
    "CommandlineWithTerminalAction",
    "ConstrainedCommandline",
    "Counter",
    "CycleOverBenchmarks",
    "IrTokens",
    "IterateOverBenchmarks",
    "MacroActions",
    "MaskAll",
    "RandomOrderBenchmarks",
    "StartFromPipeline",
    "ValidateBenchmarkAfterEveryStep",
]

"""Benchmark-choosing wrappers: which benchmark each ``reset`` starts.

CompilerGym's three (``IterateOverBenchmarks``, ``CycleOverBenchmarks``, ``RandomOrderBenchmarks``) choose every
benchmark themselves and refuse one passed to ``reset`` (as CompilerGym does, with ``TypeError``);
:class:`BenchmarkSampler` (the training runs' sampler) lets ``reset(options={"benchmark": ...})`` override it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import gymnasium as gym
import numpy as np


class BenchmarkSampler(gym.Wrapper):
    """Reset to a benchmark drawn (seeded) from ``benchmarks`` unless ``options["benchmark"]`` names one."""

    def __init__(self, env: gym.Env, benchmarks: list[str], seed: int | None = None) -> None:
        super().__init__(env)
        if not benchmarks:
            raise ValueError("BenchmarkSampler needs at least one benchmark")
        self.benchmarks = list(benchmarks)
        self.rng = np.random.default_rng(seed)

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        options = dict(kwargs.pop("options", None) or {})
        options.setdefault("benchmark", self.benchmarks[int(self.rng.integers(len(self.benchmarks)))])
        return self.env.reset(options=options, **kwargs)


class IterateOverBenchmarks(gym.Wrapper):
    """CompilerGym's ``IterateOverBenchmarks``: each ``reset`` starts the next benchmark of ``benchmarks``, once
    through; the reset after the last raises ``StopIteration``.

    :param benchmarks: URIs or :class:`~rl_compiler.datasets.Benchmark` objects (any iterable, read lazily).
    """

    def __init__(self, env: gym.Env, benchmarks: Iterable[Any]) -> None:
        super().__init__(env)
        self.benchmarks: Iterator[Any] = iter(benchmarks)

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        options = dict(kwargs.pop("options", None) or {})
        if options.get("benchmark") is not None:
            raise TypeError(f"benchmark passed to {type(self).__name__}.reset(): it chooses the benchmark itself")
        options["benchmark"] = next(self.benchmarks)
        return self.env.reset(options=options, **kwargs)


class CycleOverBenchmarks(IterateOverBenchmarks):
    """CompilerGym's ``CycleOverBenchmarks``: each ``reset`` starts the next benchmark of ``benchmarks``, and
    after the last one the first again, forever."""

    def __init__(self, env: gym.Env, benchmarks: Iterable[Any]) -> None:
        benchmarks = list(benchmarks)
        if not benchmarks:
            raise ValueError("CycleOverBenchmarks needs at least one benchmark")
        super().__init__(env, itertools.cycle(benchmarks))


class RandomOrderBenchmarks(IterateOverBenchmarks):
    """CompilerGym's ``RandomOrderBenchmarks``: each ``reset`` starts a benchmark drawn uniformly (with
    replacement) from ``benchmarks``.

    :param rng: a NumPy generator (default: a fresh one); seed it for a reproducible order.
    """

    def __init__(self, env: gym.Env, benchmarks: Iterable[Any], rng: np.random.Generator | None = None) -> None:
        choices = list(benchmarks)
        if not choices:
            raise ValueError("RandomOrderBenchmarks needs at least one benchmark")
        self.rng = rng if rng is not None else np.random.default_rng()
        super().__init__(env, (choices[int(self.rng.integers(len(choices)))] for _ in itertools.count()))

"""Benchmark-choosing wrappers: which benchmark each ``reset`` starts."""

from __future__ import annotations

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

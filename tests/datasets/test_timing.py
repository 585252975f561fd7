"""Wall-time statistics: warm-up runs dropped, robust median and spread, and the noise band."""

from __future__ import annotations

import math

import pytest

from rl_compiler.datasets import get_benchmark
from rl_compiler.datasets.errors import DatasetError
from rl_compiler.datasets.timing import RuntimeStats


def test_median_spread_and_noise_band():
    stats = RuntimeStats.from_times([1.0, 1.1, 0.9, 1.0, 5.0])  # one outlier
    assert stats.median == 1.0
    assert stats.spread == pytest.approx(1.4826 * 0.1)  # the outlier does not inflate it
    assert stats.standard_error == pytest.approx(math.sqrt(math.pi / 2) * stats.spread / math.sqrt(5))
    slower = RuntimeStats.from_times([1.5, 1.6, 1.4, 1.5, 1.5])
    same = RuntimeStats.from_times([1.02, 1.1, 0.95, 1.0, 1.05])
    assert slower.significant(stats) and stats.significant(slower)
    assert not same.significant(stats)
    assert stats.noise_band(same, z=4.0) == pytest.approx(2 * stats.noise_band(same, z=2.0))
    assert RuntimeStats.from_times([0.5]).spread == 0.0
    with pytest.raises(DatasetError, match="at least one"):
        RuntimeStats.from_times([])


def test_measure_drops_warmup_runs():
    benchmark = get_benchmark("benchmark://builtin-v0/kmp")
    stats = RuntimeStats.measure(benchmark, benchmark.bitcode("runtime"), warmup=2, repeats=3)
    assert len(stats.times) == 3 and all(t > 0 for t in stats.times)
    with pytest.raises(DatasetError, match="repeats must be >= 1"):
        RuntimeStats.measure(benchmark, b"", repeats=0)
    with pytest.raises(DatasetError, match="warmup must be >= 0"):
        RuntimeStats.measure(benchmark, b"", warmup=-1)


def test_cpu_times_are_recorded_beside_wall_times():
    benchmark = get_benchmark("benchmark://builtin-v0/kmp")
    stats = RuntimeStats.measure(benchmark, benchmark.bitcode("runtime"), warmup=1, repeats=2)
    assert len(stats.cpu_times) == 2
    # A single-threaded program cannot use more CPU than wall time (plus clock granularity).
    assert all(0 < cpu <= wall + 0.01 for cpu, wall in zip(stats.cpu_times, stats.times, strict=True))

"""Wall-clock run times that report their own noise: warm-up runs, repetitions, median and spread.

A benchmark's run time on a shared machine varies by a few percent between runs, often more than one pass
changes it. :class:`RuntimeStats` keeps the timed runs of one module state (warm-up runs excluded) and
summarises them robustly: the median, and the spread as 1.4826 x the median absolute deviation (an estimate
of the standard deviation that ignores outliers). :meth:`RuntimeStats.significant` decides whether two states'
medians differ by more than the noise: the difference must exceed ``z`` standard errors of the difference of
two medians (each median's standard error taken as 1.2533 x spread / sqrt(n), its large-sample value for
normal noise). The runtime reward uses it to ignore changes within the noise band.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.errors import DatasetError

#: Robust standard deviation from the median absolute deviation (normal noise).
MAD_TO_SIGMA = 1.4826
#: Standard error of a median in units of sigma / sqrt(n) (normal noise, large n).
MEDIAN_SE_FACTOR = math.sqrt(math.pi / 2)


@dataclass(frozen=True)
class RuntimeStats:
    """The timed runs (seconds) of one module state, with their median and spread.

    :param times: wall times of the timed runs.
    :param cpu_times: their user + system CPU times, when known (``RunResult.cpu_times``).
    """

    times: tuple[float, ...]
    cpu_times: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not self.times:
            raise DatasetError("RuntimeStats needs at least one run time")

    @classmethod
    def from_times(cls, times: Sequence[float]) -> RuntimeStats:
        return cls(tuple(float(t) for t in times))

    @classmethod
    def measure(
        cls, benchmark: Benchmark, bitcode: bytes, *, warmup: int = 1, repeats: int = 5, timeout: float = 10.0
    ) -> RuntimeStats:
        """Link ``bitcode`` once, run it ``warmup`` times untimed (page cache, CPU frequency, branch
        predictors of the loader) and then ``repeats`` times timed, each run in the sandbox."""
        if warmup < 0:
            raise DatasetError(f"warmup must be >= 0, got {warmup}")
        if repeats < 1:
            raise DatasetError(f"repeats must be >= 1, got {repeats}")
        result = benchmark.run(bitcode, repeats=warmup + repeats, timeout=timeout)
        return cls(tuple(result.times[warmup:]), tuple(result.cpu_times[warmup:]))

    @property
    def median(self) -> float:
        """The median run time (seconds)."""
        return float(statistics.median(self.times))

    @property
    def spread(self) -> float:
        """1.4826 x the median absolute deviation (seconds): a robust standard deviation; 0 for one run."""
        median = self.median
        return MAD_TO_SIGMA * float(statistics.median(abs(t - median) for t in self.times))

    @property
    def standard_error(self) -> float:
        """The standard error of :attr:`median` (seconds)."""
        return MEDIAN_SE_FACTOR * self.spread / math.sqrt(len(self.times))

    def noise_band(self, other: RuntimeStats, z: float = 2.0) -> float:
        """Half-width (seconds) of the band around zero within which the difference of the two medians is
        noise: ``z`` standard errors of the difference."""
        return z * math.hypot(self.standard_error, other.standard_error)

    def significant(self, other: RuntimeStats, z: float = 2.0) -> bool:
        """True if the medians of ``self`` and ``other`` differ by more than :meth:`noise_band`."""
        return abs(self.median - other.median) > self.noise_band(other, z)

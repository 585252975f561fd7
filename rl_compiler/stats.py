"""The one geometric mean and the one bootstrap interval that every report uses.

``rl-compiler eval``, training's periodic validation, the leaderboard's reports and the benchmark scripts
all summarise per-benchmark returns with :func:`geomean` and :func:`bootstrap_ci` (together:
:func:`geomean_summary`), so the same results always give the same number wherever they are shown.

A return at or below zero (CompilerGym's ``IrInstructionCountOz`` goes negative when a program ends larger
than its unoptimised form) has no logarithm: it counts as :data:`GEOMEAN_FLOOR`, and reports say how many
values were floored (:func:`floored`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

#: Values below this count as this in a geometric mean (a return <= 0 cannot enter a logarithm).
GEOMEAN_FLOOR = 1e-3


def geomean(values: Sequence[float] | np.ndarray) -> float:
    """Geometric mean of ``values``, each floored at :data:`GEOMEAN_FLOOR`; ``nan`` for no values."""
    array = np.asarray(values, dtype=float).ravel()
    if not array.size:
        return math.nan
    return float(np.exp(np.mean(np.log(np.maximum(array, GEOMEAN_FLOOR)))))


def floored(values: Sequence[float] | np.ndarray) -> int:
    """How many of ``values`` :func:`geomean` raised to the floor."""
    return int(np.sum(np.asarray(values, dtype=float) <= GEOMEAN_FLOOR))


def bootstrap_ci(
    values: Mapping[str, Sequence[float]] | Sequence[float],
    *,
    samples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """A percentile bootstrap interval of the :func:`geomean` over benchmarks.

    Two-stage resampling: each draw picks as many benchmarks as there are, with replacement, and for each
    picked benchmark one of its repetitions at random. The interval therefore covers both the choice of
    programs and the agent's own randomness; with one value per benchmark (``rl-compiler eval``) it is the
    plain bootstrap over benchmarks.

    :param values: per-benchmark repetitions (``{benchmark: [return, ...]}``) or one value per benchmark.
    :returns: ``(low, high)``; ``(nan, nan)`` without values.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    groups = list(values.values()) if isinstance(values, Mapping) else [[value] for value in values]
    groups = [np.log(np.maximum(np.asarray(group, dtype=float), GEOMEAN_FLOOR)) for group in groups if len(group)]
    if not groups:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    picked = rng.integers(0, len(groups), size=(samples, len(groups)))
    # One repetition of every benchmark per draw, then the draw's benchmarks by index.
    logs = np.stack([group[rng.integers(0, len(group), samples)] for group in groups], axis=1)
    means = np.exp(np.take_along_axis(logs, picked, axis=1).mean(axis=1))
    tail = (1 - confidence) / 2 * 100
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def geomean_summary(values: Sequence[float], name: str) -> dict[str, float | int]:
    """The headline of an evaluation report: ``{"geomean_<name>": ..., "ci_low": ..., "ci_high": ...,
    "floored": ...}``, the :func:`geomean` of one value per benchmark with its :func:`bootstrap_ci`."""
    low, high = bootstrap_ci(values)
    return {f"geomean_{name}": geomean(values), "ci_low": low, "ci_high": high, "floored": floored(values)}

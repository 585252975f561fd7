"""The one geomean and bootstrap interval of every report."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rl_compiler.stats import GEOMEAN_FLOOR, bootstrap_ci, floored, geomean, geomean_summary


def test_geomean_floors_non_positive_returns():
    assert geomean([1.0, 4.0]) == pytest.approx(2.0)
    assert geomean(np.array([2.0, 2.0, 2.0])) == pytest.approx(2.0)
    assert geomean([-0.5, 1.0]) == pytest.approx(math.sqrt(GEOMEAN_FLOOR))
    assert floored([-0.5, 0.0, 1.0]) == 2
    assert math.isnan(geomean([]))


def test_bootstrap_interval_brackets_the_geomean_and_is_reproducible():
    rng = np.random.default_rng(1)
    values = list(np.exp(rng.normal(0.0, 0.05, 30)) + 0.0)
    low, high = bootstrap_ci(values)
    assert low < geomean(values) < high
    assert (low, high) == bootstrap_ci(values)  # seeded
    # Identical values: no spread. Per-benchmark repetitions are resampled too.
    assert bootstrap_ci([1.2] * 5) == pytest.approx((1.2, 1.2))
    # Two draws of a benchmark: both "a" at its 1.0 (or both at 1.2) has probability 1/16, more than the 2.5% tails,
    # so the interval is exactly the extremes (averaging a's repetitions first would give the point 1.1).
    assert bootstrap_ci({"a": [1.0, 1.2], "b": [1.1]}) == pytest.approx((1.0, 1.2))
    # One benchmark: every draw takes one of its repetitions, so the interval spans both (averaging the
    # repetitions first would give a point).
    assert bootstrap_ci({"a": [1.0, 1.2]}) == pytest.approx((1.0, 1.2))
    wide = bootstrap_ci(values, confidence=0.99)
    assert wide[0] <= bootstrap_ci(values)[0] and wide[1] >= bootstrap_ci(values)[1]


def test_bootstrap_bad_input():
    assert all(math.isnan(v) for v in bootstrap_ci([]))
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci([1.0], confidence=1.5)


def test_geomean_summary_names_the_geomean_and_brackets_it():
    values = [0.9, 1.1, 1.3, -1.0]
    summary = geomean_summary(values, "score")
    assert summary["geomean_score"] == geomean(values)
    assert (summary["ci_low"], summary["ci_high"]) == bootstrap_ci(values)
    assert summary["ci_low"] <= summary["geomean_score"] <= summary["ci_high"]
    assert summary["floored"] == 1

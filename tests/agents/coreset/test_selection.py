"""The greedy cover: facility-location selection over a value table (values normalized to -Oz)."""

from __future__ import annotations

import numpy as np
import pytest

from rl_compiler.agents.coreset.selection import coverage, greedy_cover, log_gains


def test_greedy_cover_picks_complementary_sequences():
    # Sequence 0 is good on programs 0-1, sequence 1 a bit better on program 0 only, sequence 2 on program 2.
    values = np.array(
        [
            [1.10, 1.12, 1.00],
            [1.10, 1.00, 0.90],
            [0.95, 1.00, 1.20],
        ]
    )
    picks = greedy_cover(values, 2)
    assert [p.column for p in picks] == [0, 2]  # 0 covers two programs, then 2 adds the third
    assert picks[0].covered == 2 and picks[1].covered == 1
    assert picks[0].marginal_gain == pytest.approx(2 * np.log(1.10) / 3)
    assert coverage(values, [0, 2]) == pytest.approx(np.exp((2 * np.log(1.1) + np.log(1.2)) / 3))
    assert coverage(values, [0, 1, 2]) > coverage(values, [0, 2])


def test_greedy_cover_stops_when_nothing_beats_oz_and_ignores_failures():
    values = np.array([[0.9, np.nan], [1.0, np.nan]])
    assert greedy_cover(values, 5) == []
    assert log_gains(values).sum() == 0
    assert coverage(values, []) == 1.0


def test_greedy_cover_bad_input():
    with pytest.raises(ValueError, match="programs x sequences"):
        greedy_cover(np.ones(3), 1)
    with pytest.raises(ValueError, match="size must be >= 1"):
        greedy_cover(np.ones((2, 2)), 0)

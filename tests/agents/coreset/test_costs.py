"""The cost model of coreset sequences: fitting quantiles, the smaller of its two estimates, files, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rl_compiler.agents.coreset import load_coreset
from rl_compiler.agents.coreset.costs import SequenceCosts, fit_costs, load_costs
from rl_compiler.envs.coreset import OZ, Coreset

TOY = Coreset(name="toy", sequences=(OZ, "a", "b"))


def test_fit_keeps_a_quantile_of_each_ratio_and_of_seconds_per_instruction():
    # -Oz takes 1 s on every program; "a" 2-4 times that; "b" 0.5 s whatever -Oz takes.
    seconds = np.array([[1.0, 2.0, 0.5], [1.0, 3.0, 0.5], [1.0, 4.0, 0.5]])
    costs = fit_costs(seconds, np.array([1000, 2000, 4000]), TOY, quantile=1.0)
    assert costs.ratios == (1.0, 4.0, 0.5)
    assert costs.per_instruction == pytest.approx((1e-3, 2e-3, 5e-4))
    # The smaller of the two: a module -Oz is slow on (inlining) but "b" is not.
    assert costs.seconds(2, oz_seconds=2.0, instructions=1000) == pytest.approx(0.5)
    assert costs.seconds(1, oz_seconds=0.1, instructions=1000) == pytest.approx(0.4)
    assert fit_costs(seconds, np.array([1000, 2000, 4000]), TOY, quantile=0.5).ratios == (1.0, 3.0, 0.5)


def test_save_load_round_trip_and_the_coreset_check(tmp_path):
    costs = fit_costs(np.array([[1.0, 2.0, 0.5]]), np.array([100]), TOY, recipe="test")
    path = tmp_path / "costs.json"
    costs.save(path)
    again = SequenceCosts.load(path)
    assert again == costs and again.info["recipe"] == "test"
    again.check_coreset(TOY.sequences)
    with pytest.raises(ValueError, match="another coreset"):
        again.check_coreset((OZ, "a", "c"))


def test_the_shipped_costs_are_for_the_shipped_coreset():
    costs, coreset = load_costs(), load_coreset()
    costs.check_coreset(coreset.sequences)
    assert costs.ratios[0] == 1.0 and all(c > 0 for c in costs.per_instruction)


def test_bad_input_is_named(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        fit_costs(np.ones((2, 2)), np.array([1, 1]), TOY)
    with pytest.raises(ValueError, match="instruction count"):
        fit_costs(np.ones((2, 3)), np.array([1, 0]), TOY)
    with pytest.raises(ValueError, match="quantile"):
        fit_costs(np.ones((2, 3)), np.array([1, 1]), TOY, quantile=0)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a coreset cost model"):
        SequenceCosts.load(bad)
    with pytest.raises(ValueError, match="not a coreset cost model"):
        SequenceCosts.load(tmp_path / "missing.json")

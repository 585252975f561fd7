"""The start module's guess of what to compile before -Oz finishes: force-inlining read from real clang output,
the neighbour order over the start features alone, and what the prediction path speculates with it."""

from __future__ import annotations

import numpy as np
import pytest

from rl_compiler.agents.coreset import load_coreset, load_value_model
from rl_compiler.agents.coreset.costs import load_costs
from rl_compiler.agents.coreset.predict import Plan, predict
from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.speculate import (
    force_inlining,
    prior_speculation,
    start_order,
    start_speculation,
)
from rl_compiler.agents.coreset.value import START_FEATURES, feature_vector, start_vector
from rl_compiler.datasets import get_benchmark
from rl_compiler.datasets.build import compile_sources
from rl_compiler.llvm import Module

SOURCE = """
static inline __attribute__((always_inline)) int mix(int a, int b) { return (a << 3) ^ (b >> 2) ^ (a * b); }
int one(int x) { return mix(x, 7); }
int two(int x, int y) { return mix(x, y) + %s; }
"""


def ir_of(tmp_path, source: str) -> str:
    """The IR text of the start module clang makes of ``source`` (the size variant: -Oz, no passes)."""
    path = tmp_path / "unit.c"
    path.write_text(source)
    with Module.from_bitcode(compile_sources([path], [], "size", tmp_path)) as module:
        return module.ir()


def test_force_inlining_needs_an_always_inline_function_called_from_several_places(tmp_path):
    assert force_inlining(ir_of(tmp_path, SOURCE % "mix(y, x)"))  # mix: always_inline, 3 call sites
    assert not force_inlining(ir_of(tmp_path, SOURCE % "mix(y, x)"), calls=4)
    once = SOURCE.replace("int one(int x) { return mix(x, 7); }\n", "") % "y"
    assert not force_inlining(ir_of(tmp_path, once))  # one call site: nothing to blow up
    plain = (SOURCE % "mix(y, x)").replace("__attribute__((always_inline)) ", "")
    assert not force_inlining(ir_of(tmp_path, plain))
    with Module.from_bitcode(get_benchmark("benchmark://builtin-v0/crc32").bitcode("size")) as module:
        assert not force_inlining(module.ir())


def test_the_start_order_uses_the_start_features_alone():
    model = load_value_model()
    bitcode = get_benchmark("benchmark://builtin-v0/sort").bitcode("size")
    with Scorer() as scorer:
        autophase, inst_count, ic_start = scorer.features(bitcode)
    start = start_vector(autophase, inst_count)
    assert (start == feature_vector(autophase, inst_count, ic_start, 10, 10)[:START_FEATURES]).all()
    order = start_order(model, start)
    assert order[0] == 0 and sorted(order) == list(range(len(load_coreset())))
    # Leaving out every training program but one: the order is that program's best sequences first.
    alone = np.ones(len(model.logs), bool)
    alone[0] = False
    assert start_order(model, start, exclude=alone)[1] == int(np.argmax(model.logs[0]))
    with pytest.raises(ValueError, match="126"):
        start_vector(autophase[:3], inst_count)


def test_the_guess_is_the_start_orders_first_picks():
    assert start_speculation([0, 11, 1, 2], 2) == [11, 1]
    assert start_speculation([4, 0, 2], 2) == [4, 2]
    assert start_speculation([0, 11], 2) == [11] and start_speculation([0, 11], 0) == []
    model = load_value_model()
    assert prior_speculation(model, load_costs(), 2) == [2, 1]  # sequence 2 is the cheaper per instruction


def test_a_guess_that_comes_later_wakes_the_waiting_lane():
    plan = Plan([], 2, end=None)
    assert plan.take() == "wait"
    plan.speculate([11, 2])
    plan.speculate([2, 1])  # no repeats, at most 2
    assert plan.speculative == [11, 2] and plan.take() == 11 and plan.take() == 2 and plan.take() == "wait"
    plan.decide([0, 2, 11, 3])
    assert plan.take() == 3 and plan.take() is None and plan.speculated == [11, 2]


def test_a_wasted_guess_takes_the_last_picks_place():
    plan = Plan([11, 2], 2, end=None, capacity=4)  # -Oz plus 4: the shipped 5 compilations
    assert plan.take() == 11 and plan.take() == 2
    plan.decide([0, 2, 3, 4, 5])  # 11 was not picked: wasted
    assert plan.take() == 3 and plan.take() == 4 and plan.take() is None and plan.skipped == [5]


def test_prediction_speculates_the_start_guess_and_keeps_its_picks():
    coreset, model = load_coreset(), load_value_model()
    bitcode = get_benchmark("benchmark://builtin-v0/sort").bitcode("size")
    with Scorer(lanes=2) as scorer:
        scorer.start(bitcode)
        guessed = predict(bitcode, scorer, coreset, model, budget=30.0)  # nothing overruns: only the cap skips
        prior = predict(bitcode, scorer, coreset, model, budget=30.0, guess="prior")
        free = predict(bitcode, scorer, coreset, model, budget=None)
        with pytest.raises(ValueError, match="guess"):
            predict(bitcode, scorer, coreset, model, guess="random")
    assert guessed.chosen == prior.chosen == free.chosen and free.speculated == free.wasted == free.skipped == []
    expected = start_speculation(start_order(model, guessed.features[:START_FEATURES]), 2)
    assert guessed.speculated == expected[: len(guessed.speculated)]
    for run in (guessed, prior):  # a wasted guess takes the last pick's place: 5 compilations at most
        assert run.compilations == len(run.chosen) - len(run.skipped) + len(run.wasted) <= 5
        last = run.chosen[len(run.chosen) - len(run.skipped) :]
        assert len(run.skipped) == len(run.wasted) and run.skipped == sorted(last)
        assert all(run.results[i] == free.results[i] for i in run.chosen if i not in run.skipped)

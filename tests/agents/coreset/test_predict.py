"""Value prediction alone on all lanes at once: the same picks and results as compiling one after another;
the wall-clock budget with real workers: a slow sequence cancelled or skipped, nothing changed otherwise."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from rl_compiler.agents.coreset import load_coreset, load_value_model, rank_sequences
from rl_compiler.agents.coreset.costs import SequenceCosts, load_costs
from rl_compiler.agents.coreset.predict import COMPILATIONS, Plan, predict
from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.value import ValueModel, feature_vector, sequences_digest, train_value_model
from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.coreset import OZ, Coreset
from rl_compiler.llvm.errors import LLVMError

PROGRAMS = ["crc32", "sort"]  # builtin-v0 train split


@pytest.fixture(scope="module")
def scorer():
    with Scorer(lanes=2) as scorer:
        yield scorer


@pytest.mark.parametrize("name", PROGRAMS)
def test_lanes_give_what_compiling_one_after_another_gives(scorer: Scorer, name: str):
    coreset, model = load_coreset(), load_value_model()
    bitcode = get_benchmark(f"benchmark://builtin-v0/{name}").bitcode("size")
    prediction = predict(bitcode, scorer, coreset, model, budget=None)

    # The reference: every sequence compiled alone on a fresh parse, in order, on one lane.
    autophase, inst_count, ic_start = scorer.features(bitcode)
    ic_oz, text_oz = scorer.compile(bitcode, OZ)
    features = feature_vector(autophase, inst_count, ic_start, ic_oz, text_oz)
    order = [i for i in rank_sequences(features, coreset=coreset, model=model) if i != 0]
    chosen = [0, *order[: COMPILATIONS - 1]]
    assert prediction.chosen == chosen
    assert (prediction.features == features).all()
    for index in chosen:
        assert prediction.results[index] == tuple(scorer.compile(bitcode, coreset.sequences[index]))
    kept = min(chosen, key=lambda i: (prediction.results[i][1], prediction.results[i][0], coreset.sequences[i]))
    assert prediction.kept == kept and (prediction.ic, prediction.text) == prediction.results[kept]
    assert prediction.text <= text_oz
    assert set(prediction.wasted).isdisjoint(chosen)


def test_one_lane_gives_the_same_prediction(scorer: Scorer):
    coreset, model = load_coreset(), load_value_model()
    bitcode = get_benchmark("benchmark://builtin-v0/crc32").bitcode("size")
    with Scorer() as one:
        alone = predict(bitcode, one, coreset, model, budget=None)
    both = predict(bitcode, scorer, coreset, model, budget=None)
    assert (alone.chosen, alone.results, alone.kept) == (both.chosen, both.results, both.kept)
    assert alone.wasted == []  # nothing runs ahead on a single lane


def test_bad_input_is_named_and_leaves_no_thread(scorer: Scorer):
    coreset, model = load_coreset(), load_value_model()
    before = threading.active_count()
    with pytest.raises(LLVMError):
        predict(b"not bitcode", scorer, coreset, model)
    assert threading.active_count() == before
    with pytest.raises(ValueError, match="compilations"):
        predict(b"", scorer, coreset, model, compilations=0)
    with pytest.raises(ValueError, match="lanes"):
        Scorer(lanes=0)


# -- the wall-clock budget ------------------------------------------------------------------------------------

#: A sequence that takes seconds on the built-in train split's aes (-Oz 40 times: about 40 times -Oz's time).
SLOW = ",".join([OZ] * 40)
#: -Oz, -Oz twice (the prior order's first: the speculative compilation), the slow one, two quick ones.
TOY = Coreset(name="slow-toy", sequences=(OZ, f"{OZ},{OZ}", SLOW, "function(simplifycfg)", "function(sroa)"))


@pytest.fixture(scope="module")
def toy_model() -> ValueModel:
    # Every program alike: -Oz twice is best, then the slow one: the prior order is 1, 2, ... (1 is speculative).
    rng = np.random.default_rng(0)
    features = np.stack([feature_vector(rng.uniform(1, 2, 56), rng.uniform(1, 2, 70), 1000, 400, 1200)
                         for _ in range(6)])  # fmt: skip
    values = np.array([[1.0, 1.2, 1.1, 1.01, 1.02]] * 6)
    return train_value_model(features, values, TOY, k=3)


def test_the_budget_cancels_a_slow_sequence_and_keeps_what_finished(scorer: Scorer, toy_model: ValueModel):
    bitcode = get_benchmark("benchmark://builtin-v0/aes").bitcode("size")
    scorer.start(bitcode)  # the budget is for compiling: worker processes are started ahead
    start = time.perf_counter()
    prediction = predict(bitcode, scorer, TOY, toy_model, budget=1.0, costs=None)
    seconds = time.perf_counter() - start
    assert seconds < 1.0 + 0.5  # the slow sequence alone takes about 7 s; the slack is for a loaded machine
    assert prediction.chosen == [0, 1, 2, 4, 3] and 2 in prediction.cancelled and 2 not in prediction.skipped
    assert prediction.results[2] is None and prediction.results[0] is not None
    finished = [i for i in prediction.chosen if prediction.results[i] is not None]
    # Every pick finished, was cancelled, or was never started (no time left: quick ones on a loaded machine).
    assert sorted(finished + prediction.cancelled + prediction.skipped) == [0, 1, 2, 3, 4]
    assert prediction.kept == min(finished, key=lambda i: (prediction.results[i][1], prediction.results[i][0]))
    for index in finished:  # what finished is what compiling it alone gives
        assert prediction.results[index] == tuple(scorer.compile(bitcode, TOY.sequences[index]))
    # The cancelled lane's worker was started again in the background: the next prediction runs on both lanes.
    again = predict(get_benchmark("benchmark://builtin-v0/crc32").bitcode("size"), scorer, TOY, toy_model,
                    budget=None)  # fmt: skip
    assert again.cancelled == again.skipped == [] and all(r is not None for r in again.results.values())


def test_a_cost_model_skips_the_slow_sequence_instead_of_cancelling_it(scorer: Scorer, toy_model: ValueModel):
    bitcode = get_benchmark("benchmark://builtin-v0/aes").bitcode("size")
    # -Oz twice 2.2 times -Oz's time, the slow one 45 times (per instruction: the same for all, 1 ms).
    costs = SequenceCosts((1.0, 2.2, 45.0, 1.5, 1.5), (1e-3,) * 5, sequences_digest(TOY.sequences))
    scorer.start(bitcode)
    start = time.perf_counter()
    prediction = predict(bitcode, scorer, TOY, toy_model, budget=1.0, costs=costs, speculative=1)
    assert time.perf_counter() - start < 1.0 + 0.5
    assert 2 in prediction.skipped and 2 not in prediction.cancelled and prediction.results[0] is not None
    finished = [i for i in prediction.chosen if prediction.results[i] is not None]
    assert sorted(finished + prediction.cancelled + prediction.skipped) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("name", PROGRAMS)
def test_with_a_budget_nothing_overruns_gives_the_unbudgeted_result(scorer: Scorer, name: str):
    coreset, model = load_coreset(), load_value_model()
    bitcode = get_benchmark(f"benchmark://builtin-v0/{name}").bitcode("size")
    free = predict(bitcode, scorer, coreset, model, budget=None)
    bounded = predict(bitcode, scorer, coreset, model, budget=30.0)  # the shipped cost model orders the picks
    assert bounded.cancelled == [] and bounded.chosen == free.chosen
    # Only a wasted guess changes anything: it takes the last pick's place (5 compilations in all).
    assert len(bounded.skipped) == len(bounded.wasted) and bounded.compilations <= 5 == free.compilations
    assert all(bounded.results[i] == free.results[i] for i in bounded.chosen if i not in bounded.skipped)
    if not bounded.wasted:
        assert (bounded.results, bounded.kept) == (free.results, free.kept)


def test_the_plan_skips_what_would_overrun_and_starts_the_cheapest_first():
    now = [0.0]
    plan = Plan([1], 1, end=1.0, clock=lambda: now[0])
    assert plan.take() == 1 and plan.take() == "wait"  # speculative, then wait for the picks
    now[0] = 0.3
    plan.decide([0, 1, 2, 3, 4], estimate={1: 0.2, 2: 0.9, 3: 0.1, 4: 0.5}.get)
    assert plan.queue == [3, 1, 4, 2]
    assert plan.take() == 3 and plan.take() == 4  # 1 is running; 2 needs 0.9 s of the 0.7 left
    assert plan.take() is None and plan.skipped == [2]
    late = Plan([], 0, end=1.0, clock=lambda: 0.99)
    late.decide([0, 5])
    assert late.take() is None and late.skipped == [5]  # no time left to start anything
    with pytest.raises(ValueError, match="order"):
        late.decide([0, 5], order="random")


def test_bad_budgets_are_named(scorer: Scorer):
    coreset, model = load_coreset(), load_value_model()
    for budget in (0, -1.0):
        with pytest.raises(ValueError, match="budget"):
            predict(b"", scorer, coreset, model, budget=budget)
    with pytest.raises(ValueError, match="another coreset"):
        predict(b"", scorer, TOY, model, costs=load_costs())

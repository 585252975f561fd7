"""Value prediction alone on all lanes at once: the same picks and results as compiling one after another."""

from __future__ import annotations

import threading

import pytest

from rl_compiler.agents.coreset import load_coreset, load_value_model, rank_sequences
from rl_compiler.agents.coreset.predict import COMPILATIONS, predict
from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.value import feature_vector
from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.coreset import OZ
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
    prediction = predict(bitcode, scorer, coreset, model)

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
        alone = predict(bitcode, one, coreset, model)
    both = predict(bitcode, scorer, coreset, model)
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

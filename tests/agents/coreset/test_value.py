"""The neighbour value model: greedy cover order, what the -Oz features do, saving and loading, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rl_compiler.agents.coreset.value import (
    FEATURES,
    START_FEATURES,
    ValueModel,
    feature_vector,
    greedy_cover_order,
    network_forward,
    train_value_model,
)
from rl_compiler.envs.coreset import OZ, Coreset

CORESET = Coreset(name="toy", sequences=(OZ, "a", "b", "c"))


def test_greedy_cover_complements_instead_of_repeating_one_guess():
    # "a" and "b" are good on the same programs; "c" is good on the other: after "a", "c" adds more than
    # "b", though "b" has the higher mean.
    logs = np.array([[0, 0.3, 0.25, 0], [0, 0.3, 0.25, 0], [0, 0, 0.05, 0.2]])
    assert greedy_cover_order(logs, np.ones(3)) == [0, 1, 3, 2]
    assert greedy_cover_order(logs, np.array([0, 0, 1.0])) == [0, 3, 2, 1]  # weights decide


def _features(growth: float, rng: np.random.Generator) -> np.ndarray:
    """Programs alike in their start features; -Oz makes the IR ``growth`` times larger."""
    return feature_vector(rng.uniform(1, 2, 56), rng.uniform(1, 2, 70), 1000, 1000 * growth, 3000 * growth)


def test_the_oz_outcome_picks_the_sequence_for_programs_that_oz_grows():
    rng = np.random.default_rng(0)
    # "c" is bad on most programs but shrinks the few that -Oz grows (force-inlining); "a" helps the rest.
    normal = [_features(0.4, rng) for _ in range(30)]
    grown = [_features(2.0, rng) for _ in range(4)]
    values = np.array([[1, 1.1, 1.0, 0.7]] * 30 + [[1, 1.0, 1.0, 3.0]] * 4)
    model = train_value_model(np.stack(normal + grown), values, CORESET, k=3, oz_weight=5, alpha=0.05)
    assert model.rank(_features(1.8, rng))[1] == 3
    assert model.rank(_features(0.45, rng))[1] == 1
    assert model.predict(_features(1.8, rng))[3] > model.predict(_features(0.45, rng))[3]


def test_the_hedge_follows_the_corpus_cover_after_the_neighbours_first_picks(tmp_path: Path):
    rng = np.random.default_rng(2)
    coreset = Coreset(name="toy5", sequences=(OZ, "a", "b", "c", "d"))

    def program(level: float, growth: float = 0.4) -> np.ndarray:
        return feature_vector(rng.uniform(level, level + 1, 56), rng.uniform(level, level + 1, 70), 1000,
                              1000 * growth, 3000 * growth)  # fmt: skip

    # The query's 5 neighbours like "a", then "b" and "c"; the 30 other programs only "d".
    near = [[1, 1.3, 1, 1, 1]] * 3 + [[1, 1, 1.2, 1, 1], [1, 1, 1, 1.1, 1]]
    features = np.stack([program(1) for _ in near] + [program(50) for _ in range(30)])
    values = np.array(near + [[1, 1, 1, 1, 1.3]] * 30)
    plain = train_value_model(features, values, coreset, k=5, alpha=0.0)
    hedged = train_value_model(features, values, coreset, k=5, alpha=0.0, hedge=1)
    query = program(1)
    assert plain.rank(query) == [0, 1, 2, 3, 4]
    assert hedged.rank(query) == [0, 1, 4, 2, 3]  # after "a", the corpus's cover: "d" first
    grown = program(1, growth=1.5)  # -Oz grows the IR: the neighbours' order throughout
    assert hedged.rank(grown) == plain.rank(grown)
    hedged.save(tmp_path / "h.npz")
    assert ValueModel.load(tmp_path / "h.npz").rank(query) == [0, 1, 4, 2, 3]
    with pytest.raises(ValueError, match="hedge >= 0"):
        train_value_model(features, values, coreset, hedge=-1)


def test_wide_covers_the_nearest_fraction_of_the_corpus_unless_oz_grows_the_ir(tmp_path: Path):
    rng = np.random.default_rng(3)
    coreset = Coreset(name="toy4", sequences=(OZ, "a", "b", "c"))

    def program(level: float, growth: float = 0.4) -> np.ndarray:
        return feature_vector(rng.uniform(level, level + 1, 56), rng.uniform(level, level + 1, 70), 1000,
                              1000 * growth, 3000 * growth)  # fmt: skip

    # The query's 3 nearest like "a"; the 17 next nearest "b"; 13 far ones "c": 20 of 33 are the nearest 60%.
    features = np.stack([program(1) for _ in range(3)] + [program(3) for _ in range(17)]
                        + [program(60) for _ in range(13)])  # fmt: skip
    values = np.array([[1, 1.3, 1, 1]] * 3 + [[1, 1, 1.2, 1]] * 17 + [[1, 1, 1, 1.3]] * 13)
    narrow = train_value_model(features, values, coreset, k=3, alpha=0.0)
    wide = train_value_model(features, values, coreset, k=3, alpha=0.0, wide=0.6)
    query = program(1)
    assert narrow.rank(query)[:2] == [0, 1]
    assert wide.rank(query)[:3] == [0, 2, 1]  # the 20 nearest: "b" covers most of them, "c" none
    grown = program(1, growth=1.5)  # -Oz grows the IR: the k nearest decide
    assert wide.rank(grown) == narrow.rank(grown)
    wide.save(tmp_path / "w.npz")
    assert ValueModel.load(tmp_path / "w.npz").rank(query) == wide.rank(query)
    with pytest.raises(ValueError, match="not both wide and hedge"):
        train_value_model(features, values, coreset, wide=0.6, hedge=2)
    with pytest.raises(ValueError, match="0 <= wide <= 1"):
        train_value_model(features, values, coreset, wide=1.5)


def test_save_load_round_trip_without_pickles(tmp_path: Path):
    rng = np.random.default_rng(1)
    features = np.stack([_features(0.5, rng) for _ in range(5)])
    values = np.array([[1, 1.2, np.nan, 0.9]] * 5)  # a failure counts as 20% larger than -Oz
    model = train_value_model(features, values, CORESET, k=2)
    assert model.logs[0, 2] == pytest.approx(np.log(1 / 1.2))
    model.save(tmp_path / "m.npz")
    loaded = ValueModel.load(tmp_path / "m.npz")
    assert (loaded.k, loaded.oz_weight, loaded.alpha, loaded.coreset_digest) == (2, 20.0, 0.05, model.coreset_digest)
    assert loaded.rank(features[0]) == model.rank(features[0])
    loaded.check_coreset(CORESET.sequences)
    with pytest.raises(ValueError, match="another coreset"):
        loaded.check_coreset((OZ, "a"))
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a coreset value model"):
        ValueModel.load(tmp_path / "bad.npz")


@pytest.mark.slow  # trains two small networks with PyTorch (about 20 s on the shared machine)
def test_networks_add_neighbours_that_respond_alike_and_round_trip_in_numpy(tmp_path: Path):
    rng = np.random.default_rng(2)

    # Two kinds of program told apart by one start feature among 50 noisy ones: the plain neighbours mostly
    # miss it, the networks learn it, so neighbours by their predicted values carry the right sequence first.
    def program(kind: int) -> np.ndarray:
        autophase = np.full(56, 5.0)
        autophase[1:51] = rng.uniform(1, 50, 50)
        autophase[0] = 1 if kind == 0 else 1000
        return feature_vector(autophase, np.full(70, 3.0), 1000, 400, 1200)

    kinds = [0, 1] * 20
    features = np.stack([program(kind) for kind in kinds])
    values = np.array([[1, 1.3, 1.0, 1.0] if kind == 0 else [1, 1.0, 1.0, 1.3] for kind in kinds])
    plain = train_value_model(features, values, CORESET, k=5, oz_weight=1, alpha=0)
    model = train_value_model(features, values, CORESET, k=5, oz_weight=1, alpha=0, networks=2)
    assert len(model.networks) == 2 and model.predicted.shape == (40, 4)
    tests = [(kind, program(kind)) for kind in [0, 1] * 10]
    best = {0: 1, 1: 3}
    right = sum(model.rank(x)[1] == best[kind] for kind, x in tests)
    plain_right = sum(plain.rank(x)[1] == best[kind] for kind, x in tests)
    assert right >= 17 and right > plain_right, (right, plain_right)
    assert model.network_values(tests[0][1])[1] > model.network_values(tests[1][1])[1]
    model.save(tmp_path / "m.npz")
    loaded = ValueModel.load(tmp_path / "m.npz")
    assert len(loaded.networks) == 2 and np.allclose(loaded.predicted, model.predicted, atol=1e-5)
    assert [loaded.rank(x) for _, x in tests] == [model.rank(x) for _, x in tests]
    layers = loaded.networks[0]
    assert network_forward(layers, np.zeros(FEATURES)).shape == (1, 4) and layers[0][0].shape == (FEATURES, 64)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="56 Autophase"):
        feature_vector(np.ones(10), np.ones(70), 1, 1, 1)
    with pytest.raises(ValueError, match="positive sizes"):
        feature_vector(np.ones(56), np.ones(70), 100, 50, 0)
    with pytest.raises(ValueError, match="expected 129"):
        train_value_model(np.ones((2, START_FEATURES)), np.ones((2, 4)), CORESET)
    with pytest.raises(ValueError, match="shape"):
        train_value_model(np.ones((2, FEATURES)), np.ones((2, 3)), CORESET)
    with pytest.raises(ValueError, match="networks >= 0"):
        train_value_model(np.ones((2, FEATURES)), np.ones((2, 4)), CORESET, networks=-1)


def test_the_shipped_model_loads_and_ranks_without_pytorch():
    code = (
        "import sys, numpy as np\n"
        "from rl_compiler.agents.coreset import load_coreset, load_value_model\n"
        "model = load_value_model(); model.check_coreset(load_coreset().sequences)\n"
        "order = model.rank(model.features[0])\n"
        "assert sorted(order) == list(range(len(load_coreset()))) and order[0] == 0\n"
        "assert model.networks and model.predicted is not None, 'the shipped model has no networks'\n"
        "assert 'torch' not in sys.modules, 'PyTorch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)

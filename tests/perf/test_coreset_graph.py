"""benchmarks/perf/coreset_graph.py: the graph network learns values from real program graphs, and a given
metric steers the neighbour model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rl_compiler.agents.coreset.value import feature_vector, train_value_model
from rl_compiler.envs.coreset import OZ, Coreset

torch = pytest.importorskip("torch")

CORESET = Coreset(name="toy", sequences=(OZ, "s1", "s2", "s3"))


def test_the_graph_network_fits_values_of_real_graphs_and_caches_them(coreset_graph, tmp_path: Path):
    from rl_compiler.datasets import get_benchmark, get_dataset

    uris = list(get_dataset("builtin-v0").split("train"))[:4]
    bitcodes = [get_benchmark(uri).bitcode() for uri in uris]
    graphs = coreset_graph.load_graphs(bitcodes, tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 4
    again = coreset_graph.load_graphs(bitcodes, tmp_path)  # read back from the cache
    assert all(np.array_equal(a["links"], b["links"]) for a, b in zip(graphs, again, strict=True))
    assert all(g["nodes"].shape[1] == 2 and len(g["edges"]) == len(g["links"]) > 0 for g in graphs)
    # The -Oz features are equal, so only the graphs tell the programs' (made-up) values apart.
    oz = np.zeros((4, 3))
    logs = np.array([[0, 0.3, -0.2], [0, -0.2, 0.3], [0, 0.1, 0.1], [0, -0.3, -0.3]])
    train = np.arange(4)
    untrained = coreset_graph.GraphSettings(epochs=0, batch=2)
    trained = coreset_graph.GraphSettings(epochs=60, batch=2)
    before, _, _ = coreset_graph.train_predict(graphs, oz, logs, train, untrained)
    after, embedded, seconds = coreset_graph.train_predict(graphs, oz, logs, train, trained)
    assert after.shape == (4, 3) and embedded.shape == (4, trained.out_dim) and seconds > 0
    assert ((after - logs) ** 2).mean() < 0.25 * ((before - logs) ** 2).mean()
    assert np.argmax(after[0, 1:]) == 0 and np.argmax(after[1, 1:]) == 1


def test_a_given_metric_finds_the_programs_that_respond_alike(coreset_graph):
    rng = np.random.default_rng(0)
    # Two kinds of program whose features are noise alike; only the given vectors (as a graph network's
    # predictions would) tell the kind, so neighbours by them carry the kind's sequence first.
    kinds = np.array([0, 1] * 20)
    noise = [(rng.uniform(1, 50, 56), rng.uniform(1, 50, 70)) for _ in kinds]
    features = np.stack([feature_vector(autophase, counts, 1000, 400, 1200) for autophase, counts in noise])
    values = np.array([[1, 1.3, 1.0, 1.0] if kind == 0 else [1, 1.0, 1.0, 1.3] for kind in kinds])
    vectors = np.stack([[1.0, 0.0] if kind == 0 else [0.0, 1.0] for kind in kinds]) + rng.normal(0, 0.05, (40, 2))
    train, test = np.arange(30), np.arange(30, 40)
    plain = train_value_model(features[train], values[train], CORESET, k=5, oz_weight=1, alpha=0)
    given = coreset_graph.given_metric(plain, vectors, train, features)
    best = {0: 1, 1: 3}
    right = sum(given.rank(features[p])[1] == best[kinds[p]] for p in test)
    plain_right = sum(plain.rank(features[p])[1] == best[kinds[p]] for p in test)
    assert right == len(test) > plain_right, (right, plain_right)
    assert coreset_graph.top_choice(np.array([0.0, 0.2, -0.1, 0.3]), 3) == [0, 3, 1]
    both = coreset_graph.standardized(np.ones((4, 2)), 10 * np.ones((4, 3)))
    assert np.allclose((both[:, :2] ** 2).sum(axis=1), 1) and np.allclose((both[:, 2:] ** 2).sum(axis=1), 1)


def test_every_design_chooses_oz_and_four_others_on_the_shipped_folds(coreset_graph, coreset_cv, tmp_path: Path):
    from rl_compiler.datasets import get_benchmark, get_dataset

    uris = list(get_dataset("builtin-v0").split("train"))[:6]
    bitcodes = [get_benchmark(uri).bitcode() for uri in uris]
    rng = np.random.default_rng(1)
    coreset = Coreset(name="toy", sequences=(OZ, *(f"s{j}" for j in range(6))))
    features = np.stack([feature_vector(rng.uniform(1, 50, 56), rng.uniform(1, 50, 70), 900, 400, 1200) for _ in uris])
    values = rng.uniform(0.9, 1.2, (6, 7))
    values[:, 0] = 1.0
    settings = coreset_graph.GraphSettings(epochs=1)
    shipped = {**coreset_cv.SHIPPED, "k": 2, "networks": 1}

    def run():
        return coreset_graph.cross_validate_graph(
            features[:4], values[:4], bitcodes[:4], coreset, [str(p) for p in range(4)], 2, 0,
            (features[4:], values[4:], bitcodes[4:]), settings, tmp_path, shipped, coreset_cv.fold_of,
            lambda model, row: coreset_cv.static_choice(model, row, None),
        )  # fmt: skip

    chosen, seconds = run()
    assert set(chosen) == {"shipped", *coreset_graph.DESIGNS} and seconds > 0
    for choices in chosen.values():
        assert all(c[0] == 0 and len(set(c)) == coreset_cv.COMPILATIONS for c in choices), choices
    assert len(list((tmp_path / "folds").glob("*.npz"))) == 2  # one network per fold
    cached, seconds = run()
    assert seconds == 0 and cached["graph top 4"] == chosen["graph top 4"]

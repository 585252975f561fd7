"""benchmarks/perf/coreset_cv.py's adaptive selection: each compilation's outcome steers the next pick."""

from __future__ import annotations

import numpy as np
import pytest

from rl_compiler.agents.coreset.value import feature_vector, targets, train_value_model
from rl_compiler.envs.coreset import OZ, Coreset


def test_an_outcome_tells_the_kind_of_program_and_the_next_pick_follows(coreset_cv):
    # Six kinds of program that look alike; sequence j is 1.3x on kind j only, and elsewhere its value tells
    # the kind (1 + 0.01 * kind). Fixed in advance, 4 picks cover 4 of the 6 kinds; after one outcome the
    # adaptive pick knows the kind.
    kinds = 6
    coreset = Coreset(name="toy", sequences=(OZ, *(f"s{j}" for j in range(kinds))))
    rng = np.random.default_rng(0)
    kind_of = np.repeat(np.arange(kinds), 10)

    def programs(kinds_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = np.array([[1.0, *(1.3 if j == i else 1 + 0.01 * i for j in range(kinds))] for i in kinds_of])
        features = [feature_vector(rng.uniform(1, 2, 56), rng.uniform(1, 2, 70), 1000, 400, 1200) for _ in kinds_of]
        return np.stack(features), values

    model = train_value_model(*programs(kind_of), coreset, k=60, alpha=0.0)
    new_kinds = np.repeat(np.arange(kinds), 2)
    features, values = programs(new_kinds)  # programs the model has not seen
    truth = targets(values)
    adaptive = coreset_cv.Adaptive("SAAA", "gauss", 0.003, 0.0)
    hits = {"static": 0, "adaptive": 0}
    for p, kind in enumerate(new_kinds):
        for name, chooser in (("static", coreset_cv.static_choice), ("adaptive", adaptive)):
            chosen = chooser(model, features[p], truth[p])
            assert chosen[0] == 0 and len(set(chosen)) == coreset_cv.COMPILATIONS
            hits[name] += int((1 + kind) in chosen)
    assert hits["adaptive"] == len(new_kinds) > hits["static"], hits


def test_adaptive_specs_are_checked(coreset_cv):
    assert coreset_cv.Adaptive.parse("saac:cauchy:0.02:0.02") == coreset_cv.Adaptive("SAAC", "cauchy", 0.02, 0.02)
    for bad in ("SAAC:cauchy:0.02", "SAAX:cauchy:0.02:0.02", "SAA:gauss:0.02:0.02", "SAAC:laplace:0.02:0.02"):
        with pytest.raises(SystemExit, match="--adaptive"):
            coreset_cv.Adaptive.parse(bad)

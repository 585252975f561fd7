"""Optuna studies: search spaces from hyperparameter entries, resume from sqlite, pruning, the best file.

The trials here score a closed-form function of the sampled values, so the study machinery is tested in
seconds; tests/cli/test_optimize_cli.py trains real trials through the CLI.
"""

from __future__ import annotations

import pytest
import yaml

from rl_compiler.agents.rl.hyperparams import HyperparameterError, load_hyperparams
from rl_compiler.agents.rl.tuning import BEST_FILE, TRIALS_FILE, optimize, parse_search_space

SPACE = {
    "learning_rate": {"low": "1e-5", "high": 1.0e-2, "log": True},
    "n_epochs": {"low": 1, "high": 4},
    "policy_kwargs.net_arch": {"choices": [[8], [16, 16]]},
}


def _trainer(calls):
    def train_trial(entry, run_dir, report):
        calls.append(entry)
        score = 1.0 + entry["n_epochs"] / 10 - len(entry["policy_kwargs"]["net_arch"]) / 100
        for step in (1, 2, 3):
            report(step, score * step / 3)
        return score

    return train_trial


def test_search_space_parsing_and_errors():
    dims = {d.key: d for d in parse_search_space(SPACE)}
    assert dims["learning_rate"].kind == "float" and dims["learning_rate"].low == 1e-5 and dims["learning_rate"].log
    assert dims["n_epochs"].kind == "int" and dims["policy_kwargs.net_arch"].kind == "categorical"
    for bad, message in [
        ({}, "non-empty mapping"),
        ({"x": 3}, "expected"),
        ({"x": {"low": 1}}, "needs low and high"),
        ({"x": {"low": 2, "high": 1}}, "below high"),
        ({"x": {"low": 0, "high": 1.0, "log": True}}, "low > 0"),
        ({"x": {"choices": []}}, "non-empty list"),
        ({"x": {"low": 1, "high": 2, "step": 1}}, "unknown field"),
        ({"x": {"low": "a", "high": 2}}, "not a number"),
    ]:
        with pytest.raises(HyperparameterError, match=message):
            parse_search_space(bad)


def test_study_resumes_from_sqlite_and_writes_a_usable_best_file(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    params = {"n_timesteps": 64, "n_epochs": 10, "policy_kwargs": {"net_arch": [64]}, "search_space": SPACE}
    calls: list[dict] = []
    common = dict(env_id="rl_compiler/llvm-ic-v0", storage=storage, study_name="s", pruner="none")
    study = optimize(_trainer(calls), params, tmp_path, n_trials=2, **common)
    assert len(study.trials) == 2 and len(calls) == 2
    study = optimize(_trainer(calls), params, tmp_path, n_trials=1, **common)  # a second invocation adds one
    assert len(study.trials) == 3 and len(calls) == 3
    study = optimize(_trainer(calls), params, tmp_path, n_trials=5, max_total_trials=3, **common)
    assert len(study.trials) == 3 and len(calls) == 3  # the study already holds 3 trials
    assert all("search_space" not in entry and 1 <= entry["n_epochs"] <= 4 for entry in calls)
    best = yaml.safe_load((tmp_path / BEST_FILE).read_text())
    assert best == {"rl_compiler/llvm-ic-v0": calls[study.best_trial.number]}
    # The file is a hyperparameter file: loading it for the env gives the best trial's settings.
    loaded = load_hyperparams("ppo", "rl_compiler/llvm-ic-v0", path=tmp_path / BEST_FILE)
    assert loaded["n_epochs"] == study.best_trial.params["n_epochs"]
    assert (tmp_path / TRIALS_FILE).read_text().count("\n") == 4


def test_median_pruner_stops_worse_trials(tmp_path):
    def train_trial(entry, run_dir, report):
        score = entry["n_epochs"]
        for step in range(1, 7):
            report(step, score)
        return score

    space = {"n_epochs": {"low": 1, "high": 100}}
    study = optimize(
        train_trial,
        {"search_space": space},
        tmp_path,
        env_id="e",
        n_trials=12,
        sampler="random",
        n_startup_trials=1,
        n_evaluations=3,
    )
    states = {trial.state.name for trial in study.trials}
    assert "PRUNED" in states and "COMPLETE" in states


def test_a_missing_search_space_is_named(tmp_path):
    with pytest.raises(HyperparameterError, match="search_space"):
        optimize(_trainer([]), {"n_epochs": 1}, tmp_path, env_id="rl_compiler/llvm-ic-v0", n_trials=1)


@pytest.mark.parametrize("algo", ["ppo", "a2c", "dqn", "maskable-ppo"])
def test_shipped_search_spaces_parse_and_name_real_settings(algo):
    import inspect

    from rl_compiler.agents.rl.sb3 import algo_class

    params = load_hyperparams(algo, "rl_compiler/llvm-autophase-ic-v0")
    accepted = inspect.signature(algo_class(algo).__init__).parameters
    for dimension in parse_search_space(params["search_space"]):
        assert dimension.key.split(".")[0] in accepted, dimension.key

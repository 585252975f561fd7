"""The Ray features' plain parts, and one clear error naming the extra when Ray is not installed."""

from __future__ import annotations

import sys

import pytest

from rl_compiler.agents.base import EpisodeResult
from rl_compiler.agents.distributed_evaluation import Journal, JournalError
from rl_compiler.agents.rl.raytune import sampled_entry
from rl_compiler.agents.rl.rllib import rllib_settings, shard
from rl_compiler.agents.rl.training import TrainConfig
from rl_compiler.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "--agent", "greedy", "--budget", "2", "--ray"],
        ["eval", "--agent", "oz", "--ray", "127.0.0.1:6379"],
        ["leaderboard", "run", "--task", "llvm-ic", "--agent", "oz", "-o", "OUT", "--ray"],
        ["train", "--backend", "rllib"],
        ["tune", "--trials", "1"],
    ],
    ids=["search", "eval", "leaderboard", "train", "tune"],
)
def test_flags_without_the_extra_name_it(argv, monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError, as without the extra
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "pip install 'rl-compiler[ray]'" in err, err
    assert not (tmp_path / "out").exists()


def test_benchmarks_are_sharded_across_env_runners():
    uris = [f"u{i}" for i in range(5)]
    parts = [shard(uris, worker, 2) for worker in (1, 2)]
    assert parts == [["u0", "u2", "u4"], ["u1", "u3"]]
    assert shard(uris, 0, 2) == uris  # the driver's own runner (no remote runners) samples all
    assert shard(["only"], 3, 4) == ["only"]  # more runners than benchmarks: nobody is left without one


def test_sb3_hyperparameters_map_onto_rllib_ppo():
    config = TrainConfig(algo="ppo", env="e", n_timesteps=10, n_envs=2, hyperparams={
        "n_steps": 128, "batch_size": 64, "learning_rate": 1e-3, "gae_lambda": 0.9, "n_epochs": 4,
        "ent_coef": 0.01, "clip_range": 0.2, "policy_kwargs": {"net_arch": [32, 16]}})  # fmt: skip
    settings = rllib_settings(config)
    assert settings["training"] == {
        "train_batch_size_per_learner": 256, "minibatch_size": 64, "lr": 1e-3, "lambda_": 0.9, "num_epochs": 4,
        "entropy_coeff": 0.01, "clip_param": 0.2}  # fmt: skip
    assert settings["fcnet_hiddens"] == [32, 16] and settings["fcnet_activation"] == "tanh"
    config.hyperparams["target_kl"] = 0.01
    with pytest.raises(ValueError, match="target_kl have no RLlib PPO counterpart"):
        rllib_settings(config)
    del config.hyperparams["target_kl"]  # the graph network of llvm-programl-ic-v0 is an SB3 extractor:
    config.hyperparams["policy_kwargs"]["features_extractor_class"] = "rl_compiler.graph.network:ProgramlExtractor"
    with pytest.raises(ValueError, match="policy_kwargs.features_extractor_class have no RLlib"):
        rllib_settings(config)


def test_a_trial_entry_sets_sampled_dotted_keys():
    base = {"n_steps": 64, "policy_kwargs": {"net_arch": [64, 64], "activation_fn": "tanh"}}
    entry = sampled_entry(base, {"learning_rate": 0.01, "policy_kwargs.net_arch": [32]})
    assert entry == {"n_steps": 64, "learning_rate": 0.01, "policy_kwargs": {"net_arch": [32], "activation_fn": "tanh"}}
    assert base["policy_kwargs"]["net_arch"] == [64, 64]  # the base is not modified


def test_journal_resumes_its_own_run_only(tmp_path):
    output = tmp_path / "out.json"
    journal = Journal(output, {"agent": "greedy", "benchmarks": ["a", "b"]})
    assert journal.open() == {}
    result = EpisodeResult("a", "greedy", [1], ["instcombine"], 10, 5, 6, wall_time=0.5, valid=True)
    journal.add(result)
    assert Journal(output, {"agent": "greedy", "benchmarks": ["a", "b"]}).open() == {"a": result}
    with pytest.raises(JournalError, match="agent differ"):
        Journal(output, {"agent": "random", "benchmarks": ["a", "b"]}).open()
    journal.remove()
    assert not journal.path.exists()

"""SB3 agents (PPO, A2C, DQN, MaskablePPO) train briefly, save, load and act through the policy interface."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rl_compiler.agents import envtools
from rl_compiler.agents.registry import make_agent
from rl_compiler.agents.rl.hyperparams import HyperparameterError, load_hyperparams, parse_overrides
from rl_compiler.agents.rl.training import TrainConfig, resolve_config, train
from rl_compiler.agents.rl.wrappers import apply_wrappers, transform_observation
from rl_compiler.wrappers import AutophaseNormalized

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"

TINY = {
    "ppo": ["n_steps=16", "batch_size=16", "n_epochs=1"],
    "a2c": ["n_steps=8"],
    "dqn": ["learning_starts=8", "buffer_size=100", "train_freq=4", "target_update_interval=16"],
    "maskable-ppo": ["n_steps=16", "batch_size=16", "n_epochs=1"],
}


@pytest.mark.parametrize("algo", sorted(TINY))
def test_train_save_load_act(algo, env, small_split, tmp_path):
    config = resolve_config(
        algo,
        ENV_ID,
        n_timesteps=32,
        overrides=TINY[algo] + ["episode_length=4"],
        benchmarks=small_split,
        eval_benchmarks=[],
        eval_split=None,
    )
    final = train(config, tmp_path / "run")
    assert final.is_file() and (tmp_path / "run" / "config.yml").is_file()
    policy = make_agent(str(tmp_path / "run"))
    assert policy.name == algo
    result = policy.run(env, benchmark=small_split[0])
    assert result.valid is None and result.ic_final <= result.ic_oz  # starts from -Oz, keeps the best prefix
    assert result.passes[0] == envtools.OZ and len(result.passes) <= 1 + 4


def test_hyperparams_merge_default_env_and_overrides():
    params = load_hyperparams("ppo", ENV_ID, ["n_steps=64", "policy_kwargs={net_arch: [8]}"])
    assert params["n_steps"] == 64 and params["policy_kwargs"] == {"net_arch": [8]}
    assert params["policy"] == "MlpPolicy"  # from default
    other = load_hyperparams("ppo", "rl_compiler/llvm-v0")
    assert other["n_timesteps"] == load_hyperparams("ppo", "no-such-env")["n_timesteps"]


def test_bad_hyperparameters_are_named(tmp_path):
    with pytest.raises(HyperparameterError, match="key=value"):
        parse_overrides(["n_steps"])
    bad = tmp_path / "bad.yml"
    bad.write_text("default: [1, 2\n")
    with pytest.raises(HyperparameterError, match="not valid YAML"):
        load_hyperparams("ppo", ENV_ID, path=bad)
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(HyperparameterError, match="expected a mapping"):
        load_hyperparams("ppo", ENV_ID, path=bad)
    with pytest.raises(HyperparameterError, match="no hyperparameter file"):
        load_hyperparams("trpo", ENV_ID)


def test_unknown_algo_and_env():
    with pytest.raises(ValueError, match="unknown algorithm 'trpo'"):
        resolve_config("trpo", ENV_ID, benchmarks=["x"], eval_split=None)
    with pytest.raises(ValueError, match="unknown env 'rl_compiler/nope-v0'"):
        resolve_config("ppo", "rl_compiler/nope-v0", benchmarks=["x"], eval_split=None)


def test_config_round_trips_through_yaml(small_split):
    config = resolve_config("ppo", ENV_ID, n_timesteps=10, benchmarks=small_split, eval_split=None)
    assert TrainConfig.from_yaml(config.to_yaml()) == config


def test_maskable_ppo_on_an_env_with_action_masks(tmp_path):
    """MaskablePPO uses the inlining env's own masks; validation reports the geomean score against LLVM's
    heuristic (1 / (1 - reward), the leaderboard's), at every eval_freq and at the end, and the run writes its
    Monitor file and log."""
    uris = ["benchmark://builtin-v0/crc32"]
    config = resolve_config(
        "maskable-ppo",
        "rl_compiler/llvm-inline-v0",
        n_timesteps=32,
        overrides=["n_steps=16", "batch_size=16", "n_epochs=1"],
        benchmarks=uris,
        eval_benchmarks=uris,
    )
    assert config.episode_length is None and config.action_names == []
    config.eval_freq = 16
    train(config, tmp_path / "run")
    header, *rows = (tmp_path / "run" / "evaluations.csv").read_text().splitlines()
    assert header == "timesteps,geomean_score_vs_default,seconds"
    assert [int(row.split(",")[0]) for row in rows] == [16, 32]
    assert all(float(row.split(",")[1]) > 0 for row in rows)
    monitor = (tmp_path / "run" / "0.monitor.csv").read_text().splitlines()
    assert monitor[0].startswith("#{") and monitor[1] == "r,l,t" and len(monitor) > 2
    assert "validation at 32 steps" in (tmp_path / "run" / "train.log").read_text()


def test_ir_tokens_make_the_ir_ids_trainable(small_split, tmp_path):
    from stable_baselines3.common.env_checker import check_env

    from rl_compiler.wrappers.observations import IrTokens, ir_token_histogram

    env = apply_wrappers(gym.make("rl_compiler/llvm-ir-ic-v0", max_episode_steps=5), ["ir-tokens"])
    try:
        observation, _ = env.reset(options={"benchmark": small_split[0]})
        assert observation.shape == (259,) and observation.dtype == np.float32
        # The counts are the module's: instructions, blocks (labels + entry blocks) and defined functions.
        counts = np.expm1(observation[256:] * 10).round()
        inst_count = env.unwrapped.observation["InstCount"]
        assert counts[0] == inst_count[0] and counts[1] == inst_count[1]
        assert observation[:256].sum() == pytest.approx(2.0)  # each instruction adds to two buckets
        observation, *_ = env.step(env.unwrapped.action_names.index("function(sroa)"))
        raw = envtools.current_observation(env)
        np.testing.assert_array_equal(transform_observation(env, ["ir-tokens"], raw), observation)
        np.testing.assert_array_equal(ir_token_histogram(raw, 256), observation)
        check_env(env, warn=False)
    finally:
        env.close()
    with pytest.raises(ValueError, match="ir-tokens"):
        AutophaseNormalized(gym.make("rl_compiler/llvm-ir-ic-v0"))
    with pytest.raises(ValueError, match="Ir .text. observation"):
        IrTokens(gym.make(ENV_ID))
    # The shipped hyperparameters for the Ir ids train, save and act.
    config = resolve_config(
        "ppo",
        "rl_compiler/llvm-ir-ic-v0",
        n_timesteps=32,
        overrides=TINY["ppo"] + ["episode_length=4"],
        benchmarks=small_split,
        eval_benchmarks=[],
        eval_split=None,
    )
    assert "ir-tokens" in config.wrappers
    train(config, tmp_path / "run")
    policy = make_agent(str(tmp_path / "run"))
    ir_env = gym.make("rl_compiler/llvm-ir-ic-v0")
    try:
        result = policy.run(ir_env, benchmark=small_split[1])
        assert result.ic_final <= result.ic_oz
    finally:
        ir_env.close()


def test_overrides_take_the_zoo_form_and_dotted_keys():
    assert parse_overrides(["n_steps:64", "gamma=0.9", "policy_kwargs:{net_arch: [8]}", "env:a:b"]) == {
        "n_steps": 64,
        "gamma": 0.9,
        "policy_kwargs": {"net_arch": [8]},
        "env": "a:b",
    }
    params = load_hyperparams("ppo", ENV_ID, ["policy_kwargs.net_arch:[8, 8]", "n_epochs:1"])
    assert params["policy_kwargs"] == {"net_arch": [8, 8]} and params["n_epochs"] == 1
    with pytest.raises(HyperparameterError, match="not a mapping"):
        load_hyperparams("ppo", ENV_ID, ["n_steps.x:1"])
    with pytest.raises(HyperparameterError, match="expected key:value or key=value"):
        parse_overrides([":64"])

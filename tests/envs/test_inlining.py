"""rl_compiler/llvm-inline-v0 on real programs: episodes, the heuristic baseline, determinism, pitfalls."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import gymnasium as gym
import pytest
from c_to_ir import compile_c
from process_checks import assert_clean

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.agents.base import play
from rl_compiler.agents.mlgo.baselines import FollowDefault, RandomLegal, run_episode
from rl_compiler.envs.inlining import InliningEnv
from rl_compiler.leaderboard.decisions import replay
from rl_compiler.llvm import mlgo

ENV_ID = "rl_compiler/llvm-inline-v0"
BENCHMARK = "benchmark://builtin-v0/huffman"


@pytest.fixture
def env(make_env) -> InliningEnv:
    return make_env(InliningEnv, BENCHMARK)


def test_spaces_include_the_heuristic_decision(env: InliningEnv) -> None:
    spec = mlgo.probe_spec("inliner")
    assert env.action_space == gym.spaces.Discrete(2)
    assert env.observation_space.shape == (len(spec.features),)
    assert list(env.encoder.slices)[-1] == "inlining_default"
    observation, info = env.reset(seed=0)
    assert observation[-1] == env.heuristic_decision() in (0, 1)
    assert env.action_masks().all()


def test_following_the_heuristic_reproduces_the_baseline(env: InliningEnv) -> None:
    episode = play(env, FollowDefault(env), seed=0)
    reward, info = episode.reward, episode.info
    assert reward == 0.0 and info["text_size"] == info["default_text_size"] > 0
    assert info["default_agreement"] == 1.0 and info["decisions"] == len(episode.decisions) >= 5
    assert info["object_sha1"] == env.baseline["object_sha1"]


def test_inlining_everything_costs_size(env: InliningEnv) -> None:
    episode = play(env, lambda o, i: 1, seed=0)
    reward, info = episode.reward, episode.info
    assert info["text_size"] > info["default_text_size"] and reward < 0
    assert reward == pytest.approx(1 - (info["text_size"] + 1.0) / (info["default_text_size"] + 1.0))


def test_same_actions_give_a_bit_identical_object(env: InliningEnv) -> None:
    episode = play(env, RandomLegal(seed=1), seed=0)
    first = env.last_object
    reward, info = replay(env, BENCHMARK, episode.decisions)
    assert env.last_object == first and reward == episode.reward and info["object_sha1"] == episode.info["object_sha1"]


@pytest.mark.parametrize("action", [2, -1, 0.0, None])
def test_out_of_range_action(env: InliningEnv, action) -> None:
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        env.step(action)
    total, steps, info = run_episode(env, FollowDefault(env), seed=0)
    assert total == 0.0


def test_close_mid_episode(env: InliningEnv, private_tmp: Path) -> None:
    observation, info = env.reset(seed=0)
    env.step(1)
    pid = env.compiler_pid
    env.close()
    assert_clean(private_tmp, pid)


def test_compiler_crash_mid_episode(env: InliningEnv, private_tmp: Path) -> None:
    env.reset(seed=0)
    env.step(0)
    pid = env.compiler_pid
    os.kill(pid, signal.SIGSEGV)
    with pytest.raises(mlgo.CompilerCrashError, match="SIGSEGV"):
        for _ in range(10_000):
            env.step(0)
    assert_clean(private_tmp, pid)


def test_module_without_call_sites(tmp_path: Path, make_env) -> None:
    module = compile_c(
        "int leaf(int a) { return a * 3 + 1; }\n", tmp_path / "leaf.bc", "-Oz", "-Xclang", "-disable-llvm-passes"
    )
    environment = make_env(InliningEnv, module)
    with pytest.raises(mlgo.NoDecisionsError, match="leaf.bc"):
        environment.reset(seed=0)

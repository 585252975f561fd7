"""ThreadVecEnv: the envs stepped together on threads give exactly what DummyVecEnv gives one after the other."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rl_compiler.agents.rl.wrappers import apply_wrappers

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"


def rollout(vec_env, steps: int) -> list:
    """Observations, rewards, dones and final observations of ``steps`` fixed actions from a seeded reset."""
    vec_env.seed(3)
    trace = [vec_env.reset()]
    n = vec_env.action_space.n
    for step in range(steps):
        actions = np.array([(step * 7 + 3 * i) % n for i in range(vec_env.num_envs)])
        observation, reward, done, infos = vec_env.step(actions)
        finals = [info.get("terminal_observation") for info in infos]
        trace += [observation, reward, done, [f for f in finals if f is not None]]
    return trace


def test_thread_vec_env_matches_dummy_vec_env(small_split):
    from stable_baselines3.common.vec_env import DummyVecEnv

    from rl_compiler.agents.rl.thread_vec_env import ThreadVecEnv
    from rl_compiler.wrappers.benchmarks import BenchmarkSampler

    def factory(rank: int):
        def make():
            env = BenchmarkSampler(gym.make(ENV_ID, max_episode_steps=3), small_split, seed=rank)
            return apply_wrappers(env, ["start-oz", "autophase-norm", "action-histogram"])

        return make

    traces = []
    for cls in (DummyVecEnv, ThreadVecEnv):
        vec_env = cls([factory(rank) for rank in range(3)])
        try:
            traces.append(rollout(vec_env, 7))  # two episode ends per env: resets on the threads too
        finally:
            vec_env.close()
    dummy, threaded = traces
    assert len(dummy) == len(threaded)
    for expected, got in zip(dummy, threaded, strict=True):
        assert len(expected) == len(got)
        for a, b in zip(expected, got, strict=True):
            np.testing.assert_array_equal(a, b)
    assert any(len(finals) for finals in dummy[4::4]), "episodes ended within the rollout"


def test_unknown_vec_env_is_named():
    from rl_compiler.agents.rl.training import resolve_config

    with pytest.raises(ValueError, match="unknown vec_env 'threads'.*dummy, thread, subproc"):
        resolve_config("ppo", ENV_ID, vec_env="threads", eval_split=None, benchmarks=["benchmark://x"])

"""The Programl observation in the pass-ordering environments: every id passes Gymnasium's and
Stable-Baselines3's check_env with ``observation_space="Programl"``."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest
from gymnasium.spaces import GraphInstance
from gymnasium.utils.env_checker import check_env as gym_check_env

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.envs.registration import registry_entries
from rl_compiler.graph import graph_hash

PASS_ORDERING_IDS = [e["id"] for e in registry_entries() if e["entry_point"].endswith(":PassOrderingEnv")]


def test_there_are_pass_ordering_ids():
    assert "rl_compiler/llvm-v0" in PASS_ORDERING_IDS and len(PASS_ORDERING_IDS) >= 7


@pytest.mark.parametrize("env_id", PASS_ORDERING_IDS)
def test_check_env_with_programl(env_id):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = gym.make(env_id, observation_space="Programl")
    try:
        assert isinstance(env.observation_space, gym.spaces.Graph)
        gym_check_env(env.unwrapped, skip_render_check=True, skip_close_check=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SB3 warns that it cannot learn from Graph spaces directly
            sb3_check_env(env.unwrapped, warn=True)
    finally:
        env.close()


def test_observation_view_and_steps_change_the_graph():
    env = gym.make("rl_compiler/llvm-v0", observation_space="Programl", benchmark="benchmark://builtin-v0/crc32")
    try:
        graph, _ = env.reset()
        assert isinstance(graph, GraphInstance) and env.observation_space.contains(graph)
        natural = env.unwrapped.observation["Programl"]
        assert isinstance(natural, GraphInstance) and graph_hash(natural) == graph_hash(graph)
        names = list(env.unwrapped.action_names)
        after, *_ = env.step(names.index(next(n for n in names if "mem2reg" in n)))
        assert env.observation_space.contains(after)
        assert graph_hash(after) != graph_hash(graph)
    finally:
        env.close()

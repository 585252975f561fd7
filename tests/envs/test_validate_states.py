"""Validating a recorded state while the env is on another episode of the same benchmark (the best episode
of a search, validated at the end): the replay is checked, not compared with the env's current IR."""

from __future__ import annotations

import gymnasium as gym

import rl_compiler  # noqa: F401 - registers the env ids
from rl_compiler.envs.state import EpisodeState
from rl_compiler.envs.validation import validate_state

BENCHMARK = "benchmark://builtin-v0/crc32"


def test_another_episode_of_the_same_benchmark_validates():
    env = gym.make("rl_compiler/llvm-ic-v0")
    try:
        env.reset(options={"benchmark": BENCHMARK})
        env.step(env.unwrapped.action_names.index("function(sroa)"))
        first = env.unwrapped.state
        env.reset(options={"benchmark": BENCHMARK})
        env.step(env.unwrapped.action_names.index("function(simplifycfg)"))
        assert env.unwrapped.validate(first).okay(), env.unwrapped.validate(first).errors
        assert env.unwrapped.validate().okay() and env.unwrapped.validate().reproduced
        # The CLI's check replays the state on the env first: its reward must be the recorded one.
        wrong = EpisodeState(first.benchmark, first.actions, reward=(first.reward or 0.0) + 1.0)
        assert validate_state(env, first).okay()
        assert "on replay" in validate_state(env, wrong).errors[0]
    finally:
        env.close()

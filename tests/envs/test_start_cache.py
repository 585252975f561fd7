"""Cached episode starts: a copy of a benchmark's -Oz module gives what running -Oz gives, for a fraction of
the time, and stays independent of the episodes that start from it."""

from __future__ import annotations

import os
import signal

import gymnasium as gym
import numpy as np
import pytest

from rl_compiler.agents import envtools
from rl_compiler.envs.pipelines import OZ
from rl_compiler.envs.start_cache import StartCache

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"


def _start(env: gym.Env, benchmark: str, cached: bool):
    env.reset(options={"benchmark": benchmark})
    reward, info = env.unwrapped.apply_pipeline(OZ, cached=cached)
    return reward, info, env.unwrapped.current_observation


def test_a_cached_start_equals_running_the_pipeline(small_split):
    env = gym.make(ENV_ID)
    try:
        for benchmark in small_split:
            expected = _start(env, benchmark, cached=False)
            expected_count = envtools.instruction_count(env)
            first = _start(env, benchmark, cached=True)  # computes and stores the start
            second = _start(env, benchmark, cached=True)  # copies it
            for reward, info, observation in (first, second):
                assert reward == pytest.approx(expected[0]) and reward > 0
                assert info["action"] == OZ and info["ir_changed"] and info["recovered_crash"] is None
                np.testing.assert_array_equal(observation, expected[2])
            assert envtools.instruction_count(env) == expected_count == envtools.baselines(env).ic_Oz
            assert envtools.applied_passes(env) == [OZ], "the episode's history still names the pipeline"
            assert env.unwrapped.episode_reward == pytest.approx(expected[0])
            assert "default<O2>" in env.unwrapped.commandline()
        cache = env.unwrapped._start_cache
        assert (cache.misses, cache.hits, len(cache)) == (len(small_split), len(small_split), len(small_split))
    finally:
        env.close()
    assert len(cache) == 0, "closing the env frees the cached modules"


def test_episodes_from_a_cached_start_are_independent(small_split):
    env = gym.make(ENV_ID)
    try:
        _start(env, small_split[0], cached=True)
        start_count = envtools.instruction_count(env)
        changed = False
        for action in range(env.action_space.n):  # change the copy: the next episode must not see it
            env.step(action)
            changed = changed or envtools.instruction_count(env) != start_count
            if changed:
                break
        assert changed
        twin = env.unwrapped.fork()
        assert len(twin._start_cache) == 0, "a fork keeps no cached start of its parent's"
        twin.close()
        _start(env, small_split[0], cached=True)
        assert envtools.instruction_count(env) == start_count and envtools.applied_passes(env) == [OZ]
        with pytest.raises(ValueError, match="start of an episode"):
            env.unwrapped.apply_pipeline(OZ, cached=True)
    finally:
        env.close()


def test_the_cache_keeps_the_most_recent_starts(small_split):
    env = gym.make(ENV_ID)
    env.unwrapped._start_cache = cache = StartCache(capacity=1)
    try:
        _start(env, small_split[0], cached=True)
        first = next(iter(cache._starts.values())).session
        _start(env, small_split[1], cached=True)
        assert len(cache) == 1 and first.closed, "the least recently used start is dropped and freed"
        _start(env, small_split[0], cached=True)
        assert cache.misses == 3 and cache.hits == 0
    finally:
        env.close()
    with pytest.raises(ValueError, match="capacity"):
        StartCache(capacity=0)


def test_start_oz_wrapper_caches_unless_told_not_to(small_split):
    from rl_compiler.agents.rl.wrappers import apply_wrappers

    for cached, hits in ((True, 1), (False, 0)):
        env = apply_wrappers(gym.make(ENV_ID), [{"start-oz": {"cached": cached}}])
        try:
            for _ in range(2):
                env.reset(options={"benchmark": small_split[0]})
                assert envtools.applied_passes(env) == [OZ]
            assert env.unwrapped._start_cache.hits == hits
        finally:
            env.close()


def test_reset_option_start_gives_the_cached_start_without_parsing_the_benchmark(small_split):
    env = gym.make(ENV_ID)
    made = []  # the sessions reset makes for the benchmark's bitcode
    new_session = env.unwrapped._new_session
    env.unwrapped._new_session = lambda *args, **kwargs: made.append(new_session(*args, **kwargs)) or made[-1]
    try:
        benchmark = small_split[0]
        expected = _start(env, benchmark, cached=False)
        for _ in range(2):  # the first computes and stores the start, the second copies it
            observation, info = env.reset(options={"benchmark": benchmark, "start": OZ})
            assert info["benchmark"] == benchmark
            np.testing.assert_array_equal(observation, expected[2])
            assert env.unwrapped.episode_reward == pytest.approx(expected[0])
            assert envtools.applied_passes(env) == [OZ]
        assert env.unwrapped._start_cache.hits == 1
        dropped = made[-1]
        assert dropped.closed and dropped is not env.unwrapped.session, "the copy replaced reset's session"
        assert dropped._slot.generation == -1, "and reset's session never had its module parsed in the worker"
        with pytest.raises(ValueError, match="unknown reset options.*'benchmark', 'start'"):
            env.reset(options={"begin": OZ})
    finally:
        env.close()


def test_a_cached_start_reports_a_lost_worker_once_like_a_step(small_split):
    """The copy and the step share one bookkeeping: a worker lost before the copy is reported by the copy's info
    (the copy itself recovers), then never again, and the reward is still the pipeline's."""
    env = gym.make(ENV_ID)
    try:
        expected_reward = _start(env, small_split[0], cached=True)[0]  # computes and stores the start
        env.reset(options={"benchmark": small_split[0]})
        os.kill(env.unwrapped.session.pid, signal.SIGKILL)
        reward, info = env.unwrapped.apply_pipeline(OZ, cached=True)
        assert env.unwrapped._start_cache.hits == 1
        assert info["recovered_crash"] is not None and info["recovered_crash"].startswith("recovered: ")
        assert reward == pytest.approx(expected_reward) and env.unwrapped.episode_reward == pytest.approx(reward)
        assert envtools.instruction_count(env) == envtools.baselines(env).ic_Oz
        _, _, _, _, info = env.step(0)
        assert info["recovered_crash"] is None, "reported once"
    finally:
        env.close()

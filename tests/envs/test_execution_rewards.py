"""The execution-cost environments: deterministic dynamic-cost rewards, and wall-time rewards that ignore
changes within the noise band."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.rewards import episode_reward

BENCHMARK = "benchmark://builtin-v0/kmp"
PASSES = ["function(sroa)", "function(instcombine<no-verify-fixpoint>)", "function(loop-mssa(licm))", "function(gvn)"]


def _episode(env: PassOrderingEnv) -> list[float]:
    env.reset(seed=0)
    return [env.step(env.action_names.index(p))[1] for p in PASSES]


@pytest.mark.parametrize("reward", ["DynamicInstructionCountO3", "EstimatedCyclesNorm"])
def test_dynamic_rewards_are_deterministic_and_sum_to_the_episode_formula(reward):
    isolated = PassOrderingEnv(BENCHMARK, reward_space=reward)
    in_process = PassOrderingEnv(BENCHMARK, reward_space=reward, isolated=False)
    try:
        assert isolated.bitcode_variant == "runtime"
        first, second = _episode(isolated), _episode(in_process)
        assert first == second
        assert sum(first) > 0  # sroa alone removes most loads and stores of the unoptimised module
        cost = "DynamicInstructionCount" if reward.startswith("Dynamic") else "EstimatedCycles"
        final = isolated.observation[cost]
        assert final == in_process.observation[cost]
        assert sum(first) == pytest.approx(episode_reward(reward, isolated.baselines, final))
        base = isolated.baselines
        prefix = "dyn" if cost.startswith("Dynamic") else "cycles"
        assert isolated.observation[f"{cost}O0"] == getattr(base, f"{prefix}_O0") > getattr(base, f"{prefix}_O3")
    finally:
        isolated.close()
        in_process.close()


def test_registered_dynamic_ids():
    for env_id, reward in (
        ("rl_compiler/llvm-dyninst-v0", "DynamicInstructionCountO3"),
        ("rl_compiler/llvm-autophase-dyninst-v0", "DynamicInstructionCountO3"),
        ("rl_compiler/llvm-autophase-cycles-v0", "EstimatedCyclesO3"),
    ):
        spec = gym.spec(env_id)
        assert spec.kwargs["reward_space"] == reward and not spec.nondeterministic


def test_runtime_reward_ignores_changes_within_the_noise_band():
    # An enormous band: every change is noise, so every reward is 0 and the reference stays the start.
    deaf = PassOrderingEnv(BENCHMARK, reward_space="Runtime", runtime_repeats=3, runtime_noise_band=1e9, isolated=False)
    # No band: every change of the median is rewarded.
    raw = PassOrderingEnv(BENCHMARK, reward_space="Runtime", runtime_repeats=3, runtime_noise_band=0, isolated=False)
    try:
        assert _episode(deaf) == [0.0] * len(PASSES)
        assert any(r != 0.0 for r in _episode(raw))
        stats = raw.observation["RuntimeStats"]
        assert len(stats["times"]) == 3 and stats["median"] > 0 and stats["spread"] >= 0
        spec = raw._observation_spec("RuntimeStats")
        assert spec.space.contains(spec.to_space(stats))
    finally:
        deaf.close()
        raw.close()


def test_runtime_settings_are_checked():
    with pytest.raises(ValueError, match="runtime_warmup and runtime_noise_band must be >= 0"):
        PassOrderingEnv(BENCHMARK, reward_space="Runtime", runtime_warmup=-1)


def test_runtime_stats_observation_space():
    env = PassOrderingEnv(BENCHMARK, observation_space="RuntimeStats", runtime_repeats=2, isolated=False)
    try:
        obs, _ = env.reset()
        assert obs.shape == (2,) and obs[0] > 0 and env.observation_space.contains(obs)
        assert isinstance(env.observation["DynamicInstructionCount"], int)
        assert np.all(np.isfinite(obs))
    finally:
        env.close()

"""The env-shaping wrappers on real pass-ordering envs: pure functions of the env state, macro actions."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rl_compiler.agents import envtools
from rl_compiler.agents.rl.wrappers import apply_wrappers, transform_observation
from rl_compiler.llvm.errors import PassPipelineError
from rl_compiler.wrappers import AutophaseNormalized, MacroActions

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"


def test_wrappers_are_pure_functions_of_the_env_state(small_split):
    env = apply_wrappers(gym.make(ENV_ID, max_episode_steps=5), ["start-oz", "autophase-norm", "action-histogram"])
    try:
        observation, _ = env.reset(options={"benchmark": small_split[0]})
        assert observation.dtype == np.float32 and observation.shape == env.observation_space.shape
        assert envtools.applied_passes(env) == [envtools.OZ]
        observation, *_ = env.step(3)
        raw = envtools.current_observation(env)
        again = transform_observation(env, ["autophase-norm", "action-histogram"], raw)
        np.testing.assert_allclose(again, observation)
        assert observation[56 + 3] == pytest.approx(1 / 5)
    finally:
        env.close()
    with pytest.raises(ValueError, match="56-feature"):
        AutophaseNormalized(gym.make("rl_compiler/llvm-ic-v0"))
    with pytest.raises(ValueError, match="unknown wrapper"):
        apply_wrappers(gym.make(ENV_ID), ["normalise-everything"])


def test_macro_actions_wrapper(small_split):
    macros = ["default<O2>", "iroutliner,default<O2>", "function(load-store-vectorizer)"]
    env = apply_wrappers(
        gym.make(ENV_ID),
        ["start-oz", {"macro-actions": {"actions": macros, "episode_length": 2}}, "autophase-norm", "action-histogram"],
    )
    try:
        assert env.action_space.n == 3 and env.observation_space.shape == (56 + 3,)
        env.reset(options={"benchmark": small_split[1]})
        before = envtools.instruction_count(env)
        observation, reward, terminated, truncated, info = env.step(1)
        base = envtools.baselines(env)
        after = envtools.instruction_count(env)
        assert reward == pytest.approx((before - after) / max(base.ic_O0 - base.ic_Oz, 1))
        assert info["action"] == macros[1] and not terminated and not truncated
        assert observation[56 + 1] == pytest.approx(1 / 2)
        assert envtools.applied_passes(env) == [envtools.OZ, macros[1]]
        assert env.step(0)[3], "the wrapper truncates after episode_length steps"
        with pytest.raises(ValueError, match=r"macro action 3 is not in \[0, 2\]"):
            env.step(3)
    finally:
        env.close()
    bad = MacroActions(gym.make(ENV_ID), ["default<O2>", "no-such-pass"])
    try:
        bad.reset(options={"benchmark": small_split[1]})
        with pytest.raises(PassPipelineError, match="no-such-pass"):
            bad.step(1)
    finally:
        bad.close()
    inner = gym.make(ENV_ID)
    with pytest.raises(ValueError, match="at least one pipeline"):
        MacroActions(inner, [])
    inner.close()

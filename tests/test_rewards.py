"""Reward formulas (CompilerGym's, with the clamp) and the sum of step rewards = the episode formula."""

from __future__ import annotations

import numpy as np
import pytest

from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.llvm.baselines import Baselines
from rl_compiler.rewards import REWARD_NAMES, episode_reward, reward_spec

BASE = Baselines(ic_O0=100, ic_O3=60, ic_Oz=50, text_O0=1000, text_O3=900, text_Oz=800)


def test_reward_names():
    assert set(REWARD_NAMES) == {
        "IrInstructionCount", "IrInstructionCountNorm", "IrInstructionCountO3", "IrInstructionCountOz",
        "ObjectTextSizeBytes", "ObjectTextSizeNorm", "ObjectTextSizeO3", "ObjectTextSizeOz", "Runtime",
        "DynamicInstructionCount", "DynamicInstructionCountNorm", "DynamicInstructionCountO3",
        "DynamicInstructionCountOz", "EstimatedCycles", "EstimatedCyclesNorm", "EstimatedCyclesO3",
        "EstimatedCyclesOz",
    }  # fmt: skip
    with pytest.raises(ValueError, match="valid names: IrInstructionCount"):
        reward_spec("IrInstrCount")


def test_formulas():
    assert reward_spec("IrInstructionCount").scale(BASE) == 1
    assert reward_spec("IrInstructionCountNorm").scale(BASE) == 100
    assert reward_spec("IrInstructionCountO3").scale(BASE) == 40
    assert reward_spec("IrInstructionCountOz").scale(BASE) == 50
    assert reward_spec("ObjectTextSizeOz").scale(BASE) == 200
    assert episode_reward("IrInstructionCountOz", BASE, 50) == 1.0
    assert episode_reward("IrInstructionCountOz", BASE, 75) == 0.5


def test_clamp_when_oz_is_not_smaller():
    worse = Baselines(ic_O0=10, ic_O3=12, ic_Oz=11, text_O0=5, text_O3=5, text_Oz=9)
    assert reward_spec("IrInstructionCountOz").scale(worse) == 1
    assert reward_spec("ObjectTextSizeOz").scale(worse) == 1
    assert episode_reward("IrInstructionCountOz", worse, 8) == 2


@pytest.mark.parametrize("reward", ["IrInstructionCountOz", "IrInstructionCountNorm", "ObjectTextSizeOz"])
def test_sum_of_step_rewards_is_episode_formula(reward):
    env = PassOrderingEnv("benchmark://builtin-v0/crc32", reward_space=reward, isolated=False)
    try:
        env.reset(seed=1)
        rng = np.random.default_rng(1)
        total = 0.0
        for _ in range(25):
            total += env.step(int(rng.integers(env.action_space.n)))[1]
        spec = reward_spec(reward)
        final = env.observation["IrInstructionCount" if spec.cost == "IrInstructionCount" else "ObjectTextSizeBytes"]
        assert total == pytest.approx(episode_reward(reward, env.baselines, final), abs=1e-9)
        assert env.episode_reward == pytest.approx(total)
        # the on-demand reward since the episode start is the same value
        assert env.reward[reward] == pytest.approx(total)
        assert env.reward[reward] == 0.0  # nothing changed since the last query
    finally:
        env.close()

"""Observation spaces: names, shapes, CompilerGym orders, and every value a member of its space."""

from __future__ import annotations

import numpy as np
import pytest

from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.observations import (
    AUTOPHASE_FEATURE_NAMES,
    INST_COUNT_FEATURE_NAMES,
    OBSERVATION_NAMES,
    observation_spec,
)

BENCHMARK = "benchmark://builtin-v0/crc32"


def test_feature_name_counts():
    assert len(AUTOPHASE_FEATURE_NAMES) == 56 and AUTOPHASE_FEATURE_NAMES[51] == "TotalInsts"
    assert len(INST_COUNT_FEATURE_NAMES) == 70 and INST_COUNT_FEATURE_NAMES[-1] == "FreezeCount"


def test_unknown_observation_lists_valid_names():
    with pytest.raises(ValueError, match="Autophase.*InstCount"):
        observation_spec("Autofaze")
    with pytest.raises(ValueError, match="unknown observation space 'Nope'"):
        PassOrderingEnv(BENCHMARK, observation_space="Nope")


@pytest.fixture(scope="module")
def env():
    env = PassOrderingEnv(BENCHMARK, observation_space="Autophase", isolated=False, runtime_repeats=2)
    env.reset(seed=0)
    env.step(env.action_names.index("function(sroa)"))
    yield env
    env.close()


@pytest.mark.parametrize("name", [n for n in OBSERVATION_NAMES if n != "Runtime"])
def test_every_observation_is_in_its_space(env, name):
    spec = env._observation_spec(name)
    natural = env.observation[name]
    assert spec.space.contains(spec.to_space(natural)), name


def test_observation_values_agree(env):
    count = env.observation["IrInstructionCount"]
    assert isinstance(count, int)
    assert env.observation["Autophase"][51] == count
    assert env.observation["InstCount"][0] == count
    assert env.observation["AutophaseDict"]["TotalInsts"] == count
    assert env.observation["InstCountDict"]["TotalInstsCount"] == count
    norm = env.observation["InstCountNorm"]
    assert norm.shape == (69,) and norm.dtype == np.float32
    np.testing.assert_allclose(norm, env.observation["InstCount"][1:] / count, rtol=1e-6)
    base = env.baselines
    assert env.observation["IrInstructionCountO0"] == base.ic_O0 > env.observation["IrInstructionCountOz"]
    assert env.observation["ObjectTextSizeOz"] == base.text_Oz
    assert env.observation["ObjectTextSizeBytes"] > 0
    assert env.observation["Ir"].count("\n") > 10 and len(env.observation["IrSha1"]) == 40
    assert env.observation["Bitcode"][:2] == b"BC"


def test_runtime_observation():
    env = PassOrderingEnv(BENCHMARK, observation_space="Runtime", runtime_repeats=2, isolated=False)
    try:
        obs, _ = env.reset()
        assert obs.shape == (2,) and np.all(obs > 0) and env.observation_space.contains(obs)
    finally:
        env.close()


def test_dict_observation_space():
    env = PassOrderingEnv(BENCHMARK, observation_space=["Autophase", "IrInstructionCount"], isolated=False)
    try:
        obs, _ = env.reset()
        assert set(obs) == {"Autophase", "IrInstructionCount"}
        assert env.observation_space.contains(obs)
        assert obs["Autophase"][51] == obs["IrInstructionCount"][0]
    finally:
        env.close()

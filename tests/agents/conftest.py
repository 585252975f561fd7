"""Shared fixtures of the agent tests: one pass-ordering env and a small split of real benchmarks."""

from __future__ import annotations

import gymnasium as gym
import pytest

import rl_compiler  # noqa: F401 - registers the env ids

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
#: Two of the smallest built-in programs: a split small enough for every agent to run on in seconds.
SMALL_SPLIT = ["benchmark://builtin-v0/crc32", "benchmark://builtin-v0/kmp"]


@pytest.fixture(scope="module")
def env():
    environment = gym.make(ENV_ID)
    yield environment
    environment.close()


@pytest.fixture(scope="session")
def small_split() -> list[str]:
    return list(SMALL_SPLIT)

"""Shared fixture of the agent tests: one pass-ordering env (the small split is in tests/conftest.py)."""

from __future__ import annotations

import gymnasium as gym
import pytest

import rl_compiler  # noqa: F401 - registers the env ids

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"


@pytest.fixture(scope="module")
def env():
    environment = gym.make(ENV_ID)
    yield environment
    environment.close()

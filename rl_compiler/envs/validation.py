"""Validate recorded episode states (CompilerGym's ``validate``): replay each on a pass-ordering env, compare the
reward with the recorded one, then check the result (reproduced, verifier, and the program's output)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import gymnasium as gym

from rl_compiler.datasets.errors import DatasetError
from rl_compiler.envs.state import EpisodeState
from rl_compiler.llvm.errors import LLVMError

#: Rewards are ratios of integer costs: a replay reproduces them to rounding.
REWARD_TOLERANCE = 1e-9


@dataclass(frozen=True)
class StateValidation:
    """What validating one state found.

    :param replayed_reward: the episode reward on replay (None without a deterministic reward space).
    :param errors: every problem; empty when the state validated.
    """

    state: EpisodeState
    replayed_reward: float | None
    errors: tuple[str, ...]

    def okay(self) -> bool:
        return not self.errors


def validate_state(env: gym.Env, state: EpisodeState) -> StateValidation:
    """Replay ``state`` on ``env`` (a pass-ordering env; its reward space scores the replay) and validate it."""
    core = env.unwrapped
    try:
        core.apply(state)
    except (LLVMError, DatasetError, ValueError) as error:
        return StateValidation(state, None, (f"replay failed: {error}",))
    spec = core.reward_space_spec
    replayed = float(core.episode_reward) if spec is not None and spec.deterministic else None
    errors = []
    if state.reward is not None and replayed is not None:
        if not math.isclose(state.reward, replayed, rel_tol=0, abs_tol=REWARD_TOLERANCE):
            errors.append(f"{spec.name} is {replayed!r} on replay, {state.reward!r} recorded")
    errors.extend(core.validate().errors)
    return StateValidation(state, replayed, tuple(errors))

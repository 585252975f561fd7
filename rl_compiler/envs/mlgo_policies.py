"""Baseline policies for the MLGO-channel environments (register allocation and inlining).

A policy is a callable ``policy(observation, info) -> action``; ``info`` is the dict the last ``reset`` or
``step`` returned (it carries ``action_mask``). :func:`run_episode` plays one episode with a policy.

* :func:`first_legal`: the first legal action (regalloc: the first evictable register in allocation order,
  which on real code spills more than LLVM's heuristic; inlining: 0).
* :class:`RandomLegal`: a uniformly random legal action, seeded.
* :class:`FollowDefault`: the inliner's own decision (``inlining_default``), which reproduces the
  environment's baseline exactly (reward 0).
* :func:`no_eviction`: regalloc's "evict nothing" (32) whenever it is legal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

Policy = Callable[[Any, dict], int]


def _mask(info: dict) -> np.ndarray:
    try:
        return np.asarray(info["action_mask"], dtype=bool)
    except KeyError as error:
        raise KeyError(
            "info has no 'action_mask': pass the info dict that reset()/step() returned"
        ) from error


def first_legal(observation: Any, info: dict) -> int:
    """The lowest-numbered legal action."""
    legal = np.flatnonzero(_mask(info))
    if legal.size == 0:
        raise ValueError("no legal action in info['action_mask']")
    return int(legal[0])


def no_eviction(observation: Any, info: dict) -> int:
    """Regalloc: evict nothing (the last action) if legal, else the first legal register."""
    mask = _mask(info)
    return len(mask) - 1 if mask[-1] else first_legal(observation, info)


class RandomLegal:
    """A uniformly random legal action, from its own seeded generator.

    :param seed: seed of the generator (``None``: fresh entropy).
    """

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, observation: Any, info: dict) -> int:
        legal = np.flatnonzero(_mask(info))
        if legal.size == 0:
            raise ValueError("no legal action in info['action_mask']")
        return int(self.rng.choice(legal))


class FollowDefault:
    """Inlining: answer every call site with LLVM's own decision (the ``inlining_default`` feature).

    :param env: the (possibly wrapped) inlining environment; the feature is found by name in its spaces.
    """

    def __init__(self, env: gym.Env, feature: str = "inlining_default") -> None:
        encoder = env.unwrapped.encoder
        if feature not in encoder.slices:
            raise KeyError(
                f"feature {feature!r} not in the observation; features: {', '.join(encoder.slices)}"
            )
        self.feature = feature
        self.index = encoder.slices[feature].start
        self.flat = encoder.format == "flat"

    def __call__(self, observation: Any, info: dict) -> int:
        value = observation[self.index] if self.flat else observation[self.feature][0]
        return int(value != 0)


def run_episode(
    env: gym.Env, policy: Policy, *, benchmark: Any = None, seed: int | None = None
) -> tuple[float, int, dict]:
    """Play one episode; return (total reward, steps, the last info)."""
    options = {"benchmark": benchmark} if benchmark is not None else None
    observation, info = env.reset(seed=seed, options=options)
    total, steps = 0.0, 0
    while True:
        observation, reward, terminated, truncated, info = env.step(policy(observation, info))
        total += float(reward)
        steps += 1
        if terminated or truncated:
            return total, steps, info

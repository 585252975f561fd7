"""Baseline decision policies for the MLGO-channel environments (register allocation and inlining).

A decision function is a callable ``policy(observation, info) -> action``; ``info`` is the dict the last
``reset`` or ``step`` returned (it carries ``action_mask``). Every policy here is also a
:class:`~rl_compiler.agents.base.DecisionPolicy`, registered by name in :mod:`rl_compiler.agents.registry`.
:func:`run_episode` plays one episode with any decision function.

* :func:`first_legal` (``first-legal``): the first legal action (regalloc: the first evictable register in
  allocation order, which on real code spills more than LLVM's heuristic; inlining: 0).
* :class:`RandomLegal` (``random-legal``): a uniformly random legal action, seeded.
* :class:`FollowDefault` (``follow-default``): the inliner's own decision (``inlining_default``), which
  reproduces the environment's baseline exactly (reward 0).
* :func:`no_eviction` (``no-eviction``): regalloc's "evict nothing" (32) whenever it is legal.
* :class:`Never` / :class:`Always` (``never``, ``always``): inlining's constant answers 0 and 1.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from rl_compiler.agents.base import Decide, DecisionPolicy, play


def _mask(info: dict) -> np.ndarray:
    try:
        return np.asarray(info["action_mask"], dtype=bool)
    except KeyError as error:
        raise KeyError("info has no 'action_mask': pass the info dict that reset()/step() returned") from error


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


class FirstLegal(DecisionPolicy):
    """:func:`first_legal` as a policy."""

    name = "first-legal"

    def decide(self, observation: Any, info: dict) -> int:
        return first_legal(observation, info)


class NoEviction(DecisionPolicy):
    """:func:`no_eviction` as a policy."""

    name = "no-eviction"

    def decide(self, observation: Any, info: dict) -> int:
        return no_eviction(observation, info)


class RandomLegal(DecisionPolicy):
    """A uniformly random legal action, from its own seeded generator.

    :param seed: seed of the generator (``None``: fresh entropy).
    """

    name = "random-legal"

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        self.rng = np.random.default_rng(seed)

    def decide(self, observation: Any, info: dict) -> int:
        legal = np.flatnonzero(_mask(info))
        if legal.size == 0:
            raise ValueError("no legal action in info['action_mask']")
        return int(self.rng.choice(legal))


class FollowDefault(DecisionPolicy):
    """Inlining: answer every call site with LLVM's own decision (the ``inlining_default`` feature).

    :param env: the (possibly wrapped) inlining environment; the feature is found by name in its spaces.
        Without it, the policy finds the feature when an episode starts (:meth:`reset`).
    :param feature: the observation feature holding LLVM's decision.
    """

    name = "follow-default"

    def __init__(self, env: gym.Env | None = None, feature: str = "inlining_default") -> None:
        super().__init__()
        self.feature = feature
        self.index: int | None = None
        if env is not None:
            self.reset(env)

    def reset(self, env: gym.Env) -> None:
        encoder = env.unwrapped.encoder
        if self.feature not in encoder.slices:
            raise KeyError(f"feature {self.feature!r} not in the observation; features: {', '.join(encoder.slices)}")
        self.index = encoder.slices[self.feature].start
        self.flat = encoder.format == "flat"

    def decide(self, observation: Any, info: dict) -> int:
        if self.index is None:
            raise RuntimeError("FollowDefault needs the env: pass env= or call reset(env) first")
        value = observation[self.index] if self.flat else observation[self.feature][0]
        return int(value != 0)


class Never(DecisionPolicy):
    """Inlining: never inline (always answer 0)."""

    name = "never"

    def decide(self, observation: Any, info: dict) -> int:
        return 0


class Always(DecisionPolicy):
    """Inlining: inline every call site LLVM asks about (always answer 1)."""

    name = "always"

    def decide(self, observation: Any, info: dict) -> int:
        return 1


def run_episode(
    env: gym.Env, policy: Decide, *, benchmark: Any = None, seed: int | None = None
) -> tuple[float, int, dict]:
    """Play one episode; return (total reward, steps, the last info)."""
    episode = play(env, policy, benchmark=benchmark, seed=seed)
    return episode.total_reward, episode.steps, episode.info

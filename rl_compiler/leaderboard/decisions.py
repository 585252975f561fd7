"""Leaderboard rows for the MLGO tasks (register allocation, inlining): play a decision policy from the
agent registry, record every decision so the result can be replayed, and replay recorded decisions.

Agents: the registry's MLGO family (``first-legal``, ``random-legal``, ``no-eviction`` for regalloc,
``follow-default``, ``never``, ``always`` for inlining), a saved MaskablePPO model (``.zip``), or a
``module:Class`` subclass of :class:`rl_compiler.agents.base.DecisionPolicy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gymnasium as gym
import numpy as np

from rl_compiler.agents.registry import make_agent
from rl_compiler.leaderboard.results import Row

if TYPE_CHECKING:
    from rl_compiler.leaderboard.tasks import Task


def replay(env: gym.Env, uri: str, decisions: list[int]) -> tuple[float, dict]:
    """Send recorded decisions again from scratch; the episode must end exactly when they run out."""
    env.reset(seed=0, options={"benchmark": uri})
    for index, action in enumerate(decisions):
        _, reward, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            if index != len(decisions) - 1:
                raise ValueError(
                    f"{uri}: the compilation ended after {index + 1} of {len(decisions)} recorded decisions"
                )
            return float(reward), info
    raise ValueError(f"{uri}: the compilation asked for more than the {len(decisions)} recorded decisions")


#: The episode's ``info`` entries a leaderboard row keeps (the score, its parts and the baseline).
DETAIL_KEYS = ("score", "default_score", "spills", "reloads", "copies", "text_size", "default_text_size", "decisions")


def _details(info: dict) -> dict:
    return {
        key: (value.item() if isinstance(value, np.generic) else value)
        for key, value in info.items()
        if key in DETAIL_KEYS
    }


def run(task: Task, agent: str, config: dict, uri: str, repetition: int, seed: int) -> Row:
    """Play ``agent`` once on ``uri`` for an MLGO task and return the leaderboard row.

    :param config: the task env's keyword arguments (an MLGO entry's ``agent_config``).
    """
    policy = make_agent(agent, family="mlgo", strict=False, seed=seed)
    env = gym.make(task.env, benchmark=uri, **config)
    try:
        episode = policy.run(env, uri, seed=seed)
    finally:
        env.close()
    return Row(
        benchmark=uri,
        repetition=repetition,
        reward=episode.reward,
        walltime=episode.wall_time,
        actions=episode.decisions,
        details=_details(episode.info),
    )

"""Leaderboard episodes for the MLGO tasks (register allocation, inlining): run a decision policy, record
every decision so the result can be replayed, and replay recorded decisions.

Policies: ``first-legal``, ``random-legal``, ``no-eviction`` (regalloc), ``follow-default``, ``never``,
``always`` (inlining), or a saved MaskablePPO/PPO model (``.zip``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from rl_compiler.envs import mlgo_policies

if TYPE_CHECKING:
    from rl_compiler.leaderboard.results import Row
    from rl_compiler.leaderboard.tasks import Task

Decide = Callable[[Any, dict], int]
POLICIES = ("first-legal", "random-legal", "no-eviction", "follow-default", "never", "always")


def make_policy(name: str, env: gym.Env, seed: int) -> Decide:
    """A decision function ``(observation, info) -> action`` for a policy name or a saved model path."""
    if name == "first-legal":
        return mlgo_policies.first_legal
    if name == "random-legal":
        return mlgo_policies.RandomLegal(seed)
    if name == "no-eviction":
        return mlgo_policies.no_eviction
    if name == "follow-default":
        return mlgo_policies.FollowDefault(env)
    if name in ("never", "always"):
        value = int(name == "always")
        return lambda observation, info: value
    if name.endswith(".zip"):
        from sb3_contrib import MaskablePPO

        model = MaskablePPO.load(name, device="cpu")

        def decide(observation: Any, info: dict) -> int:
            action, _ = model.predict(observation, action_masks=info.get("action_mask"), deterministic=True)
            return int(action)

        return decide
    raise ValueError(f"unknown MLGO policy {name!r}; expected one of {', '.join(POLICIES)} or a model .zip")


def play(env: gym.Env, uri: str, decide: Decide, seed: int) -> tuple[float, list[int], dict]:
    """One episode on ``uri``: the terminal reward, the decisions sent, and the final info."""
    observation, info = env.reset(seed=seed, options={"benchmark": uri})
    decisions: list[int] = []
    while True:
        action = int(decide(observation, info))
        decisions.append(action)
        observation, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return float(reward), decisions, info


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


def _details(info: dict) -> dict:
    keep = (
        "score",
        "default_score",
        "spills",
        "reloads",
        "copies",
        "text_size",
        "default_text_size",
        "decisions",
    )
    return {
        key: (value.item() if isinstance(value, np.generic) else value) for key, value in info.items() if key in keep
    }


def run(task: Task, agent: str, config: dict, uri: str, repetition: int, seed: int) -> Row:
    """Play ``agent`` once on ``uri`` for an MLGO task and return the leaderboard row."""
    from rl_compiler.leaderboard.results import Row

    env = gym.make(task.env, benchmark=uri, **config)
    try:
        decide = make_policy(agent, env.unwrapped, seed)
        start = time.perf_counter()
        reward, decisions, info = play(env, uri, decide, seed)
        walltime = time.perf_counter() - start
    finally:
        env.close()
    return Row(
        benchmark=uri,
        repetition=repetition,
        reward=reward,
        walltime=walltime,
        actions=decisions,
        details=_details(info),
    )

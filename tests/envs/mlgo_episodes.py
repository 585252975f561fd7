"""Playing whole episodes of the MLGO environments in tests."""

from __future__ import annotations

import gymnasium as gym


def play_episode(env: gym.Env, policy=None, actions=None):
    """Run one episode with ``policy(observation, info)`` or replaying ``actions``; return (actions, reward, info)."""
    observation, info = env.reset(seed=0)
    taken = []
    while True:
        action = actions[len(taken)] if actions is not None else policy(observation, info)
        taken.append(action)
        observation, reward, terminated, truncated, info = env.step(action)
        if terminated:
            return taken, reward, info

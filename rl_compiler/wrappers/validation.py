"""CompilerGym's ``ValidateBenchmarkAfterEveryStep`` and ``Counter``."""

from __future__ import annotations

from typing import Any

import gymnasium as gym


class ValidateBenchmarkAfterEveryStep(gym.Wrapper):
    """Validate the program after every step (replay, verifier, and the program's output where it runs); a
    failure ends the episode with ``reward_penalty`` added to the step's reward and the reasons in
    ``info["error_details"]``.

    Validation replays the episode from scratch, so each step costs a whole replay: for debugging a policy or
    an action set, not for training throughput.
    """

    def __init__(self, env: gym.Env, reward_penalty: float = -1e3) -> None:
        super().__init__(env)
        self.reward_penalty = float(reward_penalty)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        result = self.env.unwrapped.validate()
        if not result.okay():
            info = {**info, "error_details": "; ".join(result.errors)}
            return observation, float(reward) + self.reward_penalty, True, truncated, info
        return observation, reward, terminated, truncated, info


class Counter(gym.Wrapper):
    """Count the calls of ``reset``, ``step``, ``fork`` and ``close`` in ``counters`` (CompilerGym's ``Counter``).

    ``fork()`` returns a ``Counter`` around a fork of the env, starting from a copy of these counts.
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.counters = {"close": 0, "fork": 0, "reset": 0, "step": 0}

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        self.counters["reset"] += 1
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        self.counters["step"] += 1
        return self.env.step(action)

    def fork(self) -> Counter:
        self.counters["fork"] += 1
        fork = getattr(self.env, "fork", None)
        twin = Counter(fork() if callable(fork) else self.env.unwrapped.fork())
        twin.counters = dict(self.counters)
        return twin

    def close(self) -> None:
        self.counters["close"] += 1
        self.env.close()

"""Epsilon-greedy: the greedy step most of the time, a random action with probability epsilon."""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.common import Action, SearchPolicy


class EpsilonGreedy(SearchPolicy):
    """Episodes of epsilon-greedy steps from the start state; return the best prefix seen.

    :param epsilon: probability of a random action instead of the greedy one.
    :param episode_length: steps per episode; episodes repeat until the budget is spent.
    """

    name = "epsilon-greedy"

    def __init__(self, epsilon: float = 0.1, episode_length: int = 20, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
        self.epsilon, self.episode_length = epsilon, episode_length

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        candidates = self.candidates(env)
        best_cost, best = envtools.instruction_count(env), []
        length = min(self.episode_length, self.max_episode_steps or self.episode_length)
        while not tracker.exhausted():
            state = envtools.fork(env)
            sequence: list[Action] = []
            try:
                for _ in range(length):
                    if tracker.exhausted():
                        break
                    if self.rng.random() < self.epsilon:
                        action = self.rng.choice(candidates)
                    else:
                        scored = []
                        for i, candidate in enumerate(candidates):
                            if tracker.exhausted():
                                break
                            result = self.try_score(state, candidate, tracker)
                            if result is not None:
                                result[1].close()
                                scored.append((result[0], i, candidate))
                        if not scored:
                            break
                        action = min(scored)[2]
                    try:
                        envtools.step(state, action)
                    except Exception:
                        break
                    tracker.charge()
                    sequence.append(action)
                    cost = envtools.instruction_count(state)
                    if cost < best_cost:
                        best_cost, best = cost, list(sequence)
            finally:
                state.close()
            if self.epsilon == 0.0:
                break  # deterministic: another episode would repeat this one
        return best

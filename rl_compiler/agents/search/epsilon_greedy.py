"""Epsilon-greedy: the greedy step most of the time, a random action with probability epsilon."""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.search.common import Action, SearchPolicy, SearchState


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
        root = SearchState.of_env(env)
        best_cost, best = root.cost, []
        length = min(self.episode_length, self.max_episode_steps or self.episode_length)
        try:
            while not tracker.exhausted():
                state = SearchState(root.session.fork(), [])
                try:
                    for _ in range(length):
                        if tracker.exhausted():
                            break
                        if self.rng.random() < self.epsilon:
                            action = self.rng.choice(candidates)
                        else:
                            scored = self.score_children(state, candidates, tracker)
                            if not scored:
                                break
                            action = min(scored)[2]
                        if not self.try_apply(state, action, tracker):
                            break
                        if state.cost < best_cost:
                            best_cost, best = state.cost, list(state.steps)
                finally:
                    state.close()
                if self.epsilon == 0.0:
                    break  # deterministic: another episode would repeat this one
        finally:
            root.close()
        return best

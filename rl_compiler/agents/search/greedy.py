"""Greedy search: try every action, keep the one that shrinks the IR most, repeat until none helps.

The hill-climbing baseline of CompilerGym's examples (``examples/greedy.py``) and of the Autophase paper
(Haj-Ali et al., 2020, https://arxiv.org/abs/2003.00671).
"""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.search.common import Action, SearchPolicy, SearchState


class GreedySearch(SearchPolicy):
    """Repeatedly apply the single action that reduces the instruction count most.

    :param patience: also accept up to this many consecutive steps that do not shrink the IR (the action that
        changes the IR with the smallest cost, at most 2% growth), which lets enabling passes through; 0 is
        plain greedy.
    See :class:`~rl_compiler.agents.search.common.SearchPolicy` for the budget and start arguments.
    """

    name = "greedy"

    def __init__(self, patience: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.patience = patience

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        state = SearchState.of_env(env)
        best_cost, best_len, stale = state.cost, 0, 0
        limit = self.max_episode_steps or 200
        try:
            while len(state.steps) < limit and not tracker.exhausted():
                scored = self.score_children(state, self.candidates(env), tracker)
                if not scored:
                    break
                cost, _, action = min(scored)
                if cost >= state.cost:
                    stale += 1
                    changed = [s for s in scored if s[0] != state.cost and s[0] <= state.cost * 1.02]
                    if stale > self.patience or not changed:
                        break
                    cost, _, action = min(changed)
                else:
                    stale = 0
                if not self.try_apply(state, action, tracker):
                    break
                if state.cost < best_cost:
                    best_cost, best_len = state.cost, len(state.steps)
            return state.steps[:best_len]
        finally:
            state.close()

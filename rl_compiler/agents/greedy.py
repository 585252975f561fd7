"""Greedy search: try every action, keep the one that shrinks the IR most, repeat until none helps.

The hill-climbing baseline of CompilerGym's examples (``examples/greedy.py``) and of the Autophase paper
(Haj-Ali et al., 2020, https://arxiv.org/abs/2003.00671).
"""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.common import Action, SearchPolicy


class GreedySearch(SearchPolicy):
    """Repeatedly apply the single action that reduces the instruction count most.

    :param patience: also accept up to this many consecutive steps that do not shrink the IR (taking the
        action that changes it, smallest first), which lets enabling passes through; 0 is plain greedy.
    See :class:`~rl_compiler.agents.common.SearchPolicy` for the budget and start arguments.
    """

    name = "greedy"

    def __init__(self, patience: int = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.patience = patience

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        state = envtools.fork(env)
        cost = envtools.instruction_count(state)
        best_cost, best_len, sequence, stale = cost, 0, [], 0
        limit = self.max_episode_steps or 200
        try:
            while len(sequence) < limit and not tracker.exhausted():
                scored: list[tuple[int, int, Action]] = []
                for i, action in enumerate(self.candidates(env)):
                    if tracker.exhausted():
                        break
                    result = self.try_score(state, action, tracker)
                    if result is None:
                        continue
                    child_cost, child = result
                    child.close()
                    scored.append((child_cost, i, action))
                if not scored:
                    break
                child_cost, _, action = min(scored)
                if child_cost >= cost:
                    stale += 1
                    if stale > self.patience or child_cost > cost:
                        break
                    changed = [s for s in scored if s[0] != cost]
                    if not changed:
                        break
                    child_cost, _, action = min(changed)
                else:
                    stale = 0
                envtools.step(state, action)
                sequence.append(action)
                cost = envtools.instruction_count(state)
                if cost < best_cost:
                    best_cost, best_len = cost, len(sequence)
        finally:
            state.close()
        return sequence[:best_len]

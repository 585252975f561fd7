"""Iterated local search: greedy descent, then random kicks from the best state and greedy again.

Greedy search stops at the first state no single action improves, usually well before its budget is spent.
Iterated local search (Lourenço, Martin and Stützle, "Iterated Local Search", 2003,
https://arxiv.org/abs/math/0102188) spends the rest: it perturbs the best state with a few random actions,
descends greedily from there, and keeps the result if it is smaller.
"""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.search.common import Action, SearchPolicy, SearchState


class IteratedLocalSearch(SearchPolicy):
    """Greedy descent with random restarts from the best state found.

    :param kick: random actions applied to the best state before each new descent (1 to ``kick``).
    :param patience: greedy's allowance of non-improving steps per descent.
    :param descent_candidates: candidates tried per greedy step after the first descent (None: all); a
        random sample keeps later descents cheap, the macro actions are always included.
    """

    name = "local-search"

    def __init__(self, kick: int = 3, patience: int = 0, descent_candidates: int | None = 40, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kick, self.patience, self.descent_candidates = kick, patience, descent_candidates

    def descend(self, state: SearchState, candidates: list[Action], tracker: BudgetTracker) -> SearchState:
        """Greedy descent from ``state`` (consumed); returns the best state reached."""
        limit = self.max_episode_steps or 200
        stale = 0
        best = state
        while len(state.steps) < limit and not tracker.exhausted():
            scored = self.score_children(state, candidates, tracker)
            if not scored:
                break
            cost, _, action = min(scored)
            if cost >= state.cost:
                stale += 1
                if stale > self.patience:
                    break
            else:
                stale = 0
            nxt = self.try_child(state, action, tracker)
            if nxt is None:
                break
            if state is not best:
                state.close()
            state = nxt
            if state.cost < best.cost:
                if best is not state:
                    best.close()
                best = state
        if state is not best:
            state.close()
        return best

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        candidates = self.candidates(env)
        macros = {envtools.canonical_pipeline(m) for m in self.macro_actions}
        best = self.descend(SearchState.of_env(env), candidates, tracker)
        try:
            while not tracker.exhausted():
                start = SearchState(best.session.fork(), list(best.steps))
                ok = True
                for _ in range(self.rng.randint(1, self.kick)):
                    if not self.try_apply(start, self.rng.choice(candidates), tracker):
                        ok = False
                        break
                if not ok:
                    start.close()
                    continue
                pool = candidates
                if self.descent_candidates is not None and len(candidates) > self.descent_candidates:
                    others = [c for c in candidates if c not in macros]
                    pool = [c for c in candidates if c in macros] + self.rng.sample(
                        others, max(self.descent_candidates - len(macros), 0)
                    )
                result = self.descend(start, pool, tracker)
                if result.cost < best.cost or (result.cost == best.cost and len(result.steps) < len(best.steps)):
                    best.close()
                    best = result
                else:
                    result.close()
            return list(best.steps)
        finally:
            best.close()

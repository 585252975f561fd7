"""Beam search: expand the best few states by every action, keep the best few children, repeat."""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.search.common import Action, SearchPolicy, SearchState


class BeamSearch(SearchPolicy):
    """Breadth-limited best-first search over action sequences.

    :param width: states kept per depth.
    :param depth: longest sequence explored (also bounded by ``max_episode_steps`` and the budget).
    :param branch: children tried per state: all candidates (None) or this many random ones.
    """

    name = "beam"

    def __init__(self, width: int = 4, depth: int = 10, branch: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.width, self.depth, self.branch = width, depth, branch

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        candidates = self.candidates(env)
        beam = [SearchState.of_env(env)]
        best_cost, best = beam[0].cost, []
        depth = min(self.depth, self.max_episode_steps or self.depth)
        try:
            for _ in range(depth):
                children: list[SearchState] = []
                seen: set[int] = set()
                for state in beam:
                    actions = (
                        candidates
                        if self.branch is None
                        else self.rng.sample(candidates, min(self.branch, len(candidates)))
                    )
                    for action in actions:
                        if tracker.exhausted():
                            break
                        child = self.try_child(state, action, tracker)
                        if child is None:
                            continue
                        key = child.fingerprint()
                        if key in seen:  # the same IR reached another way
                            child.close()
                            continue
                        seen.add(key)
                        children.append(child)
                if not children:
                    break
                children.sort(key=lambda c: (c.cost, len(c.steps)))
                for state in beam + children[self.width :]:
                    state.close()
                beam = children[: self.width]
                if beam[0].cost < best_cost:
                    best_cost, best = beam[0].cost, list(beam[0].steps)
                if tracker.exhausted():
                    break
        finally:
            for state in beam:
                state.close()
        return best

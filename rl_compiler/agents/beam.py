"""Beam search: expand the best few states by every action, keep the best few children, repeat."""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.common import Action, SearchPolicy


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
        start_cost = envtools.instruction_count(env)
        beam: list[tuple[int, list[Action], object]] = [(start_cost, [], envtools.fork(env))]
        best_cost, best = start_cost, []
        depth = min(self.depth, self.max_episode_steps or self.depth)
        try:
            for _ in range(depth):
                children: list[tuple[int, list[Action], object]] = []
                seen: set[int] = set()
                for _, sequence, state in beam:
                    actions = candidates if self.branch is None else self.rng.sample(
                        candidates, min(self.branch, len(candidates)))
                    for action in actions:
                        if tracker.exhausted():
                            break
                        result = self.try_score(state, action, tracker)
                        if result is None:
                            continue
                        cost, child = result
                        key = _fingerprint(child, cost)
                        if key in seen:  # identical IR reached another way
                            child.close()
                            continue
                        seen.add(key)
                        children.append((cost, sequence + [action], child))
                if not children:
                    break
                children.sort(key=lambda c: (c[0], len(c[1])))
                for _, _, state in beam:
                    state.close()
                beam, dropped = children[: self.width], children[self.width:]
                for _, _, state in dropped:
                    state.close()
                if beam[0][0] < best_cost:
                    best_cost, best = beam[0][0], beam[0][1]
                if tracker.exhausted():
                    break
        finally:
            for _, _, state in beam:
                state.close()
        return best


def _fingerprint(env: object, cost: int) -> int:
    """A cheap identity of the module state (falls back to the cost when the env has no fingerprint)."""
    fingerprint = getattr(env, "fingerprint", None)
    return int(fingerprint()) if callable(fingerprint) else cost

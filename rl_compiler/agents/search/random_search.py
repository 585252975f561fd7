"""Random search: random action sequences from the start state, keeping the best prefix seen.

CompilerGym's ``random_search`` baseline: each trial applies random actions until ``patience`` steps in a
row bring no improvement over the trial's best; the budget is steps and/or seconds.
"""

from __future__ import annotations

import gymnasium as gym

from rl_compiler.agents.base import BudgetTracker
from rl_compiler.agents.search.common import Action, SearchPolicy, SearchState


class RandomSearch(SearchPolicy):
    """Sample random action sequences; return the best prefix of any of them.

    :param patience: end a trial after this many steps without improving on its best.
    :param max_trials: stop after this many trials (None: only the budget stops the search).
    """

    name = "random"

    def __init__(self, patience: int = 20, max_trials: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.patience = patience
        self.max_trials = max_trials

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        candidates = self.candidates(env)
        root = SearchState.of_env(env)
        best_cost, best = root.cost, []
        limit = self.max_episode_steps or 200
        trials = 0
        try:
            while not tracker.exhausted() and (self.max_trials is None or trials < self.max_trials):
                trials += 1
                trial = SearchState(root.session.fork(), [])
                try:
                    trial_best, stale = trial.cost, 0
                    while stale < self.patience and len(trial.steps) < limit and not tracker.exhausted():
                        if not self.try_apply(trial, self.rng.choice(candidates), tracker):
                            break  # a crashing pass ends the trial
                        if trial.cost < trial_best:
                            trial_best, stale = trial.cost, 0
                        else:
                            stale += 1
                        if trial.cost < best_cost:
                            best_cost, best = trial.cost, list(trial.steps)
                finally:
                    trial.close()
        finally:
            root.close()
        return best

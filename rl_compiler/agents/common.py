"""Shared machinery of the search agents: budgets, candidate actions, forking and scoring.

A search agent explores copies (``env.fork()``) of the environment, scores each state by its IR
instruction count (lower is better), and finally applies the best action sequence it found to the env.
Actions are action indices of the env's action space, or whole pipeline strings (``"oz"`` is the -Oz
pipeline) for start prefixes and macro actions; both end up in the replayable pass list.
"""

from __future__ import annotations

import random
from typing import Any

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Budget, BudgetTracker, Policy

Action = int | str


class SearchPolicy(Policy):
    """Base class of the search agents.

    :param max_steps: step budget: pass applications over all forks (None: unlimited).
    :param time_limit: time budget in seconds (None: unlimited). Give at least one of the two.
    :param seed: seed of the agent's random choices.
    :param start: a pipeline string applied before searching, e.g. ``"oz"`` to search onward from -Oz.
    :param actions: restrict the search to these action names (pipeline strings of the env's action set).
    :param macro_actions: extra candidate pipeline strings (e.g. ``"oz"`` to re-run the whole -Oz pipeline).
    :param max_episode_steps: longest action sequence the search returns.
    """

    name = "search"

    def __init__(
        self,
        max_steps: int | None = None,
        time_limit: float | None = None,
        seed: int | None = None,
        start: str | None = None,
        actions: list[str] | None = None,
        macro_actions: list[str] | None = None,
        max_episode_steps: int | None = None,
    ) -> None:
        super().__init__(max_episode_steps=max_episode_steps)
        if max_steps is None and time_limit is None:
            max_steps = 1000
        self.budget = Budget(max_steps=max_steps, time_limit=time_limit)
        self.seed = seed
        self.rng = random.Random(seed)
        self.start = start
        self.action_filter = list(actions) if actions else None
        self.macro_actions = list(macro_actions or [])

    # -- helpers for subclasses --------------------------------------------------------------------------
    def candidates(self, env: gym.Env) -> list[Action]:
        """The actions the search may take: the env's action set (or the chosen subset) plus macro actions."""
        names = envtools.action_names(env)
        if self.action_filter is None:
            indices: list[Action] = list(range(len(names)))
        else:
            index = {name: i for i, name in enumerate(names)}
            unknown = [a for a in self.action_filter if a not in index]
            if unknown:
                raise ValueError(f"unknown action(s) {unknown} for {self.name}; the env's actions are {names}")
            indices = [index[a] for a in self.action_filter]
        return indices + list(self.macro_actions)

    def score(self, state: Any, action: Action, tracker: BudgetTracker) -> tuple[int, Any]:
        """Fork ``state``, apply ``action``, and return (instruction count, the new fork)."""
        child = envtools.fork(state)
        tracker.charge()
        try:
            envtools.step(child, action)
        except Exception:
            child.close()
            raise
        return envtools.instruction_count(child), child

    def try_score(self, state: Any, action: Action, tracker: BudgetTracker) -> tuple[int, Any] | None:
        """Like :meth:`score`, but a pass that fails (crash, invalid IR) gives ``None``."""
        try:
            return self.score(state, action, tracker)
        except Exception:  # a crashing pass is just a bad candidate for a search
            return None

    def search(self, env: gym.Env, tracker: BudgetTracker) -> list[Action]:
        """Return the best action sequence from the env's current state (the env must not be changed)."""
        raise NotImplementedError

    # -- the driver --------------------------------------------------------------------------------------
    def optimize(self, env: gym.Env, observation: Any) -> None:
        tracker = BudgetTracker(self.budget)
        self.rng = random.Random(self.seed)
        if self.start:
            envtools.run_pipeline(env, self.start)
        best = self.search(env, tracker)
        self.last_search_steps = tracker.steps
        envtools.apply(env, best)

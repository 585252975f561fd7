"""Shared machinery of the search agents: budgets, candidate actions, forking and scoring.

A search agent explores cheap copies of the env's module (:class:`SearchState`: an
``rl_compiler.llvm.session.Session`` forked in the env's worker, so a crashing pass cannot hurt the caller),
scores each state by its IR instruction count (lower is better), and finally applies the best sequence it
found to the env itself, which replays it exactly; the result reported is the env's. Actions are pipeline
strings: the env's action names, plus macro actions such as the whole -Oz pipeline (``"oz"``).
"""

from __future__ import annotations

import random
from typing import Any

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Budget, BudgetTracker, Policy
from rl_compiler.llvm.errors import LLVMError

Action = str


class SearchState:
    """One module state of a search: a forked session, the pipelines that led to it, and its cost."""

    def __init__(self, session: Any, steps: list[str]) -> None:
        self.session, self.steps = session, steps
        self._cost: int | None = None

    @classmethod
    def of_env(cls, env: gym.Env) -> SearchState:
        return cls(envtools.fork_session(env), [])

    @property
    def cost(self) -> int:
        if self._cost is None:
            self._cost = self.session.instruction_count()
        return self._cost

    def fingerprint(self) -> int:
        return self.session.fingerprint()

    def apply(self, pipeline: str) -> None:
        """Run ``pipeline`` on this state in place."""
        self.session.run_passes(envtools.canonical_pipeline(pipeline))
        self.steps.append(pipeline)
        self._cost = None

    def child(self, pipeline: str) -> SearchState:
        """A new state: this one plus ``pipeline``."""
        twin = SearchState(self.session.fork(), list(self.steps))
        try:
            twin.apply(pipeline)
        except BaseException:
            twin.close()
            raise
        return twin

    def close(self) -> None:
        self.session.close()


class SearchPolicy(Policy):
    """Base class of the search agents.

    :param max_steps: step budget: pass applications over all forks (None: unlimited).
    :param time_limit: time budget in seconds (None: unlimited). Give at least one of the two.
    :param seed: seed of the agent's random choices.
    :param start: a pipeline string applied before searching, e.g. ``"oz"`` to search onward from -Oz.
    :param actions: restrict the search to these action names (pipeline strings of the env's action set).
    :param macro_actions: extra candidate pipeline strings (e.g. ``"oz"`` to re-run the whole -Oz pipeline).
    :param max_episode_steps: longest action sequence the search returns.
    :param macros_first: try the macro actions before the env's actions (they are the likelier wins, and a
        time budget may end a round early).
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
        macros_first: bool = False,
    ) -> None:
        super().__init__(max_episode_steps=max_episode_steps)
        self.macros_first = macros_first
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
        names = [n for n in envtools.action_names(env) if n != "<end-episode>"]
        if self.action_filter is not None:
            unknown = [a for a in self.action_filter if a not in names]
            if unknown:
                raise ValueError(f"unknown action(s) {unknown} for {self.name}; the env's actions are {names}")
            names = list(self.action_filter)
        macros = [envtools.canonical_pipeline(m) for m in self.macro_actions]
        return macros + [n for n in names if n not in macros] if self.macros_first else names + macros

    def try_child(self, state: SearchState, action: Action, tracker: BudgetTracker) -> SearchState | None:
        """``state`` plus ``action`` as a new state, or None if the pass fails (crash, timeout, bad IR)."""
        tracker.charge()
        try:
            child = state.child(action)
            child.cost  # noqa: B018 - evaluate now, inside the guard
            return child
        except LLVMError:  # a crashing pass (or one timing out) is just a bad candidate for a search
            return None

    def score_children(
        self, state: SearchState, candidates: list[Action], tracker: BudgetTracker
    ) -> list[tuple[int, int, Action]]:
        """``(cost, index, action)`` of every candidate applied to ``state`` alone, until the budget runs out;
        candidates whose pass fails are left out."""
        scored = []
        for index, action in enumerate(candidates):
            if tracker.exhausted():
                break
            child = self.try_child(state, action, tracker)
            if child is not None:
                scored.append((child.cost, index, action))
                child.close()
        return scored

    def try_apply(self, state: SearchState, action: Action, tracker: BudgetTracker) -> bool:
        """Apply ``action`` to ``state`` in place; False if the pass fails (the state is then unchanged)."""
        tracker.charge()
        try:
            state.apply(action)
            return True
        except LLVMError:
            return False

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

"""The ``default`` agent: what ``rl-compiler optimize`` does, as a :class:`~rl_compiler.agents.base.Policy`.

It runs :class:`rl_compiler.agents.optimize.size_search.SizeSearch` on the episode's start module (candidate pass
sequences best predicted first, then refinement of the best, all judged by object ``.text`` by default)
within ``time_limit`` seconds, and applies the winner's pass list to the environment. The result is never
larger than -Oz in ``.text`` (nor, with ``metric="ir"``, in IR instructions).

The helpers that read the shipped PPO model's config (``agents/policies/default-ic.yml``), whose
``search.macro_actions`` are the macro action set of the PPO recipe, are in :mod:`rl_compiler.agents.rl.shipped`
(re-exported here).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Policy
from rl_compiler.agents.rl.shipped import DEFAULT_POLICY_FILE, default_policy_path, search_settings  # noqa: F401


class DefaultPolicy(Policy):
    """Candidate sequences, then refinement, within ``time_limit`` seconds; never larger than -Oz in ``.text``.

    :param time_limit: seconds for the whole optimization (the -Oz pipeline included).
    :param metric: ``"text"`` (object ``.text`` first) or ``"ir"`` (IR instructions first).
    :param refine: refine the best sequence with local search in the time left.
    :param seed: seed of the refinement's random choices.
    :param max_steps: at most this many module evaluations (None: time only).
    """

    name = "default"

    def __init__(
        self,
        time_limit: float | None = 10.0,
        metric: str = "text",
        refine: bool = True,
        seed: int | None = 0,
        max_steps: int | None = None,
    ) -> None:
        super().__init__()
        self.time_limit = 10.0 if time_limit is None else float(time_limit)
        self.metric, self.refine, self.seed, self.max_steps = metric, refine, seed or 0, max_steps

    def optimize(self, env: gym.Env, observation: Any) -> None:
        from rl_compiler.agents.optimize.optimizer import CandidateSequences, preload_value_model
        from rl_compiler.agents.optimize.size_search import Deadline, SizeSearch

        deadline = Deadline.after(self.time_limit)
        preload_value_model()
        search = SizeSearch(
            metric=self.metric,
            sequences=CandidateSequences(),
            refine=self.refine,
            seed=self.seed,
            max_evaluations=self.max_steps,
        )
        root = envtools.fork_session(env).sibling(envtools.start_bitcode(env))
        try:
            oz = search.baseline(root)
            # Keep time for replaying the winner on the env.
            found = search.run(root, deadline.earlier(2 * search.log.seconds.get("oz", 0.0)), oz=oz)
        finally:
            search.close()
            root.close()
        best = next(c for c in found if search.admissible(c, oz))
        for pipeline in best.passes:
            envtools.run_pipeline(env, pipeline)

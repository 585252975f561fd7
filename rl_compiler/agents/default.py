"""The shipped default policy: start from -Oz, roll out the trained PPO policy, then search onward.

This is what ``rl-compiler optimize`` applies. Its parts, each cheap and each keeping the best state so far
(so the result is never larger than -Oz on IR instruction count):

1. the -Oz pipeline (``oz``), the same one the baselines use;
2. the PPO policy shipped in ``agents/policies/default-ic.zip`` (trained on the built-in suite's train
   split with ``rl-compiler train``), best prefix of a deterministic rollout;
3. greedy search from there with the rest of the time budget, over the action set plus a re-run of the
   whole -Oz pipeline as a macro action (passes like ``iroutliner`` or ``slp-vectorizer`` expose cleanups
   that a second Oz round collects).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Policy
from rl_compiler.agents.greedy import GreedySearch
from rl_compiler.data import data_path

DEFAULT_POLICY_FILE = "default-ic.zip"


def default_policy_path():
    return data_path("agents", "policies", DEFAULT_POLICY_FILE)


class DefaultPolicy(Policy):
    """-Oz, then the shipped PPO policy, then greedy search within ``time_limit`` seconds.

    :param time_limit: total seconds for the search part (the -Oz pipeline and the rollout come first).
    :param max_steps: step budget of the search part (None: time only).
    :param policy_path: another saved policy to use instead of the shipped one (None: shipped; "" none).
    :param macro_actions: extra candidate pipelines of the search.
    :param patience: greedy's patience (non-improving steps it may take).
    """

    name = "default"

    def __init__(
        self,
        time_limit: float | None = 10.0,
        max_steps: int | None = None,
        policy_path: str | None = None,
        macro_actions: list[str] | None = None,
        patience: int = 1,
    ) -> None:
        super().__init__()
        self.time_limit, self.max_steps = time_limit, max_steps
        path = default_policy_path() if policy_path is None else policy_path
        self.learned = None
        if path and (str(path) and __import__("pathlib").Path(path).exists()):
            from rl_compiler.agents.sb3 import SB3Policy

            self.learned = SB3Policy(path=path)
        self.macro_actions = [envtools.OZ] if macro_actions is None else list(macro_actions)
        self.patience = patience

    def optimize(self, env: gym.Env, observation: Any) -> None:
        import time

        start = time.perf_counter()
        envtools.run_pipeline(env, envtools.OZ)
        if self.learned is not None:
            envtools.apply(env, self.learned.rollout(env))
        remaining = None if self.time_limit is None else max(self.time_limit - (time.perf_counter() - start), 0.0)
        if remaining == 0.0:
            return
        search = GreedySearch(time_limit=remaining, max_steps=self.max_steps, patience=self.patience,
                              macro_actions=self.macro_actions)
        search.optimize(env, observation)

"""The shipped default policy: start from -Oz, roll out the trained PPO policy, then search onward.

This is what ``rl-compiler optimize`` applies. Its parts, each cheap and each keeping the best state so far
(so the result is never larger than -Oz on IR instruction count):

1. the -Oz pipeline (``default<O2>`` on the size-attributed start module), as the baseline defines it;
2. the PPO policy shipped in ``agents/policies/default-ic.zip`` (trained on the built-in suite's train
   split with ``rl-compiler train``), best prefix of a deterministic rollout;
3. iterated local search (greedy descents with random kicks, :mod:`rl_compiler.agents.local_search`)
   from there with the rest of the time budget, over the action set plus macro actions tried first: passes
   followed by a re-run of the whole -Oz pipeline, ranked on the train split (passes like ``iroutliner``
   or ``load-store-vectorizer`` expose cleanups that a second -Oz round collects).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import gymnasium as gym
import yaml

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Policy
from rl_compiler.agents.local_search import IteratedLocalSearch
from rl_compiler.data import data_path

DEFAULT_POLICY_FILE = "default-ic.zip"


def default_policy_path() -> Path:
    """The shipped PPO model ``agents/policies/default-ic.zip`` (config: ``default-ic.yml`` beside it)."""
    return data_path("agents", "policies", DEFAULT_POLICY_FILE)


def search_settings(policy_path: Path) -> dict[str, Any]:
    """The ``search:`` section of a saved policy's config (macro actions and patience), if any."""
    config = policy_path.with_suffix(".yml")
    if not config.is_file():
        return {}
    return dict((yaml.safe_load(config.read_text()) or {}).get("search") or {})


class DefaultPolicy(Policy):
    """-Oz, then the shipped PPO policy, then iterated local search within ``time_limit`` seconds.

    :param time_limit: seconds for the whole optimization (the -Oz pipeline and the rollout count too).
    :param max_steps: step budget of the search part (None: time only).
    :param policy_path: another saved policy instead of the shipped one (None: shipped; ``""``: none).
    :param macro_actions: candidate pipelines the search tries first (None: the ``search.macro_actions`` of
        the policy's config, ranked on the train split, plus a re-run of the -Oz pipeline).
    :param patience: non-improving steps a greedy descent may take.
    :param seed: seed of the search's random kicks (the result is reproducible for a step budget).
    """

    name = "default"

    def __init__(
        self,
        time_limit: float | None = 10.0,
        max_steps: int | None = None,
        policy_path: str | Path | None = None,
        macro_actions: list[str] | None = None,
        patience: int | None = None,
        seed: int | None = 0,
    ) -> None:
        super().__init__()
        self.seed = seed
        self.time_limit, self.max_steps = time_limit, max_steps
        path = default_policy_path() if policy_path is None else Path(policy_path) if policy_path else None
        self.learned = None
        settings: dict[str, Any] = {}
        if path is not None and path.exists():
            from rl_compiler.agents.sb3 import SB3Policy

            self.learned = SB3Policy(path=path)
            settings = search_settings(path) if path.is_file() else {}
        elif policy_path:
            raise FileNotFoundError(f"saved policy {policy_path} does not exist")
        self.macro_actions = list(
            macro_actions if macro_actions is not None else settings.get("macro_actions", [envtools.OZ])
        )
        self.patience = int(patience if patience is not None else settings.get("patience", 1))

    def optimize(self, env: gym.Env, observation: Any) -> None:
        start = time.perf_counter()
        envtools.run_pipeline(env, envtools.OZ)
        if self.learned is not None:
            try:
                deadline = None if self.time_limit is None else start + self.time_limit * 0.5
                envtools.apply(env, self.learned.rollout(env, deadline=deadline))
            except Exception as error:  # the search below still runs; say why the policy did not
                warnings.warn(f"the learned policy failed on {envtools.benchmark_uri(env)}: {error}", stacklevel=2)
        if self.time_limit is None:
            remaining = None
        else:
            # Leave time for the final replay of the best sequence on the env.
            remaining = self.time_limit * 0.9 - (time.perf_counter() - start)
            if remaining <= 0:
                return
        search = IteratedLocalSearch(
            time_limit=remaining,
            max_steps=self.max_steps,
            patience=self.patience,
            macro_actions=self.macro_actions,
            macros_first=True,
            seed=self.seed,
        )
        search.optimize(env, observation)

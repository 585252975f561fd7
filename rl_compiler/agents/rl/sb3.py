"""Stable-Baselines3 agents (PPO, A2C, DQN; MaskablePPO from sb3-contrib) behind the policy interface.

A trained model is saved as an SB3 ``.zip`` plus the run's ``config.yml`` (algorithm, env id, wrappers,
episode length): a run directory from ``rl-compiler train``, or a ``.zip`` with a ``.yml`` of the same stem
beside it. :class:`SB3Policy` replays the model deterministically on any pass-ordering env.
Algorithms: Schulman et al. 2017 (PPO, https://arxiv.org/abs/1707.06347), Mnih et al. 2016 (A2C,
https://arxiv.org/abs/1602.01783), Mnih et al. 2015 (DQN), Huang & Ontañón 2020 (invalid action masking,
https://arxiv.org/abs/2006.14171).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Policy
from rl_compiler.agents.rl.checkpoints import checkpoint_steps, find_model
from rl_compiler.agents.rl.wrappers import transform_observation

__all__ = ["ALGOS", "SB3Policy", "algo_class", "algo_name", "checkpoint_steps", "find_model"]

#: Algorithm names -> "module:Class".
ALGOS: dict[str, str] = {
    "ppo": "stable_baselines3:PPO",
    "a2c": "stable_baselines3:A2C",
    "dqn": "stable_baselines3:DQN",
    "maskable-ppo": "sb3_contrib:MaskablePPO",
}
ALGO_ALIASES = {"maskable_ppo": "maskable-ppo", "maskableppo": "maskable-ppo"}


def algo_name(algo: str) -> str:
    """Canonical algorithm name, or ValueError listing the known ones."""
    name = ALGO_ALIASES.get(algo.lower(), algo.lower())
    if name not in ALGOS:
        raise ValueError(f"unknown algorithm {algo!r}; expected one of {', '.join(ALGOS)}")
    return name


def algo_class(algo: str) -> type:
    """The SB3 class of ``algo`` (imported lazily: SB3 is optional, ``pip install rl-compiler[rl]``)."""
    module_name, _, cls = ALGOS[algo_name(algo)].partition(":")
    try:
        module = __import__(module_name, fromlist=[cls])
    except ImportError as error:
        raise ImportError(f"{algo} needs {module_name}: pip install 'rl-compiler[rl]' ({error})") from None
    return getattr(module, cls)


class SB3Policy(Policy):
    """A trained SB3 model acting step by step (deterministically) on a pass-ordering env.

    :param path: a run directory (``best_model.zip``, ``final_model.zip`` or the last checkpoint) or a
        ``.zip`` with its config (a ``.yml`` of the same stem, or the config of the run it belongs to).
    :param checkpoint: in a run directory, a checkpoint's step count or ``"last"`` instead.
    :param model: an in-memory model instead of ``path`` (then give ``config``).
    :param config: the run config (``algo``, ``wrappers``, ``episode_length``).
    :param keep_best: roll out on a fork and keep the best prefix (by instruction count) instead of the
        whole rollout; a policy can then never end worse than where it started.
    :param deterministic: act on the mode of the policy's distribution.
    """

    name = "sb3"

    def __init__(
        self,
        path: str | Path | None = None,
        model: Any = None,
        config: dict[str, Any] | None = None,
        keep_best: bool = True,
        deterministic: bool = True,
        max_episode_steps: int | None = None,
        checkpoint: int | str | None = None,
    ) -> None:
        if model is None:
            if path is None:
                raise ValueError("SB3Policy needs path= (run directory or .zip) or model=")
            model_file, config = find_model(path, checkpoint)
            model = algo_class(config["algo"]).load(str(model_file), device="cpu")
        self.config = dict(config or {})
        super().__init__(max_episode_steps=max_episode_steps or self.config.get("episode_length"))
        self.model = model
        self.algo = self.config.get("algo", type(model).__name__.lower())
        self.name = self.algo
        self.keep_best = keep_best
        self.deterministic = deterministic
        wrappers = self.config.get("wrappers", [])
        self.wrappers = [w for w in wrappers if _wrapper_name(w) not in ("start-oz", "macro-actions")]
        #: The names of the model's actions (pipelines), as recorded when it was trained.
        self.action_names: list[str] | None = self.config.get("action_names") or None
        #: Trained with the ``macro-actions`` wrapper: every action is a pipeline string.
        self.macro = any(_wrapper_name(w) == "macro-actions" for w in wrappers)
        self.start = envtools.OZ if any(_wrapper_name(w) == "start-oz" for w in wrappers) else None

    def act(self, observation: Any, env: gym.Env, taken: list[str] | None = None) -> int | str | None:
        """The model's next action for ``env``: an index of its action set, a pipeline string (macro actions),
        or ``None`` if the env lacks that action.

        A model trained on another version of the action set still works: its config records the action
        names it was trained with, and actions are translated by name.

        :param taken: the names of the actions taken so far this episode (default: the env's record).
        """
        observation = transform_observation(
            env, self.wrappers, observation, self.action_names, taken, self.config.get("episode_length")
        )
        kwargs: dict[str, Any] = {}
        if self.algo == "maskable-ppo":
            masks = getattr(env.unwrapped, "action_masks", None)
            if callable(masks) and self.action_names is None:
                kwargs["action_masks"] = np.asarray(masks(), bool)
        action, _ = self.model.predict(observation, deterministic=self.deterministic, **kwargs)
        if self.action_names is None:
            return int(action)
        name = self.action_names[int(action)]
        if self.macro:
            return name
        own = envtools.action_names(env)
        return own.index(name) if name in own else None

    def rollout(self, env: gym.Env, deadline: float | None = None) -> list[int | str]:
        """Roll the model out on a fork of ``env``; return its actions (the best prefix if ``keep_best``).

        :param deadline: a ``time.perf_counter()`` value after which no further step is taken.
        """
        state = envtools.fork(env)
        names = envtools.action_names(env)
        try:
            best_cost, best_len = envtools.instruction_count(state), 0
            actions: list[int | str] = []
            taken: list[str] = []
            observation = envtools.current_observation(state)
            for _ in range(self.max_episode_steps or 20):
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                action = self.act(observation, state, taken if self.macro else None)
                if action is None:
                    break
                try:
                    done = envtools.step(state, action)
                except Exception:  # a crashing pipeline ends the rollout
                    break
                actions.append(action)
                taken.append(action if isinstance(action, str) else names[action])
                observation = envtools.current_observation(state)
                cost = envtools.instruction_count(state)
                if cost < best_cost:
                    best_cost, best_len = cost, len(actions)
                if done:
                    break
        finally:
            state.close()
        return actions[:best_len] if self.keep_best else actions

    def optimize(self, env: gym.Env, observation: Any) -> None:
        if self.start:
            envtools.run_pipeline(env, self.start)
        envtools.apply(env, self.rollout(env))


def _wrapper_name(entry: str | dict) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else entry

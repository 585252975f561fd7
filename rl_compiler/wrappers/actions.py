"""Action and episode wrappers of the pass-ordering environments: macro actions, a fixed start pipeline,
and action masks for envs without them."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import yaml

from rl_compiler.data import data_path
from rl_compiler.envs.pipelines import OZ, canonical_pipeline
from rl_compiler.rewards import reward_spec

#: The reward a macro action earns: ``IrInstructionCountOz``'s formula, so an episode's return stays comparable.
MACRO_REWARD = reward_spec("IrInstructionCountOz")


def shipped_macro_actions() -> list[str]:
    """The shipped policy's ``search.macro_actions`` (``agents/policies/default-ic.yml``, ranked on the train
    split), or just the -Oz pipeline if it lists none."""
    config = yaml.safe_load(data_path("agents", "policies", "default-ic.yml").read_text()) or {}
    return [str(a) for a in (config.get("search") or {}).get("macro_actions") or [OZ]]


def run_pipeline(env: gym.Env, pipeline: str, *, cached: bool = False) -> tuple[float, dict]:
    """Run an arbitrary pipeline string (e.g. the -Oz pipeline) on the env's current module.

    Through ``PassOrderingEnv.apply_pipeline``: part of the episode (``session.history``, ``state``,
    ``commandline()``, ``env.fork()`` and crash recovery include it), and the reward's running cost moves
    there, so the next step's reward measures that step alone.

    :param cached: at an episode's start, copy the benchmark's result from an earlier episode
        (:mod:`rl_compiler.envs.start_cache`).
    :returns: the env's ``(reward, info)`` for it (``info["recovered_crash"]`` says if it crashed LLVM).
    :raises PassPipelineError: if LLVM rejects the pipeline string.
    """
    return env.unwrapped.apply_pipeline(canonical_pipeline(pipeline), cached=cached)


def instruction_count(env: gym.Env) -> int:
    """The current IR instruction count."""
    return int(env.unwrapped.observation["IrInstructionCount"])


class MacroActions(gym.Wrapper):
    """Replace the action space by ``Discrete(len(actions))`` over whole pipeline strings (macro actions).

    Each step runs one pipeline (e.g. ``"iroutliner,default<O2>"``: a pass and the -Oz pipeline after it)
    through :func:`run_pipeline`; the reward is the IR instruction count decrease
    scaled like ``IrInstructionCountOz`` (/ max(C_O0 - C_Oz, 1)), so an episode's return is still comparable.
    A pipeline that crashes LLVM gives reward 0 and leaves the state unchanged (``info["recovered_crash"]``);
    one LLVM rejects raises :class:`~rl_compiler.llvm.errors.PassPipelineError`.

    :param actions: the pipelines (default: the shipped policy's ``search.macro_actions``).
    :param episode_length: steps per episode (the inner env's own step limit does not see these steps).
    """

    def __init__(self, env: gym.Env, actions: list[str] | None = None, episode_length: int = 10) -> None:
        super().__init__(env)
        if actions is None:
            actions = shipped_macro_actions()
        if not actions:
            raise ValueError("MacroActions needs at least one pipeline")
        self.macro_actions = [str(a) for a in actions]
        self.action_space = gym.spaces.Discrete(len(self.macro_actions))
        self.episode_length = episode_length
        self.macro_history: list[str] = []

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        observation, info = self.env.reset(**kwargs)
        self.macro_history = []
        return observation, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        if not self.action_space.contains(action):
            raise ValueError(f"macro action {action!r} is not in [0, {len(self.macro_actions) - 1}]")
        pipeline = self.macro_actions[int(action)]
        before = instruction_count(self.env)
        _, applied = run_pipeline(self.env, pipeline)  # a crash is skipped and reported there, like a step's
        self.macro_history.append(pipeline)
        after = instruction_count(self.env)
        reward = MACRO_REWARD.reward(before, after, MACRO_REWARD.scale(self.env.unwrapped.baselines))
        truncated = len(self.macro_history) >= self.episode_length
        info = {"action": pipeline, "ir_changed": before != after, "recovered_crash": applied["recovered_crash"]}
        return self.env.unwrapped.current_observation, float(reward), False, truncated, info


class StartFromPipeline(gym.Wrapper):
    """Apply a pipeline string (default ``"oz"``) right after every reset.

    :param cached: a benchmark's second and later episodes start from a copy of its first episode's result
        instead of running the pipeline again (:mod:`rl_compiler.envs.start_cache`: about 30x cheaper for -Oz;
        a copy can differ from a fresh run in use-list order, which may make a later pass act slightly
        differently than on replay). False runs the pipeline at every reset.
    """

    def __init__(self, env: gym.Env, pipeline: str = OZ, cached: bool = True) -> None:
        super().__init__(env)
        self.pipeline = pipeline
        self.cached = bool(cached)

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        if self.cached:  # the env runs or copies the pipeline itself, without parsing a module it would drop
            options = {**(kwargs.pop("options", None) or {}), "start": self.pipeline}
            return self.env.reset(options=options, **kwargs)
        observation, info = self.env.reset(**kwargs)
        run_pipeline(self.env, self.pipeline)
        return self.env.unwrapped.current_observation, info


class MaskAll(gym.Wrapper):
    """Expose ``action_masks()`` allowing every action (for MaskablePPO on envs that have no masks)."""

    def action_masks(self) -> np.ndarray:
        inner = getattr(self.env.unwrapped, "action_masks", None)
        if callable(inner):
            return np.asarray(inner(), dtype=bool)
        return np.ones(self.env.action_space.n, dtype=bool)

"""Environment wrappers for learning agents, named in the hyperparameter files.

Observation wrappers here compute their output from the raw observation and the env's own state only
(no memory of their own), so a trained policy can be applied to any env state, not only to episodes that
began under the wrapper: :class:`rl_compiler.agents.sb3.SB3Policy` relies on that.

Names (``wrappers:`` in ``agents/hyperparams/*.yml``):

- ``autophase-norm``: Autophase divided by the instruction count (CompilerGym's usual normalisation),
  with the count itself as ``log1p(count) / 10``.
- ``action-histogram``: appends how often each action was taken this episode (divided by the episode
  length), so a policy can tell where in its sequence it is.
- ``start-oz``: every episode starts from the -Oz result (the ``oz`` pipeline is applied on reset and is
  part of the replayable pass list).
- ``mask-all``: ``action_masks()`` allowing every action, for MaskablePPO on envs without masks.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from rl_compiler.agents import envtools

TOTAL_INSTS = 51  # index of TotalInsts in the Autophase vector


class AutophaseNormalized(gym.ObservationWrapper):
    """Autophase features as fractions of the instruction count (float32, same shape)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        shape = env.observation_space.shape
        if shape != (56,):
            raise ValueError(f"autophase-norm needs the 56-feature Autophase observation, got shape {shape}")
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=shape, dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        return normalize_autophase(observation)


def normalize_autophase(observation: Any) -> np.ndarray:
    features = np.asarray(observation, dtype=np.float32)
    total = max(float(features[TOTAL_INSTS]), 1.0)
    normalized = features / total
    normalized[TOTAL_INSTS] = np.log1p(total) / 10.0
    return normalized


class ActionHistogram(gym.ObservationWrapper):
    """Append the histogram of this episode's actions (counts / episode length) to a vector observation."""

    def __init__(self, env: gym.Env, episode_length: int | None = None) -> None:
        super().__init__(env)
        self.n = int(env.action_space.n)
        self.episode_length = episode_length or envtools.max_episode_steps(env) or 200
        base = env.observation_space
        low = np.concatenate(
            [np.broadcast_to(base.low, base.shape).astype(np.float32), np.zeros(self.n, np.float32)]
        )
        high = np.concatenate(
            [np.broadcast_to(base.high, base.shape).astype(np.float32), np.full(self.n, np.inf, np.float32)]
        )
        self.observation_space = gym.spaces.Box(low, high, dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        return np.concatenate(
            [np.asarray(observation, np.float32), action_histogram(self.env, self.n, self.episode_length)]
        )


def action_histogram(env: gym.Env, n: int, episode_length: int, names: list[str] | None = None) -> np.ndarray:
    """Counts of this episode's actions / ``episode_length``; with ``names``, indexed by those action names
    (a model's action set) instead of the env's own indices."""
    histogram = np.zeros(n, dtype=np.float32)
    index = None
    if names is not None:
        own = list(env.unwrapped.action_names)
        position = {name: i for i, name in enumerate(names)}
        index = {i: position.get(name) for i, name in enumerate(own)}
    for action in getattr(env.unwrapped, "actions", []):
        slot = int(action) if index is None else index.get(int(action))
        if slot is not None and 0 <= slot < n:
            histogram[slot] += 1.0
    return histogram / float(episode_length)


class StartFromPipeline(gym.Wrapper):
    """Apply a pipeline string (default ``"oz"``) right after every reset."""

    def __init__(self, env: gym.Env, pipeline: str = envtools.OZ) -> None:
        super().__init__(env)
        self.pipeline = pipeline

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        observation, info = self.env.reset(**kwargs)
        envtools.run_pipeline(self.env, self.pipeline)
        return envtools.current_observation(self.env), info


class MaskAll(gym.Wrapper):
    """Expose ``action_masks()`` allowing every action (for MaskablePPO on envs that have no masks)."""

    def action_masks(self) -> np.ndarray:
        inner = getattr(self.env.unwrapped, "action_masks", None)
        if callable(inner):
            return np.asarray(inner(), dtype=bool)
        return np.ones(self.env.action_space.n, dtype=bool)


class BenchmarkSampler(gym.Wrapper):
    """Reset to a benchmark drawn (seeded) from ``benchmarks`` unless ``options["benchmark"]`` names one."""

    def __init__(self, env: gym.Env, benchmarks: list[str], seed: int | None = None) -> None:
        super().__init__(env)
        if not benchmarks:
            raise ValueError("BenchmarkSampler needs at least one benchmark")
        self.benchmarks = list(benchmarks)
        self.rng = np.random.default_rng(seed)

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        options = dict(kwargs.pop("options", None) or {})
        options.setdefault("benchmark", self.benchmarks[int(self.rng.integers(len(self.benchmarks)))])
        return self.env.reset(options=options, **kwargs)


#: Wrapper names usable in hyperparameter files, outermost last.
WRAPPERS: dict[str, type[gym.Wrapper]] = {
    "autophase-norm": AutophaseNormalized,
    "action-histogram": ActionHistogram,
    "start-oz": StartFromPipeline,
    "mask-all": MaskAll,
}


def apply_wrappers(env: gym.Env, names: list[str | dict]) -> gym.Env:
    """Wrap ``env`` by the named wrappers in order; an entry may be ``{name: {kwarg: value}}``."""
    for entry in names or []:
        if isinstance(entry, dict):
            if len(entry) != 1:
                raise ValueError(f"a wrapper entry must be a name or {{name: kwargs}}, got {entry!r}")
            ((name, kwargs),) = entry.items()
        else:
            name, kwargs = entry, {}
        if name not in WRAPPERS:
            raise ValueError(f"unknown wrapper {name!r}; expected one of {', '.join(WRAPPERS)}")
        env = WRAPPERS[name](env, **(kwargs or {}))
    return env


def transform_observation(
    env: gym.Env, names: list[str | dict], observation: Any, action_names: list[str] | None = None
) -> Any:
    """The observation the wrappers named ``names`` would produce for ``env``'s current state.

    :param action_names: the action set the wrappers were trained with (by default the env's).
    """
    for entry in names or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if name == "autophase-norm":
            observation = normalize_autophase(observation)
        elif name == "action-histogram":
            kwargs = entry[name] if isinstance(entry, dict) else {}
            length = (kwargs or {}).get("episode_length") or envtools.max_episode_steps(env) or 200
            n = len(action_names) if action_names is not None else int(env.action_space.n)
            observation = np.concatenate(
                [np.asarray(observation, np.float32), action_histogram(env, n, length, action_names)]
            )
    return observation

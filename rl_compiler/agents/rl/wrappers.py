"""The wrappers by the names the hyperparameter files use, and their observations replayed for a policy.

Names (``wrappers:`` in ``agents/hyperparams/*.yml``); the classes live in :mod:`rl_compiler.wrappers`:

- ``autophase-norm``: Autophase divided by the instruction count (CompilerGym's usual normalisation),
  with the count itself as ``log1p(count) / 10``.
- ``ir-tokens``: the textual IR (``Ir`` observation) as a vector a policy network can read: a hashed
  histogram of opcodes and (opcode, next token) pairs, plus the instruction, block and function counts.
- ``action-histogram``: appends how often each action was taken this episode (divided by the episode
  length), so a policy can tell where in its sequence it is.
- ``start-oz``: every episode starts from the -Oz result (the ``oz`` pipeline is applied on reset and is
  part of the replayable pass list).
- ``mask-all``: ``action_masks()`` allowing every action, for MaskablePPO on envs without masks.
- ``programl-padded``: the ``Programl`` graph as fixed-size arrays (:mod:`rl_compiler.graph.padding`) for
  the graph network (``rl_compiler.graph.network:ProgramlExtractor``).
- ``macro-actions``: the action space becomes a list of whole pipelines (e.g. a pass followed by the -Oz
  pipeline), each one step; give it before ``action-histogram``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from rl_compiler.graph.padding import ProgramlPadded, pad_graph
from rl_compiler.wrappers.actions import MacroActions, MaskAll, StartFromPipeline
from rl_compiler.wrappers.observations import (
    ActionHistogram,
    AutophaseNormalized,
    IrTokens,
    action_histogram,
    ir_token_histogram,
    max_episode_steps,
    normalize_autophase,
    policy_action_names,
    taken_action_names,
)

#: Wrapper names usable in hyperparameter files, outermost last.
WRAPPERS: dict[str, type[gym.Wrapper]] = {
    "autophase-norm": AutophaseNormalized,
    "ir-tokens": IrTokens,
    "action-histogram": ActionHistogram,
    "start-oz": StartFromPipeline,
    "mask-all": MaskAll,
    "macro-actions": MacroActions,
    "programl-padded": ProgramlPadded,
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
    env: gym.Env,
    names: list[str | dict],
    observation: Any,
    action_names: list[str] | None = None,
    taken: list[str] | None = None,
    episode_length: int | None = None,
) -> Any:
    """The observation the wrappers named ``names`` would produce for ``env``'s current state.

    :param action_names: the action set the policy was trained with (by default the env's).
    :param taken: the names of the actions taken this episode (by default read from the env).
    :param episode_length: the episode length the policy was trained with.
    """
    for entry in names or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        kwargs = (entry[name] if isinstance(entry, dict) else None) or {}
        if name == "autophase-norm":
            observation = normalize_autophase(observation)
        elif name == "programl-padded":
            if not isinstance(observation, gym.spaces.GraphInstance):  # an env made with another observation
                observation = env.unwrapped.observation["Programl"]
            observation = pad_graph(observation, **kwargs)
        elif name == "ir-tokens":
            observation = ir_token_histogram(observation, int(kwargs.get("dim", 256)))
        elif name == "action-histogram":
            length = kwargs.get("episode_length") or episode_length or max_episode_steps(env) or 200
            histogram = action_histogram(
                taken_action_names(env) if taken is None else taken,
                action_names if action_names is not None else policy_action_names(env),
                length,
            )
            observation = np.concatenate([np.asarray(observation, np.float32), histogram])
    return observation

"""Observation wrappers of the pass-ordering environments.

Each computes its output from the raw observation and the env's own state only (no memory of its own), so
a trained policy can be applied to any env state, not only to episodes that began under the wrapper:
:class:`rl_compiler.agents.rl.sb3.SB3Policy` relies on that, through the pure functions beside each class.
"""

from __future__ import annotations

import zlib
from typing import Any

import gymnasium as gym
import numpy as np

from rl_compiler.observations import AUTOPHASE_FEATURE_NAMES

TOTAL_INSTS = AUTOPHASE_FEATURE_NAMES.index("TotalInsts")


class AutophaseNormalized(gym.ObservationWrapper):
    """Autophase features as fractions of the instruction count (float32, same shape)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        shape = env.observation_space.shape
        if shape != (len(AUTOPHASE_FEATURE_NAMES),):
            is_text = isinstance(env.observation_space, gym.spaces.Text)
            hint = " (for the Ir observation use ir-tokens)" if is_text else ""
            raise ValueError(
                f"autophase-norm needs the 56-feature Autophase observation, got {env.observation_space}{hint}"
            )
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=shape, dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        return normalize_autophase(observation)


def normalize_autophase(observation: Any) -> np.ndarray:
    """Autophase counts divided by the instruction count (TotalInsts); TotalInsts itself becomes
    ``log1p(TotalInsts) / 10``, so the module's size is kept on a comparable scale."""
    features = np.asarray(observation, dtype=np.float32)
    total = max(float(features[TOTAL_INSTS]), 1.0)
    normalized = features / total
    normalized[TOTAL_INSTS] = np.log1p(total) / 10.0
    return normalized


class IrTokens(gym.ObservationWrapper):
    """The textual IR as a float32 vector of ``dim + 3`` features (see :func:`ir_token_histogram`).

    :param dim: hash buckets for the opcode and (opcode, next token) counts.
    """

    def __init__(self, env: gym.Env, dim: int = 256) -> None:
        super().__init__(env)
        if not isinstance(env.observation_space, gym.spaces.Text):
            raise ValueError(f"ir-tokens needs the Ir (text) observation, got {env.observation_space}")
        if dim < 1:
            raise ValueError(f"ir-tokens: dim must be >= 1, got {dim}")
        self.dim = dim
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=(dim + 3,), dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        return ir_token_histogram(observation, self.dim)


_CALL_PREFIXES = frozenset({"tail", "musttail", "notail"})


def ir_token_histogram(ir: str, dim: int = 256) -> np.ndarray:
    """Features of textual LLVM IR: for every instruction, its opcode and the pair (opcode, the token after
    it: usually a type, predicate or flag) each add one to a bucket chosen by a stable hash (CRC-32) of the
    text; the ``dim`` buckets are divided by the instruction count. Then ``log1p`` of the instruction,
    basic-block and function-definition counts, divided by 10."""
    features = np.zeros(dim + 3, dtype=np.float32)
    instructions = labels = functions = 0
    for line in ir.splitlines():
        if line.startswith("define "):
            functions += 1
        elif line.startswith("  ") and not (stripped := line.lstrip()).startswith(";"):
            # "%x = add i32 ..." -> "add i32 ..."
            head = stripped.split(" = ", 1)[1] if stripped.startswith("%") and " = " in stripped else stripped
            tokens = head.split()
            while tokens and tokens[0] in _CALL_PREFIXES:
                tokens.pop(0)
            if not tokens:
                continue
            instructions += 1
            opcode = tokens[0]
            following = tokens[1] if len(tokens) > 1 else ""
            features[zlib.crc32(opcode.encode()) % dim] += 1.0
            features[zlib.crc32(f"{opcode} {following}".encode()) % dim] += 1.0
        elif line and not line[0].isspace() and line.split(";", 1)[0].rstrip().endswith(":"):
            labels += 1
    features[:dim] /= max(instructions, 1)
    # Entry blocks of unnamed IR carry no label: count one per function definition.
    features[dim:] = np.log1p([instructions, labels + functions, functions]) / 10.0
    return features


class ActionHistogram(gym.ObservationWrapper):
    """Append the histogram of this episode's actions (counts / episode length) to a vector observation."""

    def __init__(self, env: gym.Env, episode_length: int | None = None) -> None:
        super().__init__(env)
        self.names = policy_action_names(env)
        self.episode_length = episode_length or macro_episode_length(env) or max_episode_steps(env) or 200
        base, n = env.observation_space, len(self.names)
        low = np.concatenate([np.broadcast_to(base.low, base.shape).astype(np.float32), np.zeros(n, np.float32)])
        high = np.concatenate(
            [np.broadcast_to(base.high, base.shape).astype(np.float32), np.full(n, np.inf, np.float32)]
        )
        self.observation_space = gym.spaces.Box(low, high, dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        histogram = action_histogram(taken_action_names(self.env), self.names, self.episode_length)
        return np.concatenate([np.asarray(observation, np.float32), histogram])


def policy_action_names(env: gym.Env) -> list[str]:
    """The names of the actions a policy on ``env`` chooses from: the macro actions if ``env`` is wrapped in
    :class:`MacroActions`, else the env's action set."""
    try:
        return list(env.get_wrapper_attr("macro_actions"))
    except AttributeError:
        return [str(name) for name in env.unwrapped.action_names]


def macro_episode_length(env: gym.Env) -> int | None:
    """The episode length of a :class:`MacroActions` wrapper around ``env``'s core, if there is one."""
    try:
        env.get_wrapper_attr("macro_actions")
    except AttributeError:
        return None
    return int(env.get_wrapper_attr("episode_length"))


def taken_action_names(env: gym.Env) -> list[str]:
    """The names of this episode's actions (macro actions under :class:`MacroActions`)."""
    try:
        return list(env.get_wrapper_attr("macro_history"))
    except AttributeError:
        names = env.unwrapped.action_names
        return [names[int(i)] for i in env.unwrapped.actions]


def action_histogram(taken: list[str], names: list[str], episode_length: int) -> np.ndarray:
    """How often each of ``names`` is in ``taken``, divided by ``episode_length``."""
    position = {name: i for i, name in enumerate(names)}
    histogram = np.zeros(len(names), dtype=np.float32)
    for name in taken:
        if name in position:
            histogram[position[name]] += 1.0
    return histogram / float(episode_length)


def max_episode_steps(env: gym.Env) -> int | None:
    """The step limit ``gym.make`` gave ``env`` (its spec's ``max_episode_steps``), if any."""
    spec = getattr(env, "spec", None)
    return getattr(spec, "max_episode_steps", None) if spec is not None else None

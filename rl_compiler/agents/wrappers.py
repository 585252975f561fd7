"""Environment wrappers for learning agents, named in the hyperparameter files.

Observation wrappers here compute their output from the raw observation and the env's own state only
(no memory of their own), so a trained policy can be applied to any env state, not only to episodes that
began under the wrapper: :class:`rl_compiler.agents.sb3.SB3Policy` relies on that.

Names (``wrappers:`` in ``agents/hyperparams/*.yml``):

- ``autophase-norm``: Autophase divided by the instruction count (CompilerGym's usual normalisation),
  with the count itself as ``log1p(count) / 10``.
- ``ir-tokens``: the textual IR (``Ir`` observation) as a vector a policy network can read: a hashed
  histogram of opcodes and (opcode, next token) pairs, plus the instruction, block and function counts.
- ``action-histogram``: appends how often each action was taken this episode (divided by the episode
  length), so a policy can tell where in its sequence it is.
- ``start-oz``: every episode starts from the -Oz result (the ``oz`` pipeline is applied on reset and is
  part of the replayable pass list).
- ``mask-all``: ``action_masks()`` allowing every action, for MaskablePPO on envs without masks.
- ``macro-actions``: the action space becomes a list of whole pipelines (e.g. a pass followed by the -Oz
  pipeline), each one step; give it before ``action-histogram``.
"""

from __future__ import annotations

import zlib
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
            is_text = isinstance(env.observation_space, gym.spaces.Text)
            hint = " (for the Ir observation use ir-tokens)" if is_text else ""
            raise ValueError(
                f"autophase-norm needs the 56-feature Autophase observation, got {env.observation_space}{hint}"
            )
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=shape, dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        return normalize_autophase(observation)


def normalize_autophase(observation: Any) -> np.ndarray:
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
        self.episode_length = episode_length or macro_episode_length(env) or envtools.max_episode_steps(env) or 200
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


class MacroActions(gym.Wrapper):
    """Replace the action space by ``Discrete(len(actions))`` over whole pipeline strings (macro actions).

    Each step runs one pipeline (e.g. ``"iroutliner,default<O2>"``: a pass and the -Oz pipeline after it)
    through :func:`rl_compiler.agents.envtools.run_pipeline`; the reward is the IR instruction count decrease
    scaled like ``IrInstructionCountOz`` (/ max(C_O0 - C_Oz, 1)), so an episode's return is still comparable.
    A pipeline that crashes LLVM gives reward 0 and leaves the state unchanged (``info["recovered_crash"]``).

    :param actions: the pipelines (default: the shipped policy's ``search.macro_actions``).
    :param episode_length: steps per episode (the inner env's own step limit does not see these steps).
    """

    def __init__(self, env: gym.Env, actions: list[str] | None = None, episode_length: int = 10) -> None:
        super().__init__(env)
        if actions is None:
            from rl_compiler.agents.default import default_policy_path, search_settings

            actions = search_settings(default_policy_path()).get("macro_actions") or [envtools.OZ]
        self.macro_actions = [str(a) for a in actions]
        self.action_space = gym.spaces.Discrete(len(self.macro_actions))
        self.episode_length = episode_length
        self.macro_history: list[str] = []

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        observation, info = self.env.reset(**kwargs)
        self.macro_history = []
        return observation, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        pipeline = self.macro_actions[int(action)]
        before = envtools.instruction_count(self.env)
        crash = None
        try:
            envtools.run_pipeline(self.env, pipeline)
        except Exception as error:  # a crashing pass: no change, no reward (like the env's own steps)
            crash = str(error)
        self.macro_history.append(pipeline)
        after = envtools.instruction_count(self.env)
        base = envtools.baselines(self.env)
        reward = (before - after) / max(base.ic_O0 - base.ic_Oz, 1)
        truncated = len(self.macro_history) >= self.episode_length
        info = {"action": pipeline, "ir_changed": before != after, "recovered_crash": crash}
        return envtools.current_observation(self.env), float(reward), False, truncated, info


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
    "ir-tokens": IrTokens,
    "action-histogram": ActionHistogram,
    "start-oz": StartFromPipeline,
    "mask-all": MaskAll,
    "macro-actions": MacroActions,
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
        elif name == "ir-tokens":
            observation = ir_token_histogram(observation, int(kwargs.get("dim", 256)))
        elif name == "action-histogram":
            length = kwargs.get("episode_length") or episode_length or envtools.max_episode_steps(env) or 200
            histogram = action_histogram(
                taken_action_names(env) if taken is None else taken,
                action_names if action_names is not None else policy_action_names(env),
                length,
            )
            observation = np.concatenate([np.asarray(observation, np.float32), histogram])
    return observation

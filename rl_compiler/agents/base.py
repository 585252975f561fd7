"""The one policy interface every agent implements, and the record of what it did.

:class:`Policy` is the interface. Its ``family`` says which environments an agent acts on: ``"passes"``
(the pass-ordering envs; :class:`Policy` itself) or ``"mlgo"`` (register allocation and inlining, through
LLVM's MLGO channel; :class:`DecisionPolicy`). :func:`rl_compiler.agents.registry.make_agent` builds either
kind by name.

A pass-ordering agent acts on a pass-ordering environment. Step-wise agents (learned SB3 policies, fixed pass lists)
choose one action per step from the observation; search agents (random, greedy, beam, ...) explore with
``env.fork()`` and then apply the best sequence they found to the environment. Both are driven the same
way::

    policy = make_agent("greedy", time_limit=5.0)
    result = policy.run(env, benchmark="benchmark://builtin-v0/crc32")
    result.ir_instruction_count_oz   # CompilerGym's episode return: 1.0 means -Oz
    result.pipeline                  # replayable with `opt -passes=...`

A new agent subclasses :class:`Policy` and implements either :meth:`Policy.act` (step-wise) or
:meth:`Policy.optimize` (search), or names any importable class with ``"module:Class"``.

An MLGO agent answers every decision the compiler asks for from the observation and the step's ``info``
(which carries ``action_mask``): it subclasses :class:`DecisionPolicy` and implements
:meth:`DecisionPolicy.decide`; ``policy.run(env, benchmark)`` plays one compilation and returns a
:class:`DecisionEpisode` with every decision, so the result can be replayed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import gymnasium as gym

from rl_compiler.agents import envtools


@dataclass(frozen=True)
class Budget:
    """How much a search may spend: environment steps (pass applications) and/or wall-clock seconds.

    :param max_steps: at most this many pass applications, counted over every fork (None: unlimited).
    :param time_limit: at most this many seconds of wall time (None: unlimited).
    """

    max_steps: int | None = None
    time_limit: float | None = None

    @classmethod
    def parse(cls, text: str | int | float | None) -> Budget:
        """Parse a CLI budget: ``"10s"``/``"2.5m"`` (time), ``"500"`` (steps), ``"500,10s"`` (both)."""
        if text is None or text == "":
            return cls()
        if isinstance(text, (int, float)):
            return cls(max_steps=int(text))
        steps, seconds = None, None
        for part in str(text).replace(" ", "").split(","):
            try:
                if part.endswith("ms"):
                    seconds = float(part[:-2]) / 1000
                elif part.endswith("s"):
                    seconds = float(part[:-1])
                elif part.endswith("m"):
                    seconds = float(part[:-1]) * 60
                else:
                    steps = int(part)
            except ValueError:
                raise ValueError(
                    f"invalid budget {text!r}: expected steps (e.g. 500), seconds (e.g. 10s, 2m) or both (500,10s)"
                ) from None
        return cls(max_steps=steps, time_limit=seconds)

    def __str__(self) -> str:
        parts = []
        if self.max_steps is not None:
            parts.append(f"{self.max_steps} steps")
        if self.time_limit is not None:
            parts.append(f"{self.time_limit:g} s")
        return ", ".join(parts) or "unlimited"


class BudgetTracker:
    """Counts the steps and time a search has spent against its :class:`Budget`."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.steps = 0
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def charge(self, steps: int = 1) -> None:
        self.steps += steps

    def exhausted(self) -> bool:
        if self.budget.max_steps is not None and self.steps >= self.budget.max_steps:
            return True
        return self.budget.time_limit is not None and self.elapsed >= self.budget.time_limit


@dataclass
class EpisodeResult:
    """What a policy did to one benchmark, and how good the result is.

    ``ir_instruction_count_oz`` is CompilerGym's episode return for ``IrInstructionCountOz``:
    ``(C_O0 - C_final) / max(C_O0 - C_Oz, 1)``; ``size_ratio`` is the plain ``C_Oz / C_final``.
    """

    benchmark: str
    agent: str
    actions: list[int]
    passes: list[str]
    ic_o0: int
    ic_oz: int
    ic_final: int
    text_oz: int | None = None
    text_final: int | None = None
    wall_time: float = 0.0
    steps: int = 0
    valid: bool | None = None
    validation: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pipeline(self) -> str:
        """The replayable pass pipeline (``opt -passes=<pipeline>``)."""
        return ",".join(self.passes)

    @property
    def ir_instruction_count_oz(self) -> float:
        return (self.ic_o0 - self.ic_final) / max(self.ic_o0 - self.ic_oz, 1)

    @property
    def size_ratio(self) -> float:
        return self.ic_oz / max(self.ic_final, 1)

    @property
    def text_ratio(self) -> float | None:
        if not self.text_oz or not self.text_final:
            return None
        return self.text_oz / self.text_final

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            pipeline=self.pipeline,
            ir_instruction_count_oz=self.ir_instruction_count_oz,
            size_ratio=self.size_ratio,
            text_ratio=self.text_ratio,
        )
        return data


def episode_result(env: gym.Env, agent: str, *, wall_time: float, object_size: bool = True) -> EpisodeResult:
    """Summarise the pass-ordering env's current episode as an :class:`EpisodeResult`."""
    base = envtools.baselines(env)
    env_u = envtools.unwrapped(env)
    return EpisodeResult(
        benchmark=envtools.benchmark_uri(env),
        agent=agent,
        actions=[a for a in getattr(env_u, "actions", []) if isinstance(a, (int,))],
        passes=envtools.applied_passes(env),
        ic_o0=int(base.ic_O0),
        ic_oz=int(base.ic_Oz),
        ic_final=envtools.instruction_count(env),
        text_oz=int(base.text_Oz) if object_size else None,
        text_final=envtools.text_size(env) if object_size else None,
        wall_time=wall_time,
    )


class Policy:
    """Anything that optimizes a benchmark through a pass-ordering environment.

    Subclasses implement :meth:`act` (choose the next action from an observation, or ``None`` to stop) or
    override :meth:`optimize` (explore freely with ``env.fork()``, then apply the sequence to keep).
    Constructor keyword arguments are the configuration.

    :param max_episode_steps: step-wise policies stop after this many steps.
    """

    #: Short name used in tables and the registry.
    name: str = "policy"
    #: The environments the policy acts on: ``"passes"`` (pass ordering) or ``"mlgo"`` (regalloc, inlining).
    family: str = "passes"

    def __init__(self, max_episode_steps: int | None = None) -> None:
        self.max_episode_steps = max_episode_steps

    # -- step-wise policies ------------------------------------------------------------------------------
    def reset(self, env: gym.Env) -> None:  # noqa: B027 - optional hook
        """Called once at the start of every episode, after ``env.reset()``."""

    def act(self, observation: Any, env: gym.Env) -> int | None:
        """The next action index for ``observation`` (``None``: stop the episode)."""
        raise NotImplementedError(f"{type(self).__name__} implements neither act() nor optimize()")

    # -- the common driver -------------------------------------------------------------------------------
    def optimize(self, env: gym.Env, observation: Any) -> None:
        """Optimize the benchmark the env was just reset to, leaving the env in the final state.

        The default rolls out :meth:`act`; search agents override this, explore with forks, and finish
        with :func:`rl_compiler.agents.envtools.apply` of the best sequence found.
        """
        self.reset(env)
        limit = self.max_episode_steps or envtools.max_episode_steps(env) or 200
        for _ in range(limit):
            action = self.act(observation, env)
            if action is None:
                break
            observation, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break

    def run(self, env: gym.Env, benchmark: str | None = None, *, object_size: bool = True) -> EpisodeResult:
        """Reset ``env`` (on ``benchmark`` if given), optimize, and return what was done and how good."""
        start = time.perf_counter()
        options = {"benchmark": benchmark} if benchmark else None
        observation, _ = env.reset(options=options)
        self.optimize(env, observation)
        wall = time.perf_counter() - start
        return episode_result(env, self.name, wall_time=wall, object_size=object_size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


@dataclass
class DecisionEpisode:
    """One compilation played by a decision policy on an MLGO env: every decision, and how it scored.

    :param reward: the last step's reward (the MLGO envs score the whole compilation at its end).
    :param total_reward: the sum of the step rewards.
    :param info: the last step's info (score, default score, sizes, ...).
    """

    benchmark: str | None
    decisions: list[int]
    reward: float
    total_reward: float
    info: dict[str, Any]
    wall_time: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.decisions)


Decide = Callable[[Any, dict], int]


def play(env: gym.Env, decide: Decide, *, benchmark: Any = None, seed: int | None = None) -> DecisionEpisode:
    """Play one episode of an MLGO env, asking ``decide(observation, info)`` for every decision (a
    :class:`Policy` first gets its :meth:`Policy.reset` hook)."""
    start = time.perf_counter()
    options = {"benchmark": benchmark} if benchmark is not None else None
    observation, info = env.reset(seed=seed, options=options)
    if isinstance(decide, Policy):
        decide.reset(env)
    decisions: list[int] = []
    total = 0.0
    while True:
        action = int(decide(observation, info))
        decisions.append(action)
        observation, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        if terminated or truncated:
            wall = time.perf_counter() - start
            return DecisionEpisode(benchmark, decisions, float(reward), total, info, wall)


class DecisionPolicy(Policy):
    """A policy for the MLGO envs (register allocation, inlining): one decision per step.

    Subclasses implement :meth:`decide`; a policy is also a callable ``policy(observation, info)``.
    """

    name = "decision"
    family = "mlgo"

    def decide(self, observation: Any, info: dict) -> int:
        """The action for ``observation``; ``info`` is what the last ``reset``/``step`` returned."""
        raise NotImplementedError(f"{type(self).__name__} does not implement decide()")

    def __call__(self, observation: Any, info: dict) -> int:
        return int(self.decide(observation, info))

    def run(self, env: gym.Env, benchmark: Any = None, *, seed: int | None = None) -> DecisionEpisode:  # type: ignore[override]
        """Play one compilation of ``benchmark`` (the env's own if None) and record every decision."""
        return play(env, self, benchmark=benchmark, seed=seed)

"""The few things agents need from a pass-ordering environment, in one place.

Agents talk to :class:`rl_compiler.envs.passes.PassOrderingEnv` only through these functions: the action
names, forking, the current instruction count, applying an action or a whole pipeline string, and the
episode's record. Keeping them here keeps every agent module short and the env contract visible.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

# Re-exported: agents name pipelines, run them, count instructions and read the step limit through here.
from rl_compiler.envs.pipelines import O3, OZ, OZ_ALIASES, canonical_pipeline  # noqa: F401
from rl_compiler.wrappers.actions import instruction_count, run_pipeline  # noqa: F401
from rl_compiler.wrappers.observations import max_episode_steps  # noqa: F401


def unwrapped(env: gym.Env) -> Any:
    return env.unwrapped


def action_names(env: gym.Env) -> list[str]:
    """The pipeline string of every action, by index."""
    return list(unwrapped(env).action_names)


def text_size(env: gym.Env) -> int:
    """The current object ``.text`` size in bytes."""
    return int(unwrapped(env).observation["ObjectTextSizeBytes"])


def fork(env: gym.Env) -> Any:
    """An independent copy of the env in its current state (close it when done). Exact but not cheap: it
    replays the episode; searches use :func:`fork_session` instead."""
    return unwrapped(env).fork()


def fork_session(env: gym.Env) -> Any:
    """A cheap copy of the env's module (an ``rl_compiler.llvm.session.Session`` in the same worker)."""
    return unwrapped(env).session.fork()


def step(env: gym.Env, action: int | str) -> bool:
    """Apply one action index or pipeline string; return whether the episode is over.

    A pipeline string that is an action of the env's action set is taken as that action.
    """
    if isinstance(action, str):
        action = canonical_pipeline(action)
        names = action_names(env)
        if action not in names:
            run_pipeline(env, action)
            return False
        action = names.index(action)
    _, _, terminated, truncated, _ = env.step(int(action))
    return bool(terminated or truncated)


def apply(env: gym.Env, actions: list[int | str]) -> None:
    """Apply a sequence of action indices and/or pipeline strings to ``env``."""
    for action in actions:
        step(env, action)


def applied_passes(env: gym.Env) -> list[str]:
    """Every pipeline applied this episode, in order: ``opt -passes=<them joined by ','>`` replays the episode
    on the benchmark's starting bitcode (:func:`start_bitcode`)."""
    return list(unwrapped(env).session.history)


def baselines(env: gym.Env) -> Any:
    """The benchmark's cached -O0/-O3/-Oz instruction counts and object sizes."""
    return unwrapped(env).baselines


def benchmark_uri(env: gym.Env) -> str:
    return str(unwrapped(env).benchmark)


def current_observation(env: gym.Env) -> Any:
    """The env's observation (in its space) for its current state, e.g. after :func:`run_pipeline`."""
    return unwrapped(env).current_observation


def verify(env: gym.Env) -> None:
    """Run the LLVM verifier on the current module (raises on an invalid module)."""
    unwrapped(env).session.verify()


def bitcode(env: gym.Env) -> bytes:
    """The current module as bitcode."""
    return unwrapped(env).session.bitcode()


def start_bitcode(env: gym.Env) -> bytes:
    """The module the episode started from (what the replayable pass list applies to)."""
    return unwrapped(env).start_bitcode


def validate(env: gym.Env, run: bool = True) -> tuple[bool, str]:
    """The verifier, then (when ``run`` and the benchmark has a ``main``) the program's output."""
    verify(env)
    if not run:
        return True, "verifier ok"
    benchmark = unwrapped(env).current_benchmark
    if not benchmark.runnable:
        return True, "verifier ok; not runnable"
    benchmark.check_output(bitcode(env))
    return True, "verifier ok; output ok"

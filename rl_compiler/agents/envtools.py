"""The few things agents need from a pass-ordering environment, in one place.

Agents talk to :class:`rl_compiler.envs.passes.PassOrderingEnv` only through these functions: the action
names, forking, the current instruction count, applying an action or a whole pipeline string, and the
episode's record. Keeping them here keeps every agent module short and the env contract visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gymnasium as gym

if TYPE_CHECKING:
    from rl_compiler.agents.base import EpisodeResult

#: The -Oz and -O3 pipelines as one pipeline string each (LLVM 22+ has no ``default<Oz>``: -Oz is
#: ``minsize optsize`` on every function, then ``default<O2>``; see docs/architecture.md).
OZ = "oz"
O3 = "default<O3>"


def unwrapped(env: gym.Env) -> Any:
    return env.unwrapped


def action_names(env: gym.Env) -> list[str]:
    """The pipeline string of every action, by index."""
    return list(unwrapped(env).action_names)


def max_episode_steps(env: gym.Env) -> int | None:
    spec = getattr(env, "spec", None)
    return getattr(spec, "max_episode_steps", None) if spec is not None else None


def instruction_count(env: gym.Env) -> int:
    """The current IR instruction count."""
    return int(unwrapped(env).observation["IrInstructionCount"])


def text_size(env: gym.Env) -> int:
    """The current object ``.text`` size in bytes."""
    return int(unwrapped(env).observation["ObjectTextSizeBytes"])


def fork(env: gym.Env) -> Any:
    """An independent copy of the env in its current state (close it when done)."""
    return unwrapped(env).fork()


def step(env: gym.Env, action: int | str) -> bool:
    """Apply one action index or pipeline string; return whether the episode is over."""
    if isinstance(action, str):
        run_pipeline(env, action)
        return False
    _, _, terminated, truncated, _ = env.step(int(action))
    return bool(terminated or truncated)


def apply(env: gym.Env, actions: list[int | str]) -> None:
    """Apply a sequence of action indices and/or pipeline strings to ``env``."""
    for action in actions:
        step(env, action)


def run_pipeline(env: gym.Env, pipeline: str) -> None:
    """Run an arbitrary pipeline string (``"oz"`` for the -Oz pipeline) on the env's current module.

    Recorded in the episode so that :func:`applied_passes` and ``env.commandline()`` include it.
    """
    unwrapped(env).apply_pipeline(pipeline)


def applied_passes(env: gym.Env) -> list[str]:
    """The pipeline strings applied so far this episode, in order (replayable with ``opt -passes=``)."""
    return list(unwrapped(env).applied_pipelines)


def baselines(env: gym.Env) -> Any:
    """The benchmark's cached -O0/-O3/-Oz instruction counts and object sizes."""
    return unwrapped(env).baselines


def benchmark_uri(env: gym.Env) -> str:
    return str(unwrapped(env).benchmark)


def episode_result(env: gym.Env, agent: str, *, wall_time: float, object_size: bool = True) -> EpisodeResult:
    """Summarise the env's current episode as an :class:`EpisodeResult`."""
    from rl_compiler.agents.base import EpisodeResult

    base = baselines(env)
    env_u = unwrapped(env)
    return EpisodeResult(
        benchmark=benchmark_uri(env),
        agent=agent,
        actions=[a for a in getattr(env_u, "actions", []) if isinstance(a, (int,))],
        passes=applied_passes(env),
        ic_o0=int(base.ic_O0),
        ic_oz=int(base.ic_Oz),
        ic_final=instruction_count(env),
        text_oz=int(base.text_Oz) if object_size else None,
        text_final=text_size(env) if object_size else None,
        wall_time=wall_time,
    )


def current_observation(env: gym.Env) -> Any:
    """The env's default observation for its current state (after a pipeline was applied outside step())."""
    env_u = unwrapped(env)
    name = getattr(env_u, "observation_space_name", None) or "Autophase"
    return env_u.observation[name]


def verify(env: gym.Env) -> None:
    """Run the LLVM verifier on the current module (raises on an invalid module)."""
    unwrapped(env).session.verify()


def bitcode(env: gym.Env) -> bytes:
    """The current module as bitcode."""
    return unwrapped(env).session.bitcode()


def start_bitcode(env: gym.Env) -> bytes:
    """The module the episode started from (what the replayable pass list applies to)."""
    return unwrapped(env).session.start_bitcode


def validate(env: gym.Env, run: bool = True) -> tuple[bool, str]:
    """The verifier, then (when ``run`` and the benchmark has a ``main``) the program's output."""
    verify(env)
    if not run:
        return True, "verifier ok"
    from rl_compiler.datasets import get_benchmark

    benchmark = get_benchmark(benchmark_uri(env))
    if not benchmark.runnable:
        return True, "verifier ok; not runnable"
    benchmark.check_output(bitcode(env))
    return True, "verifier ok; output ok"

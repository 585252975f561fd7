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

#: The -Oz pipeline. The envs start from ``clang -Oz -Xclang -disable-llvm-passes`` bitcode, which already
#: carries ``minsize optsize`` on every function, so ``default<O2>`` on it is exactly what ``clang -Oz``
#: and the -Oz baseline do (LLVM 22+ has no ``default<Oz>``; see docs/architecture.md).
OZ = "default<O2>"
O3 = "default<O3>"
#: Spellings accepted for the -Oz pipeline in pass lists and agent options.
OZ_ALIASES = ("oz", "-Oz", "Oz", "default<Oz>")


def canonical_pipeline(pipeline: str) -> str:
    return OZ if pipeline in OZ_ALIASES else pipeline


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
    """An independent copy of the env in its current state (close it when done). Exact but not cheap: it
    replays the episode; searches use :func:`fork_session` instead."""
    return unwrapped(env).fork()


def fork_session(env: gym.Env) -> Any:
    """A cheap copy of the env's module (an ``rl_compiler.llvm.Session`` in the same worker)."""
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


def run_pipeline(env: gym.Env, pipeline: str) -> None:
    """Run an arbitrary pipeline string (e.g. the -Oz pipeline) on the env's current module.

    Through ``PassOrderingEnv.apply_pipeline``: part of the episode (``session.history``, ``state``,
    ``commandline()``, ``env.fork()`` and crash recovery include it), and the reward's running cost moves
    there, so the next step's reward measures that step alone.
    """
    unwrapped(env).apply_pipeline(canonical_pipeline(pipeline))


def applied_passes(env: gym.Env) -> list[str]:
    """Every pipeline applied this episode, in order: ``opt -passes=<them joined by ','>`` replays the episode
    on the benchmark's starting bitcode (:func:`start_bitcode`)."""
    return list(unwrapped(env).session.history)


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

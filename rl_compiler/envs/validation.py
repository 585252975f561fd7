"""Validating episodes: replay one from scratch, verify the module and check the program's output
(:func:`validate_episode`, behind ``env.validate()``), and validate recorded states (CompilerGym's
``validate``): replay each on a pass-ordering env, compare the reward with the recorded one, then check the
result (:func:`validate_state`)."""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from rl_compiler.datasets import resolve_benchmark
from rl_compiler.datasets.errors import DatasetError
from rl_compiler.envs.program import Prepared, prepare
from rl_compiler.envs.state import EpisodeState
from rl_compiler.llvm.errors import LLVMError, WorkerCrashError
from rl_compiler.llvm.module import ENGINE_OPT_FLAGS
from rl_compiler.llvm.session import DEFAULT_MEMORY_LIMIT, Session


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :meth:`PassOrderingEnv.validate`."""

    benchmark: str
    reproduced: bool
    verified: bool
    output_checked: bool
    errors: tuple[str, ...] = ()

    def okay(self) -> bool:
        """True when the replay reproduced the state, the verifier passed and the output (if any) matched."""
        return not self.errors


def opt_commandline(pipelines: Sequence[str], input_path: str, output_path: str) -> str:
    """The ``opt`` command that applies ``pipelines`` to ``input_path`` exactly as the engine did."""
    # The engine's target machine settings: without them `opt` can build a different module (PIC tables).
    flags = "".join(f"{flag} " for flag in ENGINE_OPT_FLAGS)
    pipeline = ",".join(pipelines)
    passes = f"-passes={shlex.quote(pipeline)} " if pipeline else ""
    return f"opt {flags}{passes}{shlex.quote(input_path)} -o {shlex.quote(output_path)}"


def replay_state(env: Any, state: EpisodeState) -> None:
    """Reset a pass-ordering ``env`` to ``state.benchmark`` and replay its pipelines: steps for the env's
    actions, ``apply_pipeline`` for any other pipeline the episode ran.

    :raises WorkerCrashError: if a pipeline crashed LLVM twice and was skipped.
    """
    env.reset(options={"benchmark": state.benchmark})
    pipelines = env.action_names
    for pipeline in state.actions:
        before = len(env.session.history)
        if pipeline in pipelines and pipeline != "<end-episode>":
            _, _, _, _, info = env.step(pipelines.index(pipeline))
        else:
            _, info = env.apply_pipeline(pipeline)
        if len(env.session.history) == before:  # skipped: it crashed LLVM twice
            raise WorkerCrashError(f"replaying {pipeline!r}: {info['recovered_crash']}")


def validate_episode(
    state: EpisodeState,
    prepared: Prepared,
    current: Session | None,
    *,
    isolated: bool,
    timeout: float,
    runtime_timeout: float,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> ValidationResult:
    """Replay ``state.actions`` on ``prepared``'s bitcode in a new session, compare the IR with ``current``
    (the environment's session, if it holds the same benchmark), run the verifier and, for runnable
    benchmarks, compare the program's output with the expected output."""
    errors: list[str] = []
    reproduced = verified = output_checked = False
    with Session(prepared.bitcode, isolated=isolated, timeout=timeout, memory_limit=memory_limit) as replay:
        try:
            for pipeline in state.actions:
                replay.run_passes(pipeline)
        except LLVMError as error:
            errors.append(f"replay failed: {error}")
        else:
            if current is not None:
                reproduced = replay.ir_sha1() == current.ir_sha1()
                if not reproduced:
                    errors.append("the replayed IR differs from the environment's IR")
            else:
                reproduced = True
            try:
                replay.verify()
                verified = True
            except LLVMError as error:
                errors.append(f"verifier: {error}")
            if verified and prepared.benchmark.runnable:
                output_checked = True
                try:
                    prepared.benchmark.check_output(replay.bitcode(), timeout=runtime_timeout)
                except Exception as error:  # OutputMismatchError, BenchmarkRunError, ...
                    errors.append(str(error))
    return ValidationResult(state.benchmark, reproduced, verified, output_checked, tuple(errors))


def validate_env(env: Any, state: EpisodeState | None = None) -> ValidationResult:
    """:meth:`PassOrderingEnv.validate <rl_compiler.envs.passes.PassOrderingEnv.validate>`: validate ``state``
    (default: ``env``'s episode) by :func:`validate_episode` on ``env``'s bitcode variant and limits."""
    program = env._program
    # The replay must match the env's IR only when ``state`` is this episode (not another one, say the best).
    own = state is None or program is not None and tuple(state.actions) == tuple(env.session.history)
    state = state or env.state
    prepared = prepare(resolve_benchmark(state.benchmark), env.bitcode_variant)
    same = own and program is not None and state.benchmark == env.benchmark
    return validate_episode(
        state,
        prepared,
        program.session if same else None,
        isolated=env.isolated,
        timeout=env.timeout,
        memory_limit=env.memory_limit,
        runtime_timeout=env.runtime_timeout,
    )


#: Rewards are ratios of integer costs: a replay reproduces them to rounding.
REWARD_TOLERANCE = 1e-9


@dataclass(frozen=True)
class StateValidation:
    """What validating one state found.

    :param replayed_reward: the episode reward on replay (None without a deterministic reward space).
    :param errors: every problem; empty when the state validated.
    """

    state: EpisodeState
    replayed_reward: float | None
    errors: tuple[str, ...]

    def okay(self) -> bool:
        return not self.errors


def validate_state(env: gym.Env, state: EpisodeState) -> StateValidation:
    """Replay ``state`` on ``env`` (a pass-ordering env; its reward space scores the replay) and validate it."""
    core = env.unwrapped
    try:
        core.apply(state)
    except (LLVMError, DatasetError, ValueError) as error:
        return StateValidation(state, None, (f"replay failed: {error}",))
    spec = core.reward_space_spec
    replayed = float(core.episode_reward) if spec is not None and spec.deterministic else None
    errors = []
    if state.reward is not None and replayed is not None:
        if not math.isclose(state.reward, replayed, rel_tol=0, abs_tol=REWARD_TOLERANCE):
            errors.append(f"{spec.name} is {replayed!r} on replay, {state.reward!r} recorded")
    errors.extend(core.validate().errors)
    return StateValidation(state, replayed, tuple(errors))

"""The pass-ordering env against hostile and bad inputs: baselines under the timeout, the inline bomb under
the memory limit, every recovery reported, and a specific error for each bad input."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from rl_compiler.data import data_path
from rl_compiler.datasets import BenchmarkArgumentError, EmptyBenchmarkError
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.llvm.errors import ModuleParseError, WorkerTimeoutError

CRC32 = "benchmark://builtin-v0/crc32"
HOSTILE = data_path("benchmarks", "hostile")


def test_unroll_program_reset_stays_within_the_timeout() -> None:
    env = PassOrderingEnv(str(HOSTILE / "unroll.c"), timeout=2, reward_space="IrInstructionCountOz")
    try:
        start = time.monotonic()
        with pytest.raises(WorkerTimeoutError, match="unroll.c: computing the -O3/-Oz baselines failed"):
            env.reset()
        # One timeout plus worker starts (up to ~14 s at load 3+ on 2 cores), not the 40 s of the pipelines.
        assert time.monotonic() - start < 2 + 18
        env.reset(options={"benchmark": CRC32})  # the env stays usable
        _, _, _, _, info = env.step(env.action_names.index("function(sroa)"))
        assert info["ir_changed"]
    finally:
        env.close()


@pytest.mark.slow
def test_inline_bomb_step_is_skipped_by_the_memory_limit() -> None:
    env = PassOrderingEnv(str(HOSTILE / "inline_bomb.c"), memory_limit=512 << 20, timeout=120)
    try:
        env.reset()
        before = env.session.ir_sha1()
        _, _, _, _, info = env.step(env.action_names.index("always-inline"))
        assert info["recovered_crash"].startswith("skipped") and "memory limit of 512 MiB" in info["recovered_crash"]
        assert env.session.history == [] and env.session.ir_sha1() == before
        _, _, _, _, info = env.step(env.action_names.index("function(sroa)"))
        assert info["recovered_crash"] is None and env.session.history == ["function(sroa)"]
    finally:
        env.close()


def _kill_worker(env: PassOrderingEnv) -> None:
    os.kill(env.session.pid, signal.SIGKILL)
    time.sleep(0.1)


@pytest.mark.parametrize("call", ["observation", "fork", "reset"])
def test_recovery_is_reported_whichever_call_met_it(call: str) -> None:
    env = PassOrderingEnv(CRC32, observation_space="Autophase", reward_space="IrInstructionCountOz")
    try:
        env.reset()
        env.step(0)
        _kill_worker(env)
        stepper = env
        if call == "observation":
            env.observation["Ir"]
        elif call == "fork":
            stepper = env.fork()
        else:
            env.reset()
        assert stepper.session.recoveries == 1
        _, _, _, _, info = stepper.step(1)
        assert info["recovered_crash"] is not None and info["recovered_crash"].startswith("recovered")
        _, _, _, _, info = stepper.step(2)
        assert info["recovered_crash"] is None  # reported once
        if stepper is not env:
            stepper.close()
    finally:
        env.close()


@pytest.mark.parametrize("name", ["empty.c", "empty.ll"])
def test_empty_source_files(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("")
    with pytest.raises(EmptyBenchmarkError, match=f"{name}: the file is empty"):
        PassOrderingEnv(str(tmp_path / name))


def test_a_module_without_instructions(tmp_path: Path) -> None:
    (tmp_path / "nothing.c").write_text("/* only a comment */\n")
    env = PassOrderingEnv(str(tmp_path / "nothing.c"))
    with pytest.raises(EmptyBenchmarkError, match="nothing.c has no IR instructions"):
        env.reset()
    env.close()


@pytest.mark.parametrize("action", [3.0, True, 1.5, "3", [1, 2]])
def test_non_integer_actions(action: object) -> None:
    env = PassOrderingEnv(CRC32, isolated=False)
    env.reset()
    with pytest.raises(ValueError, match="is not an integer"):
        env.step(action)
    env.close()


def test_non_benchmark_in_reset_options() -> None:
    env = PassOrderingEnv(CRC32, isolated=False)
    with pytest.raises(BenchmarkArgumentError, match="got int 42"):
        env.reset(options={"benchmark": 42})
    env.close()


def test_parse_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.bc"
    bad.write_bytes(b"BC\xc0\xde not really bitcode")
    env = PassOrderingEnv(bad.as_uri())
    with pytest.raises(ModuleParseError, match=f"benchmark {bad.as_uri()}: cannot parse module") as error:
        env.reset()
    assert "<memory>" not in str(error.value)
    env.close()

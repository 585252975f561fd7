"""``rl-compiler shell`` driven through standard input: list, apply, diff, counts, undo, commandline, errors."""

from __future__ import annotations

import subprocess

import gymnasium as gym
from cli_run import run_cli

import rl_compiler  # noqa: F401 - registers the env ids

BENCHMARK = "benchmark://builtin-v0/crc32"


def shell(commands: str, *args: str) -> subprocess.CompletedProcess:
    return run_cli("shell", *args, stdin=commands)


def expected_counts() -> tuple[int, int, int]:
    """The IR instruction counts at the start, after sroa, and after sroa then gvn, measured on the env."""
    env = gym.make("rl_compiler/llvm-ic-v0")
    try:
        env.reset(options={"benchmark": BENCHMARK})
        counts = [int(env.unwrapped.observation["IrInstructionCount"])]
        for name in ("function(sroa)", "function(gvn)"):
            env.step(env.unwrapped.action_names.index(name))
            counts.append(int(env.unwrapped.observation["IrInstructionCount"]))
        return tuple(counts)
    finally:
        env.close()


def test_a_session_through_stdin():
    start, after_sroa, after_gvn = expected_counts()
    result = shell(
        "list sroa\napply function(sroa) -gvn\ndiff\ncounts\nundo\ncounts\ncommandline\nfrobnicate\napply\nexit\n",
        "--benchmark",
        BENCHMARK,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"{BENCHMARK}: {start} IR instructions" in out
    assert "  function(sroa)\n" in out  # listed with its index
    assert f"function(sroa): {start} -> {after_sroa} IR instructions" in out
    assert f"function(gvn): {after_sroa} -> {after_gvn} IR instructions" in out  # -gvn: CompilerGym's flag
    assert "--- before\n+++ after\n@@" in out
    assert f"IR instructions: {after_gvn} (start {start}," in out and "; 2 passes" in out
    assert f"undid function(gvn): {after_sroa} IR instructions" in out and "; 1 passes" in out
    assert "opt -relocation-model=pic -passes='function(sroa)' input.bc -o output.bc" in out
    assert "error: unknown command 'frobnicate'" in out and "error: apply what?" in out


def test_end_of_input_leaves_and_bad_starts_are_errors():
    result = shell("counts\n")  # no exit: end of input ends the session
    assert result.returncode == 0 and "IR instructions:" in result.stdout
    bad = shell("", "--benchmark", "benchmark://builtin-v0/no-such-program")
    assert bad.returncode == 2 and "cannot start on benchmark://builtin-v0/no-such-program" in bad.stderr
    regalloc = shell("", "--env", "rl_compiler/llvm-regalloc-v0")
    assert regalloc.returncode == 2 and "is not a pass-ordering env" in regalloc.stderr

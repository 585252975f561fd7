"""``rl-compiler validate STATES.csv`` end to end: states recorded on a real env validate; a wrong reward, an
unknown benchmark and an unknown CompilerGym flag are named."""

from __future__ import annotations

import subprocess

import gymnasium as gym
import pytest
from cli_run import run_cli

import rl_compiler  # noqa: F401 - registers the env ids
from rl_compiler.envs.state import EpisodeState, commandline_pipelines, states_to_csv


def validate(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return run_cli("validate", *args, stdin=stdin)


@pytest.fixture(scope="module")
def recorded() -> EpisodeState:
    env = gym.make("rl_compiler/llvm-ic-v0")
    try:
        env.reset(options={"benchmark": "benchmark://builtin-v0/crc32"})
        for name in ("function(sroa)", "function(instcombine<no-verify-fixpoint>)", "function(gvn)"):
            env.step(env.unwrapped.action_names.index(name))
        return env.unwrapped.state
    finally:
        env.close()


def test_recorded_states_validate(recorded, tmp_path):
    compilergym_row = "benchmark://builtin-v0/kmp,,0.5,opt -sroa -mem2reg -gvn input.bc -o output.bc\n"
    path = tmp_path / "states.csv"
    path.write_text(states_to_csv([recorded]) + compilergym_row)
    result = validate(str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    crc32 = next(line for line in lines if "builtin-v0/crc32" in line)
    assert crc32.startswith("ok") and f"{recorded.reward:.4f}" in crc32 and "3 passes" in crc32
    assert next(line for line in lines if "builtin-v0/kmp" in line).startswith("ok")
    assert lines[-1] == "2 of 2 states validated"
    from_stdin = validate("-", stdin=states_to_csv([recorded]))
    assert from_stdin.returncode == 0 and "1 of 1 states validated" in from_stdin.stdout


def test_failures_are_named_and_exit_non_zero(recorded, tmp_path):
    wrong = EpisodeState(recorded.benchmark, recorded.actions, reward=recorded.reward + 0.5)
    missing = EpisodeState("benchmark://builtin-v0/no-such-program", ("function(sroa)",), reward=0.0)
    path = tmp_path / "states.csv"
    path.write_text(states_to_csv([wrong, recorded, missing]))
    result = validate(str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1].startswith("FAIL") and "on replay" in lines[1] and "recorded" in lines[1]
    assert lines[2].startswith("ok")
    assert lines[3].startswith("FAIL") and "no-such-program" in lines[3] and "replay failed" in lines[3]
    assert lines[-1] == "1 of 3 states validated"


def test_bad_input_is_a_clear_error(tmp_path):
    path = tmp_path / "states.csv"
    path.write_text("benchmark://builtin-v0/kmp,,0.5,opt -no-such-pass input.bc -o output.bc\n")
    result = validate(str(path))
    assert result.returncode == 2 and "-no-such-pass is not a CompilerGym pass flag" in result.stderr
    assert "cannot read" in validate(str(tmp_path / "absent.csv")).stderr
    (tmp_path / "empty.csv").write_text("benchmark,reward,walltime,commandline\n")
    assert "holds no states" in validate(str(tmp_path / "empty.csv")).stderr


def test_commandline_cells():
    assert commandline_pipelines("function(sroa),gvn") == ["function(sroa)", "gvn"]
    assert commandline_pipelines("opt -passes='function(sroa),gvn' input.bc -o output.bc") == [
        "function(sroa)",
        "gvn",
    ]
    assert commandline_pipelines("opt -sroa -gvn input.bc -o output.bc") == ["function(sroa)", "function(gvn)"]
    # What env.commandline() prints: the engine's target machine flags are not passes.
    assert commandline_pipelines("opt -relocation-model=pic -passes=gvn input.bc -o output.bc") == ["gvn"]

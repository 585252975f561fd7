"""The pass-ordering environment beyond check_env: fork, commandline, state, replay, validation, crash
recovery, benchmark selection and bad input."""

from __future__ import annotations

import hashlib
import os
import shlex
import signal
import subprocess

import gymnasium as gym
import numpy as np
import pytest

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.datasets import benchmark_from_files, get_benchmark
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.envs.state import EpisodeState, states_from_csv, states_to_csv
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

CRC32 = "benchmark://builtin-v0/crc32"
SEQUENCE = [
    "function(sroa)", "function(instcombine<no-verify-fixpoint>)", "function(simplifycfg)", "function(gvn)",
    "function(loop(loop-rotate))", "function(loop-mssa(licm))", "cgscc(inline)", "globaldce", "function(dse)",
    "function(loop-unroll)", "function(slp-vectorizer)", "iroutliner", "function(early-cse<memssa>)",
]  # fmt: skip


def _run(env: PassOrderingEnv, names=SEQUENCE):
    env.reset(options={"benchmark": CRC32})
    return [env.step(env.action_names.index(name)) for name in names]


@pytest.fixture
def env():
    env = PassOrderingEnv(CRC32, observation_space="Autophase", reward_space="IrInstructionCountOz")
    yield env
    env.close()


def test_step_info(env):
    obs, info = env.reset()
    assert info["benchmark"] == CRC32 and obs.shape == (56,)
    _, reward, terminated, truncated, info = env.step(env.action_names.index("function(sroa)"))
    assert info["action"] == "function(sroa)" and info["ir_changed"] is True and info["recovered_crash"] is None
    assert reward > 0 and not terminated and not truncated
    _, reward, _, _, info = env.step(env.action_names.index("function(sroa)"))
    assert info["ir_changed"] is False and reward == 0.0
    assert env.actions == [env.action_names.index("function(sroa)")] * 2


def test_fork_then_same_actions_give_same_observations(env):
    _run(env, SEQUENCE[:4])
    twin = env.fork()
    try:
        assert twin.state.actions == env.state.actions and twin.episode_reward == env.episode_reward
        for name in SEQUENCE[4:]:
            a, b = env.step(env.action_names.index(name)), twin.step(twin.action_names.index(name))
            np.testing.assert_array_equal(a[0], b[0])
            assert a[1] == b[1]
        assert env.observation["IrSha1"] == twin.observation["IrSha1"]
        twin.step(twin.action_names.index("function(reg2mem)"))  # the twin is independent
        assert env.observation["IrSha1"] != twin.observation["IrSha1"]
    finally:
        twin.close()
    env.step(0)  # the parent still works after the twin closed


def _normalized_ir_sha1(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.startswith(("; ModuleID", "source_filename"))]
    return hashlib.sha1("\n".join(lines).encode()).hexdigest()


#: A switch that simplifycfg turns into a relative lookup table under PIC: `opt` reproduces the module
#: only with the engine's relocation model on its command line.
LOOKUP_SWITCH = r"""
static const char *name(int k) {
    switch (k) {
    case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
    case 4: return "four"; case 5: return "five"; case 6: return "six"; default: return "many";
    }
}
const char *pick(int k) { return name(k); }
"""


def test_commandline_reproduces_the_ir(env, tmp_path):
    _run(env)
    _check_commandline(env, get_benchmark(CRC32), tmp_path)


def test_commandline_reproduces_a_pic_lookup_table(tmp_path):
    source = tmp_path / "lookup.c"
    source.write_text(LOOKUP_SWITCH)
    benchmark = benchmark_from_files([source])
    env = PassOrderingEnv(benchmark.uri, isolated=False)
    try:
        env.reset()
        env.apply_pipeline("default<O2>")
        assert "switch.table" in env.observation["Ir"]
        _check_commandline(env, benchmark, tmp_path)
    finally:
        env.close()


def _check_commandline(env, benchmark, tmp_path):
    (tmp_path / "input.bc").write_bytes(benchmark.bitcode(env.bitcode_variant))
    args = shlex.split(env.commandline(str(tmp_path / "input.bc"), str(tmp_path / "output.ll")))
    assert args[0] == "opt"
    args[0] = str(get_toolchain().opt)
    subprocess.run([*args, "-S"], check=True, capture_output=True, timeout=120)
    ours = _normalized_ir_sha1(env.observation["Ir"])
    assert _normalized_ir_sha1((tmp_path / "output.ll").read_text()) == ours


def test_state_round_trips_and_apply_reproduces_the_reward(env):
    _run(env)
    state = env.state
    assert state.benchmark == CRC32 and list(state.actions) == SEQUENCE and state.reward == env.episode_reward
    assert EpisodeState.from_json(state.to_json()) == state
    (parsed,) = states_from_csv(states_to_csv([state]))
    assert parsed.actions == state.actions and parsed.reward == pytest.approx(state.reward)
    other = PassOrderingEnv(CRC32, reward_space="IrInstructionCountOz", isolated=False)
    try:
        other.apply(parsed)
        assert other.episode_reward == pytest.approx(state.reward, abs=1e-12)
        assert other.observation["IrSha1"] == env.observation["IrSha1"]
    finally:
        other.close()


def test_validate(env):
    _run(env)
    result = env.validate()
    assert result.okay(), result.errors
    assert result.reproduced and result.verified and result.output_checked


def test_killing_the_worker_changes_nothing(env):
    reference = [step[1] for step in _run(env)]
    reference_sha = env.observation["IrSha1"]
    env.reset()
    rewards = []
    for i, name in enumerate(SEQUENCE):
        if i in (3, 8):
            os.kill(env.session.pid, signal.SIGKILL)
        _, reward, _, _, info = env.step(env.action_names.index(name))
        rewards.append(reward)
        if i in (3, 8):
            assert info["recovered_crash"] is not None
    assert rewards == reference
    assert env.observation["IrSha1"] == reference_sha
    assert env.session.recoveries == 2


def test_terminal_action():
    env = PassOrderingEnv(CRC32, terminal_action=True, isolated=False)
    try:
        env.reset()
        assert env.action_space.n == len(env.action_names) and env.action_names[-1] == "<end-episode>"
        _, _, terminated, _, info = env.step(env.action_space.n - 1)
        assert terminated and info["action"] == "<end-episode>"
    finally:
        env.close()


def test_benchmarks_sampled_from_a_split_with_the_seed():
    env = PassOrderingEnv(benchmark="dataset://builtin-v0/train", isolated=False)
    try:
        assert len(env.benchmarks) > 1
        first = [env.reset(seed=3)[1]["benchmark"]] + [env.reset()[1]["benchmark"] for _ in range(4)]
        again = [env.reset(seed=3)[1]["benchmark"]] + [env.reset()[1]["benchmark"] for _ in range(4)]
        assert first == again and set(first) <= set(env.benchmarks)
        assert env.reset(options={"benchmark": CRC32})[1]["benchmark"] == CRC32
    finally:
        env.close()


def test_max_episode_steps_truncates():
    env = gym.make("rl_compiler/llvm-ic-v0", max_episode_steps=3, isolated=False)
    try:
        env.reset()
        assert [env.step(0)[3] for _ in range(3)] == [False, False, True]
    finally:
        env.close()


def test_compiler_gym_action_set():
    env = PassOrderingEnv(CRC32, action_set="compiler_gym", isolated=False)
    try:
        env.reset()
        assert (
            len(env.action_names) == 108 and env.action_flags[env.action_names.index("function(mem2reg)")] == "-mem2reg"
        )
        assert env.step(env.action_flags.index("-mem2reg"))[4]["ir_changed"]
    finally:
        env.close()


# -- bad input -----------------------------------------------------------------------------------


def test_unknown_benchmark():
    with pytest.raises(Exception, match="nope"):
        PassOrderingEnv("benchmark://builtin-v0/nope")
    env = PassOrderingEnv(CRC32, isolated=False)
    try:
        with pytest.raises(Exception, match="nope"):
            env.reset(options={"benchmark": "benchmark://builtin-v0/nope"})
    finally:
        env.close()


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid names: .*IrInstructionCountOz"):
        PassOrderingEnv(CRC32, reward_space="CodeSize")
    with pytest.raises(ValueError, match="valid names: .*Autophase"):
        PassOrderingEnv(CRC32, observation_space=["Autophase", "Autofaze"])
    with pytest.raises(ValueError, match="valid names: compiler_gym, default"):
        PassOrderingEnv(CRC32, action_set="all")
    with pytest.raises(ValueError, match="unknown reset options"):
        PassOrderingEnv(CRC32, isolated=False).reset(options={"benchmrk": CRC32})


@pytest.mark.parametrize("action", [-1, 10_000, 1.5, "function(sroa)", None])
def test_action_out_of_range(action):
    env = PassOrderingEnv(CRC32, isolated=False)
    try:
        env.reset()
        with pytest.raises(ValueError, match="action"):
            env.step(action)
    finally:
        env.close()


def test_step_before_reset_and_after_close():
    env = PassOrderingEnv(CRC32, isolated=False)
    with pytest.raises(gym.error.ResetNeeded):
        env.step(0)
    with pytest.raises(gym.error.ResetNeeded):
        env.state  # noqa: B018
    env.reset()
    env.close()
    env.close()  # idempotent
    with pytest.raises(gym.error.ClosedEnvironmentError):
        env.step(0)
    with pytest.raises(gym.error.ClosedEnvironmentError):
        env.reset()


def test_apply_pipeline_is_part_of_the_episode(env: PassOrderingEnv) -> None:
    env.reset(options={"benchmark": CRC32})
    reward, info = env.apply_pipeline("default<O2>")  # on the size-prepared bitcode this is -Oz
    assert info["ir_changed"] and reward == pytest.approx(1.0)  # IrInstructionCountOz: 1.0 means -Oz
    env.step(env.action_names.index("iroutliner"))
    state = env.state
    assert state.actions == ("default<O2>", "iroutliner")
    assert "default<O2>,iroutliner" in env.commandline()
    with env.fork() as twin:
        assert twin.observation["IrSha1"] == env.observation["IrSha1"]
    replay = PassOrderingEnv(CRC32, observation_space="Autophase", reward_space="IrInstructionCountOz")
    try:
        replay.apply(state)
        assert replay.episode_reward == pytest.approx(env.episode_reward)
        assert replay.observation["IrSha1"] == env.observation["IrSha1"]
    finally:
        replay.close()


def test_current_observation_start_bitcode_and_benchmark(env: PassOrderingEnv) -> None:
    first, _ = env.reset(options={"benchmark": CRC32})
    np.testing.assert_array_equal(env.current_observation, first)
    start_count = env.observation["IrInstructionCount"]
    env.apply_pipeline("function(sroa)")
    observation = env.current_observation
    assert observation.shape == (56,) and not np.array_equal(observation, first)
    np.testing.assert_array_equal(observation, env.observation["Autophase"])
    # The start bitcode is what the state's pass list applies to: replaying it gives the current IR.
    with Module.from_bitcode(env.start_bitcode) as module:
        assert module.instruction_count() == start_count
        module.run_passes(",".join(env.state.actions))
        assert module.ir_sha1() == env.observation["IrSha1"]
    assert env.current_benchmark.uri == CRC32 and env.current_benchmark.runnable


def test_native_and_python_callers_give_the_same_episode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's fast-lane caller in C and in Python (``RL_COMPILER_NATIVE_CALLER``) see the same steps."""
    from rl_compiler.llvm.fastlane import NATIVE_CALLER_ENV

    actions = np.random.default_rng(7).integers(124, size=40)
    episodes = {}
    for flag in ("1", "0"):
        monkeypatch.setenv(NATIVE_CALLER_ENV, flag)
        env = gym.make("rl_compiler/llvm-autophase-ic-v0", benchmark="benchmark://builtin-v0/kmp")
        try:
            steps = [env.reset(seed=3)[0]]
            assert (env.unwrapped.session._slot.worker._native is not None) == (flag == "1")
            for action in actions % env.action_space.n:
                observation, reward, terminated, truncated, info = env.step(action)
                steps.append((observation, reward, terminated, truncated, info["ir_changed"], info["recovered_crash"]))
            episodes[flag] = steps, env.unwrapped.session.ir_sha1()
        finally:
            env.close()
    (native, native_ir), (python, python_ir) = episodes["1"], episodes["0"]
    assert native_ir == python_ir
    assert np.array_equal(native[0], python[0])
    for a, b in zip(native[1:], python[1:], strict=True):
        assert np.array_equal(a[0], b[0]) and a[0].dtype == b[0].dtype and a[1:] == b[1:]
    assert any(step[4] for step in native[1:])  # some steps changed the IR

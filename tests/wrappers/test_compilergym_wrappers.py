"""CompilerGym's wrappers, by their names from rl_compiler.wrappers, each on a real pass-ordering env."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import rl_compiler  # noqa: F401 - registers the env ids
from rl_compiler.datasets import get_dataset
from rl_compiler.wrappers import (
    CommandlineWithTerminalAction,
    ConstrainedCommandline,
    Counter,
    CycleOverBenchmarks,
    IterateOverBenchmarks,
    RandomOrderBenchmarks,
    ValidateBenchmarkAfterEveryStep,
)

ENV_ID = "rl_compiler/llvm-ic-v0"


@pytest.fixture
def env():
    environment = gym.make(ENV_ID)
    yield environment
    environment.close()


def test_iterate_cycle_and_random_order(env, small_split):
    iterate = IterateOverBenchmarks(env, small_split)
    assert [iterate.reset()[1]["benchmark"] for _ in small_split] == small_split
    with pytest.raises(StopIteration):
        iterate.reset()
    cycle = CycleOverBenchmarks(env, small_split)
    assert [cycle.reset()[1]["benchmark"] for _ in range(3)] == [*small_split, small_split[0]]
    with pytest.raises(TypeError, match="benchmark passed"):
        cycle.reset(options={"benchmark": small_split[1]})
    first = RandomOrderBenchmarks(env, small_split, rng=np.random.default_rng(7))
    order = [first.reset()[1]["benchmark"] for _ in range(6)]
    again = RandomOrderBenchmarks(env, small_split, rng=np.random.default_rng(7))
    assert [again.reset()[1]["benchmark"] for _ in range(6)] == order
    assert set(order) <= set(small_split)
    with pytest.raises(ValueError, match="at least one"):
        CycleOverBenchmarks(env, [])


def test_constrained_commandline_by_action_name_or_compilergym_flag(env, small_split):
    names, flags = env.unwrapped.action_names, env.unwrapped.action_flags
    sroa = names.index("function(sroa)")
    wrapped = ConstrainedCommandline(env, flags=[flags[sroa], "function(instcombine<no-verify-fixpoint>)"])
    assert wrapped.action_space == gym.spaces.Discrete(2)
    assert wrapped.action_names == ["function(sroa)", "function(instcombine<no-verify-fixpoint>)"]
    wrapped.reset(options={"benchmark": small_split[0]})
    _, _, _, _, info = wrapped.step(0)
    assert info["action"] == "function(sroa)" and env.unwrapped.actions == [sroa]
    assert wrapped.reverse_action(sroa) == 0
    with pytest.raises(ValueError, match="unknown flag '-no-such-pass'"):
        ConstrainedCommandline(env, flags=["-no-such-pass"])
    with pytest.raises(ValueError, match="outside the constrained space"):
        wrapped.step(2)


def test_commandline_with_terminal_action(env, small_split):
    wrapped = CommandlineWithTerminalAction(env)
    n = env.action_space.n
    assert wrapped.action_space == gym.spaces.Discrete(n + 1)
    wrapped.reset(options={"benchmark": small_split[0]})
    wrapped.step(env.unwrapped.action_names.index("function(sroa)"))
    history = list(env.unwrapped.session.history)
    _, reward, terminated, truncated, info = wrapped.step(n)
    assert (reward, terminated, truncated, info["action"]) == (0.0, True, False, "end-of-episode")
    assert env.unwrapped.session.history == history
    terminal = gym.make(ENV_ID, terminal_action=True)
    try:
        with pytest.raises(ValueError, match="already has a terminal action"):
            CommandlineWithTerminalAction(terminal)
    finally:
        terminal.close()


def test_counter_counts_calls(env, small_split):
    counter = Counter(env)
    counter.reset(options={"benchmark": small_split[0]})
    counter.step(0)
    counter.step(1)
    twin = counter.fork()
    try:
        assert counter.counters == {"close": 0, "fork": 1, "reset": 1, "step": 2}
        assert twin.counters == counter.counters
        twin.step(2)
        assert (twin.counters["step"], counter.counters["step"]) == (3, 2)
        assert twin.unwrapped.session.history[:2] == counter.unwrapped.session.history
    finally:
        twin.close()
    assert twin.counters["close"] == 1


def test_validate_after_every_step_ends_a_broken_episode(env, small_split, tmp_path):
    wrapped = ValidateBenchmarkAfterEveryStep(env, reward_penalty=-5.0)
    wrapped.reset(options={"benchmark": small_split[0]})
    _, reward, terminated, _, info = wrapped.step(env.unwrapped.action_names.index("function(sroa)"))
    assert not terminated and "error_details" not in info
    # A program whose recorded expected output is wrong: every state fails validation.
    (tmp_path / "hello.c").write_text('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
    (tmp_path / "expected.txt").write_text("goodbye\n")
    (tmp_path / "manifest.yaml").write_text(
        "dataset: wrong-output-v0\nprograms:\n"
        "  - name: hello\n    sources: [hello.c]\n    expected_stdout: expected.txt\n"
    )
    get_dataset(str(tmp_path / "manifest.yaml"))
    wrapped.reset(options={"benchmark": "benchmark://wrong-output-v0/hello"})
    _, reward, terminated, _, info = wrapped.step(0)
    assert terminated and reward == pytest.approx(env.unwrapped.episode_reward - 5.0)
    assert "goodbye" in info["error_details"] or "output" in info["error_details"], info["error_details"]

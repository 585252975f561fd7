"""llvm-regalloc-v0 on real high-register-pressure programs: episodes, determinism, reward, pitfalls."""

from __future__ import annotations

import gc
import os
import signal
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from c_to_ir import compile_c
from process_checks import assert_clean

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.agents.base import play
from rl_compiler.agents.mlgo.baselines import RandomLegal, first_legal, no_eviction, run_episode
from rl_compiler.envs.regalloc import RegallocEnv, default_heuristic_result
from rl_compiler.leaderboard.decisions import replay
from rl_compiler.llvm import mlgo
from rl_compiler.llvm.toolchain import get_toolchain

ENV_ID = "rl_compiler/llvm-regalloc-v0"
BENCHMARK = "benchmark://builtin-v0/sha256"
HEAPAM = Path("/usr/lib/postgresql/15/lib/bitcode/postgres/access/heap/heapam.bc")


@pytest.fixture
def env(make_env) -> RegallocEnv:
    return make_env(RegallocEnv, BENCHMARK)


def test_spaces_come_from_the_header(env: RegallocEnv) -> None:
    spec = mlgo.probe_spec("regalloc")
    assert env.action_space == gym.spaces.Discrete(spec.feature("mask").size)
    assert env.observation_space.shape == (sum(f.size for f in spec.features),)
    assert list(env.encoder.slices) == list(spec.feature_names)


def test_episode_runs_to_the_end(env: RegallocEnv) -> None:
    observation, info = env.reset(seed=0)
    assert env.observation_space.contains(observation)
    mask = env.action_masks()
    assert mask.dtype == bool and mask.shape == (33,) and mask.any()
    assert np.array_equal(mask, info["action_mask"])
    assert np.array_equal(observation[env.encoder.slices["mask"]] != 0, mask)
    episode = play(env, first_legal, seed=0)
    reward, info = episode.reward, episode.info
    assert len(episode.decisions) == info["decisions"] > 100
    assert info["illegal_actions"] == 0
    for key in (
        "score",
        "default_score",
        "spills",
        "reloads",
        "copies",
        "text_size",
        "default_text_size",
        "functions",
        "function_rewards",
        "object_sha1",
    ):
        assert key in info
    assert info["text_size"] > 0 and np.isfinite(reward)
    delta = env.reward_delta
    assert reward == pytest.approx(1 - (info["score"] + delta) / (info["default_score"] + delta))
    assert info["score"] == pytest.approx(sum(f["score"] for f in info["functions"].values()))
    with pytest.raises(gym.error.ResetNeeded):
        env.step(0)


def test_same_actions_give_a_bit_identical_object(env: RegallocEnv) -> None:
    episode = play(env, RandomLegal(seed=3), seed=0)
    first = env.last_object
    reward, info = replay(env, BENCHMARK, episode.decisions)
    assert env.last_object == first and info["object_sha1"] == episode.info["object_sha1"]
    assert reward == episode.reward and info["score"] == episode.info["score"]


def test_default_heuristic_score_is_reproduced(env: RegallocEnv, private_tmp: Path) -> None:
    env.reset(seed=0)
    cached = env.baseline
    fresh = default_heuristic_result(get_toolchain().llc, env.module_path)
    assert fresh == cached  # same score, per-function stats and object, from an independent llc run
    again = RegallocEnv(BENCHMARK)
    again.reset(seed=0)
    assert again.baseline == cached
    again.close()


def test_illegal_actions_are_mapped_never_sent(env: RegallocEnv) -> None:
    # Always answer an illegal column: the env must send what LLVM would do with it (32, or the first
    # legal register if 32 is illegal), never the raw index.
    def illegal(observation, info):
        masked = np.flatnonzero(~info["action_mask"])
        return int(masked[0]) if masked.size else 0

    info = play(env, illegal, seed=0).info
    assert info["illegal_actions"] > 0
    assert info["object_sha1"] == play(env, no_eviction, seed=0).info["object_sha1"]


@pytest.mark.parametrize("action", [33, -1, 10**9, 1.5, "3", np.array([1, 2])])
def test_out_of_range_action_raises_and_the_episode_continues(env: RegallocEnv, action) -> None:
    observation, info = env.reset(seed=0)
    with pytest.raises(ValueError, match=r"expected one integer in \[0, 32\]|out of range"):
        env.step(action)
    assert np.isfinite(play(env, first_legal, seed=0).reward)  # a new episode; the failed one was usable too


def test_out_of_range_action_keeps_the_episode(env: RegallocEnv) -> None:
    observation, info = env.reset(seed=0)
    with pytest.raises(ValueError):
        env.step(33)
    terminated = False
    while not terminated:
        observation, reward, terminated, _, info = env.step(first_legal(observation, info))
    assert info["illegal_actions"] == 0


def test_host_exception_mid_episode(private_tmp: Path) -> None:
    environment = RegallocEnv(BENCHMARK)
    observation, info = environment.reset(seed=0)
    pid = environment.compiler_pid
    with pytest.raises(RuntimeError, match="policy bug"):
        for step in range(10):
            observation, *_, info = environment.step(first_legal(observation, info))
            if step == 5:
                raise RuntimeError("policy bug")
    environment.close()
    assert_clean(private_tmp, pid)


def test_garbage_collected_env_leaves_nothing(private_tmp: Path) -> None:
    environment = RegallocEnv(BENCHMARK)
    environment.reset(seed=0)
    pid = environment.compiler_pid
    del environment
    gc.collect()
    assert_clean(private_tmp, pid)


def test_close_mid_episode(env: RegallocEnv, private_tmp: Path) -> None:
    observation, info = env.reset(seed=0)
    observation, *_, info = env.step(first_legal(observation, info))
    pid, workdir = env.compiler_pid, env.workdir
    assert workdir.exists() and (workdir / "channel.in").exists()
    env.close()
    assert_clean(private_tmp, pid)
    with pytest.raises(gym.error.ResetNeeded):
        env.step(32)
    assert np.isfinite(play(env, first_legal, seed=0).reward)  # a closed env can start again with reset()


def test_compiler_crash_mid_episode(env: RegallocEnv, private_tmp: Path) -> None:
    observation, info = env.reset(seed=0)
    for _ in range(3):
        observation, *_, info = env.step(first_legal(observation, info))
    pid = env.compiler_pid
    os.kill(pid, signal.SIGSEGV)
    with pytest.raises(mlgo.CompilerCrashError, match="SIGSEGV"):
        for _ in range(100_000):
            observation, _, terminated, _, info = env.step(first_legal(observation, info))
            assert not terminated
    assert_clean(private_tmp, pid)
    with pytest.raises(gym.error.ResetNeeded):
        env.step(32)
    assert np.isfinite(play(env, first_legal, seed=0).reward)  # the env recovers with a reset


def _module(tmp_path: Path, source: str, *flags: str) -> Path:
    return compile_c(source, tmp_path / "m.bc", *flags)


def test_module_that_never_opens_the_channel(tmp_path: Path, make_env) -> None:
    # No function at all: llc never opens the FIFOs (a blocking open() in the host would hang forever).
    module = _module(tmp_path, "int x = 5;\nextern int f(int);\nint (*p)(int) = f;\n", "-O2")
    environment = make_env(RegallocEnv, module, pipeline=None)
    with pytest.raises(mlgo.ChannelNotOpenedError, match="m.bc.*without opening the regalloc channel"):
        environment.reset(seed=0)


@pytest.mark.parametrize("flags", [("-O2",), ("-O0",)])  # -O0: every function optnone
def test_module_without_decisions(flags: tuple[str, ...], tmp_path: Path, private_tmp: Path) -> None:
    source = "int add(int a, int b) { return a + b; }\n" if flags == ("-O2",) else mlgo.PROBE_SOURCE
    module = _module(tmp_path, source, *flags)
    environment = RegallocEnv(module)
    with pytest.raises(mlgo.NoDecisionsError, match="asked no decision"):
        environment.reset(seed=0)
    environment.close()
    assert_clean(private_tmp)
    # In a rotation, such a module is dropped with a warning and another one is used.
    rotation = RegallocEnv([module, BENCHMARK])
    with pytest.warns(UserWarning, match="dropping it"):
        for seed in range(8):
            rotation.reset(seed=seed)
    assert rotation.benchmarks == [BENCHMARK]
    rotation.close()
    assert_clean(private_tmp)


def test_per_function_reward(make_env) -> None:
    environment = make_env(RegallocEnv, BENCHMARK, reward="function", observation_format="dict")
    episode = play(environment, first_legal, seed=0)
    reward, info = episode.reward, episode.info
    rewards = info["function_rewards"]
    assert rewards and set(rewards) <= set(info["decisions_per_function"])
    assert reward == pytest.approx(np.mean(list(rewards.values())))
    with pytest.raises(ValueError, match="reward='spills'"):
        RegallocEnv(BENCHMARK, reward="spills")


def test_commandline(env: RegallocEnv) -> None:
    env.reset(seed=0)
    line = env.commandline()
    assert "-regalloc-enable-advisor=release" in line and "-pass-remarks-filter=regalloc" in line


@pytest.mark.slow
@pytest.mark.skipif(not HEAPAM.exists(), reason="postgresql-15 bitcode not installed")
def test_real_postgres_module(make_env) -> None:
    environment = make_env(RegallocEnv, HEAPAM)
    total, steps, info = run_episode(environment, first_legal, seed=0)
    assert steps > 1000 and info["default_score"] > 0
    assert info["score"] > info["default_score"]  # the heuristic beats "first legal" on real code


@pytest.mark.slow
def test_maskable_ppo_trains(make_env) -> None:
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.logger import Logger

    environment = make_env(RegallocEnv, BENCHMARK)
    model = MaskablePPO("MlpPolicy", environment, n_steps=128, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.set_logger(Logger(folder=None, output_formats=[]))  # SB3's default leaves a /tmp/SB3-<time> directory
    model.learn(total_timesteps=256)
    observation, info = environment.reset(seed=0)
    action, _ = model.predict(observation, action_masks=environment.action_masks(), deterministic=True)
    assert environment.action_masks()[int(action)]

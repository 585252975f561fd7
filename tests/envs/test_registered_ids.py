"""Every registered id (pass ordering, register allocation, inlining), MiniGrid style: Gymnasium's and
Stable-Baselines3's check_env, seeded determinism, pickling of the spec, and an async vector env."""

from __future__ import annotations

import pickle
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from process_checks import assert_clean

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.envs.registration import registered_ids

IDS = registered_ids()


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, tuple):  # a GraphInstance (the Programl observation)
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _nondeterministic(env_id: str) -> bool:
    return bool(gym.spec(env_id).nondeterministic)


def test_ids_registered_when_gymnasium_loads_after_rl_compiler():
    """``import rl_compiler`` alone loads no Gymnasium; the ids are there as soon as Gymnasium is."""
    code = (
        "import sys, rl_compiler; assert 'gymnasium' not in sys.modules; import gymnasium as gym; "
        "print(all(i in gym.registry for i in rl_compiler.envs.registration.registered_ids()))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["True"], done.stderr


def test_the_pass_ordering_ids_are_registered():
    for name in (
        "llvm-v0",
        "llvm-ic-v0",
        "llvm-codesize-v0",
        "llvm-autophase-ic-v0",
        "llvm-autophase-codesize-v0",
        "llvm-ir-ic-v0",
        "llvm-ir-codesize-v0",
        "llvm-autophase-runtime-v0",
    ):
        assert f"rl_compiler/{name}" in IDS
    assert gym.spec("rl_compiler/llvm-autophase-runtime-v0").nondeterministic
    for name in ("llvm-coreset-ic-v0", "llvm-coreset-codesize-v0"):
        assert f"rl_compiler/{name}" in IDS


@pytest.mark.parametrize("env_id", IDS)
def test_gymnasium_check_env(env_id):
    env = gym.make(env_id)
    try:
        gym_check_env(env.unwrapped, skip_render_check=True, skip_close_check=True)
    finally:
        env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_sb3_check_env(env_id):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = gym.make(env_id)
    try:
        if isinstance(env.observation_space, gym.spaces.Text):
            pytest.skip(
                "SB3 has no Text observation spaces (its check_env asserts NumPy arrays): use Ir ids "
                "with your own encoder, or the Autophase/InstCount ids"
            )
        with _quiet():
            sb3_check_env(env.unwrapped, warn=True)
    finally:
        env.close()


class _quiet:
    """Let SB3's advisory warnings (e.g. for Text observations it cannot learn from) pass silently."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


@pytest.mark.parametrize("env_id", IDS)
def test_seeded_determinism(env_id):
    def rollout():
        env = gym.make(env_id)
        try:
            env.action_space.seed(7)
            obs, _ = env.reset(seed=7)
            trace = [obs]
            for _ in range(5):
                obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
                trace.append((obs, reward, terminated, truncated))
                if terminated or truncated:
                    break
            return trace
        finally:
            env.close()

    first, second = rollout(), rollout()
    assert len(first) == len(second)
    if _nondeterministic(env_id):
        return  # measured rewards (run times): only the shape of the episode must agree
    for a, b in zip(first, second, strict=False):
        if isinstance(a, tuple):
            assert all(_same(x, y) for x, y in zip(a, b, strict=False))
        else:
            assert _same(a, b)


@pytest.mark.parametrize("env_id", IDS)
def test_spec_pickles(env_id):
    spec = gym.spec(env_id)
    assert pickle.loads(pickle.dumps(spec)) == spec
    env = gym.make(env_id)
    try:
        assert pickle.loads(pickle.dumps(env.spec)) == env.spec
    finally:
        env.close()


@pytest.mark.parametrize("env_id", IDS)
def test_async_vector_env_steps(env_id):
    env = gym.make(env_id)
    space = env.observation_space
    env.close()
    if isinstance(space, gym.spaces.Text) or not getattr(space, "is_np_flattenable", True):
        kwargs = {"vector_kwargs": {"shared_memory": False}}
    else:
        kwargs = {}
    envs = gym.make_vec(env_id, num_envs=2, vectorization_mode="async", **kwargs)
    try:
        envs.reset(seed=0)
        for _ in range(3):
            _, rewards, terminated, truncated, _ = envs.step(envs.action_space.sample())
            assert rewards.shape == (2,) and terminated.shape == (2,)
    finally:
        envs.close()


@pytest.mark.parametrize("env_id", IDS)
def test_default_vector_env_steps(env_id):
    # The pass-ordering ids build PipelinedVectorEnv (their vector_entry_point), the others SyncVectorEnv.
    envs = gym.make_vec(env_id, num_envs=2)
    try:
        envs.reset(seed=0)
        for _ in range(3):
            _, rewards, terminated, truncated, _ = envs.step(envs.action_space.sample())
            assert rewards.shape == (2,) and terminated.shape == (2,)
    finally:
        envs.close()


@pytest.mark.parametrize(
    "env_id", ["rl_compiler/llvm-autophase-ic-v0", "rl_compiler/llvm-regalloc-v0", "rl_compiler/llvm-inline-v0"]
)
def test_sb3_subproc_vec_env_steps(env_id):
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import SubprocVecEnv

    # SB3 starts its workers with forkserver: "module:id" makes each worker import rl_compiler (and register).
    envs = make_vec_env(f"rl_compiler:{env_id}", n_envs=2, seed=0, vec_env_cls=SubprocVecEnv)
    try:
        envs.reset()
        for _ in range(3):
            actions = np.array([envs.action_space.sample() for _ in range(2)])
            _, rewards, dones, _ = envs.step(actions)
            assert rewards.shape == (2,) and dones.shape == (2,)
    finally:
        envs.close()


@pytest.mark.parametrize("observation_format", ["flat", "dict"])
@pytest.mark.parametrize("env_id", ["rl_compiler/llvm-regalloc-v0", "rl_compiler/llvm-inline-v0"])
def test_mlgo_check_env_in_both_observation_formats(env_id, observation_format, private_tmp):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    environment = gym.make(env_id, observation_format=observation_format)
    gym_check_env(environment.unwrapped)
    sb3_check_env(environment.unwrapped, warn=True)
    environment.close()
    assert_clean(private_tmp)

"""The vectorized training envs of a run: ``n_envs`` copies of the registered env, each sampling the run's
benchmarks, wrapped as configured, with a Monitor file per env (``<run_dir>/<rank>.monitor.csv``, the RL
Zoo's layout, which its plotting scripts and ``rl-compiler plot`` read), stepped in this process (``dummy``)
or one process each (``subproc``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym

#: ``--vec-env`` choices: SB3's DummyVecEnv (in this process, one env after the other), :class:`ThreadVecEnv`
#: (in this process, the envs stepped together on threads) and SubprocVecEnv (a process per env).
VEC_ENVS = ("dummy", "thread", "subproc")
MONITOR_SUFFIX = ".monitor.csv"


def make_env(config: Any, benchmarks: list[str], seed: int | None, monitor: Path | None = None) -> gym.Env:
    """One training env: the registered id, episode length, benchmark sampling, wrappers and a Monitor.

    :param monitor: the Monitor file's path without its ``.monitor.csv`` suffix (None: keep no file).
    """
    from stable_baselines3.common.monitor import Monitor

    from rl_compiler.agents.rl.wrappers import apply_wrappers
    from rl_compiler.envs.registration import env_family
    from rl_compiler.wrappers.benchmarks import BenchmarkSampler

    register_dataset(config.dataset)
    if env_family(config.env) == "mlgo":
        # The env samples the list itself (seeded by reset) and drops a module whose compilation asks no
        # decision at all, which a sampler passing each benchmark to reset could not.
        kwargs = {"benchmark": list(benchmarks), **config.env_kwargs}
        env = gym.make(config.env, max_episode_steps=config.episode_length, **kwargs)
    else:
        env = gym.make(config.env, max_episode_steps=config.episode_length, **config.env_kwargs)
        env = BenchmarkSampler(env, benchmarks, seed=seed)
    env = apply_wrappers(env, config.wrappers)
    return Monitor(env, filename=None if monitor is None else str(monitor))


def register_dataset(name: str) -> None:
    """Make a user dataset given by manifest path resolvable here too (a ``subproc`` env starts afresh)."""
    if Path(name).expanduser().exists():
        from rl_compiler.datasets import get_dataset

        get_dataset(name)


def monitor_stem(run_dir: Path, rank: int) -> Path:
    """``<run_dir>/<rank>``, or ``<rank>_<k>`` once a resumed run already has that file: each training session
    writes its own Monitor file (SB3's Monitor rewrites its header's start time only in a new file)."""
    stem, k = run_dir / str(rank), 1
    while stem.with_name(stem.name + MONITOR_SUFFIX).exists():
        stem, k = run_dir / f"{rank}_{k}", k + 1
    return stem


def make_vec_env(config: Any, run_dir: Path | None) -> Any:
    """The run's ``n_envs`` envs as one SB3 VecEnv (``config.vec_env``), seeded ``seed``, ``seed + 1``, ...

    :param run_dir: where the Monitor files go (None: no files).
    """
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    kind = getattr(config, "vec_env", "dummy")
    if kind not in VEC_ENVS:
        raise ValueError(f"unknown vec env {kind!r}; expected one of {', '.join(VEC_ENVS)}")
    if config.n_envs < 1:
        raise ValueError(f"n_envs must be at least 1, got {config.n_envs}")

    def factory(rank: int):
        monitor = None if run_dir is None else monitor_stem(run_dir, rank)
        return lambda: make_env(config, config.benchmarks, seed=config.seed + rank, monitor=monitor)

    factories = [factory(rank) for rank in range(config.n_envs)]
    # forkserver: a fresh interpreter per env (forking a process that holds env workers and torch threads is
    # unsafe); the env then builds its own worker.
    if kind == "subproc":
        vec_env = SubprocVecEnv(factories, start_method="forkserver")
    elif kind == "thread":
        from rl_compiler.agents.rl.thread_vec_env import ThreadVecEnv

        vec_env = ThreadVecEnv(factories)
    else:
        vec_env = DummyVecEnv(factories)
    vec_env.seed(config.seed)
    return vec_env

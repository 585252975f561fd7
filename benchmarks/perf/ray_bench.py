"""What Ray buys and costs on this machine: ``search --ray`` on one node against two, the per-task overhead
against the same work without Ray, and RLlib's env steps/s against the SB3 path on the same env id.

1. Scaling: a local cluster (``ray start --head`` + ``ray start --address``, one CPU per node, as in the
   tests) runs a greedy search (a fixed step budget) on each of ``--benchmarks`` train-split programs, one task
   each, alternately with the second node joined and stopped; throughput = benchmarks per second.
2. Overhead: the same searches in this process, one after another (one core, no Ray), against the one-node
   cluster; and an empty task's round trip on the one-node cluster.
3. Training: PPO on ``rl_compiler/llvm-autophase-ic-v0`` with the same hyperparameters (``n_steps`` 256,
   minibatch 64, 10 epochs, ``[64, 64]`` tanh) through SB3 and through RLlib (one env runner, learner in the
   driver, a local Ray), env steps per second of training after set-up (set-up reported apart).

Rounds are interleaved; the table gives medians [slowest-fastest]. Usage:

    python benchmarks/perf/ray_bench.py [--rounds 3] [--benchmarks 8] [--steps 2048] [--out ray_bench.md]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from perfreport import emit

import rl_compiler  # noqa: F401  (registers the ids)

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
TRAIN_OVERRIDES = {"n_steps": 256, "batch_size": 64, "n_epochs": 10, "policy_kwargs": {"net_arch": [64, 64]}}
WRAPPERS = ["start-oz", "autophase-norm", "action-histogram"]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def search_rates(rounds: int, uris: list[str], budget: int) -> dict[str, list[float]]:
    """Benchmarks/s: in-process (no Ray), Ray on one node, Ray on two nodes; empty-task ms on one node."""
    import gymnasium as gym

    from rl_compiler.agents.distributed_evaluation import evaluate_on_ray
    from rl_compiler.agents.evaluation import evaluate
    from rl_compiler.agents.registry import make_agent
    from rl_compiler.distributed import ray_session, run_tasks
    from rl_compiler.distributed.local_cluster import LocalCluster

    agent = make_agent("greedy", max_steps=budget)
    rates: dict[str, list[float]] = {"no Ray (this process)": [], "Ray, 1 node": [], "Ray, 2 nodes": [], "noop": []}
    with LocalCluster(head_cpus=1) as cluster:
        worker = None
        env = gym.make(ENV_ID)
        try:
            evaluate(agent, env, uris[:1], run_programs=False, progress=False)  # benchmarks built and cached
        finally:
            env.close()
        for _ in range(rounds):
            env = gym.make(ENV_ID)
            start = time.perf_counter()
            try:
                evaluate(agent, env, uris, run_programs=False, progress=False)
            finally:
                env.close()
            rates["no Ray (this process)"].append(len(uris) / (time.perf_counter() - start))
            for nodes in (1, 2):
                if nodes == 2:
                    worker = cluster.add_node(num_cpus=1)
                with ray_session(cluster.address):
                    start = time.perf_counter()
                    evaluate_on_ray(agent, ENV_ID, uris, address=cluster.address, run_programs=False)
                    rates[f"Ray, {nodes} node{'s' * (nodes > 1)}"].append(len(uris) / (time.perf_counter() - start))
                    if nodes == 1:
                        list(run_tasks(abs, [(i, (i,)) for i in range(5)]))  # workers warm
                        start = time.perf_counter()
                        list(run_tasks(abs, [(i, (i,)) for i in range(50)]))
                        rates["noop"].append((time.perf_counter() - start) / 50 * 1000)
                if worker is not None:
                    cluster.stop_node(worker)
                    cluster.nodes.remove(worker)
                    worker = None
    return rates


def training_rates(rounds: int, steps: int) -> dict[str, list[float]]:
    """Env steps/s of SB3 and RLlib PPO training after set-up, and their set-up seconds."""
    from rl_compiler.agents.rl import training
    from rl_compiler.agents.rl.rllib import build_algorithm, env_steps
    from rl_compiler.agents.rl.vec_envs import make_env
    from rl_compiler.distributed import ray_session

    overrides = [f"{k}={v}" for k, v in TRAIN_OVERRIDES.items()] + [f"wrappers={WRAPPERS}", "episode_length=20"]
    config = training.resolve_config("ppo", ENV_ID, n_timesteps=steps, overrides=overrides, eval_split=None)
    rates: dict[str, list[float]] = {"SB3": [], "RLlib": [], "SB3 set-up": [], "RLlib set-up": []}
    for _ in range(rounds):
        from stable_baselines3 import PPO
        from stable_baselines3.common.vec_env import DummyVecEnv

        start = time.perf_counter()
        vec = DummyVecEnv([lambda: make_env(config, config.benchmarks, seed=0)])
        model = PPO("MlpPolicy", vec, seed=0, device="cpu", **config.hyperparams)
        rates["SB3 set-up"].append(time.perf_counter() - start)
        start = time.perf_counter()
        model.learn(total_timesteps=steps)
        rates["SB3"].append(model.num_timesteps / (time.perf_counter() - start))
        vec.close()

        start = time.perf_counter()
        with ray_session(None, num_cpus=2):
            algo, _, _ = build_algorithm(config, num_env_runners=1)
            try:
                rates["RLlib set-up"].append(time.perf_counter() - start)
                done, start = 0, time.perf_counter()
                while done < steps:
                    done = env_steps(algo.train())
                rates["RLlib"].append(done / (time.perf_counter() - start))
            finally:
                algo.stop()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--benchmarks", type=int, default=8, help="train-split programs searched per round")
    parser.add_argument("--budget", type=int, default=40, help="greedy search steps per benchmark")
    parser.add_argument("--steps", type=int, default=2048, help="training env steps per round")
    parser.add_argument("--parts", nargs="+", choices=("search", "train"), default=["search", "train"])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from rl_compiler.datasets import get_dataset

    uris = sorted(get_dataset("builtin-v0").split("train"), key=len)[: args.benchmarks]
    lines: list[str] = []
    if "search" in args.parts:
        search = search_rates(args.rounds, uris, args.budget)
        one, two, local = (
            statistics.median(search[k]) for k in ("Ray, 1 node", "Ray, 2 nodes", "no Ray (this process)")
        )
        per_task = (1 / one - 1 / local) * 1000
        lines += [
            f"Greedy search ({args.budget} steps) on {len(uris)} train-split programs, one Ray task each; "
            f"{args.rounds} interleaved rounds, medians [slowest-fastest] (2 shared cores).",
            "",
            "| set-up | benchmarks/s |",
            "|---|---:|",
            *(f"| {name} | {_median(values)} |" for name, values in search.items() if name != "noop"),
            "",
            f"2 nodes / 1 node: **{two / one:.2f}x**. Ray on 1 node / no Ray: {one / local:.2f}x, "
            f"i.e. {per_task:+.0f} ms per task; an empty task's round trip: {_median(search['noop'])} ms.",
            "",
        ]
    if "train" in args.parts:
        train = training_rates(args.rounds, args.steps)
        lines += [
            f"PPO on `{ENV_ID}` (same hyperparameters), {args.steps} env steps of training per round:",
            "",
            "| backend | env steps/s (training) | set-up s |",
            "|---|---:|---:|",
            f"| SB3 (DummyVecEnv, 1 env) | {_median(train['SB3'])} | {_median(train['SB3 set-up'])} |",
            f"| RLlib (1 env runner + learner, local Ray) | {_median(train['RLlib'])} "
            f"| {_median(train['RLlib set-up'])} |",
            "",
            f"RLlib / SB3: {statistics.median(train['RLlib']) / statistics.median(train['SB3']):.2f}x.",
        ]
    emit(lines, args.out)


if __name__ == "__main__":
    main()

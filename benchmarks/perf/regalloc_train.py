"""A short MaskablePPO run on llvm-regalloc-v0, scored against LLVM's heuristic on held-out modules.

Trains sb3-contrib's MaskablePPO (``MlpPolicy``, the flat observation, action masks from the env) on a few
built-in programs for a small budget of eviction decisions, then plays one deterministic episode on each
held-out module and prints, per module, the weighted spill score (lower is better) of LLVM's default
heuristic, of the trained policy and of the "first legal" / "random legal" baselines, and the reward
``1 - (s_policy + 1) / (s_default + 1)`` (positive = better than LLVM). Usage::

    python benchmarks/perf/regalloc_train.py [--timesteps 4096] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from rl_compiler.envs.mlgo_policies import RandomLegal, first_legal, run_episode
from rl_compiler.envs.regalloc import RegallocEnv
from rl_compiler.llvm.toolchain import get_toolchain

TRAIN = [
    "benchmark://builtin-v0/sha256",
    "benchmark://builtin-v0/adler32",
    "benchmark://builtin-v0/boyermoore",
]
POSTGRES = Path("/usr/lib/postgresql/15/lib/bitcode/postgres")
HELD_OUT = [
    "benchmark://builtin-v0/stencil",
    "benchmark://builtin-v0/crc32",
    "benchmark://builtin-v0/fft",
    "benchmark://builtin-v0/spmv",
    "benchmark://builtin-v0/kmp",
    str(POSTGRES / "access/heap/heapam.bc"),
    str(POSTGRES / "utils/adt/numeric.bc"),
]


def main() -> None:
    from sb3_contrib import MaskablePPO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = RegallocEnv(TRAIN)
    model = MaskablePPO(
        "MlpPolicy",
        env,
        n_steps=512,
        batch_size=128,
        n_epochs=4,
        learning_rate=3e-4,
        gamma=1.0,
        seed=args.seed,
        device="cpu",
        verbose=0,
    )
    start = time.perf_counter()
    model.learn(total_timesteps=args.timesteps)
    train_time = time.perf_counter() - start
    env.close()

    def ppo(observation, info):
        action, _ = model.predict(observation, action_masks=info["action_mask"], deterministic=True)
        return int(action)

    held_out = [m for m in HELD_OUT if "://" in m or Path(m).exists()]
    env = RegallocEnv(held_out[0])
    rows = []
    for benchmark in held_out:
        scores = {}
        for name, policy in (("ppo", ppo), ("first", first_legal), ("random", RandomLegal(seed=args.seed))):
            reward, steps, info = run_episode(env, policy, benchmark=benchmark, seed=args.seed)
            scores[name] = (info["score"], reward, steps)
        rows.append((benchmark.rsplit("/", 1)[-1], info["default_score"], scores))
    env.close()

    print(
        f"MaskablePPO (MlpPolicy, n_steps=512, batch 128, 4 epochs, gamma 1, seed {args.seed}) trained for "
        f"{args.timesteps} decisions on {', '.join(t.rsplit('/', 1)[-1] for t in TRAIN)} "
        f"in {train_time:.0f} s "
        f"(LLVM {get_toolchain().version}, load average {os.getloadavg()[0]:.1f})."
    )
    print()
    print(
        "| held-out module | default score | PPO score | PPO reward | first-legal score | first-legal reward "
        "| random score | random reward | PPO decisions |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, default, s in rows:
        print(
            f"| {name} | {default:.1f} | {s['ppo'][0]:.1f} | {s['ppo'][1]:+.4f} | {s['first'][0]:.1f} "
            f"| {s['first'][1]:+.4f} | {s['random'][0]:.1f} | {s['random'][1]:+.4f} | {s['ppo'][2]} |"
        )
    for name in ("ppo", "first", "random"):
        rewards = [s[name][1] for _, _, s in rows]
        total = sum(s[name][0] for _, _, s in rows)
        default_total = sum(d for _, d, _ in rows)
        print(
            f"\n{name}: mean reward {statistics.mean(rewards):+.4f}, median {np.median(rewards):+.4f}; "
            f"summed score {total:.1f} vs default {default_total:.1f} "
            f"({100 * (total / default_total - 1):+.1f}%)",
            end="",
        )
    print()


if __name__ == "__main__":
    main()

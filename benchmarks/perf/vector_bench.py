"""Throughput of vectorized pass-ordering envs: which ``gym.make_vec`` set-up steps fastest.

``rl_compiler/llvm-autophase-ic-v0`` on ``programs/crcfile.c`` (the size of cBench crc32), CompilerGym's
action set, seeded random actions, episodes of 20 steps; env steps per second of

- ``vectorization_mode="sync"`` (Gymnasium's ``SyncVectorEnv``: the envs stepped in turn),
- ``"async"`` (``AsyncVectorEnv``: one process per env),
- ``"vector_entry_point"`` (the default of ``gym.make_vec(id, n)``: ``PipelinedVectorEnv``, every env's step sent
  to its worker before the first reply is read; isolated, the envs share one worker per CPU beyond the caller's,
  and ``worker per env`` is its layout before, ``workers=n``),

each with crash-isolated envs (a worker process per env for ``sync`` and ``async``) and in-process ones
(``isolated=False``),

for several numbers of envs, in interleaved rounds (each round starting at another set-up). Prints one Markdown
table of the medians over the rounds [slowest-fastest] (and writes it to --out). Usage:

    python benchmarks/perf/vector_bench.py [--rounds 3] [--out benchmarks/perf/vector_bench.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
from perfreport import emit

import rl_compiler  # noqa: F401  (registers the ids)

PROGRAM = (Path(__file__).resolve().parent / "programs" / "crcfile.c").as_uri()
ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
SETUPS = {
    "sync, in-process": ("sync", False, None),
    "async, in-process": ("async", False, None),
    "pipelined, in-process": ("vector_entry_point", False, None),
    "sync, isolated": ("sync", True, None),
    "async, isolated": ("async", True, None),
    "pipelined, isolated": ("vector_entry_point", True, None),
    "pipelined, isolated, worker per env": ("vector_entry_point", True, "per-env"),
}


def vector_rate(mode: str, isolated: bool, num_envs: int, seconds: float, workers: str | None = None) -> float:
    """Env steps per second of ``gym.make_vec`` stepping random actions for ``seconds`` (``workers``: the
    pipelined env's ``workers=``, ``"per-env"`` for one worker per env; None: its default)."""
    extra = {} if workers is None else {"workers": num_envs if workers == "per-env" else int(workers)}
    envs = gym.make_vec(
        ENV_ID,
        num_envs=num_envs,
        vectorization_mode=mode,
        benchmark=PROGRAM,
        action_set="compiler_gym",
        isolated=isolated,
        max_episode_steps=20,
        **extra,
    )
    try:
        envs.reset(seed=0)
        rng = np.random.default_rng(0)
        n = envs.single_action_space.n
        for _ in range(20):  # warm up: workers started, benchmark prepared
            envs.step(rng.integers(n, size=num_envs))
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            envs.step(rng.integers(n, size=num_envs))
            steps += num_envs
        return steps / (time.perf_counter() - start)
    finally:
        envs.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--envs", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--setups", nargs="*", default=list(SETUPS), choices=list(SETUPS), metavar="SETUP")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    load = os.getloadavg()[0]
    setups = {setup: SETUPS[setup] for setup in args.setups}
    rates: dict[tuple[str, int], list[float]] = {(setup, n): [] for setup in setups for n in args.envs}
    order = list(rates)
    for round_ in range(args.rounds):
        # Each round starts further along the list: no set-up always runs first, or always after another.
        shift = round_ * len(order) // args.rounds
        for setup, n in order[shift:] + order[:shift]:
            mode, isolated, workers = setups[setup]
            rates[setup, n].append(vector_rate(mode, isolated, n, args.seconds, workers))
        print(f"round {round_ + 1}: done (load average {os.getloadavg()[0]:.1f})", flush=True)

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} [{min(values):.0f}-{max(values):.0f}]"

    lines = [
        f"`gym.make_vec({ENV_ID!r}, ...)` on crcfile (258 instructions), CompilerGym's action set, random actions; "
        f"env steps/s, median of {args.rounds} interleaved rounds [slowest-fastest] ({os.cpu_count()} cores, "
        f"load average {load:.1f} at start).",
        "",
        "| set-up | " + " | ".join(f"{n} env{'s' if n > 1 else ''}" for n in args.envs) + " |",
        "|---|" + "---:|" * len(args.envs),
    ]
    for setup in setups:
        lines.append(f"| {setup} | " + " | ".join(cell(rates[setup, n]) for n in args.envs) + " |")
    emit(lines, args.out)


if __name__ == "__main__":
    main()

"""What the bounded spin before sleeping on the worker pipe (``RL_COMPILER_SPIN_US``) buys, and costs.

With the spin on (the default, 250 µs) and off (0), in interleaved rounds on ``programs/crcfile.c``
(the size of cBench crc32), `llvm-autophase-ic-v0` with CompilerGym's action set:

- round trip of a tiny session request (``instruction_count``) and of ``autophase``;
- a single env stepping back to back (median and mean step, ms);
- the same with the caller busy for ``--think`` ms between steps (a policy's forward pass), beside the
  in-process env (which has no worker to wait for);
- ``gym.make_vec(..., vectorization_mode="async")`` with 1, 4 and 8 envs: env steps per second.

Prints one Markdown table of the medians over the rounds (and writes it to --out). Usage:

    python benchmarks/perf/spin_bench.py [--rounds 3] [--out benchmarks/perf/spin_bench.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import numpy as np
from perfreport import emit
from vector_bench import vector_rate

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.llvm.pipeio import SPIN_ENV

PROGRAM = (Path(__file__).resolve().parent / "programs" / "crcfile.c").as_uri()
ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
SETTINGS = {"spin 250 µs (default)": "250", "no spin": "0"}


def make_env(isolated: bool = True) -> gym.Env:
    return gym.make(ENV_ID, benchmark=PROGRAM, action_set="compiler_gym", isolated=isolated)


def round_trips(n: int = 2000) -> tuple[float, float]:
    """Median µs of a tiny request and of ``autophase`` through the worker."""
    env = make_env()
    env.reset()
    session = env.unwrapped.session
    result = []
    for query in (session.instruction_count, session.autophase):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            query()
            times.append(time.perf_counter() - t)
        result.append(statistics.median(times) * 1e6)
    env.close()
    return result[0], result[1]


def step_times(isolated: bool, think_ms: float, steps: int, episode: int = 20) -> list[float]:
    """Seconds per ``step`` with seeded random actions; the caller spins ``think_ms`` before each step."""
    env = make_env(isolated)
    rng = np.random.default_rng(0)
    actions = rng.integers(env.action_space.n, size=steps)
    times = []
    for i, action in enumerate(actions):
        if i % episode == 0:
            env.reset()
        end = time.perf_counter() + think_ms * 1e-3
        while time.perf_counter() < end:
            pass
        t = time.perf_counter()
        env.step(int(action))
        times.append(time.perf_counter() - t)
    env.close()
    return times


def with_spin(value: str, measure: Callable[[], object]) -> object:
    """Run ``measure`` with ``RL_COMPILER_SPIN_US=value`` (read by each worker and session as it starts)."""
    old = os.environ.get(SPIN_ENV)
    os.environ[SPIN_ENV] = value
    try:
        return measure()
    finally:
        if old is None:
            os.environ.pop(SPIN_ENV, None)
        else:
            os.environ[SPIN_ENV] = old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--think", type=float, default=0.3, help="ms the caller computes between steps")
    parser.add_argument("--seconds", type=float, default=5.0, help="per vector-env measurement")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    columns = [
        "tiny request (µs)",
        "autophase request (µs)",
        "step back to back (ms)",
        f"step after {args.think:g} ms of caller work (ms)",
        "vector env x1 (steps/s)",
        "vector env x4 (steps/s)",
        "vector env x8 (steps/s)",
    ]
    results: dict[str, dict[str, list[float]]] = {name: {c: [] for c in columns} for name in SETTINGS}
    in_process: list[float] = []
    for round_ in range(args.rounds):
        for name, value in SETTINGS.items():
            row = results[name]
            tiny, autophase = with_spin(value, round_trips)
            row[columns[0]].append(tiny)
            row[columns[1]].append(autophase)
            row[columns[2]].append(statistics.median(with_spin(value, lambda: step_times(True, 0.0, args.steps))))
            row[columns[3]].append(
                statistics.median(with_spin(value, lambda: step_times(True, args.think, args.steps)))
            )
            for k, n in enumerate((1, 4, 8)):
                row[columns[4 + k]].append(with_spin(value, lambda n=n: vector_rate("async", True, n, args.seconds)))
        in_process.append(statistics.median(step_times(False, args.think, args.steps)))
        print(f"round {round_ + 1}: done", flush=True)

    def cell(column: str, values: list[float]) -> str:
        value = statistics.median(values)
        return f"{value * 1e3:.3f}" if "(ms)" in column else f"{value:.0f}"

    lines = [
        f"`{ENV_ID}` on crcfile (258 instructions), CompilerGym's action set; medians of {args.rounds} "
        f"interleaved rounds ({os.cpu_count()} cores).",
        "",
        "| setting | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name in SETTINGS:
        lines.append(f"| {name} | " + " | ".join(cell(c, results[name][c]) for c in columns) + " |")
    lines += [
        "",
        f"In-process env (no worker), step after {args.think:g} ms of caller work: "
        f"{statistics.median(in_process) * 1e3:.3f} ms.",
    ]
    emit(lines, args.out)


if __name__ == "__main__":
    main()

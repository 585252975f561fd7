"""Cost of the Programl graph observation against Autophase, measured side by side in one run.

(1) Construction: on every built-in program of 250-10,000 IR instructions (as episodes start), the
    native Autophase walk (``Module.autophase()``) against the graph: the native walk with its arrays
    copied out (``Module.programl()``) and the full observation (``programl_graph(...)``: vocabulary ids and
    the ``GraphInstance``). The calls alternate in order every round; medians per program, and the median
    of the per-program ratios (target: graph <= 3x Autophase).
(2) Step: ``env.step`` of ``rl_compiler/llvm-v0`` with ``observation_space="Programl"`` against
    ``"Autophase"`` (reward ``IrInstructionCountOz`` both, the default worker process), on crc32, the two envs
    stepping the same actions in lockstep and alternating which goes first (target: <= 2x).

Usage: python benchmarks/perf/programl_bench.py [--rounds 15] [--steps 200] [--out table.md]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
from perfreport import emit

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.datasets import get_benchmark, get_dataset
from rl_compiler.graph import programl_graph
from rl_compiler.llvm import Module


def construction(names: list[str] | None, rounds: int, low: int, high: int) -> list[dict]:
    uris = [f"benchmark://builtin-v0/{n}" for n in names] if names else get_dataset("builtin-v0").benchmark_uris()
    rows = []
    for uri in uris:
        module = Module.from_bitcode(get_benchmark(uri).bitcode())
        count = module.instruction_count()
        if not low <= count <= high:
            module.close()
            continue
        calls = {
            "autophase": module.autophase,
            "walk": module.programl,
            "observation": lambda m=module: programl_graph(m.programl()),
        }
        samples: dict[str, list[float]] = {name: [] for name in calls}
        order = list(calls)
        for r in range(rounds):
            for name in order[r % 3 :] + order[: r % 3]:
                start = time.perf_counter()
                calls[name]()
                samples[name].append(time.perf_counter() - start)
        graph = programl_graph(module.programl())
        medians = {name: statistics.median(s) * 1e3 for name, s in samples.items()}
        rows.append({"program": uri.rsplit("/", 1)[1], "instructions": count, "nodes": graph.num_nodes,
                     "edges": graph.num_edges, **medians})  # fmt: skip
        module.close()
    return sorted(rows, key=lambda row: row["instructions"])


def steps(benchmark: str, count: int, seed: int = 0) -> dict[str, float]:
    envs = {name: gym.make("rl_compiler/llvm-v0", observation_space=name, reward_space="IrInstructionCountOz",
                           benchmark=benchmark) for name in ("Autophase", "Programl")}  # fmt: skip
    rng = np.random.default_rng(seed)
    n = envs["Autophase"].action_space.n
    samples: dict[str, list[float]] = {name: [] for name in envs}
    try:
        for env in envs.values():
            env.reset(seed=seed)
        order = list(envs)
        for k in range(count):
            action = int(rng.integers(n))
            if k % 20 == 19:  # keep episodes short and programs near their starting size
                for env in envs.values():
                    env.reset()
            for name in order[k % 2 :] + order[: k % 2]:
                start = time.perf_counter()
                envs[name].step(action)
                samples[name].append(time.perf_counter() - start)
        size = envs["Autophase"].unwrapped.observation["IrInstructionCount"]
    finally:
        for env in envs.values():
            env.close()
    return {"instructions": size, **{name: statistics.median(s) * 1e3 for name, s in samples.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--programs", nargs="*", help="built-in program names (default: all in range)")
    parser.add_argument("--min-instructions", type=int, default=250)
    parser.add_argument("--max-instructions", type=int, default=10_000)
    parser.add_argument("--step-benchmark", default="benchmark://builtin-v0/crc32")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    rows = construction(args.programs, args.rounds, args.min_instructions, args.max_instructions)
    lines = [
        f"Graph construction vs the Autophase walk (in-process, median of {args.rounds} alternating rounds, ms)",
        "",
        "| program | IR instructions | graph nodes | graph edges | Autophase | graph walk | graph observation "
        "| walk / Autophase | observation / Autophase |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['program']} | {row['instructions']} | {row['nodes']} | {row['edges']} | "
            f"{row['autophase']:.3f} | {row['walk']:.3f} | {row['observation']:.3f} | "
            f"{row['walk'] / row['autophase']:.2f}x | {row['observation'] / row['autophase']:.2f}x |"
        )
    if rows:
        walk = statistics.median(r["walk"] / r["autophase"] for r in rows)
        full = statistics.median(r["observation"] / r["autophase"] for r in rows)
        lines += ["", f"Median ratio over {len(rows)} programs: walk {walk:.2f}x, observation {full:.2f}x Autophase."]
    step = steps(args.step_benchmark, args.steps)
    lines += [
        "",
        f"Step with each observation ({args.step_benchmark}, ~{step['instructions']} IR instructions; "
        f"median of {args.steps} lockstep steps, ms)",
        "",
        "| observation | step | ratio |",
        "|---|--:|--:|",
        f"| Autophase | {step['Autophase']:.3f} | 1.00x |",
        f"| Programl | {step['Programl']:.3f} | {step['Programl'] / step['Autophase']:.2f}x |",
    ]
    emit(lines, args.out)


if __name__ == "__main__":
    main()

"""How well the runtime proxies rank real run times, and what one observation of each kind costs.

For every runnable built-in program (the ``runtime`` build variant, as the runtime envs use) and several pass
sequences (none, ``mem2reg``, a cleanup pipeline, a seeded random sequence of 20 actions, -O1, -O2, -O3 and
-Oz), measure

- ``DynamicInstructionCount`` and ``EstimatedCycles`` (one instrumented run each; identical on a second run,
  which is checked),
- the wall time: ``--rounds`` interleaved rounds over all (program, sequence) states, each round one warm-up
  run and ``--runs`` timed runs of a freshly linked executable; the state's wall time is the median of all
  its timed runs,

then the Spearman rank correlation of each proxy (and of the static ``IrInstructionCount``) with wall time:
within each program across its sequences (median and range over programs: what a reward needs), and pooled
over every state. Also times one observation of each kind per program. Usage (run it niced; it takes minutes):

    nice -n 10 python benchmarks/perf/runtime_bench.py [--programs crc32,sort] [--rounds 5] [--runs 3]
        [--out benchmarks/perf/runtime_bench.md]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
from pathlib import Path

import numpy as np
from perfreport import emit

from rl_compiler.datasets import get_benchmark, get_dataset
from rl_compiler.datasets.profile import profile_module
from rl_compiler.datasets.timing import RuntimeStats
from rl_compiler.envs.action_sets import load_action_set
from rl_compiler.llvm.baselines import optimize_oz
from rl_compiler.llvm.module import Module

SEQUENCES = {
    "none": "",
    "mem2reg": "function(mem2reg)",
    "cleanup": "function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg)",
    "random20": None,  # filled per run from a seeded draw of the default action set
    "O1": "default<O1>",
    "O2": "default<O2>",
    "O3": "default<O3>",
    "Oz": "Oz",
}


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties)."""

    def ranks(values: list[float]) -> np.ndarray:
        order = np.argsort(values, kind="stable")
        result = np.empty(len(values))
        sorted_values = np.asarray(values)[order]
        i = 0
        while i < len(values):
            j = i
            while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
                j += 1
            result[order[i : j + 1]] = (i + j) / 2
            i = j + 1
        return result

    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def state_bitcode(bitcode: bytes, pipeline: str) -> bytes:
    with Module.from_bitcode(bitcode) as module:
        if pipeline == "Oz":
            with optimize_oz(module) as oz:
                return oz.bitcode()
        if pipeline:
            module.run_passes(pipeline)
        return module.bitcode()


def split_half(times: list[float], runs: int) -> tuple[float, float]:
    """Medians of the even and the odd rounds' runs: two independent measurements of the same state."""
    even = [t for i, t in enumerate(times) if (i // runs) % 2 == 0]
    odd = [t for i, t in enumerate(times) if (i // runs) % 2 == 1]
    if not odd:  # a single round has no second half
        return math.nan, math.nan
    return statistics.median(even), statistics.median(odd)


def profile_states(names: list[str], sequences: dict[str, str]) -> tuple[list[dict], dict[str, dict[str, float]]]:
    """Every (program, sequence) state with its static and dynamic costs, and one observation's cost per
    program; each dynamic cost is measured twice and must agree."""
    states: list[dict] = []
    costs: dict[str, dict[str, float]] = {}
    for name in names:
        benchmark = get_benchmark(f"benchmark://builtin-v0/{name}")
        if not benchmark.runnable:
            continue
        start = benchmark.bitcode("runtime")
        # Cost of one observation of each kind on the start state, caches off.
        with Module.from_bitcode(start) as module:
            t0 = time.perf_counter()
            module.instruction_count()
            t1 = time.perf_counter()
            profile_module(benchmark, module, use_cache=False)
            t2 = time.perf_counter()
        RuntimeStats.measure(benchmark, start, warmup=1, repeats=5)
        t3 = time.perf_counter()
        costs[name] = {"ic_ms": (t1 - t0) * 1e3, "profile_ms": (t2 - t1) * 1e3, "runtime5_ms": (t3 - t2) * 1e3}
        for label, pipeline in sequences.items():
            with Module.from_bitcode(state_bitcode(start, pipeline)) as module:
                first = profile_module(benchmark, module, use_cache=False)
                second = profile_module(benchmark, module, use_cache=False)
                ic = module.instruction_count()
            if first != second:
                raise SystemExit(f"{name}/{label}: the dynamic cost differs between two runs: {first} {second}")
            states.append(
                {
                    "program": name, "sequence": label, "ic": ic,
                    "dyn": first.dynamic_instructions, "cycles": first.estimated_cycles,
                }
            )  # fmt: skip
        print(f"profiled {name}", flush=True)
    return states, costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", help="comma-separated built-in names (default: every runnable one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per state and round")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--profiles-from", type=Path, help="reuse the states and costs of an earlier --json")
    args = parser.parse_args()

    names = args.programs.split(",") if args.programs else [b.name for b in get_dataset("builtin-v0").benchmarks()]
    actions = load_action_set("default").pipelines
    random20 = ",".join(random.Random(0).choices(actions, k=20))
    sequences = {k: (random20 if v is None else v) for k, v in SEQUENCES.items()}
    if args.profiles_from:
        saved = json.loads(args.profiles_from.read_text())
        states = [s for s in saved["states"] if s["program"] in names]
        costs = {name: c for name, c in saved["costs"].items() if name in names}
    else:
        states, costs = profile_states(names, sequences)
    bitcodes: dict[tuple[str, str], bytes] = {}
    for state in states:
        benchmark = get_benchmark(f"benchmark://builtin-v0/{state['program']}")
        bitcodes[state["program"], state["sequence"]] = state_bitcode(
            benchmark.bitcode("runtime"), sequences[state["sequence"]]
        )
        state["times"], state["cpu_times"] = [], []

    for round_index in range(args.rounds):
        order = list(range(len(states)))
        random.Random(round_index).shuffle(order)  # interleave: drift of the machine's load spreads evenly
        for index in order:
            state = states[index]
            benchmark = get_benchmark(f"benchmark://builtin-v0/{state['program']}")
            stats = RuntimeStats.measure(
                benchmark, bitcodes[state["program"], state["sequence"]], warmup=1, repeats=args.runs
            )
            state["times"].extend(stats.times)
            state["cpu_times"].extend(stats.cpu_times)
        print(f"round {round_index + 1}/{args.rounds} done", flush=True)

    for state in states:
        state["wall"] = statistics.median(state["times"])
        state["cpu"] = statistics.median(state["cpu_times"])
        state["spread"] = RuntimeStats.from_times(state["times"]).spread
        state["cpu_spread"] = RuntimeStats.from_times(state["cpu_times"]).spread
        state["wall_halves"] = split_half(state["times"], args.runs)
        state["cpu_halves"] = split_half(state["cpu_times"], args.runs)
    programs = sorted({s["program"] for s in states})

    def correlations(x_of, y_of) -> tuple[list[float], float]:
        per_program = []
        for name in programs:
            mine = [s for s in states if s["program"] == name]
            rho = spearman([x_of(s) for s in mine], [y_of(s) for s in mine])
            if rho == rho:
                per_program.append(rho)
        return per_program, spearman([x_of(s) for s in states], [y_of(s) for s in states])

    rows = [
        ("IrInstructionCount (static)", lambda s: s["ic"]),
        ("DynamicInstructionCount", lambda s: s["dyn"]),
        ("EstimatedCycles", lambda s: s["cycles"]),
    ]
    lines = [
        f"Spearman rank correlation with measured run time: {len(programs)} built-in programs x "
        f"{len(sequences)} pass sequences ({', '.join(sequences)}); each state's time is the median of "
        f"{args.rounds * args.runs} runs ({args.rounds} interleaved rounds of 1 warm-up + {args.runs}). "
        "Per program: the correlation across its sequences (what a reward needs), median [min-max] over "
        "programs; pooled: over every state. The last rows correlate one half of the measurements (even "
        "rounds) with the other (odd rounds): how well run time ranks itself at this noise level.",
        "",
        "| proxy | vs wall time: per program | pooled | vs CPU time: per program | pooled |",
        "|---|---:|---:|---:|---:|",
    ]

    def cell(values: list[float]) -> str:
        if not values:
            return "n/a"
        return f"{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"

    for label, proxy in rows:
        wall, wall_pooled = correlations(proxy, lambda s: s["wall"])
        cpu, cpu_pooled = correlations(proxy, lambda s: s["cpu"])
        lines.append(f"| {label} | {cell(wall)} | {wall_pooled:.2f} | {cell(cpu)} | {cpu_pooled:.2f} |")
    wall, wall_pooled = correlations(lambda s: s["wall_halves"][0], lambda s: s["wall_halves"][1])
    cpu, cpu_pooled = correlations(lambda s: s["cpu_halves"][0], lambda s: s["cpu_halves"][1])
    lines.append(
        f"| run time itself (split half) | {cell(wall)} | {wall_pooled:.2f} | {cell(cpu)} | {cpu_pooled:.2f} |"
    )
    rel = [s["spread"] / s["wall"] for s in states]
    rel_cpu = [s["cpu_spread"] / s["cpu"] for s in states]
    lines += [
        "",
        f"Noise: relative spread (1.4826 x MAD / median) per state: wall time median {statistics.median(rel):.1%} "
        f"(max {max(rel):.1%}), CPU time median {statistics.median(rel_cpu):.1%} (max {max(rel_cpu):.1%}).",
        "",
        "Cost of one observation on each program's start state (ms, caches off; the dynamic costs come from "
        "one instrumented run: instrument, llc, link, run; Runtime links once and runs 1 warm-up + 5 times):",
        "",
        "| program | IrInstructionCount (ms) | DynamicInstructionCount + EstimatedCycles (ms) "
        "| Runtime, 1+5 runs (ms) | one run at start, wall (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in programs:
        c = costs[name]
        start_wall = next(s["wall"] for s in states if s["program"] == name and s["sequence"] == "none")
        lines.append(
            f"| {name} | {c['ic_ms']:.2f} | {c['profile_ms']:.0f} | {c['runtime5_ms']:.0f} | {start_wall * 1e3:.1f} |"
        )
    totals = {key: statistics.median(c[key] for c in costs.values()) for key in ("profile_ms", "runtime5_ms")}
    lines.append(f"| **median** | | {totals['profile_ms']:.0f} | {totals['runtime5_ms']:.0f} | |")
    emit(lines, args.out)
    if args.json:
        args.json.write_text(json.dumps({"states": states, "costs": costs}, indent=1))


if __name__ == "__main__":
    main()

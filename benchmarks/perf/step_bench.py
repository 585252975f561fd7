"""What one pass-ordering step costs, part by part, side by side with another checkout (issue 19).

``rl_compiler/llvm-autophase-ic-v0`` (Autophase observation, IrInstructionCountOz reward) on ``crcfile`` (the
size of cBench crc32, see ``env_bench.py``) and built-in programs, CompilerGym's action set, seeded random
actions in episodes of 20. Per program and checkout:

- the step's parts in-process, timed alone on the same states: the pass (``LLVMRunPasses`` alone), the
  queries an env step asks after it (fingerprint, instruction count, Autophase: three engine calls before
  issue 19's step work, one walk after), medians in µs;
- the step through ``gym.make`` in-process and isolated: median and mean µs, and steps/s from the mean step
  (CompilerGym's ~1,100 steps/s on crc32 is a mean rate).

``--baseline DIR`` names a checkout of the commit to compare with (e.g. ``git archive <commit> | tar -x -C
DIR``): each round runs this script's measurement once per checkout, in a fresh process whose ``rl_compiler``
comes from that checkout, alternating which goes first; the table gives medians over the rounds and
after/before ratios, with the load average at the start and the end (the machine is shared)::

    python benchmarks/perf/step_bench.py --baseline /tmp/base --rounds 5 --out benchmarks/perf/step_bench.md
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRCFILE = (HERE / "programs" / "crcfile.c").as_uri()
ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
QUERIES = ("fingerprint", "instruction_count", "autophase")
EPISODE = 20
COMPILER_GYM_STEPS_PER_S = 1100


def program_uri(name: str) -> str:
    return CRCFILE if name == "crcfile" else f"benchmark://builtin-v0/{name}"


def measure(name: str, episodes: int) -> dict[str, float]:
    """One checkout's numbers for one program (run in the checkout's process)."""
    import gymnasium as gym
    import numpy as np

    import rl_compiler  # noqa: F401  (registers the ids)
    from rl_compiler.datasets import get_benchmark
    from rl_compiler.envs.program import prepare
    from rl_compiler.llvm.module import Module

    uri = program_uri(name)
    envs = {iso: gym.make(ENV_ID, benchmark=uri, action_set="compiler_gym", isolated=iso) for iso in (False, True)}
    pipelines = envs[False].unwrapped.action_names
    rng = np.random.default_rng(1)
    seqs = [[int(a) for a in rng.integers(len(pipelines), size=EPISODE)] for _ in range(episodes)]
    bitcode = prepare(get_benchmark(uri), "size").bitcode
    out: dict[str, float] = {}
    clock = time.perf_counter_ns

    # The parts, in-process, on the same states.
    passes, queries = [], []
    values = (ctypes.c_int64 * 256)()
    autophase = (ctypes.c_int64 * 56)()
    for seq in seqs:
        with Module.from_bitcode(bitcode) as module:
            lib, handle = module._lib, module._ptr
            fused = getattr(lib, "rlc_query", None)
            for action in seq:
                pipeline = pipelines[action].encode()
                t0 = clock()
                lib.rlc_run_passes_bare(handle, pipeline)
                t1 = clock()
                if fused is not None:
                    fused(handle, b"\x01\x02\x03", 3, values)
                else:
                    lib.rlc_fingerprint(handle)
                    lib.rlc_instruction_count(handle)
                    lib.rlc_features(handle, autophase, None)
                t2 = clock()
                passes.append((t1 - t0) / 1e3)
                queries.append((t2 - t1) / 1e3)
    out["pass_us"], out["queries_us"] = statistics.median(passes), statistics.median(queries)
    out["pass_mean_us"], out["queries_mean_us"] = statistics.mean(passes), statistics.mean(queries)

    # The env step as a user makes it.
    for iso, env in envs.items():
        times = []
        try:
            env.reset()  # warm-up: the worker started, baselines computed
            for seq in seqs:
                env.reset()
                for action in seq:
                    t = clock()
                    env.step(action)
                    times.append((clock() - t) / 1e3)
        finally:
            env.close()
        key = "isolated" if iso else "inprocess"
        out[f"{key}_median_us"], out[f"{key}_mean_us"] = statistics.median(times), statistics.mean(times)
        out[f"{key}_steps_per_s"] = 1e6 / statistics.mean(times)
    return out


ROWS = [
    ("pass_us", "pass alone, median (µs)"),
    ("queries_us", "queries (fingerprint, count, Autophase), median (µs)"),
    ("pass_mean_us", "pass alone, mean (µs)"),
    ("queries_mean_us", "queries, mean (µs)"),
    ("inprocess_median_us", "env step in-process, median (µs)"),
    ("inprocess_mean_us", "env step in-process, mean (µs)"),
    ("isolated_median_us", "env step isolated, median (µs)"),
    ("isolated_mean_us", "env step isolated, mean (µs)"),
    ("inprocess_steps_per_s", "steps/s in-process"),
    ("isolated_steps_per_s", "steps/s isolated"),
]


def run_checkout(tree: Path, programs: list[str], episodes: int) -> dict[str, dict[str, float]]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, __file__, "--measure", "--episodes", str(episodes), "--programs", *programs]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=20, help="episodes of 20 steps per measurement")
    parser.add_argument("--programs", nargs="*", default=["crcfile", "kmp", "crc32"])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps({name: measure(name, args.episodes) for name in args.programs}))
        return
    trees = {"before": args.baseline, "after": HERE.parent.parent}
    if args.baseline is None:
        trees.pop("before")
    load_start = os.getloadavg()[0]
    results: dict[str, list[dict]] = {label: [] for label in trees}
    for round_ in range(args.rounds):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for label in order:
            results[label].append(run_checkout(trees[label], args.programs, args.episodes))
        print(f"round {round_ + 1}/{args.rounds} done, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    load_end = os.getloadavg()[0]

    def med(label: str, program: str, key: str) -> float:
        return statistics.median(r[program][key] for r in results[label])

    from perfreport import emit

    lines = [
        f"One step of `{ENV_ID}`, CompilerGym's action set, {args.episodes} episodes of {EPISODE} seeded random "
        f"steps per measurement; medians over {args.rounds} interleaved rounds, each checkout in its own process "
        f"({os.cpu_count()} cores, load average {load_start:.1f} at start, {load_end:.1f} at end).",
        "",
        "| program | measure | " + " | ".join(trees) + (" | after / before |" if len(trees) == 2 else ""),
        "|---|---|" + "---:|" * (len(trees) + (1 if len(trees) == 2 else 0)),
    ]
    for program in args.programs:
        for key, title in ROWS:
            cells = [med(label, program, key) for label in trees]
            text = [f"{c:,.0f}" if "per_s" in key else f"{c:.1f}" for c in cells]
            if len(cells) == 2:
                text.append(f"{cells[1] / cells[0]:.2f}x")
            lines.append(f"| {program} | {title} | " + " | ".join(text) + " |")
    lines += [
        "",
        "| steps/s x CompilerGym's ~1,100 (isolated / in-process) | " + " | ".join(trees) + " |",
        "|---|" + "---:|" * len(trees),
    ]
    for program in args.programs:
        cells = [
            f"{med(label, program, 'isolated_steps_per_s') / COMPILER_GYM_STEPS_PER_S:.1f}x / "
            f"{med(label, program, 'inprocess_steps_per_s') / COMPILER_GYM_STEPS_PER_S:.1f}x"
            for label in trees
        ]
        lines.append(f"| {program} | " + " | ".join(cells) + " |")
    emit(lines, args.out)


if __name__ == "__main__":
    main()

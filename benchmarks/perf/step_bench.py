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
DIR``): each checkout gets one long-lived process whose ``rl_compiler`` comes from that checkout, and the two
take turns episode by episode (which goes first alternates), so both see the same machine; the table gives
medians and means over all steps and after/before ratios, with the load average at the start and the end
(the machine is shared)::

    python benchmarks/perf/step_bench.py --baseline /tmp/base --out benchmarks/perf/step_bench.md
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


class Child:
    """One checkout's measuring process (``--child``): envs and modules for every program, ready to run one
    episode of a kind on request, so that the two checkouts' episodes interleave one by one."""

    def __init__(self, programs: list[str], episodes: int) -> None:
        import gymnasium as gym
        import numpy as np

        import rl_compiler  # noqa: F401  (registers the ids)
        from rl_compiler.datasets import get_benchmark
        from rl_compiler.envs.program import prepare

        self.envs, self.bitcode, self.seqs = {}, {}, {}
        for name in programs:
            uri = program_uri(name)
            for iso in (False, True):
                env = gym.make(ENV_ID, benchmark=uri, action_set="compiler_gym", isolated=iso)
                env.reset()  # the worker started, baselines computed
                self.envs[name, iso] = env
            rng = np.random.default_rng(1)
            n = self.envs[name, False].action_space.n
            self.seqs[name] = [[int(a) for a in rng.integers(n, size=EPISODE)] for _ in range(episodes)]
            self.bitcode[name] = prepare(get_benchmark(uri), "size").bitcode
        self.pipelines = self.envs[programs[0], False].unwrapped.action_names

    def parts(self, name: str, k: int) -> list[list[float]]:
        """(pass, queries) µs per step of episode k, in-process, the engine called directly."""
        from rl_compiler.llvm.module import Module

        clock, out = time.perf_counter_ns, []
        values, autophase = (ctypes.c_int64 * 256)(), (ctypes.c_int64 * 56)()
        with Module.from_bitcode(self.bitcode[name]) as module:
            lib, handle = module._lib, module._ptr
            fused = getattr(lib, "rlc_query", None)  # absent before issue 19's step work
            for action in self.seqs[name][k]:
                pipeline = self.pipelines[action].encode()
                t0 = clock()
                lib.rlc_run_passes_bare(handle, pipeline)
                t1 = clock()
                if fused is not None:
                    fused(handle, b"\x01\x02\x03", 3, values)
                else:
                    lib.rlc_fingerprint(handle)
                    lib.rlc_instruction_count(handle)
                    lib.rlc_features(handle, autophase, None)
                out.append([(t1 - t0) / 1e3, (clock() - t1) / 1e3])
        return out

    def episode(self, name: str, iso: bool, k: int) -> list[float]:
        """µs per ``env.step`` of episode k through ``gym.make``."""
        env, clock, out = self.envs[name, iso], time.perf_counter_ns, []
        env.reset()
        for action in self.seqs[name][k]:
            t = clock()
            env.step(action)
            out.append((clock() - t) / 1e3)
        return out

    def serve(self) -> None:
        print("ready", flush=True)
        for line in sys.stdin:
            name, kind, k = line.split()
            result = self.parts(name, int(k)) if kind == "parts" else self.episode(name, kind == "isolated", int(k))
            print(json.dumps(result), flush=True)
        for env in self.envs.values():
            env.close()


ROWS = [
    ("pass", statistics.median, "pass alone, median (µs)"),
    ("queries", statistics.median, "queries (fingerprint, count, Autophase), median (µs)"),
    ("pass", statistics.mean, "pass alone, mean (µs)"),
    ("queries", statistics.mean, "queries, mean (µs)"),
    ("inprocess", statistics.median, "env step in-process, median (µs)"),
    ("inprocess", statistics.mean, "env step in-process, mean (µs)"),
    ("isolated", statistics.median, "env step isolated, median (µs)"),
    ("isolated", statistics.mean, "env step isolated, mean (µs)"),
    ("inprocess", None, "steps/s in-process (from the mean step)"),
    ("isolated", None, "steps/s isolated (from the mean step)"),
]


def start_child(tree: Path, programs: list[str], episodes: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(tree))
    script = str(Path(__file__).resolve())
    cmd = [sys.executable, script, "--child", "--episodes", str(episodes), "--programs", *programs]
    # Run in the checkout: the isolated envs' workers start with `python -m`, which puts the working directory
    # ahead of PYTHONPATH, so from another checkout they would run that checkout's worker and engine.
    child = subprocess.Popen(cmd, env=env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready", f"{tree}: child failed"
    return child


def ask(child: subprocess.Popen, request: str) -> list:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(request + "\n")
    child.stdin.flush()
    return json.loads(child.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=10, help="episodes of 20 steps per round and kind")
    parser.add_argument("--programs", nargs="*", default=["crcfile", "kmp", "crc32"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.child:
        Child(args.programs, args.episodes).serve()
        return
    trees = {"before": args.baseline, "after": HERE.parent.parent}
    if args.baseline is None:
        trees.pop("before")
    load_start = os.getloadavg()[0]
    children = {label: start_child(tree, args.programs, args.episodes) for label, tree in trees.items()}
    times: dict[tuple[str, str, str], list[float]] = {}
    try:
        for round_ in range(args.rounds):
            for name in args.programs:
                for kind in ("parts", "inprocess", "isolated"):
                    for k in range(args.episodes):
                        labels = list(trees) if (round_ + k) % 2 == 0 else list(reversed(trees))
                        for label in labels:  # the checkouts take turns, episode by episode
                            result = ask(children[label], f"{name} {kind} {k}")
                            if kind == "parts":
                                times.setdefault((label, name, "pass"), []).extend(r[0] for r in result)
                                times.setdefault((label, name, "queries"), []).extend(r[1] for r in result)
                            else:
                                times.setdefault((label, name, kind), []).extend(result)
            print(f"round {round_ + 1}/{args.rounds} done, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    finally:
        for child in children.values():
            child.stdin.close()  # type: ignore[union-attr]
            child.wait()
    load_end = os.getloadavg()[0]

    from perfreport import emit

    steps = args.rounds * args.episodes * EPISODE
    lines = [
        f"One step of `{ENV_ID}`, CompilerGym's action set, seeded random actions; {steps:,} steps per program, "
        f"kind and checkout, the checkouts' processes taking turns episode by episode ({args.rounds} rounds of "
        f"{args.episodes} episodes of {EPISODE}; {os.cpu_count()} cores, load average {load_start:.1f} at "
        f"start, {load_end:.1f} at end).",
        "",
        "| program | measure | " + " | ".join(trees) + (" | after / before |" if len(trees) == 2 else ""),
        "|---|---|" + "---:|" * (len(trees) + (1 if len(trees) == 2 else 0)),
    ]
    for name in args.programs:
        for key, stat, title in ROWS:
            cells = [
                stat(times[label, name, key]) if stat else 1e6 / statistics.mean(times[label, name, key])
                for label in trees
            ]
            text = [f"{c:,.0f}" if stat is None else f"{c:.1f}" for c in cells]
            if len(cells) == 2:
                text.append(f"{cells[1] / cells[0]:.2f}x")
            lines.append(f"| {name} | {title} | " + " | ".join(text) + " |")
    lines += [
        "",
        "| steps/s x CompilerGym's ~1,100 (isolated / in-process) | " + " | ".join(trees) + " |",
        "|---|" + "---:|" * len(trees),
    ]
    for name in args.programs:
        cells = [
            " / ".join(
                f"{1e6 / statistics.mean(times[label, name, kind]) / COMPILER_GYM_STEPS_PER_S:.1f}x"
                for kind in ("isolated", "inprocess")
            )
            for label in trees
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    emit(lines, args.out)


if __name__ == "__main__":
    main()

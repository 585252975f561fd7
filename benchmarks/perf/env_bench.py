"""Speed of the pass-ordering environment, side by side with a subprocess-`opt`-per-step version of it.

Measures, on built-in programs of several sizes, with the Autophase observation and the
IrInstructionCountOz reward (the `llvm-autophase-ic-v0` configuration):

- step: one pass + the IR-changed check + instruction count + Autophase, on the env (crash-isolated
  worker, the default, and in-process), on a subprocess env (`opt -passes=<pass>` per step on a bitcode
  file, then the same features computed in-process from its output: a generous baseline, because
  CompilerGym-style envs compute features in a server too), and the floor (the bare in-process pass);
- reset (a cached benchmark) and fork latency.

A second table compares the step rate, through ``gym.make`` as a user calls it, with CompilerGym's
published ~1,100 steps/s on cBench crc32 (242 IR instructions), under both action sets. The comparable
program is ``programs/crcfile.c``: a file-checksum utility with a table-driven CRC-32, written for this
benchmark at the size of cBench's crc32 (258 instructions, 41 blocks, 12 functions against 242, 29, 15).

Every program runs the same seeded random pass sequences in every implementation. Prints Markdown tables
of medians and ratios (and writes them to --out). Usage:

    python benchmarks/perf/env_bench.py [--steps 1000] [--out benchmarks/perf/env_bench.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
from perfreport import emit

from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.action_sets import load_action_set
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

#: The program comparable to cBench crc32, then built-in programs of increasing size.
CRCFILE = Path(__file__).resolve().parent / "programs" / "crcfile.c"
PROGRAMS = ["crcfile", "kmp", "crc32", "huffman", "regex", "hashsuite"]
COMPARABLE = ["crcfile", "kmp"]
ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
OBSERVATION, REWARD = "Autophase", "IrInstructionCountOz"
#: CompilerGym's published figures (LLVM 10, unspecified hardware).
COMPILER_GYM = {"step_ms": 0.57, "reset_ms": 1.5, "text_size_ms": 14.0, "steps_per_s": 1100}


def sequences(n_actions: int, steps: int, episode: int, seed: int = 0) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [list(rng.integers(n_actions, size=episode)) for _ in range(max(1, steps // episode))]


def program_uri(name: str) -> str:
    return CRCFILE.as_uri() if name == "crcfile" else f"benchmark://builtin-v0/{name}"


def time_env(uri: str, seqs: list[list[int]], isolated: bool) -> dict[str, float]:
    env = PassOrderingEnv(uri, observation_space=OBSERVATION, reward_space=REWARD, isolated=isolated)
    env.reset()  # prepare: build, baselines, worker start
    steps, resets = [], []
    forks: dict[int, list[float]] = {3: [], len(seqs[0]): []}  # early, and at the end of the episode
    for seq in seqs:
        t = time.perf_counter()
        env.reset()
        resets.append(time.perf_counter() - t)
        for i, action in enumerate(seq, 1):
            t = time.perf_counter()
            env.step(int(action))
            steps.append(time.perf_counter() - t)
            if i in forks:  # fork() replays the episode so far: its cost grows with the episode
                t = time.perf_counter()
                env.fork().close()
                forks[i].append(time.perf_counter() - t)
    env.close()
    return {
        "step": statistics.median(steps),
        "step_mean": statistics.fmean(steps),
        "reset": statistics.median(resets),
        "fork": statistics.median(forks[3]),
        "fork_end": statistics.median(forks[len(seqs[0])]),
    }


def steps_per_second(uri: str, action_set: str, steps: int, episode: int, isolated: bool) -> float:
    """Steps per second (from the mean step time) of ``gym.make(ENV_ID)`` with seeded random actions."""
    env = gym.make(ENV_ID, benchmark=uri, action_set=action_set, isolated=isolated)
    env.reset()
    total, n = 0.0, 0
    for seq in sequences(env.action_space.n, steps, episode, seed=1):
        env.reset()
        for action in seq:
            t = time.perf_counter()
            env.step(int(action))
            total += time.perf_counter() - t
            n += 1
    env.close()
    return n / total


def time_floor(bitcode: bytes, pipelines: list[str], seqs: list[list[int]]) -> float:
    """The bare in-process pass, no observation or reward (the floor of any implementation)."""
    times = []
    for seq in seqs:
        with Module.from_bitcode(bitcode) as module:
            for action in seq:
                t = time.perf_counter()
                module.run_passes(pipelines[action])
                times.append(time.perf_counter() - t)
    return statistics.median(times)


def time_subprocess_env(bitcode: bytes, pipelines: list[str], seqs: list[list[int]]) -> float:
    """The same env with one `opt` process per step on a bitcode file."""
    opt = str(get_toolchain().opt)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        current, output = Path(tmp, "current.bc"), Path(tmp, "next.bc")
        for seq in seqs:
            current.write_bytes(bitcode)
            previous_count = Module.from_bitcode(bitcode).instruction_count()
            for action in seq:
                t = time.perf_counter()
                subprocess.run(
                    [opt, f"-passes={pipelines[action]}", str(current), "-o", str(output)],
                    check=True,
                    capture_output=True,
                )
                data = output.read_bytes()
                with Module.from_bitcode(data) as module:
                    count = module.instruction_count()
                    module.autophase()
                _reward = previous_count - count
                previous_count = count
                os.replace(output, current)
                times.append(time.perf_counter() - t)
    return statistics.median(times)


def time_text_size(uri: str, repeats: int = 20) -> float:
    with get_benchmark(uri).module() as module:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            module.object_text_size()
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="steps per program and implementation")
    parser.add_argument("--episode", type=int, default=20, help="steps per episode (a reset before each)")
    parser.add_argument("--programs", nargs="*", default=PROGRAMS)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the step-rate table")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown tables here")
    args = parser.parse_args()

    pipelines = list(load_action_set("default").pipelines)
    rows = []
    for name in args.programs:
        uri = program_uri(name)
        bitcode = get_benchmark(uri).bitcode("size")
        with Module.from_bitcode(bitcode) as module:
            size = module.instruction_count()
        seqs = sequences(len(pipelines), args.steps, args.episode)
        iso = time_env(uri, seqs, isolated=True)
        inproc = time_env(uri, seqs, isolated=False)
        floor = time_floor(bitcode, pipelines, seqs)
        sub = time_subprocess_env(bitcode, pipelines, seqs[: max(1, len(seqs) // 4)])
        text = time_text_size(uri)
        rows.append((name, size, iso, inproc, floor, sub, text))
        print(f"{name}: done", flush=True)

    # Interleaved rounds, so that a slow spell of this shared machine hits every configuration alike.
    configs = [
        (name, action_set, isolated)
        for name in COMPARABLE
        if name in args.programs
        for action_set in ("compiler_gym", "default")
        for isolated in (True, False)
    ]
    rates: dict[tuple[str, str, bool], list[float]] = {config: [] for config in configs}
    for _ in range(args.rounds):
        for name, action_set, isolated in configs:
            rate = steps_per_second(program_uri(name), action_set, args.steps, args.episode, isolated)
            rates[name, action_set, isolated].append(rate)
    print("rates: done", flush=True)

    ms = lambda s: f"{s * 1e3:.3f}"  # noqa: E731
    sizes = {name: size for name, size, *_ in rows}
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.processor() or platform.platform()}; "
        f"LLVM {get_toolchain().version}; {args.steps} random steps of the `default` action set per program "
        f"(episodes of {args.episode}; the subprocess env runs a quarter of them); medians.",
        "",
        "| program | IR instrs | step isolated (ms) | step in-process (ms) | bare pass (ms) "
        "| subprocess opt step (ms) | speedup isolated / in-process vs subprocess "
        "| steps/s isolated / in-process | reset isolated / in-process (ms) "
        f"| fork after 3 steps isolated / in-process (ms) | fork after {args.episode} steps (ms) "
        "| object text size (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, size, iso, inproc, floor, sub, text in rows:
        lines.append(
            f"| {name} | {size} | {ms(iso['step'])} | {ms(inproc['step'])} | {ms(floor)} | {ms(sub)} "
            f"| {sub / iso['step']:.0f}x / {sub / inproc['step']:.0f}x "
            f"| {1 / iso['step_mean']:.0f} / {1 / inproc['step_mean']:.0f} "
            f"| {ms(iso['reset'])} / {ms(inproc['reset'])} | {ms(iso['fork'])} / {ms(inproc['fork'])} "
            f"| {ms(iso['fork_end'])} / {ms(inproc['fork_end'])} | {ms(text)} |"
        )
    lines += [
        "",
        "CompilerGym (published, LLVM 10, different and unspecified hardware): "
        f"step {COMPILER_GYM['step_ms']} ms on "
        f"crc32, reset {COMPILER_GYM['reset_ms']} ms, object text size {COMPILER_GYM['text_size_ms']} ms, "
        f"~{COMPILER_GYM['steps_per_s']} steps/s single env.",
        "steps/s uses the mean step time (what a training loop sees); the other columns are medians.",
    ]
    if configs:
        cg = COMPILER_GYM["steps_per_s"]
        lines += [
            "",
            f"Step rate of `gym.make({ENV_ID!r})`: {args.rounds} interleaved rounds of {args.steps} seeded random "
            f"steps (episodes of {args.episode}), steps/s from each round's mean step time; median of the rounds "
            f"[slowest-fastest], and as a multiple of CompilerGym's published ~{cg} steps/s on cBench crc32 "
            "(242 instructions).",
            "",
            "| program | IR instrs | action set | steps/s isolated | steps/s in-process "
            "| x CompilerGym isolated / in-process |",
            "|---|---:|---|---:|---:|---:|",
        ]
        spread = lambda r: f"{statistics.median(r):.0f} [{min(r):.0f}-{max(r):.0f}]"  # noqa: E731
        for name, action_set, isolated in configs:
            if not isolated:
                continue
            iso, inproc = rates[name, action_set, True], rates[name, action_set, False]
            lines.append(
                f"| {name} | {sizes[name]} | {action_set} | {spread(iso)} | {spread(inproc)} "
                f"| {statistics.median(iso) / cg:.1f}x / {statistics.median(inproc) / cg:.1f}x |"
            )
    emit(lines, args.out)


if __name__ == "__main__":
    main()

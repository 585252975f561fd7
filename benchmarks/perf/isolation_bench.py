"""What crash isolation costs: the isolated (default) env step against the in-process step, side by side.

``rl_compiler/llvm-autophase-ic-v0`` (Autophase observation, IrInstructionCountOz reward) on ``crcfile``
(the size of cBench crc32, see ``env_bench.py``) and built-in programs of 700-10,800 IR instructions. Each
program gets one isolated and one in-process env, stepped with the same seeded random actions in episodes
of 20, in interleaved rounds: isolated back to back, in-process back to back, isolated after ``--think`` ms
of caller work before each step (a policy's forward pass), in-process likewise. The cost of isolation is
the ratio of the median step times of one round, and the table gives the median of those ratios over the
rounds (the machine is shared, so only ratios measured close together mean anything).

Then, on crcfile through ``gym.make`` with CompilerGym's action set, steps/s (from the mean step, like
CompilerGym's figure) against CompilerGym's published ~1,100; and ``gym.make_vec`` with 1, 2 and 4
isolated envs (``sync``, ``async``, ``pipelined``, the default ``gym.make_vec``: every env's step sent
to its worker before the first reply is read, the envs sharing one worker per CPU beyond the caller's, and
``pipelined, worker per env``, its layout before: one worker per env) for each variant. Prints Markdown
tables (and writes them to --out).

``--variant NAME:KEY=VALUE,...`` adds an isolated env whose worker starts with those environment variables
(e.g. ``nospin:RL_COMPILER_SPIN_US=0``), stepped in the same rounds; two keys are not variables:
``SLICE=<µs>`` sets the worker's scheduler slice (0: the kernel's default, as before the worker asked for
a short one) and ``PIN=same|other`` pins the caller to CPU 0 and its worker to CPU 0 or 1. The README's table
compares the shipped worker (steps served natively, ``rl_compiler.llvm.fastlane``) with the previous design
(every request through the worker's Python loop) and with a 1 ms spin (a worker still awake after 0.3 ms of
caller work) in one run:

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant isolated \
        --variant python-loop:RL_COMPILER_FAST_LANE=0 --variant spin1ms:RL_COMPILER_SPIN_US=1000 \
        --out benchmarks/perf/isolation_bench.md

The session's side of a step (issue 19) against what it replaced: ``pycaller`` encodes and decodes in Python
(``RL_COMPILER_NATIVE_CALLER=0``, the session as it was before), ``c200`` counts a caller's yield as
contested only above 200 µs (``RL_COMPILER_CALLER_CONTENDED_US=200``, tried, not shipped):

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant isolated \
        --variant pycaller:RL_COMPILER_NATIVE_CALLER=0 --variant c200:RL_COMPILER_CALLER_CONTENDED_US=200

The quiet-yield rule (a long yield stops the spin for a second only on a busy machine) against the previous
rule, ``q0``:

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant isolated \
        --variant q0:RL_COMPILER_QUIET_YIELD_US=0 --variant c200:RL_COMPILER_CALLER_CONTENDED_US=200

The waits of issue 19 (``serve.c``): as shipped (``escape``: windows that adapt to the recent waits, a long
yield on a quiet machine moves the waiter off the peer's CPU), the adaptive windows alone (``adapt``), the rule
before (``fixed``), and caller and worker pinned to different CPUs (``pin``):

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant escape \
        --variant adapt:RL_COMPILER_QUIET_YIELD_US=0,RL_COMPILER_SPIN_ESCAPE=0 \
        --variant fixed:RL_COMPILER_SPIN_CAP_US=0,RL_COMPILER_QUIET_YIELD_US=0,RL_COMPILER_SPIN_ESCAPE=0 \
        --variant pin:RL_COMPILER_QUIET_YIELD_US=0,RL_COMPILER_SPIN_ESCAPE=0,PIN=other

Two opt-in designs for a quiet machine against the shipped rule: ``keep``, a worker that moved off its caller's
CPU stays off it while it spins; ``group``, the worker in the caller's session, hence its scheduling autogroup:

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant escape \
        --variant keep:RL_COMPILER_SPIN_ESCAPE=2 --variant group:RL_COMPILER_WORKER_SESSION=caller

The back-off that grows (shipped: 20 ms after a contested yield, doubling while contests follow) against the
one-second back-off before it:

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant b20ms \
        --variant b1s:RL_COMPILER_BACKOFF_MIN_US=1000000

The escape rule's check (shipped: a waiter moves off its CPU only when its peer process is on it) against the
unchecked move before it, and no moves at all:

    python benchmarks/perf/isolation_bench.py --rounds 5 --variant checked \
        --variant unchecked:RL_COMPILER_ESCAPE_CHECK=0 --variant noescape:RL_COMPILER_SPIN_ESCAPE=0
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import os
import statistics
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import gymnasium as gym
import numpy as np
from perfreport import emit
from vector_bench import vector_rate

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.envs.passes import PassOrderingEnv

CRCFILE = (Path(__file__).resolve().parent / "programs" / "crcfile.c").as_uri()
PROGRAMS = ["crcfile", "kmp", "crc32", "huffman", "regex", "deflatelite", "hashsuite"]
ENV_ID = "rl_compiler/llvm-autophase-ic-v0"
COMPILER_GYM_STEPS_PER_S = 1100
EPISODE = 20
IN_PROCESS = "in-process"
#: Variant setting (not an environment variable): pin the worker to the caller's CPU ("same") or the other.
PIN = "PIN"
ALL_CPUS = os.sched_getaffinity(0)
T = TypeVar("T")

#: ``gym.make_vec`` set-ups of the vector table: row name -> (``vectorization_mode``, the pipelined env's
#: ``workers``: None for its default, the envs sharing one worker per CPU beyond the caller's; ``"per-env"``: one
#: worker per env, the layout before).
VECTOR_MODES = {
    "sync": ("sync", None),
    "async": ("async", None),
    "pipelined": ("vector_entry_point", None),
    "pipelined, worker per env": ("vector_entry_point", "per-env"),
}


def program_uri(name: str) -> str:
    return CRCFILE if name == "crcfile" else f"benchmark://builtin-v0/{name}"


_libc = ctypes.CDLL(None, use_errno=True)


def set_slice(pid: int, ns: int) -> None:
    """Set the scheduler slice of ``pid`` (``SLICE=0`` restores the kernel's default), keeping its nice value."""
    nice = os.getpriority(os.PRIO_PROCESS, pid)
    buf = ctypes.create_string_buffer(struct.pack("<IIqiIQQQII", 56, 0, 0, nice, 0, ns, 0, 0, 0, 0), 56)
    if _libc.syscall(314, pid, buf, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def think(ms: float) -> None:
    """Keep the CPU busy for ``ms`` milliseconds (the caller's own work between steps)."""
    end = time.perf_counter() + ms * 1e-3
    while time.perf_counter() < end:
        pass


def episode_times(env: gym.Env, actions: list[int], think_ms: float) -> list[float]:
    """Seconds per step of one episode from reset."""
    env.reset()
    times = []
    for action in actions:
        if think_ms:
            think(think_ms)
        t = time.perf_counter()
        env.step(action)
        times.append(time.perf_counter() - t)
    return times


def in_env(settings: dict[str, str], run: Callable[[], T]) -> T:
    """``run()`` with ``settings`` in the environment (read by workers as they start)."""
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    try:
        return run()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def with_env(settings: dict[str, str], make: Callable[[], gym.Env]) -> gym.Env:
    """``make()`` and a first episode with ``settings`` in the environment (read as the worker starts)."""

    def start() -> gym.Env:
        env = make()
        env.reset()
        return env

    return in_env(settings, start)


def ratios(name: str, variants: dict[str, dict[str, str]], rounds: int, episodes: int, think_ms: float) -> dict:
    """Per round: the median step of the in-process env and of each isolated variant, back to back and
    after ``think_ms``; keys ``(variant, think_ms)``."""

    def make(isolated: bool) -> gym.Env:
        return PassOrderingEnv(
            program_uri(name), observation_space="Autophase", reward_space="IrInstructionCountOz", isolated=isolated
        )

    envs = {IN_PROCESS: make(False)}
    envs.update({variant: with_env(settings, lambda: make(True)) for variant, settings in variants.items()})
    rng = np.random.default_rng(0)
    n = envs[IN_PROCESS].action_space.n
    seqs = [[int(a) for a in rng.integers(n, size=EPISODE)] for _ in range(episodes)]
    out: dict[tuple[str, float], list[float]] = {}
    try:
        for env in envs.values():
            episode_times(env, seqs[0], 0.0)  # warm up: worker started, baselines computed
        for round_ in range(rounds):
            # Rotate the order each round: an env's place in the round biases it (in one run at load 4-5 four
            # identical-in-behaviour variants came out 1.18x, 1.33x, 1.34x, 1.49x in the order they were stepped).
            order = list(envs.items())
            order = order[round_ % len(order) :] + order[: round_ % len(order)]
            for pause in (0.0, think_ms):
                for variant, env in order:
                    pin = variants.get(variant, {}).get(PIN)
                    if pin:  # the caller on CPU 0, its worker on the same CPU or the other one
                        os.sched_setaffinity(0, {0})
                        os.sched_setaffinity(env.unwrapped.session.pid, {0 if pin == "same" else 1})
                    slices = variants.get(variant, {})
                    if "SLICE" in slices:
                        set_slice(env.unwrapped.session.pid, int(slices["SLICE"]) * 1000)
                    times = [t for seq in seqs for t in episode_times(env, seq, pause)]
                    if pin:
                        os.sched_setaffinity(0, ALL_CPUS)
                    out.setdefault((variant, pause), []).append(statistics.median(times))
    finally:
        for env in envs.values():
            env.close()
    return out


def steps_per_second(isolated: bool, steps: int) -> float:
    """Steps/s of ``gym.make`` on crcfile, CompilerGym's action set, from the mean step time."""
    env = gym.make(ENV_ID, benchmark=CRCFILE, action_set="compiler_gym", isolated=isolated)
    rng = np.random.default_rng(1)
    actions = [int(a) for a in rng.integers(env.action_space.n, size=steps)]
    times: list[float] = []
    try:
        for i in range(0, steps, EPISODE):
            times += episode_times(env, actions[i : i + EPISODE], 0.0)
    finally:
        env.close()
    return len(times) / sum(times)


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, settings = text.partition(":")
    return name, dict(item.split("=", 1) for item in settings.split(",") if item)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=5, help="episodes of 20 steps per measurement")
    parser.add_argument("--think", type=float, default=0.3, help="ms the caller computes before each step")
    parser.add_argument("--programs", nargs="*", default=PROGRAMS)
    parser.add_argument("--seconds", type=float, default=4.0, help="per vector-env measurement (0: skip)")
    parser.add_argument(
        "--variant", action="append", default=[], help="NAME or NAME:KEY=VALUE,... (environment for its worker)"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    load = os.getloadavg()[0]

    variants = dict(parse_variant(text) for text in args.variant) or {"isolated": {}}
    lines = [
        f"Isolated / in-process step, `{ENV_ID}`; medians over {args.rounds} interleaved rounds of "
        f"{args.episodes} episodes of {EPISODE} steps ({os.cpu_count()} cores, load average {load:.1f} at start); "
        f"ratios are medians of per-round ratios. Variants: "
        + "; ".join(f"{v}: {' '.join(f'{k}={x}' for k, x in s.items()) or 'as shipped'}" for v, s in variants.items()),
        "",
        "| program | IR instrs | in-process step (ms) | in-process after think (ms) | "
        + " | ".join(f"{v} step (ms) | {v} ratio | {v} ratio after {args.think:g} ms" for v in variants)
        + " |",
        "|---|---:|---:|---:|" + "---:|---:|---:|" * len(variants),
    ]
    from rl_compiler.datasets import get_benchmark
    from rl_compiler.llvm.module import Module

    for name in args.programs:
        if name == "crcfile":
            size = 258
        else:
            with Module.from_bitcode(get_benchmark(program_uri(name)).bitcode()) as module:
                size = module.instruction_count()
        r = ratios(name, variants, args.rounds, args.episodes, args.think)
        cells = [f"{statistics.median(r[IN_PROCESS, pause]) * 1e3:.3f}" for pause in (0.0, args.think)]
        for variant in variants:
            cells.append(f"{statistics.median(r[variant, 0.0]) * 1e3:.3f}")
            for pause in (0.0, args.think):
                paired = statistics.median(a / b for a, b in zip(r[variant, pause], r[IN_PROCESS, pause], strict=True))
                cells.append(f"{paired:.2f}x")
        lines.append(f"| {name} | {size:,} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)

    rates: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.rounds):
        for isolated in (True, False):
            rates[isolated].append(steps_per_second(isolated, 400))
    lines += [
        "",
        "| crcfile, CompilerGym's action set | steps/s isolated | steps/s in-process "
        "| x CompilerGym isolated / in-process |",
        "|---|---:|---:|---:|",
    ]
    iso, inproc = statistics.median(rates[True]), statistics.median(rates[False])
    lines.append(
        f"| median [slowest-fastest] of {args.rounds} rounds "
        f"| {iso:.0f} [{min(rates[True]):.0f}-{max(rates[True]):.0f}] "
        f"| {inproc:.0f} [{min(rates[False]):.0f}-{max(rates[False]):.0f}] "
        f"| {iso / COMPILER_GYM_STEPS_PER_S:.1f}x / {inproc / COMPILER_GYM_STEPS_PER_S:.1f}x |"
    )
    print(lines[-1], flush=True)

    if args.seconds > 0:
        counts = (1, 2, 4)
        # Each variant's environment variables hold for the whole measurement (workers start in it); the
        # scheduler settings (SLICE, PIN) are per-process and apply to the step rounds only.
        settings = {v: {k: x for k, x in s.items() if k not in ("SLICE", PIN)} for v, s in variants.items()}
        vec: dict[tuple[str, str, int], list[float]] = {}
        setups = [(variant, mode, n) for variant in variants for mode in VECTOR_MODES for n in counts]
        rounds = max(1, args.rounds // 2)
        for round_ in range(rounds):
            # Rotated each round as in the step rounds: two rows running the same code came out 4-14% apart
            # when measured in a fixed order.
            shift = round_ * len(setups) // rounds
            for variant, mode, n in setups[shift:] + setups[:shift]:
                vector_mode, workers = VECTOR_MODES[mode]
                run = functools.partial(vector_rate, vector_mode, True, n, args.seconds, workers)
                rate = in_env(settings[variant], run)
                vec.setdefault((variant, mode, n), []).append(rate)
        lines += ["", "| isolated `gym.make_vec` (steps/s) | 1 env | 2 envs | 4 envs |", "|---|---:|---:|---:|"]
        for variant in variants:
            for mode in VECTOR_MODES:
                cells = " | ".join(f"{statistics.median(vec[variant, mode, n]):.0f}" for n in counts)
                lines.append(f"| {mode}, {variant} | {cells} |")
    emit(lines, args.out)


if __name__ == "__main__":
    main()

"""Where an isolated step's time goes: the waits of caller and worker, side by side for several wait policies.

For one program, an in-process env and one isolated env per variant (``NAME:KEY=VALUE,...``: environment
variables read as the session and its worker start, as in ``isolation_bench.py``) are stepped with the same
seeded random actions in interleaved rounds. Per variant it reports the median step and its ratio to the
in-process one (median of per-round ratios), and per step: the caller's yields, contested yields and sleeps
in ``poll`` (``rlc_call_step``'s counters), the CPU time and run-queue wait of caller and worker
(``/proc/.../schedstat``), their voluntary and involuntary context switches, and how often the worker last
ran on the caller's CPU; where the time goes (mean step, the C wait from request to reply, the native work of
pass and queries, timed in the worker, and in-process in ``Module.step``); what the worker's waits did
(``wait_stats``: its yields, moves, sleeps by cause, spin window); and the share of the caller's work before
a step (``--think``, several values side by side) it had a CPU for. Prints a Markdown table (``--out`` too).

    python benchmarks/perf/wait_probe.py --program crc32 --think 0 0.3 --variant shipped \\
        --variant keep:RL_COMPILER_SPIN_ESCAPE=2 --variant group:RL_COMPILER_WORKER_SESSION=caller
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
from isolation_bench import EPISODE, IN_PROCESS, parse_variant, program_uri, with_env
from perfreport import emit

import rl_compiler  # noqa: F401  (registers the ids)
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.llvm.module import Module


def schedstat(path: str) -> tuple[int, int]:
    """(ns on a CPU, ns waiting on a run queue) of a task."""
    with open(f"{path}/schedstat") as f:
        run, wait, _ = f.read().split()
    return int(run), int(wait)


def switches(path: str) -> tuple[int, int]:
    """(voluntary, involuntary) context switches of a task."""
    fields = {}
    with open(f"{path}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["voluntary_ctxt_switches"]), int(fields["nonvoluntary_ctxt_switches"])


def last_cpu(path: str) -> int:
    with open(f"{path}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[36])


def caller_state(env) -> object | None:
    """The ``rlc_caller`` of an isolated env's session (None in-process or with the Python caller)."""
    native = getattr(env.unwrapped.session._slot.worker, "_native", None) if env.unwrapped.session.pid else None
    return getattr(native, "_state", None)


_NATIVE_STEP = [0.0]  # seconds in-process envs spent in Module.step (the worker's "serving" in-process)


def _timed_step(step):
    def timed(self, *args):
        began = time.perf_counter()
        try:
            return step(self, *args)
        finally:
            _NATIVE_STEP[0] += time.perf_counter() - began

    return timed


Module.step = _timed_step(Module.step)


def worker_stats(env) -> dict[str, float] | None:
    """What an isolated env's worker's waits did so far (``wait_stats``; None in-process)."""
    session = env.unwrapped.session
    if not session.pid:
        return None
    return session._slot.worker.request(0, "wait_stats", (), 30.0)


def probe(env, seqs: list[list[int]], think_ms: float) -> dict[str, float]:
    """Step ``env`` through the episodes ``seqs``; the median step and per-step counts."""
    me = "/proc/thread-self"
    env.reset()
    pid = env.unwrapped.session.pid
    peer = f"/proc/{pid}/task/{pid}" if pid else None
    state = caller_state(env)
    counters = ("yields", "contested", "sleeps", "moves", "waited")
    totals: dict[str, float] = {}
    times, same = [], 0
    windows: list[float] = []
    think_cpu: list[float] = []  # the share of each think the caller had a CPU for

    def add(sign: int) -> None:
        """Add (sign 1) or subtract (-1) the counters now, so that only the steps are counted, not resets."""
        stats = worker_stats(env)
        if stats is None:  # in-process: the native step's time, as the worker's "serving"
            stats = {"serving": _NATIVE_STEP[0]}
        for key, value in stats.items():
            if key == "serving":
                totals["work"] = totals.get("work", 0) + sign * value * 1e9
            elif key != "window":
                totals[f"w {key}"] = totals.get(f"w {key}", 0) + sign * value
            elif sign > 0:
                windows.append(value)
        values = {"caller": (*schedstat(me), *switches(me))}
        if peer:
            values["worker"] = (*schedstat(peer), *switches(peer))
        for who, (run, wait, vol, invol) in values.items():
            for key, value in (("cpu", run), ("wait", wait), ("vol", vol), ("invol", invol)):
                totals[f"{who} {key}"] = totals.get(f"{who} {key}", 0) + sign * value
        for key in counters if state is not None else ():
            totals[key] = totals.get(key, 0) + sign * getattr(state, key) * (1e9 if key == "waited" else 1)

    for seq in seqs:
        env.reset()
        add(-1)
        for action in seq:
            if think_ms:
                cpu = time.thread_time()
                end = time.perf_counter() + think_ms * 1e-3
                while time.perf_counter() < end:
                    pass
                think_cpu.append((time.thread_time() - cpu) / (think_ms * 1e-3))
            t = time.perf_counter()
            env.step(action)
            times.append(time.perf_counter() - t)
            if peer:
                same += last_cpu(peer) == last_cpu(me)
        add(1)
    n = len(times)
    out = {key: value / n for key, value in totals.items()}
    out["step"] = statistics.median(times)
    out["mean step"] = statistics.fmean(times) * 1e9
    if peer:
        out["same cpu"] = same / n
    if think_cpu:
        out["think cpu"] = statistics.fmean(think_cpu)
    if windows:
        out["w window"] = statistics.median(windows) * 1e9  # shown in µs, as the CPU times
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", default="crc32")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[0.0],
        help="ms of caller work before each step (several: each, side by side)",
    )
    parser.add_argument("--variant", action="append", default=[], help="NAME or NAME:KEY=VALUE,...")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    variants = dict(parse_variant(text) for text in args.variant) or {"isolated": {}}

    def make(isolated: bool) -> PassOrderingEnv:
        return PassOrderingEnv(
            program_uri(args.program), observation_space="Autophase", reward_space="IrInstructionCountOz",
            isolated=isolated,
        )  # fmt: skip

    envs = {IN_PROCESS: make(False)}
    envs.update({v: with_env(s, lambda: make(True)) for v, s in variants.items()})
    rng = np.random.default_rng(0)
    seqs = [[int(a) for a in rng.integers(envs[IN_PROCESS].action_space.n, size=EPISODE)] for _ in range(args.episodes)]
    rows: dict[tuple[str, float], list[dict[str, float]]] = {(v, t): [] for t in args.think for v in envs}
    try:
        for env in envs.values():
            probe(env, seqs[:1], 0.0)  # warm up
        for round_ in range(args.rounds):
            order = list(envs.items())  # rotated each round: an env's place in the round biases it
            for think_ms in args.think:
                for variant, env in order[round_ % len(order) :] + order[: round_ % len(order)]:
                    rows[variant, think_ms].append(probe(env, seqs, think_ms))
    finally:
        for env in envs.values():
            env.close()
        end_load = os.getloadavg()[0]
    keys = [
        "mean step", "waited", "work", "think cpu", "caller cpu", "caller wait", "caller vol", "caller invol",
        "worker cpu", "worker wait", "worker vol", "worker invol", "same cpu", "yields", "contested", "sleeps", "moves",
        "w yields", "w contested", "w moves", "w sleeps idle", "w sleeps calm", "w sleeps window", "w sleeps yield",
        "w window",
    ]  # fmt: skip
    lines = [
        f"`{args.program}`, {args.rounds} interleaved rounds of {args.episodes} episodes of {EPISODE} steps, "
        f"{' or '.join(f'{t:g}' for t in args.think)} ms of caller work before each step; "
        f"load average {load:.1f} at start, {end_load:.1f} "
        "at the end. Per step (medians over rounds): `mean step`, `waited`: from the request's sending to its "
        "reply read, `work`: the step's native work (the worker's pass, queries and "
        "reply; in-process, `Module.step`), `think cpu`: the share of the caller's work before a step it had a "
        "CPU for, CPU and run-queue wait in µs, context switches, yields, sleeps; "
        "`same cpu`: share of steps after which the worker had last run on the caller's CPU; `w ...`: the "
        "worker's waits (its yields, contested yields, moves, sleeps by cause, median spin window in µs).",
        "",
        "| variant | think (ms) | step (ms) | ratio | " + " | ".join(keys) + " |",
        "|---|" + "---:|" * (3 + len(keys)),
    ]
    for (variant, think_ms), rs in rows.items():
        base = [r["step"] for r in rows[IN_PROCESS, think_ms]]
        ratio = statistics.median(r["step"] / b for r, b in zip(rs, base, strict=True))
        cells = []
        for key in keys:
            values = [r[key] for r in rs if key in r]
            if not values:
                cells.append("")
                continue
            value = statistics.median(values)
            cells.append(
                f"{value / 1e3:.0f}"
                if key.endswith(("cpu", "wait"))
                and key not in ("same cpu", "think cpu")
                or key in ("w window", "work", "mean step", "waited")
                else f"{value:.2f}"
            )
        lines.append(
            f"| {variant} | {think_ms:g} | {statistics.median(r['step'] for r in rs) * 1e3:.3f} | {ratio:.2f}x | "
            + " | ".join(cells)
            + " |"
        )
    emit(lines, args.out)


if __name__ == "__main__":
    main()

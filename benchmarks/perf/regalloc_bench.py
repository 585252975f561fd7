"""Register-allocation environment throughput: decisions/s end to end, and interactive vs plain llc wall time.

For every module, runs side by side (interleaved, ``--repeats`` times each) and reports medians:

* ``plain llc``: ``llc -O2 -filetype=obj`` with the default eviction heuristic (the environment's baseline
  command, remarks included);
* ``channel``: the same module through :class:`rl_compiler.llvm.mlgo.InteractiveCompilation` alone
  (policy "first legal"), i.e. llc + pipes + header/observation parsing, no Gymnasium;
* ``env``: a whole ``RegallocEnv`` episode with the same policy: ``reset`` (spawn llc, first decision),
  every ``step`` (flat observation, mask, info), and the terminal reward (remarks YAML + object size).

decisions/s = decisions / env wall. Modules: high-pressure built-in programs and, when installed,
real PostgreSQL 15 modules (the JIT bitcode Debian ships). Usage::

    python benchmarks/perf/regalloc_bench.py [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from rl_compiler.agents.mlgo.baselines import first_legal
from rl_compiler.envs.regalloc import LLC_FLAGS, RegallocEnv
from rl_compiler.llvm import mlgo
from rl_compiler.llvm.toolchain import get_toolchain

POSTGRES = Path("/usr/lib/postgresql/15/lib/bitcode/postgres")
MODULES = [
    "benchmark://builtin-v0/sha256",
    "benchmark://builtin-v0/stencil",
    str(POSTGRES / "access/heap/heapam.bc"),
    str(POSTGRES / "access/transam/xlog.bc"),
    str(POSTGRES / "utils/adt/numeric.bc"),
    str(POSTGRES / "parser/gram.bc"),
]


def plain_llc(module: Path) -> float:
    llc = get_toolchain().llc
    with tempfile.TemporaryDirectory(prefix="rl-compiler-bench-") as tmp:
        start = time.perf_counter()
        mlgo.run_compiler([llc, *LLC_FLAGS, f"-pass-remarks-output={tmp}/r.yaml", "-o", f"{tmp}/out.o", module])
        return time.perf_counter() - start


def channel_only(module: Path) -> tuple[float, int]:
    llc = get_toolchain().llc
    start = time.perf_counter()
    with mlgo.InteractiveCompilation() as compilation:
        argv = [
            llc,
            *mlgo.REGALLOC_FLAGS,
            *LLC_FLAGS,
            f"-pass-remarks-output={compilation.path('r.yaml')}",
            "-o",
            compilation.path("out.o"),
            module,
        ]
        spec = compilation.start(argv, mlgo.REGALLOC_CHANNEL_OPTION)
        offset = spec.offsets[spec.feature_names.index("mask")]
        size = spec.feature("mask").size
        while (observation := compilation.next_observation()) is not None:
            mask = np.frombuffer(observation.blob, dtype=np.int64, count=size, offset=offset)
            compilation.send(int(np.flatnonzero(mask)[0]))
        compilation.finish()
        decisions = compilation.decisions
    return time.perf_counter() - start, decisions


def env_episode(env: RegallocEnv, benchmark: str) -> tuple[float, int, float]:
    start = time.perf_counter()
    observation, info = env.reset(seed=0, options={"benchmark": benchmark})
    reset_time = time.perf_counter() - start
    terminated = False
    while not terminated:
        observation, reward, terminated, truncated, info = env.step(first_legal(observation, info))
    return time.perf_counter() - start, info["decisions"], reset_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="built-in modules and heapam only, 3 repeats")
    args = parser.parse_args()
    modules = [m for m in MODULES if "://" in m or Path(m).exists()]
    if args.quick:
        modules, args.repeats = modules[:3], 3
    env = RegallocEnv(modules[0])
    rows = []
    for benchmark in modules:
        env.reset(seed=0, options={"benchmark": benchmark})  # builds, optimises and caches the baseline
        module = env.module_path
        plain, channel, episode, resets, decisions = [], [], [], [], 0
        for _ in range(args.repeats):  # interleaved, so machine noise hits all three alike
            plain.append(plain_llc(module))
            wall, decisions = channel_only(module)
            channel.append(wall)
            wall, env_decisions, reset_time = env_episode(env, benchmark)
            episode.append(wall)
            resets.append(reset_time)
            assert env_decisions == decisions, (env_decisions, decisions)
        p, c, e = statistics.median(plain), statistics.median(channel), statistics.median(episode)
        name = benchmark.rsplit("/", 1)[-1]
        rows.append((name, module.stat().st_size // 1024, decisions, p, c, e, statistics.median(resets)))
        print(f"# {name}: done", flush=True)
    env.close()
    print()
    print(
        f"LLVM {get_toolchain().version}, policy: first legal, {args.repeats} interleaved runs, medians; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end."
    )
    print()
    print(
        "| module | bitcode KiB | decisions | plain llc s | channel s | env episode s | env reset s "
        "| env / plain | decisions/s (env) | decisions/s (channel) | added ms per decision |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, kib, decisions, p, c, e, r in rows:
        print(
            f"| {name} | {kib} | {decisions} | {p:.3f} | {c:.3f} | {e:.3f} | {r:.3f} | {e / p:.2f}x "
            f"| {decisions / e:,.0f} | {decisions / c:,.0f} | {1000 * (e - p) / decisions:.3f} |"
        )


if __name__ == "__main__":
    main()

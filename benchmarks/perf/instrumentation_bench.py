"""Which instrumentation gives the dynamic cost cheapest: engine block counters or LLVM's PGO counters.

Per program (the ``runtime`` build's start state), side by side in interleaved rounds, the wall time of
getting counters out of one run:

- (a) engine counters (what ``DynamicInstructionCount`` uses): instrument in-process (one counter per
  block), ``llc -O2`` + link with the 20-line runtime, run in the sandbox, read the counts file with NumPy;
  the block counts are exact and final;
- (b) LLVM's PGO instrumentation: ``pgo-instr-gen,instrprof`` in-process (counters on the edges off a
  spanning tree), ``llc -O2`` + link with ``-fprofile-generate`` (compiler-rt's profile runtime), run in
  the sandbox, then ``llvm-profdata merge`` and ``llvm-profdata show --all-functions --counts`` to read the
  counters. Block counts would still have to be reconstructed from these (``pgo-instr-use`` and block
  frequencies, further LLVM runs), which is not timed here: (b) is a lower bound.

Also the run time of each instrumented executable against the plain one (the counters' overhead) and the
number of counters. Usage:

    nice -n 10 python benchmarks/perf/instrumentation_bench.py [--programs crc32,sort] [--rounds 5]
        [--out benchmarks/perf/instrumentation_bench.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from perfreport import emit

from rl_compiler.datasets import get_benchmark
from rl_compiler.datasets.profile import profile_module
from rl_compiler.datasets.runner import run_bitcode
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.profile import COUNTS_FILE, instrument, runtime_object
from rl_compiler.llvm.toolchain import get_toolchain

PROGRAMS = "crc32,sort,nbody,huffman,regex,hashsuite"


def pgo_counters(benchmark, bitcode: bytes) -> tuple[int, float]:
    """Counters and program run time of one PGO-instrumented run (the whole path timed by the caller)."""
    with Module.from_bitcode(bitcode) as module:
        module.run_passes("pgo-instr-gen,instrprof")
        instrumented = module.bitcode()
    spec = benchmark.run_spec()
    spec = dataclasses.replace(spec, ldflags=(*spec.ldflags, "-fprofile-generate"), collect=("default.profraw",))
    result = run_bitcode(instrumented, spec)
    raw = result.files["default.profraw"]
    profdata = get_toolchain().tool("llvm-profdata")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "raw").write_bytes(raw)
        subprocess.run([str(profdata), "merge", "-o", f"{tmp}/merged", f"{tmp}/raw"], check=True)
        shown = subprocess.run(
            [str(profdata), "show", "--all-functions", "--counts", f"{tmp}/merged"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    counters = sum(len(line.split(":", 1)[1].split(",")) for line in shown.splitlines() if "Block counts:" in line)
    return counters, result.times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programs", default=PROGRAMS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    rows = []
    for name in args.programs.split(","):
        benchmark = get_benchmark(f"benchmark://builtin-v0/{name}")
        bitcode = benchmark.bitcode("runtime")
        engine_t, pgo_t, plain_run, engine_run, pgo_run = [], [], [], [], []
        blocks = pgo_n = 0
        for _ in range(args.rounds):
            start = time.perf_counter()
            with Module.from_bitcode(bitcode) as module:
                blocks = profile_module(benchmark, module, use_cache=False).blocks
            engine_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            pgo_n, seconds = pgo_counters(benchmark, bitcode)
            pgo_t.append(time.perf_counter() - start)
            pgo_run.append(seconds)
            plain_run.append(benchmark.run(bitcode).times[0])
            with Module.from_bitcode(bitcode) as module:
                counted, _ = instrument(module)
            spec = benchmark.run_spec()
            spec = dataclasses.replace(spec, ldflags=(*spec.ldflags, str(runtime_object())), collect=(COUNTS_FILE,))
            engine_run.append(run_bitcode(counted, spec).times[0])
        med = statistics.median
        rows.append(
            f"| {name} | {blocks} | {pgo_n} | {med(engine_t) * 1e3:.0f} | {med(pgo_t) * 1e3:.0f} | "
            f"{med(pgo_t) / med(engine_t):.2f}x | {med(plain_run) * 1e3:.1f} | {med(engine_run) * 1e3:.1f} | "
            f"{med(pgo_run) * 1e3:.1f} |"
        )
        print(rows[-1], flush=True)
    lines = [
        f"Counters from one run of each program's start state (`runtime` build), medians of {args.rounds} "
        "interleaved rounds; (b) excludes reconstructing block counts from its edge counters.",
        "",
        "| program | blocks = counters (a) | counters (b) | (a) engine counters, total (ms) | (b) PGO + llvm-profdata, "
        "total (ms) | (b)/(a) | plain run (ms) | run with (a) (ms) | run with (b) (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]
    emit(lines, args.out)


if __name__ == "__main__":
    main()

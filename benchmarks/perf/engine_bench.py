"""Per-step cost of the engine: worker session vs in-process vs one `opt` process per pass.

Runs the same pass sequence on the same modules through
  (floor) LLVMRunPasses alone, in-process (``Module.run_passes_bare``), plus the native instruction count;
  (b) ``Module.run_passes`` + ``instruction_count()`` in-process;
  (a) ``Session.step(pass, ("instruction_count",))`` with the module in a worker process (the default; one
      round trip per step, as the environments do);
  (c) one ``opt -passes=P in.bc -o out.bc`` process per pass (only the process is timed: a real
      subprocess env would also have to count instructions afterwards, so (c) is a lower bound).
(b) and (a) each advance through the sequence in lockstep with a floor module, alternating which goes
first at every pass, so each pass is timed both ways under the same machine load. Step times are medians over every
(round, pass); overheads and (c)/(a) are medians of per-pass ratios. Then Autophase + InstCount and fork.

Usage: python benchmarks/perf/engine_bench.py [--rounds 5] [--programs crc32 sha256 ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.session import Session
from rl_compiler.llvm.toolchain import get_toolchain

#: A realistic mix of cheap and expensive passes (all from the screened-clean list of LLVM 23).
SEQUENCE = [
    "function(sroa)",
    "function(early-cse<memssa>)",
    "function(simplifycfg)",
    "function(instcombine<no-verify-fixpoint>)",
    "function(loop-mssa(licm))",
    "function(gvn)",
    "function(loop(loop-rotate))",
    "function(reassociate)",
    "function(sccp)",
    "function(adce)",
    "ipsccp",
    "globalopt",
    "function(jump-threading)",
    "function(correlated-propagation)",
    "function(dse)",
    "function(loop(indvars))",
    "function(loop(loop-deletion))",
    "cgscc(inline)",
    "function(mem2reg)",
    "globaldce",
]
DEFAULT_PROGRAMS = ["kmp", "crc32", "sha256", "huffman", "regex", "bytecodevm", "deflatelite", "hashsuite"]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def _mean_ms(samples: list[float]) -> float:
    return statistics.fmean(samples) * 1e3


def time_lockstep(bitcode: bytes, root: Session, passes: list[str], round_index: int, other: str) -> dict:
    """Step the floor and one variant (``"b"`` in-process or ``"a"`` worker) through ``passes`` side by side,
    alternating which goes first at every pass, so each pass's two timings see the same machine load."""
    floor_module = Module.from_bitcode(bitcode)
    if other == "b":
        in_process = Module.from_bitcode(bitcode)

        def variant(pipeline: str) -> None:
            in_process.run_passes(pipeline)
            in_process.instruction_count()

        close = in_process.close
    else:
        worker = root.fork()

        def variant(pipeline: str) -> None:
            worker.step(pipeline, ("instruction_count",))

        close = worker.close

    def floor(pipeline: str) -> None:
        floor_module.run_passes_bare(pipeline.encode())
        floor_module.instruction_count()

    methods = [("floor", floor), (other, variant)]
    samples: dict[str, list[float]] = {"floor": [], other: []}
    for index, pipeline in enumerate(passes):
        shift = (index + round_index) % 2
        for name, call in methods[shift:] + methods[:shift]:
            start = time.perf_counter()
            call(pipeline)
            samples[name].append(time.perf_counter() - start)
    floor_module.close()
    close()
    return samples


def time_opt_processes(bitcode: bytes, passes: list[str], opt: Path, workdir: Path) -> list[float]:
    current = workdir / "state0.bc"
    current.write_bytes(bitcode)
    samples = []
    for index, pipeline in enumerate(passes, 1):
        output = workdir / f"state{index}.bc"
        start = time.perf_counter()
        subprocess.run([str(opt), f"-passes={pipeline}", str(current), "-o", str(output)], check=True)
        samples.append(time.perf_counter() - start)
        current = output
    return samples


def time_features(bitcode: bytes, repeats: int = 50) -> tuple[float, float]:
    """Median ms of autophase()+inst_count() (one native walk each) and of features() (one walk for both)."""
    module = Module.from_bitcode(bitcode)
    separate, combined = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        module.autophase()
        module.inst_count()
        separate.append(time.perf_counter() - start)
        start = time.perf_counter()
        module.features()
        combined.append(time.perf_counter() - start)
    module.close()
    return _median_ms(separate), _median_ms(combined)


def time_fork(root: Session, repeats: int = 30) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        child = root.fork()
        samples.append(time.perf_counter() - start)
        child.close()
    return _median_ms(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--programs", nargs="*", default=DEFAULT_PROGRAMS)
    args = parser.parse_args()
    toolchain = get_toolchain()
    print(
        f"LLVM {toolchain.version}; {len(SEQUENCE)} passes per sequence; {args.rounds} rounds; "
        "medians over every (round, pass)\n"
    )
    rows, feature_rows = [], []
    with tempfile.TemporaryDirectory(prefix="rl-compiler-bench-") as tmp:
        for name in args.programs:
            bitcode = get_benchmark(f"benchmark://builtin-v0/{name}").bitcode("size")
            size = Module.from_bitcode(bitcode).instruction_count()
            root = Session(bitcode)
            times: dict[str, list[float]] = {"floor_b": [], "b": [], "floor_a": [], "a": [], "c": []}
            for round_index in range(args.rounds):
                for other in ("b", "a"):
                    samples = time_lockstep(bitcode, root, SEQUENCE, round_index, other)
                    times[f"floor_{other}"] += samples["floor"]
                    times[other] += samples[other]
                times["c"] += time_opt_processes(bitcode, SEQUENCE, toolchain.opt, Path(tmp))
            fork_ms = time_fork(root)
            root.close()
            floor = _median_ms(times["floor_b"] + times["floor_a"])
            b, a, c = (_median_ms(times[key]) for key in ("b", "a", "c"))
            # Overheads are medians of per-step ratios against the same pass's floor (paired samples).
            b_over = statistics.median(x / y for x, y in zip(times["b"], times["floor_b"], strict=True)) - 1
            a_over = statistics.median(x / y for x, y in zip(times["a"], times["floor_a"], strict=True)) - 1
            c_ratio = statistics.median(x / y for x, y in zip(times["c"], times["a"], strict=True))
            rows.append((name, size, floor, b, b_over, a, a_over, c, c_ratio, fork_ms))
            separate, combined = time_features(bitcode)
            feature_rows.append((name, size, separate, combined))
            print(f"  measured {name} ({size} instructions)", flush=True)
    print()
    print(
        "| program | IR instructions | floor: bare pass + count (ms) | (b) in-process (ms) | (b) overhead "
        "| (a) worker (ms) | (a) overhead | (c) opt per pass (ms) | (c)/(a) | Session.fork (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, size, floor, b, b_over, a, a_over, c, c_ratio, fork_ms in sorted(rows, key=lambda row: row[1]):
        print(
            f"| {name} | {size:,} | {floor:.3f} | {b:.3f} | {100 * b_over:+.0f}% | {a:.3f} "
            f"| {100 * a_over:+.0f}% | {c:.2f} | {c_ratio:.1f}x | {fork_ms:.3f} |"
        )
    print()
    print("| program | IR instructions | autophase() + inst_count() (ms) | features(), one walk (ms) |")
    print("|---|---|---|---|")
    for name, size, separate, combined in sorted(feature_rows, key=lambda row: row[1]):
        print(f"| {name} | {size:,} | {separate:.3f} | {combined:.3f} |")


if __name__ == "__main__":
    main()

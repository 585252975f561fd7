"""Print the Markdown table of the built-in suite for the README: per program, IR size and .text size.

Usage: ``python benchmarks/suite_table.py [DATASET]`` (default ``builtin-v0``; any manifest dataset works).
Columns:

- ``IR -O0``: instructions of the CompilerGym-style build (``clang -O0 -Xclang -disable-O0-optnone``).
- ``IR start``: instructions of the module agents start from (the ``size`` build: ``clang -Oz -Xclang
  -disable-llvm-passes``), i.e. ``IrInstructionCountO0`` of the environments.
- ``IR -Oz``, ``.text -Oz``: that module after the -Oz baseline (``rl_compiler.llvm.baselines``).
"""

from __future__ import annotations

import sys

from rl_compiler.datasets import get_dataset
from rl_compiler.llvm.baselines import compute_baselines


def main(dataset_name: str = "builtin-v0") -> int:
    dataset = get_dataset(dataset_name)
    rows = []
    for benchmark in dataset.benchmarks():
        with benchmark.module("O0") as o0, benchmark.module("size") as start:
            baselines = compute_baselines(start)
            rows.append((benchmark, o0.instruction_count(), baselines))
    print("| program | tags | files | IR -O0 | IR start | IR -Oz | .text -Oz (bytes) |")
    print("|---|---|--:|--:|--:|--:|--:|")
    for benchmark, ic_o0, b in rows:
        print(
            f"| `{benchmark.name}` | {', '.join(benchmark.tags)} | {len(benchmark.spec.sources)} | {ic_o0:,} "
            f"| {b.ic_O0:,} | {b.ic_Oz:,} | {b.text_Oz:,} |"
        )
    big = sum(ic_o0 > 5000 for _, ic_o0, _ in rows)
    total = [
        sum(row[1] for row in rows),
        sum(row[2].ic_O0 for row in rows),
        sum(row[2].ic_Oz for row in rows),
        sum(row[2].text_Oz for row in rows),
    ]
    print(
        f"| **total** ({len(rows)} programs, {big} above 5,000 at -O0) | | "
        f"{sum(len(r[0].spec.sources) for r in rows)} | " + " | ".join(f"{value:,}" for value in total) + " |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))

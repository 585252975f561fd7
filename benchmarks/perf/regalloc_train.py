"""A short MaskablePPO run on llvm-regalloc-v0, scored against LLVM's heuristic on held-out modules.

The work is :func:`rl_compiler.agents.rl.mlgo.compare_regalloc`: train sb3-contrib's MaskablePPO on a few
built-in programs for a small budget of eviction decisions, then play one deterministic episode on each
held-out module and print, per module, the weighted spill score (lower is better) of LLVM's default
heuristic, of the trained policy and of the "first legal" / "random legal" baselines, and the reward
``1 - (s_policy + 1) / (s_default + 1)`` (positive = better than LLVM). Usage::

    python benchmarks/perf/regalloc_train.py [--timesteps 4096] [--seed 0]
"""

from __future__ import annotations

import argparse

from rl_compiler.agents.rl.mlgo import compare_regalloc, format_comparison


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(format_comparison(compare_regalloc(args.timesteps, args.seed)))


if __name__ == "__main__":
    main()

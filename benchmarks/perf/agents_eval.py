"""Measure the agents on the built-in suite's held-out test split at equal time budgets.

    python benchmarks/perf/agents_eval.py --budget 10 --long-budget 60 \
        -o benchmarks/perf/results/agents_eval.json

Every agent runs one episode per test benchmark in one process on one core, sequentially; every result is
validated (verifier, and the program's output against the expected output). Reports the geomean
IrInstructionCountOz return (CompilerGym's metric), the IR size ratio Oz/final and the object .text ratio,
with wall time per program. The numbers in docs/agents.md come from this script.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import gymnasium as gym

import rl_compiler  # noqa: F401 - registers the envs
from rl_compiler.agents.evaluation import evaluate, summarize
from rl_compiler.agents.registry import make_agent
from rl_compiler.agents.rl.shipped import default_policy_path, search_settings
from rl_compiler.datasets import get_dataset


def agents(budget: float, long_budget: float) -> list[tuple[str, dict]]:
    """(label, make_agent arguments) of every configuration measured."""
    macros = search_settings(default_policy_path()).get("macro_actions", [])
    return [
        ("-Oz", {"name_or_path": "oz"}),
        ("-O3", {"name_or_path": "o3"}),
        ("PPO alone (shipped model, from -Oz)", {"name_or_path": str(default_policy_path())}),
        (f"shipped policy + search, {budget:g} s", {"name_or_path": "default", "time_limit": budget}),
        (f"greedy from -Oz, {budget:g} s", {"name_or_path": "greedy", "time_limit": budget, "start": "oz"}),
        (
            f"random search from -Oz, {budget:g} s",
            {"name_or_path": "random", "time_limit": budget, "start": "oz", "seed": 0},
        ),
        (
            f"shipped policy + search, {long_budget:g} s",
            {"name_or_path": "default", "time_limit": long_budget},
        ),
        (
            f"local search from -Oz + macros, {long_budget:g} s",
            {
                "name_or_path": "local-search",
                "time_limit": long_budget,
                "start": "oz",
                "macro_actions": macros,
                "macros_first": True,
                "seed": 0,
            },
        ),
        (
            f"beam search from -Oz, {long_budget:g} s",
            {
                "name_or_path": "beam",
                "time_limit": long_budget,
                "start": "oz",
                "macro_actions": ["oz"],
                "width": 4,
            },
        ),
    ]


def markdown(data: dict) -> str:
    """The results as the Markdown tables of docs/agents.md."""
    lines = [
        "| agent | geomean IrInstructionCountOz | IR size Oz/final | .text Oz/final | wall s/program (mean, max) "
        "| validated |",
        "|---|---|---|---|---|---|",
    ]
    for row in data["rows"]:
        text = row["geomean_text_ratio"]
        lines.append(
            f"| {row['label']} | {row['geomean_ir_instruction_count_oz']:.4f}x | {row['geomean_size_ratio']:.4f}x | "
            f"{text:.4f}x | {row['wall_time_mean']:.1f}, {row['max_wall_time']:.1f} | "
            f"{row['valid']}/{row['benchmarks']} |"
        )
    names = [uri.rsplit("/", 1)[-1] for uri in data["meta"]["benchmarks"]]
    lines += ["", "Per program (IrInstructionCountOz return; IR instructions final/Oz; .text bytes final/Oz):", ""]
    lines.append("| agent | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))
    for row in data["rows"]:
        cells = [
            f"{r['ir_instruction_count_oz']:.3f} ({r['ic_final']}/{r['ic_oz']}; {r['text_final']}/{r['text_oz']})"
            for r in row["per_benchmark"]
        ]
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument("--long-budget", type=float, default=60.0)
    parser.add_argument("--split", default="test")
    parser.add_argument(
        "--only",
        default=None,
        help="run only the agents whose labels start with one of these "
        "';'-separated prefixes, e.g. --only='-Oz;greedy'",
    )
    parser.add_argument("-o", "--output", default="benchmarks/perf/results/agents_eval.json")
    parser.add_argument("--render", metavar="JSON", help="print the Markdown tables of a results file and exit")
    args = parser.parse_args()
    if args.render:
        print(markdown(json.loads(Path(args.render).read_text())))
        return
    uris = get_dataset("builtin-v0").split(args.split)
    env = gym.make("rl_compiler/llvm-autophase-ic-v0")
    for uri in uris:  # build and compute baselines first, so no agent pays for them
        env.reset(options={"benchmark": uri})
    rows = []
    for label, kwargs in agents(args.budget, args.long_budget):
        if args.only and not any(label.startswith(prefix) for prefix in args.only.split(";")):
            continue
        start = time.perf_counter()
        results = evaluate(make_agent(**kwargs), env, uris, progress=False)
        summary = summarize(results)
        summary.update(
            label=label,
            elapsed=time.perf_counter() - start,
            max_wall_time=max(r.wall_time for r in results),
            per_benchmark=[r.to_dict() for r in results],
        )
        rows.append(summary)
        text = summary["geomean_text_ratio"]
        print(
            f"{label:<40} IcOz {summary['geomean_ir_instruction_count_oz']:.4f}x  "
            f"IR Oz/final {summary['geomean_size_ratio']:.4f}x  .text Oz/final {text:.4f}x  "
            f"wall mean {summary['wall_time_mean']:.1f} s max {summary['max_wall_time']:.1f} s  "
            f"valid {summary['valid']}/{summary['benchmarks']}",
            flush=True,
        )
    env.close()
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "split": args.split,
        "benchmarks": uris,
        "budget": args.budget,
        "long_budget": args.long_budget,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cores_used": 1,
    }
    output.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, default=str) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()

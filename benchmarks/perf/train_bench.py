"""End-to-end training speed of `rl-compiler train`'s default recipe, before and after, side by side.

    nice -n 19 python benchmarks/perf/train_bench.py --rounds 3 -o benchmarks/perf/results/train_bench.json

Every configuration trains PPO on ``rl_compiler/llvm-autophase-ic-v0`` (the train split of builtin-v0, no
periodic validation) in a fresh process, and the rounds interleave the configurations so that the machine's
load hits them alike. Env steps per second are the steps SB3 ran divided by the wall time of the whole
``train()`` call: env and model set-up, every reset, step and PPO update (the interpreter's start and the
imports are not counted). Prints the median and range per configuration and the ratio of medians.

Configurations:

- ``before``: the recipe shipped until this script existed: macro actions (each step a pass followed by the
  -Oz pipeline), -Oz run again at every reset, n_steps 128 x 10 epochs, torch's default thread count;
- ``before, 1 torch thread``: the same on one torch thread (what the default is now);
- ``after, -Oz at every reset``: the new recipe without the start cache;
- ``after``: the new default recipe from ``agents/hyperparams/ppo.yml`` (single passes from a cached -Oz start,
  n_steps 512 x 4 epochs, one torch thread).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = "rl_compiler/llvm-autophase-ic-v0"
#: The shipped recipe before this change (agents/hyperparams/ppo.yml at that time), as overrides.
BEFORE = [
    "wrappers=[{start-oz: {cached: false}}, {macro-actions: {episode_length: 10}}, autophase-norm, action-histogram]",
    "episode_length=10",
    "n_steps=128",
    "batch_size=64",
    "n_epochs=10",
]


def configurations(before_steps: int, after_steps: int) -> list[dict]:
    """(label, steps, overrides, torch threads) of every measured configuration."""
    import torch

    from rl_compiler.agents.rl.hyperparams import load_hyperparams

    default_threads = torch.get_num_threads()
    wrappers = load_hyperparams("ppo", ENV)["wrappers"]
    uncached = [{"start-oz": {"cached": False}} if w == "start-oz" else w for w in wrappers]
    return [
        {"label": "before", "steps": before_steps, "overrides": BEFORE, "threads": default_threads},
        {"label": "before, 1 torch thread", "steps": before_steps, "overrides": BEFORE, "threads": 1},
        {
            "label": "after, -Oz at every reset",
            "steps": after_steps,
            "overrides": [f"wrappers={json.dumps(uncached)}"],
            "threads": 1,
        },
        {"label": "after (the default recipe)", "steps": after_steps, "overrides": [], "threads": 1},
    ]


def run_one(steps: int, overrides: list[str], threads: int) -> dict:
    """Train once in this process; return the steps run and the wall time of ``train()``."""
    from rl_compiler.agents.rl import training

    config = training.resolve_config(
        "ppo", ENV, n_timesteps=steps, eval_split=None, overrides=overrides, num_threads=threads
    )
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        training.train(config, Path(folder) / "run")
        seconds = time.perf_counter() - start
        monitor = (Path(folder) / "run" / "0.monitor.csv").read_text().splitlines()[2:]
    ran = sum(int(line.split(",")[1]) for line in monitor)  # whole episodes; a last partial one is not listed
    return {"steps": steps, "episode_steps": ran, "seconds": seconds}


def measure(config: dict) -> dict:
    """:func:`run_one` in a fresh interpreter (caches of one run cannot help the next)."""
    arguments = f"{config['steps']}, {json.dumps(config['overrides'])}, {config['threads']}"
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from train_bench import run_one; "
        f"print(json.dumps(run_one({arguments})))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before-steps", type=int, default=512, help="steps per run of the two 'before' recipes")
    parser.add_argument("--after-steps", type=int, default=4096, help="steps per run of the two 'after' recipes")
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args()
    configs = configurations(args.before_steps, args.after_steps)
    rates: dict[str, list[float]] = {c["label"]: [] for c in configs}
    runs = []
    for round_ in range(args.rounds):
        for config in configs:
            result = measure(config)
            rate = result["steps"] / result["seconds"]
            rates[config["label"]].append(rate)
            runs.append({"round": round_, **config, **result, "steps_per_s": rate})
            print(f"round {round_}: {config['label']}: {rate:.1f} steps/s ({result['seconds']:.1f} s)", flush=True)
    reference = statistics.median(rates[configs[0]["label"]])
    print("\n| recipe | steps per run | env steps/s, median [range] | vs before |\n|---|---|---|---|")
    for config in configs:
        values = rates[config["label"]]
        median = statistics.median(values)
        print(
            f"| {config['label']} | {config['steps']} | {median:.1f} [{min(values):.1f}-{max(values):.1f}] "
            f"| {median / reference:.1f}x |"
        )
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
        args.output.write_text(json.dumps({"meta": meta, "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

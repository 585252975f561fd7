"""End-to-end training speed of `rl-compiler train`'s default recipe, before and after, side by side.

    nice -n 19 python benchmarks/perf/train_bench.py --rounds 3 -o benchmarks/perf/results/train_bench.json

Every configuration trains PPO on ``rl_compiler/llvm-autophase-ic-v0`` (the train split of builtin-v0, no
periodic validation) in a fresh process, and the rounds interleave the configurations so that the machine's
load hits them alike. Env steps per second are the steps SB3 ran divided by the wall time of the whole
``train()`` call: env and model set-up, every reset, step and PPO update (the interpreter's start and the
imports are not counted). Prints the median and range per configuration and the ratio of medians.

Configurations:

- ``before``: the recipe shipped until train_bench.py existed: macro actions (each step a pass followed by the
  -Oz pipeline), -Oz run again at every reset, n_steps 128 x 10 epochs, torch's default thread count;
- ``1 env``: the default recipe until vec_env existed: single passes from a cached -Oz start, one env,
  n_steps 512 x 10 epochs, one torch thread;
- ``2 envs, one after the other``: the same with two envs in SB3's DummyVecEnv (2 x 256 steps per rollout);
- ``2 envs on threads``: the default recipe from ``agents/hyperparams/ppo.yml``: the two envs stepped together
  (``vec_env: thread``), so that one env's LLVM worker runs while this process handles the other.
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
    "n_envs=1",
    "vec_env=dummy",
]


#: The default recipe with one env (what it was before vec_env), as overrides.
ONE_ENV = ["n_envs=1", "vec_env=dummy", "n_steps=512"]


def configurations(before_steps: int, after_steps: int) -> list[dict]:
    """(label, steps, overrides, torch threads) of every measured configuration."""
    import torch

    default_threads = torch.get_num_threads()
    return [
        {"label": "before", "steps": before_steps, "overrides": BEFORE, "threads": default_threads},
        {"label": "1 env", "steps": after_steps, "overrides": ONE_ENV, "threads": 1},
        {
            "label": "2 envs, one after the other",
            "steps": after_steps,
            "overrides": ["n_envs=2", "vec_env=dummy"],
            "threads": 1,
        },
        {"label": "2 envs on threads (the default recipe)", "steps": after_steps, "overrides": [], "threads": 1},
    ]


def run_one(steps: int, overrides: list[str], threads: int) -> dict:
    """Train once in this process; return the steps run and the wall time of ``train()``."""
    from rl_compiler.agents.rl import training

    config = training.resolve_config(
        "ppo", ENV, n_timesteps=steps, eval_split=None, overrides=overrides, num_threads=threads
    )
    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), os.times()
        training.train(config, Path(folder) / "run")
        seconds, end = time.perf_counter() - start, os.times()
        monitors = [path.read_text().splitlines()[2:] for path in (Path(folder) / "run").glob("*.monitor.csv")]
    ran = sum(int(line.split(",")[1]) for lines in monitors for line in lines)  # whole episodes only
    # CPU of this process (every thread) and of its LLVM workers (children, counted once they have ended).
    own = end.user + end.system - cpu.user - cpu.system
    workers = end.children_user + end.children_system - cpu.children_user - cpu.children_system
    return {"steps": steps, "episode_steps": ran, "seconds": seconds, "cpu_s": own, "worker_cpu_s": workers}


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
    parser.add_argument(
        "--after-steps", type=int, default=None, help="steps per run of the others (default: the recipe's n_timesteps)"
    )
    parser.add_argument("--only", nargs="+", default=None, metavar="TEXT", help="configurations whose label has TEXT")
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args()
    from rl_compiler.agents.rl.hyperparams import load_hyperparams

    after_steps = args.after_steps or int(load_hyperparams("ppo", ENV)["n_timesteps"])
    configs = configurations(args.before_steps, after_steps)
    if args.only:
        configs = [c for c in configs if any(text in c["label"] for text in args.only)]
    rates: dict[str, list[float]] = {c["label"]: [] for c in configs}
    runs = []
    for round_ in range(args.rounds):
        for config in configs:
            result = measure(config)
            rate = result["steps"] / result["seconds"]
            rates[config["label"]].append(rate)
            load = os.getloadavg()[0]
            runs.append({"round": round_, **config, **result, "steps_per_s": rate, "load": load})
            here, workers = (1e3 * result[key] / result["steps"] for key in ("cpu_s", "worker_cpu_s"))
            print(
                f"round {round_}: {config['label']}: {rate:.1f} steps/s ({result['seconds']:.1f} s; CPU per step "
                f"{here:.2f} ms here + {workers:.2f} ms in LLVM workers; load average {load:.1f})",
                flush=True,
            )
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

"""MaskablePPO on the MLGO environments: a saved model as a decision policy, and a short training run on
register allocation scored against LLVM's heuristic and the baselines on held-out modules.

``benchmarks/perf/regalloc_train.py`` prints :func:`compare_regalloc`'s table; ``docs/regalloc.md`` quotes it.
Algorithm: Huang & Ontañón 2020 (invalid action masking, https://arxiv.org/abs/2006.14171) over PPO.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rl_compiler.agents.base import DecisionPolicy
from rl_compiler.agents.mlgo.baselines import RandomLegal, first_legal, run_episode


class SB3DecisionPolicy(DecisionPolicy):
    """A saved MaskablePPO model answering every decision deterministically, within the mask.

    :param path: the model: a ``.zip``, or a run directory of ``rl-compiler train`` (its best model, else its
        final model, else its last checkpoint).
    :param model: an in-memory model instead of ``path``.
    :param checkpoint: in a run directory, a checkpoint's step count or ``"last"`` instead.
    """

    name = "maskable-ppo"

    def __init__(self, path: str | Path | None = None, model: Any = None, checkpoint: int | str | None = None) -> None:
        super().__init__()
        if model is None:
            if path is None:
                raise ValueError("SB3DecisionPolicy needs path= (a .zip model or a run directory) or model=")
            from rl_compiler.agents.rl.checkpoints import find_model
            from rl_compiler.agents.rl.sb3 import algo_class

            algo = "maskable-ppo"
            if Path(path).is_dir() or checkpoint is not None:
                path, config = find_model(path, checkpoint)
                algo = config.get("algo", algo)
            elif not Path(path).is_file():
                raise FileNotFoundError(f"saved policy {path} does not exist")
            model = algo_class(algo).load(str(path), device="cpu")
        self.model = model

    def decide(self, observation: Any, info: dict) -> int:
        action, _ = self.model.predict(observation, action_masks=info.get("action_mask"), deterministic=True)
        return int(action)


#: Programs the comparison trains on (the built-in suite's, not an evaluation suite).
REGALLOC_TRAIN = [
    "benchmark://builtin-v0/sha256",
    "benchmark://builtin-v0/adler32",
    "benchmark://builtin-v0/boyermoore",
]
#: Held-out modules: built-in programs, and two PostgreSQL modules when the system ships their bitcode.
POSTGRES = Path("/usr/lib/postgresql/15/lib/bitcode/postgres")
REGALLOC_HELD_OUT = [
    "benchmark://builtin-v0/stencil",
    "benchmark://builtin-v0/crc32",
    "benchmark://builtin-v0/fft",
    "benchmark://builtin-v0/spmv",
    "benchmark://builtin-v0/kmp",
    str(POSTGRES / "access/heap/heapam.bc"),
    str(POSTGRES / "utils/adt/numeric.bc"),
]


def train_regalloc(benchmarks: list[str], timesteps: int, seed: int = 0) -> Any:
    """MaskablePPO (``MlpPolicy``, n_steps 512, batch 128, 4 epochs, gamma 1) trained on ``benchmarks``."""
    from sb3_contrib import MaskablePPO
    from stable_baselines3.common.logger import Logger

    from rl_compiler.envs.regalloc import RegallocEnv

    env = RegallocEnv(benchmarks)
    try:
        model = MaskablePPO(
            "MlpPolicy",
            env,
            n_steps=512,
            batch_size=128,
            n_epochs=4,
            learning_rate=3e-4,
            gamma=1.0,
            seed=seed,
            device="cpu",
            verbose=0,
        )
        # A logger of its own: without one, SB3's learn() leaves an empty /tmp/SB3-<time> directory behind.
        model.set_logger(Logger(folder=None, output_formats=[]))
        model.learn(total_timesteps=timesteps)
    finally:
        env.close()
    return model


@dataclass
class RegallocComparison:
    """Per held-out module: LLVM's score and, per policy, (score, reward, decisions)."""

    rows: list[tuple[str, float, dict[str, tuple[float, float, int]]]]
    train_seconds: float
    timesteps: int
    seed: int


def compare_regalloc(
    timesteps: int = 4096,
    seed: int = 0,
    train: list[str] | None = None,
    held_out: list[str] | None = None,
) -> RegallocComparison:
    """Train :func:`train_regalloc`, then play one deterministic episode per held-out module with the trained
    policy and the first-legal and random-legal baselines (held-out paths that do not exist are skipped)."""
    from rl_compiler.envs.regalloc import RegallocEnv

    start = time.perf_counter()
    model = train_regalloc(train or REGALLOC_TRAIN, timesteps, seed)
    train_seconds = time.perf_counter() - start
    modules = [m for m in (held_out or REGALLOC_HELD_OUT) if "://" in m or Path(m).exists()]
    policies = (("ppo", SB3DecisionPolicy(model=model)), ("first", first_legal), ("random", RandomLegal(seed)))
    env = RegallocEnv(modules[0])
    rows = []
    try:
        for benchmark in modules:
            scores = {}
            for name, policy in policies:
                reward, steps, info = run_episode(env, policy, benchmark=benchmark, seed=seed)
                scores[name] = (info["score"], reward, steps)
            rows.append((benchmark.rsplit("/", 1)[-1], info["default_score"], scores))
    finally:
        env.close()
    return RegallocComparison(rows, train_seconds, timesteps, seed)


def format_comparison(result: RegallocComparison, train: list[str] | None = None) -> str:
    """The comparison as the Markdown table and summary lines of ``docs/regalloc.md``."""
    from rl_compiler.llvm.toolchain import get_toolchain

    names = ", ".join(t.rsplit("/", 1)[-1] for t in train or REGALLOC_TRAIN)
    lines = [
        f"MaskablePPO (MlpPolicy, n_steps=512, batch 128, 4 epochs, gamma 1, seed {result.seed}) trained for "
        f"{result.timesteps} decisions on {names} in {result.train_seconds:.0f} s "
        f"(LLVM {get_toolchain().version}, load average {os.getloadavg()[0]:.1f}).",
        "",
        "| held-out module | default score | PPO score | PPO reward | first-legal score | first-legal reward "
        "| random score | random reward | PPO decisions |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, default, s in result.rows:
        lines.append(
            f"| {name} | {default:.1f} | {s['ppo'][0]:.1f} | {s['ppo'][1]:+.4f} | {s['first'][0]:.1f} "
            f"| {s['first'][1]:+.4f} | {s['random'][0]:.1f} | {s['random'][1]:+.4f} | {s['ppo'][2]} |"
        )
    lines.append("")
    for name in ("ppo", "first", "random"):
        rewards = [s[name][1] for _, _, s in result.rows]
        total = sum(s[name][0] for _, _, s in result.rows)
        default_total = sum(d for _, d, _ in result.rows)
        lines.append(
            f"{name}: mean reward {statistics.mean(rewards):+.4f}, median {np.median(rewards):+.4f}; "
            f"summed score {total:.1f} vs default {default_total:.1f} "
            f"({100 * (total / default_total - 1):+.1f}%)"
        )
    return "\n".join(lines)

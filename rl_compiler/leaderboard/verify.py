"""Re-verify a results directory: replay every recorded pass list or decision list from scratch and
recompute the metric. A submission is never trusted as written: any difference fails the entry."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gymnasium as gym

from rl_compiler.leaderboard import decisions
from rl_compiler.leaderboard.harness import BASELINE_AGENTS, baseline_metric, dataset_hash, passes_metric
from rl_compiler.leaderboard.results import ResultsDir, Row
from rl_compiler.leaderboard.tasks import load_task
from rl_compiler.llvm.toolchain import get_toolchain

#: Rewards are ratios of integer costs; replay must reproduce them to rounding.
TOLERANCE = 1e-9


@dataclass
class Verification:
    """What verifying one results directory found."""

    path: Path
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.checked > 0


def _replay_passes(task, row: Row) -> float:
    env = gym.make(task.env, benchmark=row.benchmark)
    try:
        env.reset(seed=0, options={"benchmark": row.benchmark})
        for pipeline in row.actions:
            env.unwrapped.apply_pipeline(str(pipeline))
        env.unwrapped.session.verify()
        reward, details = passes_metric(task, env)
    finally:
        env.close()
    for key, value in details.items():
        if key in row.details and row.details[key] != value and not isinstance(value, float):
            raise ValueError(f"{key} is {value} on replay, {row.details[key]} recorded")
    return reward


def _replay_mlgo(task, row: Row, config: dict) -> float:
    env = gym.make(task.env, benchmark=row.benchmark, **config)
    try:
        reward, _ = decisions.replay(env, row.benchmark, [int(action) for action in row.actions])
    finally:
        env.close()
    return reward


def verify(path: str | Path, progress: Callable[[int, int, str], None] | None = None) -> Verification:
    """Replay every row of the results directory at ``path``; collect every mismatch."""
    results = ResultsDir(path)
    report = Verification(Path(path))
    manifest = results.manifest()
    task = load_task(manifest["task"]).with_overrides(
        dataset=manifest.get("dataset"), split=manifest.get("split"), repetitions=manifest.get("repetitions")
    )
    if manifest.get("llvm") != get_toolchain().id:
        report.problems.append(
            f"recorded with {manifest.get('llvm')}, verifying with {get_toolchain().id}: "
            "results are only comparable under the same LLVM"
        )
    uris = list(manifest.get("benchmarks", []))
    if dataset_hash(uris) != manifest.get("dataset_hash"):
        report.problems.append(
            "the benchmarks' sources, flags or toolchain differ from the run's (dataset hash mismatch)"
        )
    rows = results.rows()
    expected = {(uri, rep) for uri in uris for rep in range(task.repetitions)}
    present = {(row.benchmark, row.repetition) for row in rows}
    for uri, rep in sorted(expected - present):
        report.problems.append(f"{uri} repetition {rep}: no result row")
    for uri, rep in sorted(present - expected):
        report.problems.append(f"{uri} repetition {rep}: row for a benchmark outside the task")
    config = manifest.get("agent_config", {}) if task.kind == "mlgo" else {}
    baseline = manifest.get("agent") in BASELINE_AGENTS
    for index, row in enumerate(rows):
        try:
            if baseline:  # recompute the baseline from scratch, bypassing the on-disk cache
                replayed = baseline_metric(task, row.benchmark, use_cache=False)[0]
            elif task.kind == "mlgo":
                replayed = _replay_mlgo(task, row, config)
            else:
                replayed = _replay_passes(task, row)
        except Exception as error:  # any failure to replay fails the entry, with the reason
            report.problems.append(f"{row.benchmark} repetition {row.repetition}: replay failed: {error}")
        else:
            if not math.isclose(replayed, row.reward, rel_tol=0, abs_tol=TOLERANCE):
                report.problems.append(
                    f"{row.benchmark} repetition {row.repetition}: recorded reward {row.reward!r}, "
                    f"replay gives {replayed!r}"
                )
        report.checked += 1
        if progress:
            progress(index + 1, len(rows), row.benchmark)
    return report

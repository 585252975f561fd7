"""Leaderboard reports: a Markdown table in CompilerGym's columns, and PNG plots.

The headline number is CompilerGym's: the geometric mean over benchmarks and repetitions of the task's
episode return (1.0 = the baseline, higher is better). Beside it, the plain size ratio
baseline/final (for pass-ordering tasks) and the mean wall time per benchmark. The geomean and its 95%
bootstrap interval are :mod:`rl_compiler.stats`'s, the same as ``rl-compiler eval`` prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rl_compiler.leaderboard.results import ResultsDir, Row
from rl_compiler.stats import bootstrap_ci, floored, geomean


@dataclass(frozen=True)
class EntrySummary:
    """One results directory reduced to the leaderboard's columns."""

    path: Path
    task: str
    kind: str
    author: str
    algorithm: str
    date: str
    walltime_mean: float
    score: float
    ci_low: float
    ci_high: float
    size_ratio: float
    benchmarks: int
    repetitions: int
    floored: int
    per_benchmark: dict[str, float]
    metric: str = ""


def _score_of(row: Row, task_kind: str) -> float:
    # MLGO's reward r = 1 - (s_policy + d) / (s_default + d); 1 / (1 - r) = (s_default + d) / (s_policy + d) is
    # the plain ratio: 1.0 means "as good as the default heuristic", higher is better, always positive.
    return 1.0 / (1.0 - row.reward) if task_kind == "mlgo" else row.reward


def summarize(path: str | Path) -> EntrySummary:
    """Reduce one results directory to its leaderboard row."""
    results = ResultsDir(path)
    manifest = results.manifest()
    rows = results.rows()
    kind = manifest.get("task_kind", "passes")
    by_benchmark: dict[str, list[float]] = {}
    for row in rows:
        by_benchmark.setdefault(row.benchmark, []).append(_score_of(row, kind))
    scores = [value for values in by_benchmark.values() for value in values]
    ratios = [row.details["size_ratio"] for row in rows if row.details.get("size_ratio")]
    low, high = bootstrap_ci(by_benchmark)
    return EntrySummary(
        path=results.path,
        task=manifest.get("task", "?"),
        kind=kind,
        author=manifest.get("author", "?"),
        algorithm=manifest.get("algorithm", manifest.get("agent", "?")),
        date=str(manifest.get("date", "?"))[:10],
        walltime_mean=float(np.mean([row.walltime for row in rows])) if rows else math.nan,
        score=geomean(scores),
        ci_low=low,
        ci_high=high,
        size_ratio=geomean(ratios) if ratios else math.nan,
        benchmarks=len(by_benchmark),
        repetitions=max((len(values) for values in by_benchmark.values()), default=0),
        floored=floored(scores),
        per_benchmark={name: geomean(values) for name, values in by_benchmark.items()},
        metric=str(manifest.get("metric", "")),
    )


def markdown_table(entries: list[EntrySummary], links: dict[Path, str] | None = None, mlgo: bool = False) -> str:
    """The leaderboard table, best score first, in CompilerGym's columns plus the plain size ratio.

    :param mlgo: label the score column for the register-allocation and inlining tasks.
    """
    score = "Score vs default heuristic (geomean)" if mlgo else "Codesize Reduction (geomean)"
    ratio_name = "Size ratio"
    if entries and all(entry.metric == "DynamicInstructionCountO3" for entry in entries):
        score, ratio_name = "Executed-instruction reduction vs -O3 (geomean)", "Executed -O3/final"
    lines = [
        f"| Author | Algorithm | Links | Date | Walltime (mean) | {score} | 95% CI | {ratio_name} (geomean) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in sorted(entries, key=lambda entry: -entry.score):
        link = (links or {}).get(entry.path, "")
        ratio = "" if math.isnan(entry.size_ratio) else f"{entry.size_ratio:.3f}x"
        lines.append(
            f"| {entry.author} | {entry.algorithm} | {link} | {entry.date} | {entry.walltime_mean:.2f}s "
            f"| **{entry.score:.3f}x** | {entry.ci_low:.3f}-{entry.ci_high:.3f} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def plot(entries: list[EntrySummary], out: str | Path, title: str = "") -> Path:
    """Per-benchmark bars for every entry, and the geomean with its 95% interval, in one PNG.

    Both panels zoom on the interesting range around 1.0 (the baseline); values below it are drawn to the
    axis edge and labelled with their number.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    entries = sorted(entries, key=lambda entry: -entry.score)
    benchmarks = sorted({name for entry in entries for name in entry.per_benchmark})
    short = [name.rstrip("/").rsplit("/", 1)[-1] for name in benchmarks]
    values = [[entry.per_benchmark.get(name, math.nan) for name in benchmarks] for entry in entries]
    finite = [v for row in values for v in row if not math.isnan(v)] + [entry.score for entry in entries]
    top = max(finite + [1.0]) + 0.01
    bottom = max(min(finite + [1.0]), 2.0 - top - 0.05, 0.8)
    figure, (bars, summary) = plt.subplots(
        1, 2, figsize=(max(11, 0.6 * len(benchmarks) + 7), 4.8), gridspec_kw={"width_ratios": [3, 2]}
    )
    width = 0.8 / max(len(entries), 1)
    x = np.arange(len(benchmarks))
    for index, (entry, row) in enumerate(zip(entries, values, strict=True)):
        bars.bar(x + index * width, row, width, label=entry.algorithm)
    bars.axhline(1.0, color="black", linewidth=0.8)
    bars.set_ylim(bottom, top)
    bars.set_xticks(x + 0.4 - width / 2, short, rotation=60, ha="right", fontsize=8)
    bars.set_ylabel("return (1.0 = baseline)")
    bars.set_title(title or (entries[0].task if entries else ""))
    names = [entry.algorithm for entry in entries]
    scores = [entry.score for entry in entries]
    lows = [max(entry.ci_low, bottom) for entry in entries]
    errors = [
        [max(score - low, 0) for score, low in zip(scores, lows, strict=True)],
        [max(entry.ci_high - entry.score, 0) for entry in entries],
    ]
    summary.barh(
        names,
        [max(score, bottom) - bottom for score in scores],
        left=bottom,
        xerr=errors,
        color=[f"C{index}" for index in range(len(entries))],
    )
    for index, score in enumerate(scores):
        summary.text(max(score, bottom) + 0.002, index, f" {score:.3f}x", va="center", fontsize=8)
    summary.axvline(1.0, color="black", linewidth=0.8)
    summary.set_xlim(bottom, top + 0.02)
    summary.set_xlabel("geomean (95% CI)")
    summary.tick_params(axis="y", labelsize=8)
    summary.invert_yaxis()
    figure.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out

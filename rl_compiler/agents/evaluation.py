"""Run a policy over benchmarks, validate every result, and summarise it as CompilerGym does.

The summary metric is CompilerGym's leaderboard metric: the geometric mean over benchmarks of the
``IrInstructionCountOz`` episode return ``(C_O0 - C_final) / max(C_O0 - C_Oz, 1)`` (1.0 = -Oz). Beside it:
the plain size ratio ``C_Oz / C_final`` and the object ``.text`` ratio ``text_Oz / text_final``
(IR gains overstate size gains).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import gymnasium as gym
from tqdm.auto import tqdm

from rl_compiler.agents import envtools
from rl_compiler.agents.base import EpisodeResult, Policy
from rl_compiler.llvm.cache import atomic_write_text
from rl_compiler.stats import geomean, geomean_summary

Result = TypeVar("Result")

COLUMNS = (
    "benchmark",
    "ic_o0",
    "ic_oz",
    "ic_final",
    "ir_instruction_count_oz",
    "size_ratio",
    "text_oz",
    "text_final",
    "text_ratio",
    "wall_time",
    "valid",
    "pipeline",
)


def validate(env: gym.Env, run: bool = True) -> tuple[bool, str]:
    """Check the env's current module: the verifier, and the program's output when it is runnable.

    Returns (ok, message); never raises for a bad module.
    """
    try:
        result = envtools.validate(env, run=run)
    except Exception as error:  # a failed validation is a result to report, not a crash
        return False, f"{type(error).__name__}: {error}"
    return result


def evaluate_each(
    benchmarks: Iterable[str], episode: Callable[[str], Result | None], *, name: str, progress: bool = True
) -> list[Result]:
    """The one evaluation loop of every env family: ``episode(uri)`` on every benchmark in turn, behind a progress
    bar named ``name``; a benchmark whose episode returns None is left out of the results."""
    results = []
    bar = tqdm(list(benchmarks), desc=name, unit="benchmark", disable=not progress, leave=False)
    for uri in bar:
        bar.set_postfix_str(uri.rsplit("/", 1)[-1])
        result = episode(uri)
        if result is not None:
            results.append(result)
    return results


def evaluate(
    policy: Policy | Callable[[], Policy],
    env: gym.Env,
    benchmarks: Iterable[str],
    *,
    run_programs: bool = True,
    progress: bool = True,
) -> list[EpisodeResult]:
    """Run ``policy`` on every benchmark (one episode each) and validate each final module."""

    def episode(uri: str) -> EpisodeResult:
        agent = policy() if callable(policy) and not isinstance(policy, Policy) else policy
        result = agent.run(env, benchmark=uri)
        start = time.perf_counter()
        result.valid, result.validation = validate(env, run=run_programs)
        result.extra["validation_time"] = time.perf_counter() - start
        return result

    return evaluate_each(benchmarks, episode, name=getattr(policy, "name", "eval"), progress=progress)


def summarize(results: list[EpisodeResult]) -> dict[str, Any]:
    """Geomean return (with its 95% bootstrap interval over benchmarks, and how many returns were floored),
    size ratio and .text ratio, total and mean wall time, validity counts."""
    text = [r.text_ratio for r in results if r.text_ratio is not None]
    returns = [r.ir_instruction_count_oz for r in results]
    return {
        "benchmarks": len(results),
        **geomean_summary(returns, "ir_instruction_count_oz"),
        "geomean_size_ratio": geomean([r.size_ratio for r in results]),
        "geomean_text_ratio": geomean(text) if text else None,
        "wall_time_total": sum(r.wall_time for r in results),
        "wall_time_mean": sum(r.wall_time for r in results) / max(len(results), 1),
        "valid": sum(1 for r in results if r.valid),
        "invalid": sum(1 for r in results if r.valid is False),
    }


def format_table(results: list[EpisodeResult], summary: dict[str, Any] | None = None) -> str:
    """A plain-text table: one row per benchmark, then the geomeans."""
    summary = summary or summarize(results)
    width = max([32, *(len(r.benchmark) for r in results)])  # whole URIs: a cut one names nothing
    header = (
        f"{'benchmark':<{width}} {'O0':>7} {'Oz':>7} {'final':>7} {'IcOz':>7} {'Oz/fin':>7} "
        f"{'.textOz':>8} {'.text':>8} {'txtOz/fin':>9} {'time s':>7} {'valid':>5}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        text_ratio = f"{r.text_ratio:9.3f}" if r.text_ratio else f"{'-':>9}"
        lines.append(
            f"{r.benchmark:<{width}} {r.ic_o0:>7} {r.ic_oz:>7} {r.ic_final:>7} "
            f"{r.ir_instruction_count_oz:>7.3f} {r.size_ratio:>7.3f} {r.text_oz or '-':>8} "
            f"{r.text_final or '-':>8} {text_ratio} {r.wall_time:>7.2f} "
            f"{'yes' if r.valid else ('NO' if r.valid is False else '-'):>5}"
        )
    lines.append("-" * len(header))
    text = summary["geomean_text_ratio"]
    lines.append(
        f"geomean IrInstructionCountOz {summary['geomean_ir_instruction_count_oz']:.4f}x "
        f"(95% CI {summary['ci_low']:.4f}-{summary['ci_high']:.4f}"
        + (f", {summary['floored']} floored" if summary["floored"] else "")
        + "), "
        + f"IR size Oz/final {summary['geomean_size_ratio']:.4f}x, "
        + (f".text Oz/final {text:.4f}x, " if text else "")
        + f"{summary['benchmarks']} benchmarks, {summary['wall_time_total']:.1f} s total, "
        f"{summary['valid']}/{summary['benchmarks']} validated"
    )
    return "\n".join(lines)


def write_results(
    path: str | Path,
    results: list[Any],
    summary: dict[str, Any],
    meta: dict[str, Any] | None = None,
    columns: tuple[str, ...] = COLUMNS,
) -> None:
    """Write the results as CSV (one row per benchmark, ``columns`` of each result's ``to_dict()``) or JSON
    (rows, summary and ``meta``), by suffix."""
    path = Path(path)
    if path.suffix == ".json":
        data = {"meta": meta or {}, "summary": summary, "results": [r.to_dict() for r in results]}
        atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")
        return
    if path.suffix != ".csv":
        raise ValueError(f"cannot write results to {path}: use a .csv or .json file name")
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for r in results:
        writer.writerow(r.to_dict())
    atomic_write_text(path, buffer.getvalue())

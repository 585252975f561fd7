"""``rl-compiler eval`` on the MLGO envs (register allocation, inlining): a decision policy on every benchmark,
one compilation each, scored against LLVM's own heuristic as the leaderboard scores it.

MLGO's terminal reward is ``r = 1 - (s_policy + d) / (s_default + d)``; ``1 / (1 - r)`` is the plain ratio
``(s_default + d) / (s_policy + d)``: 1.0 means as good as LLVM's heuristic, higher is better. The summary is
its geomean over benchmarks with a 95% bootstrap interval (:mod:`rl_compiler.stats`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from rl_compiler.agents.base import DecisionPolicy
from rl_compiler.agents.evaluation import evaluate_each
from rl_compiler.llvm.errors import NoDecisionsError
from rl_compiler.stats import geomean_summary

logger = logging.getLogger(__name__)

COLUMNS = ("benchmark", "decisions", "score", "default_score", "reward", "score_vs_default", "wall_time")


@dataclass
class DecisionResult:
    """One compilation: what the policy scored and what LLVM's heuristic scores on the same module."""

    benchmark: str
    decisions: int
    reward: float
    score: float | None
    default_score: float | None
    wall_time: float
    actions: list[int] = field(default_factory=list)

    @property
    def score_vs_default(self) -> float:
        return 1.0 / (1.0 - self.reward)

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "decisions": self.decisions,
            "score": self.score,
            "default_score": self.default_score,
            "reward": self.reward,
            "score_vs_default": self.score_vs_default,
            "wall_time": self.wall_time,
            "actions": self.actions,
        }


def _number(value: Any) -> float | None:
    return None if value is None else float(value.item() if isinstance(value, np.generic) else value)


def evaluate_decisions(
    policy: DecisionPolicy, env: gym.Env, benchmarks: Iterable[str], *, seed: int = 0, progress: bool = True
) -> list[DecisionResult]:
    """Play ``policy`` once on every benchmark of an MLGO env (a benchmark whose compilation asks no decision is
    skipped with a warning)."""

    def episode(uri: str) -> DecisionResult | None:
        try:
            played = policy.run(env, uri, seed=seed)
        except NoDecisionsError as error:  # the compiler asked nothing: no policy can differ from LLVM here
            logger.warning("skipping %s: %s", uri, error)
            return None
        score = played.info.get("score", played.info.get("text_size"))
        default = played.info.get("default_score", played.info.get("default_text_size"))
        return DecisionResult(
            benchmark=uri,
            decisions=played.steps,
            reward=float(played.reward),
            score=_number(score),
            default_score=_number(default),
            wall_time=played.wall_time,
            actions=[int(a) for a in played.decisions],
        )

    return evaluate_each(benchmarks, episode, name=policy.name, progress=progress)


def summarize_decisions(results: list[DecisionResult]) -> dict[str, Any]:
    """The geomean score against LLVM's heuristic with its 95% interval (:func:`geomean_summary`), decisions and
    wall time."""
    ratios = [r.score_vs_default for r in results]
    return {
        "benchmarks": len(results),
        **geomean_summary(ratios, "score_vs_default"),
        "mean_reward": float(np.mean([r.reward for r in results])) if results else float("nan"),
        "decisions": sum(r.decisions for r in results),
        "wall_time_total": sum(r.wall_time for r in results),
    }


def format_decision_table(results: list[DecisionResult], summary: dict[str, Any]) -> str:
    """One row per benchmark, then the geomean."""
    header = f"{'benchmark':<40} {'decisions':>9} {'score':>10} {'LLVM':>10} {'reward':>8} {'vs LLVM':>8} {'time s':>7}"
    lines = [header, "-" * len(header)]
    for r in results:
        score = "-" if r.score is None else f"{r.score:.1f}"
        default = "-" if r.default_score is None else f"{r.default_score:.1f}"
        lines.append(
            f"{r.benchmark[-40:]:<40} {r.decisions:>9} {score:>10} {default:>10} {r.reward:>8.4f} "
            f"{r.score_vs_default:>8.4f} {r.wall_time:>7.2f}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"geomean score vs LLVM's heuristic {summary['geomean_score_vs_default']:.4f}x "
        f"(95% CI {summary['ci_low']:.4f}-{summary['ci_high']:.4f}), mean reward {summary['mean_reward']:.4f}, "
        f"{summary['benchmarks']} benchmarks, {summary['decisions']} decisions, {summary['wall_time_total']:.1f} s"
    )
    return "\n".join(lines)

"""Periodic validation of a training run: the policy on held-out benchmarks, as one score (higher is better).

Pass-ordering envs score the geomean ``IrInstructionCountOz`` return of the deterministic policy (1.0 = -Oz),
the MLGO envs (register allocation, inlining) the geomean of the score against LLVM's own heuristic,
``1 / (1 - reward)`` (1.0 = the heuristic), as the leaderboard does; both use :func:`rl_compiler.stats.geomean`.
Every evaluation appends a row to the run's ``evaluations.csv`` (``timesteps,<metric>,seconds``) and saves
``best_model.zip`` when the score is the best so far.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import gymnasium as gym

from rl_compiler.stats import geomean

logger = logging.getLogger(__name__)

EVALUATIONS = "evaluations.csv"
PASSES_METRIC = "geomean_ir_instruction_count_oz"
MLGO_METRIC = "geomean_score_vs_default"

#: Called after every evaluation with (timesteps, score); may raise to stop training (Optuna's pruning).
OnEvaluation = Callable[[int, float], None]


def evaluation_metric(config: Any) -> str:
    """The validation metric of a run: pass-ordering envs have named actions, the MLGO envs do not."""
    return PASSES_METRIC if config.action_names else MLGO_METRIC


def evaluate_model(model: Any, config: Any) -> tuple[float, float]:
    """The deterministic ``model`` on every validation benchmark: (:func:`evaluation_metric` score, seconds)."""
    from rl_compiler.agents.rl.wrappers import apply_wrappers

    start = time.perf_counter()
    env = gym.make(config.env, max_episode_steps=config.episode_length, **config.env_kwargs)
    try:
        if config.action_names:
            from rl_compiler.agents.rl.sb3 import SB3Policy

            policy = SB3Policy(model=model, config=asdict(config), keep_best=False)
            scores = [
                policy.run(env, benchmark=uri, object_size=False).ir_instruction_count_oz
                for uri in config.eval_benchmarks
            ]
            return geomean(scores), time.perf_counter() - start
        from rl_compiler.llvm.errors import NoDecisionsError

        env = apply_wrappers(env, config.wrappers)
        scores = []
        for uri in config.eval_benchmarks:
            try:
                observation, info = env.reset(options={"benchmark": uri})
            except NoDecisionsError as error:  # nothing to decide: no score either way
                logger.warning("validation skips %s: %s", uri, error)
                continue
            while True:
                action, _ = model.predict(observation, deterministic=True, action_masks=info.get("action_mask"))
                observation, reward, terminated, truncated, info = env.step(int(action))
                if terminated or truncated:
                    break
            # MLGO's terminal reward r = 1 - (policy + d) / (default + d): 1 / (1 - r) is the plain ratio.
            scores.append(1.0 / (1.0 - float(reward)))
        return geomean(scores), time.perf_counter() - start
    finally:
        env.close()


def read_evaluations(run_dir: str | Path) -> list[tuple[int, float]]:
    """The run's recorded validations, oldest first: (timesteps, score)."""
    path = Path(run_dir) / EVALUATIONS
    if not path.is_file():
        return []
    with path.open(newline="") as stream:
        rows = list(csv.reader(stream))[1:]
    return [(int(row[0]), float(row[1])) for row in rows if len(row) >= 2]


def record_evaluation(run_dir: Path, metric: str, steps: int, score: float, seconds: float) -> None:
    """Append one validation to the run's ``evaluations.csv`` (with the header when the file is new)."""
    path = run_dir / EVALUATIONS
    new = not path.exists()
    with path.open("a", newline="") as stream:
        writer = csv.writer(stream)
        if new:
            writer.writerow(["timesteps", metric, "seconds"])
        writer.writerow([steps, f"{score:.6f}", f"{seconds:.2f}"])


def make_validation_callback(config: Any, run_dir: Path, on_evaluation: OnEvaluation | None = None):
    """An SB3 callback that validates every ``config.eval_freq`` steps and once more when training ends.

    The final validation is skipped only when the last periodic one was at the same step count, so every run
    ends with a recorded score.
    """
    from stable_baselines3.common.callbacks import BaseCallback

    metric = evaluation_metric(config)

    class ValidationCallback(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            previous = read_evaluations(run_dir)
            self.best = max((score for _, score in previous), default=-float("inf"))
            self.last = previous[-1][0] if previous else -1

        def _on_training_start(self) -> None:
            if self.last < 0:
                self.last = self.model.num_timesteps if self.model.num_timesteps else -1

        def _on_step(self) -> bool:
            if config.eval_freq and self.model.num_timesteps - max(self.last, 0) >= config.eval_freq:
                self.evaluate()
            return True

        def _on_training_end(self) -> None:
            if self.model.num_timesteps != self.last:
                self.evaluate()

        def evaluate(self) -> float:
            steps = self.model.num_timesteps
            self.last = steps
            score, seconds = evaluate_model(self.model, config)
            self.logger.record(f"eval/{metric}", score)
            self.logger.record("eval/seconds", seconds)
            record_evaluation(run_dir, metric, steps, score, seconds)
            best = score > self.best
            if best:
                self.best = score
                self.model.save(run_dir / "best_model.zip")
            logger.info(
                "validation at %d steps: %s %.4f (%d benchmarks, %.1f s)%s",
                steps,
                metric,
                score,
                len(config.eval_benchmarks),
                seconds,
                ", best so far" if best else "",
            )
            if on_evaluation is not None:
                on_evaluation(steps, score)
            return score

    return ValidationCallback()

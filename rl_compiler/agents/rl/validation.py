"""Periodic validation of a training run: the policy on held-out benchmarks, as one score (higher is better).

Pass-ordering envs score the geomean ``IrInstructionCountOz`` return of the deterministic policy (1.0 = -Oz),
the MLGO envs (register allocation, inlining) the geomean of the score against LLVM's own heuristic,
``1 / (1 - reward)`` (1.0 = the heuristic), as the leaderboard does; both use :func:`rl_compiler.stats.geomean`.
Every evaluation appends a row to the run's ``evaluations.csv`` (``timesteps,<metric>,seconds``) and saves
``best_model.zip`` when the score is the best so far. The last one of a pass-ordering run also measures
object ``.text`` against -Oz and writes every program's result to ``final_validation.json``
(:func:`read_final_validation`).
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import gymnasium as gym

from rl_compiler.llvm.cache import atomic_write_text
from rl_compiler.stats import geomean

logger = logging.getLogger(__name__)

EVALUATIONS = "evaluations.csv"
FINAL_VALIDATION = "final_validation.json"
PASSES_METRIC = "geomean_ir_instruction_count_oz"
MLGO_METRIC = "geomean_score_vs_default"

#: Called after every evaluation with (timesteps, score); may raise to stop training (Optuna's pruning).
OnEvaluation = Callable[[int, float], None]


def evaluation_metric(config: Any) -> str:
    """The validation metric of a run: pass-ordering envs have named actions, the MLGO envs do not."""
    return PASSES_METRIC if config.action_names else MLGO_METRIC


def evaluate_model(model: Any, config: Any, final: dict[str, Any] | None = None) -> tuple[float, float]:
    """The deterministic ``model`` on every validation benchmark: (:func:`evaluation_metric` score, seconds).

    :param final: on a pass-ordering env, filled with the object ``.text`` summary and every program's result
        (:func:`text_summary`); measuring ``.text`` costs one object emission per program.
    """
    from rl_compiler.agents.rl.wrappers import apply_wrappers

    start = time.perf_counter()
    env = gym.make(config.env, max_episode_steps=config.episode_length, **config.env_kwargs)
    try:
        if config.action_names:
            from rl_compiler.agents.rl.sb3 import SB3Policy

            policy = SB3Policy(model=model, config=asdict(config), keep_best=False)
            results = [policy.run(env, benchmark=uri, object_size=final is not None) for uri in config.eval_benchmarks]
            if final is not None:
                final.update(text_summary(results))
            return geomean([r.ir_instruction_count_oz for r in results]), time.perf_counter() - start
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


def text_summary(results: list[Any]) -> dict[str, Any]:
    """Geomeans of ``IrInstructionCountOz`` and of object ``.text`` -Oz/final (above 1: smaller than -Oz), the
    programs whose ``.text`` is larger than -Oz's, and each program's numbers, from ``EpisodeResult`` objects."""
    # A program whose object could not be measured has no ratio: it is left out, not counted as 0 or "larger".
    sized = [r for r in results if r.text_ratio is not None]
    return {
        "programs": len(results),
        "programs_with_text": len(sized),
        "geomean_ir_instruction_count_oz": geomean([r.ir_instruction_count_oz for r in results]),
        "geomean_text_oz_over_final": geomean([r.text_ratio for r in sized]),
        "larger_text_than_oz": [r.benchmark for r in sized if r.text_final > r.text_oz],
        "results": [
            {
                "benchmark": r.benchmark,
                "ir_instruction_count_oz": r.ir_instruction_count_oz,
                "ic_oz": r.ic_oz,
                "ic_final": r.ic_final,
                "text_oz": r.text_oz,
                "text_final": r.text_final,
                "passes": r.passes,
            }
            for r in results
        ],
    }


def read_final_validation(run_dir: str | Path) -> dict[str, Any] | None:
    """The run's last validation with object sizes (``final_validation.json``), or None if it has none."""
    path = Path(run_dir) / FINAL_VALIDATION
    return json.loads(path.read_text()) if path.is_file() else None


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


def make_validation_callback(
    config: Any, run_dir: Path, on_evaluation: OnEvaluation | None = None, total: int | None = None
):
    """An SB3 callback that validates every ``config.eval_freq`` steps and once more when training ends.

    The final validation is skipped only when the last periodic one was at the same step count, so every run
    ends with a recorded score.

    :param total: the step count the run ends at (a periodic validation there is the final one).
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
                self.evaluate(final=True)

        def evaluate(self, final: bool = False) -> float:
            steps = self.model.num_timesteps
            self.last = steps
            # The periodic validation at the run's last step is its final one (the end then skips its own).
            final = final or (total is not None and steps >= total)
            details: dict[str, Any] | None = {} if final and config.action_names else None
            score, seconds = evaluate_model(self.model, config, details)
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
            if details:
                details.update(timesteps=steps, seconds=seconds)
                atomic_write_text(run_dir / FINAL_VALIDATION, json.dumps(details, indent=1))
                logger.info(
                    "validation at %d steps: object .text -Oz/final geomean %.4f, %d of %d programs larger than -Oz",
                    steps,
                    details["geomean_text_oz_over_final"],
                    len(details["larger_text_than_oz"]),
                    details["programs"],
                )
            if on_evaluation is not None:
                on_evaluation(steps, score)
            return score

    return ValidationCallback()

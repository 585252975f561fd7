"""Hyperparameter search with Optuna (``rl-compiler train --optimize``), the RL Zoo's way.

The search space is data: a ``search_space`` entry in the hyperparameter file, beside the settings it
varies (an env's entry replaces ``default``'s)::

    rl_compiler/llvm-autophase-ic-v0:
      search_space:
        learning_rate: {low: 1.0e-5, high: 1.0e-2, log: true}   # float
        n_epochs: {low: 1, high: 10}                             # int (both bounds integers)
        n_steps: {choices: [64, 128, 256]}                       # categorical
        policy_kwargs.net_arch: {choices: [[32, 32], [64, 64]]}  # dotted keys reach nested settings

Each trial trains a full run (its own run directory ``trial_<number>/`` under the study's folder) with the
sampled values over the resolved hyperparameters; the periodic validation reports to Optuna, whose pruner
may stop a trial early, and the trial's value is its last validation score (higher is better).
The study's folder gets ``trials.csv`` and ``best_hyperparams.yml``: a hyperparameter file whose entry for the
env holds the best trial's complete settings (``rl-compiler train --hyperparams-file best_hyperparams.yml``).
With ``storage="sqlite:///study.db"`` a study survives its process: the next invocation with the same storage
and study name adds trials to it.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rl_compiler.agents.rl.hyperparams import HyperparameterError, set_dotted

logger = logging.getLogger(__name__)

#: The key of a hyperparameter entry that declares the search space.
SEARCH_SPACE_KEY = "search_space"
BEST_FILE = "best_hyperparams.yml"
TRIALS_FILE = "trials.csv"
SAMPLERS = ("tpe", "random")
PRUNERS = ("median", "none")


@dataclass(frozen=True)
class Dimension:
    """One searched setting: a float or int range (optionally log-scaled) or a list of choices."""

    key: str
    kind: str  # "float", "int" or "categorical"
    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: Any) -> Any:
        """The value ``trial`` samples for this setting."""
        if self.kind == "float":
            return trial.suggest_float(self.key, self.low, self.high, log=self.log)
        if self.kind == "int":
            return trial.suggest_int(self.key, self.low, self.high, log=self.log)
        # Optuna stores scalars only: lists and mappings travel as their JSON text.
        by_code = {_code(choice): choice for choice in self.choices}
        return copy.deepcopy(by_code[trial.suggest_categorical(self.key, list(by_code))])


def _code(choice: Any) -> Any:
    """A categorical choice as Optuna can store it: scalars as they are, anything else as JSON text."""
    return choice if choice is None or isinstance(choice, (bool, int, float, str)) else json.dumps(choice)


def _number(key: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise HyperparameterError(f"search space {key!r}: bounds must be numbers, got {value!r}")
    if isinstance(value, str):  # YAML 1.1 reads 1e-5 (no dot) as a string
        try:
            return float(value)
        except ValueError:
            raise HyperparameterError(f"search space {key!r}: bound {value!r} is not a number") from None
    return value


def parse_search_space(space: Any) -> list[Dimension]:
    """Validate a ``search_space`` entry; HyperparameterError names the bad setting."""
    if not isinstance(space, dict) or not space:
        raise HyperparameterError(f"{SEARCH_SPACE_KEY} must be a non-empty mapping of setting -> range, got {space!r}")
    dimensions = []
    for key, spec in space.items():
        if not isinstance(spec, dict):
            raise HyperparameterError(
                f"search space {key!r}: expected {{low: .., high: ..}} or {{choices: [..]}}, got {spec!r}"
            )
        unknown = set(spec) - {"low", "high", "log", "choices", "type"}
        if unknown:
            raise HyperparameterError(f"search space {key!r}: unknown field(s) {', '.join(sorted(unknown))}")
        if "choices" in spec:
            choices = spec["choices"]
            if not isinstance(choices, list) or not choices:
                raise HyperparameterError(f"search space {key!r}: choices must be a non-empty list")
            dimensions.append(Dimension(str(key), "categorical", choices=tuple(choices)))
            continue
        if "low" not in spec or "high" not in spec:
            raise HyperparameterError(f"search space {key!r}: a range needs low and high (or give choices)")
        low, high = _number(key, spec["low"]), _number(key, spec["high"])
        kind = spec.get("type") or ("int" if isinstance(low, int) and isinstance(high, int) else "float")
        if kind not in ("int", "float"):
            raise HyperparameterError(f"search space {key!r}: type must be int or float, got {kind!r}")
        if not low < high:
            raise HyperparameterError(f"search space {key!r}: low ({low}) must be below high ({high})")
        log = bool(spec.get("log", False))
        if log and low <= 0:
            raise HyperparameterError(f"search space {key!r}: a log range needs low > 0, got {low}")
        cast = int if kind == "int" else float
        dimensions.append(Dimension(str(key), kind, cast(low), cast(high), log))
    return dimensions


def sample(trial: Any, dimensions: list[Dimension], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with every dimension's sampled value set (the original is not modified)."""
    sampled = copy.deepcopy(params)
    for dimension in dimensions:
        set_dotted(sampled, dimension.key, dimension.suggest(trial))
    return sampled


def _sampler(name: str, seed: int, n_startup_trials: int):
    import optuna

    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {name!r}; expected one of {', '.join(SAMPLERS)}")


def _pruner(name: str, n_startup_trials: int, n_evaluations: int):
    import optuna

    if name == "median":
        # The Zoo's setting: prune below the median of earlier trials, after a third of the evaluations.
        return optuna.pruners.MedianPruner(n_startup_trials=n_startup_trials, n_warmup_steps=n_evaluations // 3)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"unknown pruner {name!r}; expected one of {', '.join(PRUNERS)}")


#: Trains one trial: (its resolved hyperparameter entry, its run directory, the evaluation hook) -> the last
#: validation score. The hook is called after every periodic validation with (steps, score).
TrainTrial = Callable[[dict[str, Any], Path, Callable[[int, float], None]], float]


def optimize(
    train_trial: TrainTrial,
    params: dict[str, Any],
    study_dir: Path,
    *,
    env_id: str,
    n_trials: int,
    n_jobs: int = 1,
    storage: str | None = None,
    study_name: str | None = None,
    sampler: str = "tpe",
    pruner: str = "median",
    n_startup_trials: int = 5,
    n_evaluations: int = 4,
    max_total_trials: int | None = None,
    seed: int = 0,
):
    """Run (or, with a ``storage`` that has it, continue) an Optuna study; return the ``optuna.Study``.

    :param params: the resolved hyperparameter entry (``default``, the env's entry, overrides), with its
        ``search_space``.
    :param n_trials: trials to run in this invocation.
    :param max_total_trials: stop once the study holds this many finished (complete or pruned) trials, counting
        those of earlier invocations.
    """
    try:
        import optuna
    except ImportError as error:
        raise ImportError(f"--optimize needs Optuna: pip install 'rl-compiler[rl]' ({error})") from None
    if SEARCH_SPACE_KEY not in params:
        raise HyperparameterError(
            f"no {SEARCH_SPACE_KEY!r} for {env_id} in the hyperparameter file: declare the ranges to search there"
        )
    dimensions = parse_search_space(params[SEARCH_SPACE_KEY])
    base = {k: v for k, v in params.items() if k != SEARCH_SPACE_KEY}
    if n_trials < 1:
        raise ValueError(f"--n-trials must be at least 1, got {n_trials}")
    study_dir.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        load_if_exists=True,
        direction="maximize",
        sampler=_sampler(sampler, seed, n_startup_trials),
        pruner=_pruner(pruner, n_startup_trials, n_evaluations),
    )
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    done = len(study.get_trials(deepcopy=False, states=finished))
    if done:
        logger.info("study %s: %d finished trial(s) so far, best %.4f", study.study_name, done, _best_value(study))
    if max_total_trials is not None:
        n_trials = min(n_trials, max(max_total_trials - done, 0))
        if not n_trials:
            logger.info(
                "study %s already holds %d trials (--max-total-trials %d)", study.study_name, done, max_total_trials
            )

    def objective(trial: Any) -> float:
        entry = sample(trial, dimensions, base)
        run_dir = study_dir / f"trial_{trial.number}"
        trial.set_user_attr("hyperparams", entry)
        trial.set_user_attr("run_dir", str(run_dir))
        logger.info("trial %d: %s", trial.number, ", ".join(f"{key}={value}" for key, value in trial.params.items()))

        def report(steps: int, score: float) -> None:
            trial.report(score, steps)
            if trial.should_prune():
                logger.info("trial %d pruned at %d steps (validation %.4f)", trial.number, steps, score)
                raise optuna.TrialPruned()

        value = train_trial(entry, run_dir, report)
        if value is None or math.isnan(value):
            raise ValueError(f"trial {trial.number} recorded no validation score")
        logger.info("trial %d: validation %.4f", trial.number, value)
        return value

    if n_trials:
        # A sampled combination the algorithm rejects fails its trial (Optuna logs it), not the study.
        study.optimize(
            objective, n_trials=n_trials, n_jobs=n_jobs, catch=(AssertionError, ValueError), gc_after_trial=True
        )
    write_results(study, study_dir, env_id)
    return study


def _best_value(study: Any) -> float:
    try:
        return float(study.best_value)
    except ValueError:  # no complete trial yet
        return math.nan


def write_results(study: Any, study_dir: Path, env_id: str) -> Path | None:
    """``trials.csv`` (every trial) and ``best_hyperparams.yml`` (the best one's settings) in ``study_dir``."""
    from rl_compiler.llvm.cache import atomic_write_text

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = sorted({name for trial in study.trials for name in trial.params})
    writer.writerow(["number", "state", "value", *names, "run_dir"])
    for trial in study.trials:
        writer.writerow(
            [
                trial.number,
                trial.state.name.lower(),
                "" if trial.value is None else f"{trial.value:.6f}",
                *(trial.params.get(name, "") for name in names),
                trial.user_attrs.get("run_dir", ""),
            ]
        )
    atomic_write_text(study_dir / TRIALS_FILE, buffer.getvalue())
    try:
        best = study.best_trial
    except ValueError:
        logger.warning("study %s has no complete trial: no %s written", study.study_name, BEST_FILE)
        return None
    header = (
        f"# Best trial of Optuna study {study.study_name!r}: trial {best.number}, validation {best.value:.6f}\n"
        f"# (run directory {best.user_attrs.get('run_dir', '?')}). Sampled: "
        + ", ".join(f"{key}={value}" for key, value in best.params.items())
        + "\n# Use it: rl-compiler train --env "
        + f"{env_id} --hyperparams-file {study_dir / BEST_FILE} [-n STEPS]\n"
    )
    path = study_dir / BEST_FILE
    atomic_write_text(path, header + yaml.safe_dump({env_id: best.user_attrs["hyperparams"]}, sort_keys=False))
    logger.info("best trial %d (validation %.4f): %s", best.number, best.value, path)
    return path


def tune(
    algo: str,
    env_id: str,
    study_dir: Path,
    *,
    overrides: list[str] | None = None,
    hyperparams_file: str | None = None,
    n_evaluations: int = 4,
    progress: bool = False,
    verbose: int = 0,
    config_kwargs: dict[str, Any] | None = None,
    **study_kwargs: Any,
):
    """``rl-compiler train --optimize``: an Optuna study whose trials are training runs in ``study_dir``.

    :param config_kwargs: the :func:`rl_compiler.agents.rl.training.resolve_config` arguments every trial
        shares (``n_timesteps``, ``seed``, ``dataset``, ``split``, ``eval_split``, ``n_envs``, ...); each
        trial validates ``n_evaluations`` times, evenly spaced.
    :param study_kwargs: passed to :func:`optimize` (``n_trials``, ``n_jobs``, ``storage``, ...).
    """
    from rl_compiler.agents.rl import training
    from rl_compiler.agents.rl.hyperparams import load_hyperparams
    from rl_compiler.agents.rl.sb3 import algo_name
    from rl_compiler.agents.rl.validation import read_evaluations

    if n_evaluations < 1:
        raise ValueError(f"--n-evaluations must be at least 1, got {n_evaluations}")
    algo = algo_name(algo)
    config_kwargs = dict(config_kwargs or {})
    params = load_hyperparams(algo, env_id, overrides, hyperparams_file)
    config_kwargs.setdefault("n_timesteps", params.get("n_timesteps"))
    if not config_kwargs.get("eval_split", "validation"):
        raise ValueError("--optimize needs a validation split to score trials (--eval-split none was given)")

    def train_trial(entry: dict[str, Any], run_dir: Path, report: Callable[[int, float], None]) -> float:
        entry = {key: value for key, value in entry.items() if key != "n_timesteps"}
        config = training.resolve_config(
            algo, env_id, overrides=entry, hyperparams_file=hyperparams_file, **config_kwargs
        )
        config.eval_freq = max(-(-config.n_timesteps // n_evaluations), 1)
        training.train(config, run_dir, progress=progress, verbose=verbose, on_evaluation=report)
        evaluations = read_evaluations(run_dir)
        return evaluations[-1][1] if evaluations else math.nan

    return optimize(train_trial, params, study_dir, env_id=env_id, n_evaluations=n_evaluations, **study_kwargs)

"""``rl-compiler tune``: ``train --optimize``'s hyperparameter search, with Ray Tune running the trials.

The search space is the hyperparameter file's ``search_space`` (:mod:`rl_compiler.agents.rl.tuning` reads
and validates it); each trial is one training run with the sampled values over the resolved settings, placed
by Tune on any node with a free CPU, and validated ``n_evaluations`` times (each validation is reported to
Tune, the last one is the trial's score). The searcher is Optuna's TPE through Tune (``search="optuna"``)
or Tune's random sampling (``"random"``).

The run directory (``runs/tune_<algo>_<env>_<k>/``) holds ``config.yml`` (the search: algorithm, env, space,
trials, shared settings), ``trials/<trial id>/`` (each trial's ordinary run directory), ``trials.csv`` (every
trial's values and score), ``best_hyperparams.yml`` (the same ready-to-use file as ``--optimize`` writes) and
Tune's own experiment state (``tune/``).
"""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import yaml

from rl_compiler.agents.rl.hyperparams import HyperparameterError, load_hyperparams, set_dotted
from rl_compiler.agents.rl.tuning import BEST_FILE, SEARCH_SPACE_KEY, TRIALS_FILE, Dimension, parse_search_space

SEARCHERS = ("optuna", "random")


def tune_space(dimensions: list[Dimension]) -> dict[str, Any]:
    """The search space as Ray Tune sampling objects."""
    from ray import tune

    space: dict[str, Any] = {}
    for d in dimensions:
        if d.kind == "categorical":
            space[d.key] = tune.choice(list(d.choices))
        elif d.kind == "int":
            space[d.key] = (tune.lograndint if d.log else tune.randint)(int(d.low), int(d.high) + 1)
        else:
            space[d.key] = (tune.loguniform if d.log else tune.uniform)(float(d.low), float(d.high))
    return space


def _plain(value: Any) -> Any:
    """NumPy scalars (as Tune samples them) as plain Python values for YAML and SB3."""
    return value.item() if hasattr(value, "item") else value


def sampled_entry(base: dict[str, Any], sampled: dict[str, Any]) -> dict[str, Any]:
    """The hyperparameter entry of a trial: ``base`` with every sampled (dotted) key set."""
    entry = copy.deepcopy(base)
    for key, value in sampled.items():
        set_dotted(entry, key, _plain(value))
    return entry


def run_trial(sampled: dict[str, Any], setup: dict[str, Any]) -> None:
    """One Tune trial (in a Ray worker, one CPU): a training run, each validation reported to Tune."""
    import torch
    from ray import tune

    from rl_compiler.agents.rl import training

    torch.set_num_threads(1)
    entry = sampled_entry(setup["base"], sampled)
    config = training.resolve_config(
        setup["algo"],
        setup["env"],
        overrides={key: value for key, value in entry.items() if key != "n_timesteps"},
        hyperparams_file=setup["hyperparams_file"],
        **setup["config_kwargs"],
    )
    config.eval_freq = max(-(-config.n_timesteps // setup["n_evaluations"]), 1)
    run_dir = Path(setup["trials_dir"]) / tune.get_context().get_trial_id()
    training.train(
        config, run_dir, on_evaluation=lambda steps, score: tune.report({"score": score, "timesteps": steps})
    )


def new_tune_dir(log_folder: str | Path, algo: str, env_id: str) -> Path:
    """``<log_folder>/tune_<algo>_<env name>_<k>`` with the next free ``k``."""
    base, stem = Path(log_folder), f"tune_{algo}_{env_id.rsplit('/', 1)[-1]}"
    k = 1
    while (base / f"{stem}_{k}").exists():
        k += 1
    return base / f"{stem}_{k}"


def tune_run(
    algo: str,
    env_id: str,
    run_dir: Path,
    *,
    n_trials: int,
    overrides: list[str] | None = None,
    hyperparams_file: str | None = None,
    config_kwargs: dict[str, Any] | None = None,
    n_evaluations: int = 2,
    search: str = "optuna",
    ray_address: str | None = None,
    max_concurrent: int | None = None,
    seed: int = 0,
) -> tuple[dict[str, Any], float]:
    """Search the ``search_space`` of ``algo`` on ``env_id`` with ``n_trials`` training runs on Ray Tune;
    return (the best trial's sampled values, its score).

    :param config_kwargs: the :func:`rl_compiler.agents.rl.training.resolve_config` arguments every trial
        shares (``n_timesteps``, ``seed``, ``dataset``, ``split``, ``eval_split``, ...).
    :param ray_address: a cluster to join; ``None``/``local`` starts a local Ray for the search.
    :param max_concurrent: trials running at once (default: as many as the cluster has CPUs).
    """
    from rl_compiler.distributed import ray_session
    from rl_compiler.llvm.cache import atomic_write_text

    if search not in SEARCHERS:
        raise ValueError(f"unknown searcher {search!r}; expected one of {', '.join(SEARCHERS)}")
    if n_trials < 1 or n_evaluations < 1:
        raise ValueError(f"trials and evaluations per trial must be >= 1, got {n_trials} and {n_evaluations}")
    config_kwargs = dict(config_kwargs or {})
    if not config_kwargs.get("eval_split", "validation"):
        raise ValueError("tune scores trials on a validation split (--eval-split none was given)")
    params = load_hyperparams(algo, env_id, overrides, hyperparams_file)
    if SEARCH_SPACE_KEY not in params:
        raise HyperparameterError(
            f"no {SEARCH_SPACE_KEY!r} for {env_id} in the hyperparameter file: declare the ranges to search there"
        )
    dimensions = parse_search_space(params[SEARCH_SPACE_KEY])
    base = {key: value for key, value in params.items() if key != SEARCH_SPACE_KEY}
    config_kwargs.setdefault("n_timesteps", params.get("n_timesteps"))
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    setup = dict(algo=algo, env=env_id, base=base, hyperparams_file=hyperparams_file, config_kwargs=config_kwargs,
                 n_evaluations=n_evaluations, trials_dir=str(run_dir / "trials"))  # fmt: skip
    record = dict(algo=algo, env=env_id, search=search, n_trials=n_trials, seed=seed,
                  search_space=params[SEARCH_SPACE_KEY], settings=config_kwargs, base=base)  # fmt: skip
    atomic_write_text(run_dir / "config.yml", yaml.safe_dump(record, sort_keys=False))
    with ray_session(ray_address, datasets=[config_kwargs.get("dataset", "builtin-v0")]) as ray:
        from ray import tune

        searcher = None
        if search == "optuna":
            from ray.tune.search.optuna import OptunaSearch

            searcher = OptunaSearch(seed=seed)
        concurrent = max_concurrent or max(1, int(ray.cluster_resources().get("CPU", 1)))
        trainable = tune.with_resources(tune.with_parameters(run_trial, setup=setup), {"cpu": 1})
        tuner = tune.Tuner(
            trainable,
            param_space=tune_space(dimensions),
            tune_config=tune.TuneConfig(
                metric="score",
                mode="max",
                num_samples=n_trials,
                search_alg=searcher,
                max_concurrent_trials=concurrent,
            ),  # fmt: skip
            run_config=tune.RunConfig(name="tune", storage_path=str(run_dir), verbose=0),
        )
        grid = tuner.fit()
    return write_results(grid, dimensions, base, run_dir, env_id)


def write_results(
    grid: Any, dimensions: list[Dimension], base: dict[str, Any], run_dir: Path, env_id: str
) -> tuple[dict[str, Any], float]:
    """``trials.csv`` and ``best_hyperparams.yml`` from Tune's results; return (best values, best score)."""
    from rl_compiler.llvm.cache import atomic_write_text

    rows = []
    for result in grid:
        score = (result.metrics or {}).get("score")
        values = {d.key: _plain(result.config.get(d.key)) for d in dimensions}
        trial = Path(result.path).name if result.path else ""
        rows.append({"trial": trial, "state": "error" if result.error else "complete", "value": score, **values})
    done = [row for row in rows if row["value"] is not None and row["state"] == "complete"]
    if not done:
        raise RuntimeError(f"no trial completed; see {run_dir / 'tune'}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["trial", "state", "value", *(d.key for d in dimensions)])
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda row: -(row["value"] if row["value"] is not None else float("-inf"))))
    atomic_write_text(run_dir / TRIALS_FILE, buffer.getvalue())
    best = max(done, key=lambda row: row["value"])
    values = {d.key: best[d.key] for d in dimensions}
    header = (
        f"# Best of {len(done)} Ray Tune trials: validation {best['value']:.6f}. Sampled: "
        + ", ".join(f"{key}={value}" for key, value in values.items())
        + f"\n# Use it: rl-compiler train --env {env_id} --hyperparams-file {run_dir / BEST_FILE} [-n STEPS]\n"
    )
    entry = sampled_entry(base, values)
    atomic_write_text(run_dir / BEST_FILE, header + yaml.safe_dump({env_id: entry}, sort_keys=False))
    return values, float(best["value"])

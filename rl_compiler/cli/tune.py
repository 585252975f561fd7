"""``rl-compiler tune``: Ray Tune hyperparameter search over the search space of a hyperparameter file.

    rl-compiler tune --algo ppo --env rl_compiler/llvm-autophase-ic-v0 -n 5000 --trials 20
    rl-compiler tune ... --ray 10.0.0.1:6379 --search random

The search space is the hyperparameter file's ``search_space`` (as for ``train --optimize``); see
:mod:`rl_compiler.agents.rl.raytune` for the run directory.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from rl_compiler.cli import CLIError
from rl_compiler.cli.ray_options import add_ray_argument, check_ray
from rl_compiler.cli.train import DEFAULT_ENV

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tune",
        help="search hyperparameters with Ray Tune (search spaces from the hyperparameter files)",
        description="Run --trials SB3 training runs with hyperparameters drawn from the search_space of the "
        "hyperparameter file (Optuna's TPE or random sampling through Ray Tune), each scored on the validation "
        "split; writes trials.csv and best_hyperparams.yml in a run directory. Needs the [ray] extra.",
    )
    parser.add_argument("--algo", default="ppo", help="ppo, a2c, dqn or maskable-ppo (default: ppo)")
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"environment id (default: {DEFAULT_ENV})")
    parser.add_argument("-n", "--n-timesteps", type=int, default=None, help="steps per trial (default: the file's)")
    parser.add_argument("--trials", type=int, default=10, help="number of trials (default: 10)")
    parser.add_argument("--search", choices=("optuna", "random"), default="optuna", help="searcher (default: optuna)")
    parser.add_argument("--max-concurrent", type=int, default=None, help="trials at once (default: cluster CPUs)")
    parser.add_argument("--n-evaluations", type=int, default=2, help="validations per trial, each reported to Tune")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", default="builtin-v0", help="dataset to train on (default: builtin-v0)")
    parser.add_argument("--split", default="train", help="split to train on (default: train)")
    parser.add_argument("--eval-split", default="validation", help="split that scores a trial (default: validation)")
    parser.add_argument(
        "--hyperparams", nargs="+", default=[], metavar="KEY=VALUE", help="fixed overrides for every trial"
    )
    parser.add_argument("--hyperparams-file", default=None, help="a hyperparameter YAML instead of the shipped one")
    parser.add_argument("-f", "--log-folder", default="runs", help="folder of run directories (default: runs)")
    parser.add_argument(
        "--run-dir", default=None, help="exact run directory (default: <log-folder>/tune_<algo>_<env>_<k>)"
    )
    add_ray_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.ray is None:
        args.ray = "local"
    check_ray(args, "rl-compiler tune")
    from rl_compiler.agents.rl.hyperparams import HyperparameterError
    from rl_compiler.agents.rl.raytune import new_tune_dir, tune_run
    from rl_compiler.agents.rl.sb3 import algo_name
    from rl_compiler.datasets import DatasetError

    try:
        algo = algo_name(args.algo)
    except ValueError as error:
        raise CLIError(str(error)) from None
    run_dir = Path(args.run_dir) if args.run_dir else new_tune_dir(args.log_folder, algo, args.env)
    if (run_dir / "config.yml").exists():
        raise CLIError(f"{run_dir} already holds a run; choose another --run-dir")
    logger.info("tune run directory: %s", run_dir)
    settings = {"n_timesteps": args.n_timesteps, "seed": args.seed, "dataset": args.dataset, "split": args.split,
                "eval_split": None if args.eval_split == "none" else args.eval_split}  # fmt: skip
    try:
        best, score = tune_run(
            algo, args.env, run_dir, n_trials=args.trials, overrides=args.hyperparams,
            hyperparams_file=args.hyperparams_file, config_kwargs=settings, n_evaluations=args.n_evaluations,
            search=args.search, ray_address=args.ray, max_concurrent=args.max_concurrent, seed=args.seed,
        )  # fmt: skip
    except (HyperparameterError, DatasetError, ValueError, RuntimeError, ConnectionError) as error:
        raise CLIError(str(error)) from None
    logger.info("best validation %.4f with %s", score, ", ".join(f"{k}={v}" for k, v in best.items()))
    logger.info("wrote %s (use: rl-compiler train --hyperparams-file ...)", run_dir / "best_hyperparams.yml")
    return 0

"""``rl-compiler train``: train an SB3 agent on any rl-compiler env, with RL Baselines3 Zoo's flags.

    rl-compiler train --algo ppo --env rl_compiler/llvm-autophase-ic-v0 -n 2000 --seed 0 \\
        --dataset builtin-v0 --split train --eval-freq 500 --save-freq 500 --progress
    rl-compiler train --resume runs/ppo_llvm-autophase-ic-v0_1 -n 4000
    rl-compiler train -i agents/policies/default-ic.zip --dataset my/manifest.yaml -n 2000   # fine-tune
    rl-compiler train --algo maskable-ppo --env rl_compiler/llvm-regalloc-v0 -n 4096
    rl-compiler train --optimize --n-trials 20 --storage sqlite:///study.db -n 2000          # Optuna

See :mod:`rl_compiler.agents.rl.training` for the run directory's contents and
:mod:`rl_compiler.agents.rl.tuning` for ``--optimize``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rl_compiler.cli import CLIError
from rl_compiler.cli.ray_options import add_backend_arguments, rllib_run_dir_config, training_backend

if TYPE_CHECKING:
    from rl_compiler.agents.rl.training import TrainConfig

logger = logging.getLogger(__name__)

DEFAULT_ENV = "rl_compiler/llvm-autophase-ic-v0"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train an RL agent (PPO, A2C, DQN, MaskablePPO) on a dataset split, or search its hyperparameters",
        description="Train a Stable-Baselines3 agent; writes a run directory with config, TensorBoard logs, "
        "Monitor files, checkpoints, validation results and a log. The flags are RL Baselines3 Zoo's.",
    )
    parser.add_argument("--algo", default=None, help="ppo, a2c, dqn or maskable-ppo (default: ppo)")
    parser.add_argument("--env", default=None, help=f"environment id (default: {DEFAULT_ENV})")
    parser.add_argument(
        "-i",
        "--trained-agent",
        default=None,
        metavar="PATH",
        help="continue training a saved model (.zip or run directory; e.g. agents/policies/default-ic.zip, the "
        "shipped policy): its env, wrappers and network are kept, --hyperparams still apply",
    )
    parser.add_argument(
        "-n", "--n-timesteps", type=int, default=None, help="environment steps (default: the hyperparameter file's)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--dataset", default="builtin-v0", help="dataset name or manifest path to train on (default: builtin-v0)"
    )
    parser.add_argument("--split", default="train", help="split to train on: train, validation, test, all")
    parser.add_argument(
        "--eval-split",
        default="validation",
        help="split the periodic validation runs on (default: validation; 'none' to skip)",
    )
    parser.add_argument(
        "--eval-freq",
        type=int,
        default=None,
        help="validate every N steps (default: 10000), and always at the end (0: only at the end)",
    )
    parser.add_argument("--save-freq", type=int, default=0, help="checkpoint every N steps (0: only at the end)")
    parser.add_argument(
        "-params",
        "--hyperparams",
        nargs="+",
        default=[],
        metavar="KEY:VALUE",
        help="override hyperparameters (values are YAML; key=value works too), e.g. n_steps:64 "
        "learning_rate:1e-3 policy_kwargs.net_arch:[32,32]",
    )
    parser.add_argument(
        "-conf",
        "--conf-file",
        "--hyperparams-file",
        dest="hyperparams_file",
        default=None,
        help="a hyperparameter YAML to use instead of agents/hyperparams/<algo>.yml",
    )
    parser.add_argument(
        "--env-kwargs", nargs="+", default=[], metavar="KEY:VALUE", help="gym.make arguments, e.g. isolated:false"
    )
    parser.add_argument("--n-envs", type=int, default=None, help="envs stepped together (default: the file's, 1)")
    parser.add_argument(
        "--vec-env",
        default=None,
        help="dummy (envs in this process, one after the other), thread (in this process, stepped together on "
        "threads) or subproc (a process each); default: the hyperparameter file's, else dummy",
    )
    parser.add_argument("--device", default="cpu", help="torch device: cpu, cuda, cuda:1, auto (default: cpu)")
    parser.add_argument("--num-threads", type=int, default=None, help="torch threads (default: 1)")
    parser.add_argument("-f", "--log-folder", default="runs", help="folder of run directories (default: runs)")
    parser.add_argument("--run-dir", default=None, help="exact run directory (default: <log-folder>/<algo>_<env>_<k>)")
    parser.add_argument(
        "--resume",
        metavar="RUN_DIR",
        default=None,
        help="continue RUN_DIR from its last checkpoint (its config.yml; -n may raise the total)",
    )
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    add_backend_arguments(parser)
    search = parser.add_argument_group("hyperparameter search (Optuna)")
    search.add_argument(
        "-optimize",
        "--optimize",
        "--optimize-hyperparameters",
        dest="optimize",
        action="store_true",
        help="search the hyperparameter file's search_space: one training run per trial",
    )
    search.add_argument("--n-trials", type=int, default=10, help="trials to run now (default: 10)")
    search.add_argument("--max-total-trials", type=int, default=None, help="stop once the study holds this many")
    search.add_argument("--n-jobs", type=int, default=1, help="trials run in parallel (threads; default: 1)")
    search.add_argument("--sampler", choices=("tpe", "random"), default="tpe")
    search.add_argument("--pruner", choices=("median", "none"), default="median")
    search.add_argument("--n-startup-trials", type=int, default=5, help="trials before TPE and pruning start")
    search.add_argument("--n-evaluations", type=int, default=4, help="validations per trial (pruning points)")
    search.add_argument(
        "--storage", default=None, help="Optuna storage, e.g. sqlite:///study.db: a later call resumes the study"
    )
    search.add_argument("--study-name", default=None, help="default: <algo>_<env>_optimize")
    parser.set_defaults(func=run)


def sb3_verbosity(args: argparse.Namespace) -> int:
    """Stable-Baselines3's own console output: its tables with ``-vv``."""
    from rl_compiler.cli import verbosity

    return 1 if verbosity(args) >= 2 else 0


def run(args: argparse.Namespace) -> int:
    try:
        from rl_compiler.agents.rl import training
    except ImportError as error:
        raise CLIError(f"training needs the RL extras: pip install 'rl-compiler[rl]' ({error})") from None
    if args.optimize:
        return run_optimize(args)
    backend = training_backend(args, DEFAULT_ENV)
    if args.resume:
        run_dir = Path(args.resume)
        config_file = run_dir / "config.yml"
        if not config_file.is_file():
            raise CLIError(f"cannot resume {run_dir}: no config.yml there (is it a run directory?)")
        config = training.TrainConfig.from_yaml(config_file.read_text())
        if args.n_timesteps:
            config.n_timesteps = args.n_timesteps
            _save_config(run_dir, config)
    else:
        config = _resolve(args, training)
        named = rllib_run_dir_config(config) if backend == "rllib" else config
        run_dir = Path(args.run_dir) if args.run_dir else training.new_run_dir(args.log_folder, named)
        if (run_dir / "config.yml").exists():
            raise CLIError(f"{run_dir} already holds a run; use --resume {run_dir} or another --run-dir")
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CLIError(f"cannot create run directory {run_dir}: {error.strerror}") from None
    logger.info("run directory: %s", run_dir)
    try:
        if backend == "rllib":
            from rl_compiler.agents.rl.rllib import train_rllib

            final = train_rllib(
                config,
                run_dir,
                num_env_runners=args.env_runners,
                ray_address=args.ray_address,
                resume=bool(args.resume),
                progress=args.progress,
            )
        else:
            final = training.train(
                config, run_dir, resume=bool(args.resume), progress=args.progress, verbose=sb3_verbosity(args)
            )
    except KeyboardInterrupt:
        logger.info(
            "interrupted: checkpoint saved in %s; continue with rl-compiler train --resume %s",
            run_dir / "checkpoints",
            run_dir,
        )
        raise
    except TypeError as error:  # a hyperparameter the algorithm does not take
        raise CLIError(f"invalid hyperparameters for {config.algo}: {error}") from None
    except (FileNotFoundError, ValueError, ConnectionError) as error:
        raise CLIError(str(error)) from None
    del final  # the library logged it
    print_validation(run_dir, config)
    return 0


def print_validation(run_dir: Path, config: TrainConfig) -> None:
    """The run's last validation score, with object ``.text`` against -Oz when it was measured."""
    from rl_compiler.agents.rl.validation import (
        PASSES_METRIC,
        evaluation_metric,
        read_evaluations,
        read_final_validation,
    )

    evaluations = read_evaluations(run_dir)
    if not evaluations:
        return
    steps, score = evaluations[-1]
    final = read_final_validation(run_dir)
    if evaluation_metric(config) == PASSES_METRIC and final and final.get("timesteps") == steps:
        larger = final["larger_text_than_oz"]
        logger.info(
            "validation on %d %s programs at %d steps: geomean IrInstructionCountOz %.4f, object .text -Oz/final "
            "%.4f (1.0 = -Oz, higher is smaller); %d larger than -Oz in .text%s (%s)",
            final["programs"],
            config.eval_split or "validation",
            steps,
            score,
            final["geomean_text_oz_over_final"],
            len(larger),
            f": {', '.join(uri.rsplit('/', 1)[-1] for uri in larger)}" if larger else "",
            run_dir,
        )
        return
    logger.info("validation %s: %.4f at %d steps (%s)", evaluation_metric(config), score, steps, run_dir)


def run_settings(args: argparse.Namespace) -> dict:
    """The :func:`~rl_compiler.agents.rl.training.resolve_config` arguments the flags give (``--optimize``'s trials
    share them too)."""
    return dict(
        n_timesteps=args.n_timesteps,
        seed=args.seed,
        dataset=args.dataset,
        split=args.split,
        eval_split=None if args.eval_split == "none" else args.eval_split,
        save_freq=args.save_freq,
        env_kwargs=args.env_kwargs,
        n_envs=args.n_envs,
        vec_env=args.vec_env,
        device=args.device,
        num_threads=args.num_threads,
    )


def _resolve(args: argparse.Namespace, training):
    """The run's TrainConfig from the flags; CLIError naming what is wrong."""
    from rl_compiler.agents.rl.hyperparams import HyperparameterError
    from rl_compiler.datasets import DatasetError

    env = args.env if args.env or args.trained_agent else DEFAULT_ENV
    try:
        return training.resolve_config(
            args.algo,
            env,
            eval_freq=args.eval_freq,
            overrides=args.hyperparams,
            hyperparams_file=args.hyperparams_file,
            trained_agent=args.trained_agent,
            **run_settings(args),
        )
    except (HyperparameterError, DatasetError, ValueError, FileNotFoundError) as error:
        raise CLIError(str(error)) from None


def run_optimize(args: argparse.Namespace) -> int:
    """``--optimize``: an Optuna study of training runs (:func:`rl_compiler.agents.rl.tuning.tune`)."""
    from rl_compiler.agents.rl.hyperparams import HyperparameterError
    from rl_compiler.agents.rl.sb3 import algo_name
    from rl_compiler.agents.rl.tuning import BEST_FILE, tune
    from rl_compiler.datasets import DatasetError

    if args.resume or args.trained_agent:
        raise CLIError("--optimize starts its own runs: it takes neither --resume nor -i/--trained-agent")
    try:
        algo = algo_name(args.algo or "ppo")
    except ValueError as error:
        raise CLIError(str(error)) from None
    env = args.env or DEFAULT_ENV
    name = args.study_name or f"{algo}_{env.rsplit('/', 1)[-1]}_optimize"
    if args.run_dir:
        study_dir = Path(args.run_dir)
    elif args.storage:  # a stored study resumes: its trials keep one folder
        study_dir = Path(args.log_folder) / name
    else:
        k = 1
        while (Path(args.log_folder) / f"{name}_{k}").exists():
            k += 1
        study_dir = Path(args.log_folder) / f"{name}_{k}"
    logger.info("study %s in %s", name, study_dir)
    try:
        study = tune(
            algo,
            env,
            study_dir,
            overrides=args.hyperparams,
            hyperparams_file=args.hyperparams_file,
            n_evaluations=args.n_evaluations,
            progress=args.progress,
            verbose=sb3_verbosity(args),
            config_kwargs=run_settings(args),
            n_trials=args.n_trials,
            n_jobs=args.n_jobs,
            storage=args.storage,
            study_name=name,
            sampler=args.sampler,
            pruner=args.pruner,
            n_startup_trials=args.n_startup_trials,
            max_total_trials=args.max_total_trials,
            seed=args.seed,
        )
    except ImportError as error:
        raise CLIError(str(error)) from None
    except (HyperparameterError, DatasetError, ValueError) as error:
        raise CLIError(str(error)) from None
    if not (study_dir / BEST_FILE).is_file():
        raise CLIError(f"study {name}: no trial completed ({len(study.trials)} trials; see {study_dir})")
    return 0


def _save_config(run_dir: Path, config) -> None:
    from rl_compiler.llvm.cache import atomic_write_text

    atomic_write_text(run_dir / "config.yml", config.to_yaml())

"""``rl-compiler train``: train an SB3 agent on a pass-ordering env, RL Baselines3 Zoo style.

    rl-compiler train --algo ppo --env rl_compiler/llvm-autophase-ic-v0 -n 2000 --seed 0 \\
        --dataset builtin-v0 --split train --eval-freq 500 --save-freq 500 --progress
    rl-compiler train --resume runs/ppo_llvm-autophase-ic-v0_1 -n 4000

See :mod:`rl_compiler.agents.rl.training` for the run directory's contents.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rl_compiler.cli import CLIError

DEFAULT_ENV = "rl_compiler/llvm-autophase-ic-v0"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train an RL agent (PPO, A2C, DQN, MaskablePPO) on a dataset split",
        description="Train a Stable-Baselines3 agent; writes a run directory with config, TensorBoard logs, "
        "checkpoints and validation results.",
    )
    parser.add_argument("--algo", default="ppo", help="ppo, a2c, dqn or maskable-ppo (default: ppo)")
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"environment id (default: {DEFAULT_ENV})")
    parser.add_argument(
        "-n",
        "--n-timesteps",
        type=int,
        default=None,
        help="total environment steps (default: from the hyperparameter file)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", default="builtin-v0", help="dataset to train on (default: builtin-v0)")
    parser.add_argument("--split", default="train", help="split to train on (default: train)")
    parser.add_argument(
        "--eval-split",
        default="validation",
        help="split evaluated every --eval-freq steps (default: validation; 'none' to skip)",
    )
    parser.add_argument("--eval-freq", type=int, default=0, help="evaluate every N steps (0: never)")
    parser.add_argument("--save-freq", type=int, default=0, help="checkpoint every N steps (0: only at the end)")
    parser.add_argument(
        "--hyperparams",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="override hyperparameters (values are YAML), e.g. n_steps=64 learning_rate=1e-3",
    )
    parser.add_argument(
        "--hyperparams-file",
        "--conf-file",
        dest="hyperparams_file",
        default=None,
        help="a hyperparameter YAML to use instead of agents/hyperparams/<algo>.yml",
    )
    parser.add_argument("-f", "--log-folder", default="runs", help="folder of run directories (default: runs)")
    parser.add_argument("--run-dir", default=None, help="exact run directory (default: <log-folder>/<algo>_<env>_<k>)")
    parser.add_argument(
        "--resume",
        metavar="RUN_DIR",
        default=None,
        help="continue RUN_DIR from its last checkpoint (its config.yml; -n may raise the total)",
    )
    parser.add_argument("--progress", action="store_true", help="show a progress bar")
    parser.add_argument("-v", "--verbose", type=int, default=0, help="SB3 verbosity (0, 1, 2)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from rl_compiler.agents.rl import training
    except ImportError as error:
        raise CLIError(f"training needs the RL extras: pip install 'rl-compiler[rl]' ({error})") from None
    from rl_compiler.agents.rl.hyperparams import HyperparameterError
    from rl_compiler.datasets import DatasetError

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
        try:
            config = training.resolve_config(
                args.algo,
                args.env,
                n_timesteps=args.n_timesteps,
                seed=args.seed,
                dataset=args.dataset,
                split=args.split,
                eval_split=None if args.eval_split == "none" else args.eval_split,
                eval_freq=args.eval_freq,
                save_freq=args.save_freq,
                overrides=args.hyperparams,
                hyperparams_file=args.hyperparams_file,
            )
        except (HyperparameterError, DatasetError, ValueError) as error:
            raise CLIError(str(error)) from None
        run_dir = Path(args.run_dir) if args.run_dir else training.new_run_dir(args.log_folder, config)
        if (run_dir / "config.yml").exists():
            raise CLIError(f"{run_dir} already holds a run; use --resume {run_dir} or another --run-dir")
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CLIError(f"cannot create run directory {run_dir}: {error.strerror}") from None
    print(f"run directory: {run_dir}")
    print(
        f"{config.algo} on {config.env}: {config.n_timesteps} steps, {len(config.benchmarks)} training "
        f"benchmarks ({config.dataset}/{config.split}), {len(config.eval_benchmarks)} for evaluation"
    )
    try:
        final = training.train(config, run_dir, resume=bool(args.resume), progress=args.progress, verbose=args.verbose)
    except KeyboardInterrupt:
        print(
            f"interrupted: checkpoint saved in {run_dir / 'checkpoints'}; continue with "
            f"rl-compiler train --resume {run_dir}"
        )
        raise
    except TypeError as error:  # a hyperparameter the algorithm does not take
        raise CLIError(f"invalid hyperparameters for {config.algo}: {error}") from None
    except (FileNotFoundError, ValueError) as error:
        raise CLIError(str(error)) from None
    print(f"saved {final}")
    evaluations = run_dir / "evaluations.csv"
    if evaluations.is_file():
        last = evaluations.read_text().strip().splitlines()[-1].split(",")
        metric = evaluations.read_text().splitlines()[0].split(",")[1]
        print(f"last validation {metric}: {float(last[1]):.4f} at {last[0]} steps")
    return 0


def _save_config(run_dir: Path, config) -> None:
    from rl_compiler.llvm.cache import atomic_write_text

    atomic_write_text(run_dir / "config.yml", config.to_yaml())

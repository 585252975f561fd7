"""``rl-compiler eval``: run any policy on a dataset split; per-benchmark table and geomean against the
baseline (-Oz for pass ordering, LLVM's own heuristic for register allocation and inlining).

rl-compiler eval --agent runs/ppo_llvm-autophase-ic-v0_1 --dataset builtin-v0 --split test -o ppo.csv
rl-compiler eval --agent runs/ppo_llvm-autophase-ic-v0_1 --load-checkpoint 2000
rl-compiler eval --agent runs/ppo_llvm-autophase-ic-v0_1/checkpoints/model_2000_steps.zip
rl-compiler eval --agent default --budget 10s --split test -o default.json
rl-compiler eval --agent runs/maskable-ppo_llvm-regalloc-v0_1 --split test     # the run's env: regalloc
rl-compiler eval --agent first-legal --env rl_compiler/llvm-regalloc-v0 --split test

A saved policy (run directory or ``.zip``) is evaluated on the env of its run config unless ``--env`` says
otherwise.
"""

from __future__ import annotations

import argparse
import logging
import platform
from pathlib import Path
from typing import TYPE_CHECKING

from rl_compiler.cli import CLIError
from rl_compiler.cli.ray_options import add_ray_argument, check_ray, evaluate_with_ray

if TYPE_CHECKING:  # the CLI imports the library lazily: `rl-compiler --help` stays fast
    import gymnasium as gym

    from rl_compiler.agents.base import DecisionPolicy, Policy

logger = logging.getLogger(__name__)

DEFAULT_ENV = "rl_compiler/llvm-autophase-ic-v0"


def add_common_arguments(
    parser: argparse.ArgumentParser, agent_help: str, default_agent: str | None, agent_required: bool = True
) -> None:
    """The flags ``eval`` and ``search`` share: the agent and its budget, the env, the benchmarks, the output."""
    parser.add_argument(
        "--agent", required=agent_required and default_agent is None, default=default_agent, help=agent_help
    )
    parser.add_argument(
        "--budget",
        default=None,
        help="search budget per benchmark: steps (500), seconds (10s, 1m) or both (500,10s)",
    )
    parser.add_argument(
        "--env", default=None, help=f"environment id (default: a saved policy's own, else {DEFAULT_ENV})"
    )
    parser.add_argument("--dataset", default="builtin-v0", help="dataset (default: builtin-v0)")
    parser.add_argument("--split", default="test", help="split: train, validation, test or all (default: test)")
    parser.add_argument(
        "--benchmark",
        nargs="+",
        default=None,
        metavar="URI",
        help="these benchmarks instead of a dataset split",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of randomised agents")
    parser.add_argument(
        "--agent-kwargs",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="agent constructor arguments (values are YAML), e.g. width=8 patience=2",
    )
    parser.add_argument(
        "--no-run", action="store_true", help="validate with the verifier only (do not run the programs)"
    )
    parser.add_argument("-o", "--output", default=None, help="write results to a .csv or .json file")
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=True, help="progress bar (default: on)"
    )
    add_ray_argument(parser)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate a policy (trained run, saved policy, or built-in agent) on a dataset split",
        description="Run a policy on every benchmark of a dataset split, validate each result, print a table "
        "and the geomean IrInstructionCountOz return (CompilerGym's metric).",
    )
    add_common_arguments(
        parser,
        "a run directory, a saved .zip policy, a built-in agent name "
        "(default, greedy, random, beam, local-search, epsilon-greedy, oz, o3, replay; on the register allocation "
        "and inlining envs: first-legal, random-legal, no-eviction, follow-default, never, always) or module:Class",
        None,
        agent_required=False,
    )
    zoo = parser.add_argument_group("a run by the RL Zoo's coordinates (instead of --agent)")
    zoo.add_argument("--algo", default=None, help="the run's algorithm (ppo, a2c, dqn, maskable-ppo)")
    zoo.add_argument("-f", "--log-folder", default="runs", help="folder of run directories (default: runs)")
    zoo.add_argument("--exp-id", type=int, default=None, help="run <log-folder>/<algo>_<env>_<N> (0: the latest)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--load-best", action="store_true", help="a run directory's best_model.zip (the default when it has one)"
    )
    which.add_argument("--load-checkpoint", type=int, default=None, metavar="N", help="a run's checkpoint at N steps")
    which.add_argument("--load-last-checkpoint", action="store_true", help="a run's most recent checkpoint")
    parser.set_defaults(func=run)


def checkpoint_choice(args: argparse.Namespace) -> int | str | None:
    """Which model of a run directory ``--load-*`` asks for (None: the best, else the final one)."""
    if getattr(args, "load_checkpoint", None) is not None:
        return args.load_checkpoint
    return "last" if getattr(args, "load_last_checkpoint", False) else None


def saved_policy_config(agent: str) -> dict:
    """The run config of a saved policy (``{}`` if ``agent`` names none, or it has no readable config)."""
    path = Path(agent)
    if not (path.is_dir() or path.suffix == ".zip") or not path.exists():
        return {}
    import yaml

    from rl_compiler.agents.rl.checkpoints import config_file_of

    try:
        config = yaml.safe_load((path / "config.yml" if path.is_dir() else config_file_of(path)).read_text())
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def env_family(env_id: str) -> str:
    """``"mlgo"`` for the register allocation and inlining envs, else ``"passes"``; CLIError if unknown."""
    from rl_compiler.envs.registration import env_family as family

    try:
        return family(env_id)
    except ValueError as error:
        raise CLIError(str(error)) from None


def resolve_env(args: argparse.Namespace) -> str:
    """The env to evaluate on: ``--env``, else a saved policy's own, else the default; sets ``args.env``."""
    if not args.env:
        config = saved_policy_config(args.agent)
        args.env = config.get("env") or DEFAULT_ENV
        if config.get("dataset"):  # a user dataset's benchmark:// URIs resolve here too
            from rl_compiler.agents.rl.vec_envs import register_dataset

            register_dataset(config["dataset"])
    return args.env


def build_agent(args: argparse.Namespace) -> Policy | DecisionPolicy:
    """The agent ``--agent`` names (with ``--budget``, ``--agent-kwargs`` and a checkpoint choice), for the env's
    family; a :class:`CLIError` for an unknown agent or a budget given to an agent that takes none."""
    from rl_compiler.agents.base import Budget
    from rl_compiler.agents.registry import SEARCH_AGENTS, UnknownAgentError, agent_class, is_saved_policy, make_agent
    from rl_compiler.agents.rl.hyperparams import HyperparameterError, parse_overrides

    try:
        kwargs = parse_overrides(args.agent_kwargs)
        budget = Budget.parse(args.budget)
    except (HyperparameterError, ValueError) as error:
        raise CLIError(str(error)) from None
    if args.agent in SEARCH_AGENTS:
        if budget.max_steps is not None:
            kwargs.setdefault("max_steps", budget.max_steps)
        if budget.time_limit is not None:
            kwargs.setdefault("time_limit", budget.time_limit)
        if args.agent != "default":
            kwargs.setdefault("seed", args.seed)
    elif args.budget:
        if not is_saved_policy(args.agent):
            try:  # a misspelt agent is an unknown agent, not one that takes no budget
                agent_class(args.agent)
            except UnknownAgentError as error:
                raise CLIError(str(error)) from None
        raise CLIError(f"agent {args.agent!r} takes no search budget (search agents: {', '.join(SEARCH_AGENTS)})")
    family = env_family(resolve_env(args))
    checkpoint = checkpoint_choice(args)
    if checkpoint is not None:
        if not Path(args.agent).is_dir():
            raise CLIError(
                f"--load-checkpoint/--load-last-checkpoint need a run directory as --agent, not {args.agent!r}"
            )
        kwargs["checkpoint"] = checkpoint
    if family == "mlgo":
        kwargs.setdefault("seed", args.seed)
    try:
        return make_agent(args.agent, family=family, strict=family != "mlgo", **kwargs)
    except (UnknownAgentError, FileNotFoundError, ValueError) as error:
        raise CLIError(str(error)) from None


def benchmark_list(args: argparse.Namespace) -> list[str]:
    """The ``--benchmark`` URIs, else the ``--split`` of ``--dataset``; a :class:`CLIError` if there are none."""
    from rl_compiler.datasets import DatasetError, get_dataset

    if args.benchmark:
        if Path(args.dataset).exists():  # a manifest path: its benchmark:// URIs resolve
            get_dataset(args.dataset)
        return list(args.benchmark)

    try:
        dataset = get_dataset(args.dataset)
        uris = dataset.benchmark_uris() if args.split == "all" else dataset.split(args.split)
    except (DatasetError, ValueError, KeyError) as error:
        raise CLIError(str(error)) from None
    if not uris:
        raise CLIError(f"dataset {args.dataset!r} has no benchmarks in split {args.split!r}")
    return uris


def make_env(env_id: str, benchmarks: list[str]) -> gym.Env:
    """The env to evaluate on (an MLGO env is given its benchmarks at construction)."""
    import gymnasium as gym

    if env_family(env_id) == "mlgo":  # (a clear error for an unknown id, too)
        return gym.make(env_id, benchmark=benchmarks)
    return gym.make(env_id)


def evaluate_and_report(args: argparse.Namespace, agent: Policy | DecisionPolicy) -> int:
    """Run ``agent`` on every benchmark (locally or with ``--ray``), print the table and the geomean, write ``-o``."""
    from rl_compiler.agents import evaluation
    from rl_compiler.agents.mlgo import evaluation as mlgo_evaluation

    check_ray(args)
    output = Path(args.output) if args.output else None
    if output is not None:
        if output.suffix not in (".csv", ".json"):
            raise CLIError(f"cannot write results to {output}: the file name must end in .csv or .json")
        if not output.parent.exists() or not output.parent.is_dir():
            raise CLIError(f"cannot write results to {output}: directory {output.parent} does not exist")
    uris = benchmark_list(args)
    env = make_env(resolve_env(args), uris)
    mlgo = env_family(args.env) == "mlgo"
    meta = {
        "agent": args.agent,
        "budget": args.budget,
        "env": args.env,
        "dataset": args.dataset,
        "split": args.split,
        "seed": args.seed,
        "checkpoint": checkpoint_choice(args),
        "python": platform.python_version(),
    }
    journal = None
    try:
        if args.ray is not None:
            if mlgo:
                raise CLIError(
                    "eval --ray takes pass-ordering envs; for register allocation and inlining: leaderboard run --ray"
                )
            results, journal = evaluate_with_ray(args, agent, uris, output, meta)
        elif mlgo:
            results = mlgo_evaluation.evaluate_decisions(agent, env, uris, seed=args.seed, progress=args.progress)
        else:
            results = evaluation.evaluate(agent, env, uris, run_programs=not args.no_run, progress=args.progress)
    finally:
        env.close()
    if mlgo and not results:
        raise CLIError(f"no benchmark asked {args.env} for a decision (programs this small leave nothing to decide)")
    if mlgo:
        summary = mlgo_evaluation.summarize_decisions(results)
        logger.info("%s", mlgo_evaluation.format_decision_table(results, summary))
        columns = mlgo_evaluation.COLUMNS
    else:
        summary = evaluation.summarize(results)
        logger.info("%s", evaluation.format_table(results, summary))
        columns = evaluation.COLUMNS
    if output is not None:
        try:
            evaluation.write_results(output, results, summary, meta, columns)
        except OSError as error:
            raise CLIError(f"cannot write results to {output}: {error.strerror or error}") from None
        if journal is not None:
            journal.remove()
        logger.info("wrote %s", output)
    return 1 if summary.get("invalid") else 0


def run(args: argparse.Namespace) -> int:
    if args.exp_id is not None or args.algo:
        if args.agent:
            raise CLIError("give either --agent or the run's --algo/--env/--exp-id, not both")
        from rl_compiler.agents.rl.training import experiment_dir

        try:
            args.agent = str(
                experiment_dir(args.log_folder, args.algo or "ppo", args.env or DEFAULT_ENV, args.exp_id or 0)
            )
        except (FileNotFoundError, ValueError) as error:
            raise CLIError(str(error)) from None
        logger.info("evaluating %s", args.agent)
    elif not args.agent:
        raise CLIError("name the policy: --agent NAME_OR_PATH, or a run by --algo/--env/--exp-id")
    return evaluate_and_report(args, build_agent(args))

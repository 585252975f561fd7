"""``rl-compiler eval``: run any policy on a dataset split; per-benchmark table and geomean against -Oz.

rl-compiler eval --agent runs/ppo_llvm-autophase-ic-v0_1 --dataset builtin-v0 --split test -o ppo.csv
rl-compiler eval --agent default --budget 10s --split test -o default.json
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

from rl_compiler.cli import CLIError

DEFAULT_ENV = "rl_compiler/llvm-autophase-ic-v0"


def add_common_arguments(parser: argparse.ArgumentParser, agent_help: str, default_agent: str | None) -> None:
    parser.add_argument("--agent", required=default_agent is None, default=default_agent, help=agent_help)
    parser.add_argument(
        "--budget",
        default=None,
        help="search budget per benchmark: steps (500), seconds (10s, 1m) or both (500,10s)",
    )
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"environment id (default: {DEFAULT_ENV})")
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
        "(default, greedy, random, beam, local-search, epsilon-greedy, oz, o3, replay) or module:Class",
        None,
    )
    parser.set_defaults(func=run)


def build_agent(args: argparse.Namespace):
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
    try:
        return make_agent(args.agent, family="passes", **kwargs)
    except (UnknownAgentError, FileNotFoundError, ValueError) as error:
        raise CLIError(str(error)) from None


def benchmark_list(args: argparse.Namespace) -> list[str]:
    if args.benchmark:
        return list(args.benchmark)
    from rl_compiler.datasets import DatasetError, get_dataset

    try:
        dataset = get_dataset(args.dataset)
        uris = dataset.benchmark_uris() if args.split == "all" else dataset.split(args.split)
    except (DatasetError, ValueError, KeyError) as error:
        raise CLIError(str(error)) from None
    if not uris:
        raise CLIError(f"dataset {args.dataset!r} has no benchmarks in split {args.split!r}")
    return uris


def make_env(env_id: str):
    import gymnasium as gym

    if env_id not in gym.registry:
        known = sorted(i for i in gym.registry if i.startswith("rl_compiler/llvm"))
        raise CLIError(f"unknown env {env_id!r}; pass-ordering envs: {', '.join(known)}")
    return gym.make(env_id)


def evaluate_and_report(args: argparse.Namespace, agent) -> int:
    from rl_compiler.agents.evaluation import evaluate, format_table, summarize, write_results

    output = Path(args.output) if args.output else None
    if output is not None:
        if output.suffix not in (".csv", ".json"):
            raise CLIError(f"cannot write results to {output}: the file name must end in .csv or .json")
        if not output.parent.exists() or not output.parent.is_dir():
            raise CLIError(f"cannot write results to {output}: directory {output.parent} does not exist")
    uris = benchmark_list(args)
    env = make_env(args.env)
    try:
        results = evaluate(agent, env, uris, run_programs=not args.no_run, progress=args.progress)
    finally:
        env.close()
    summary = summarize(results)
    print(format_table(results, summary))
    if output is not None:
        meta = {
            "agent": args.agent,
            "budget": args.budget,
            "env": args.env,
            "dataset": args.dataset,
            "split": args.split,
            "seed": args.seed,
            "python": platform.python_version(),
        }
        try:
            write_results(output, results, summary, meta)
        except OSError as error:
            raise CLIError(f"cannot write results to {output}: {error.strerror or error}") from None
        print(f"wrote {output}")
    return 1 if summary["invalid"] else 0


def run(args: argparse.Namespace) -> int:
    return evaluate_and_report(args, build_agent(args))

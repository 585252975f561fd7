"""``rl-compiler leaderboard``: run an agent on a task, verify results by replay, and report them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rl_compiler.cli import CLIError
from rl_compiler.cli.ray_options import add_ray_argument, check_ray


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("leaderboard", help="run, verify and report leaderboard entries")
    commands = parser.add_subparsers(dest="leaderboard_command", metavar="ACTION", required=True)

    tasks = commands.add_parser("tasks", help="list the leaderboard tasks")
    tasks.set_defaults(func=run_tasks)

    run = commands.add_parser("run", help="run an agent on every test benchmark of a task (resumable)")
    run.add_argument("--task", required=True, help="task name (see 'leaderboard tasks') or a task .yaml file")
    run.add_argument(
        "--agent",
        required=True,
        help="agent name, saved policy, or 'module:Class' (MLGO tasks: first-legal, random-legal, "
        "no-eviction, follow-default, never, always, or a model .zip)",
    )
    run.add_argument("--budget", help="search budget: steps (500), time (10s) or both (500,10s)")
    run.add_argument("--dataset", help="judge on this dataset instead of the task's (e.g. a manifest path)")
    run.add_argument("--split", help="judge on this split instead of the task's")
    run.add_argument("--repetitions", type=int, help="repetitions per benchmark instead of the task's")
    run.add_argument("--config", nargs="*", default=[], metavar="KEY=VALUE", help="agent constructor arguments")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--author", default="anonymous")
    run.add_argument("--algorithm", default="", help="the name shown in the table (default: the agent)")
    run.add_argument("-j", "--jobs", type=int, default=0, help="parallel jobs (default: one per core)")
    run.add_argument("-o", "--output", required=True, help="results directory (re-run to resume)")
    add_ray_argument(run)
    run.set_defaults(func=run_run)

    verify = commands.add_parser("verify", help="replay every recorded result and recompute the metric")
    verify.add_argument("results", nargs="+", help="results directories")
    verify.set_defaults(func=run_verify)

    report = commands.add_parser("report", help="a Markdown table and PNG plot of results directories")
    report.add_argument("results", nargs="+", help="results directories (one per entry)")
    report.add_argument("-o", "--output", help="write the Markdown here (default: print it)")
    report.add_argument("--plot", help="write the PNG plot here")
    report.add_argument("--title", default="")
    report.set_defaults(func=run_report)


def _parse_config(pairs: list[str]) -> dict:
    import yaml

    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CLIError(f"--config expects KEY=VALUE, got {pair!r}")
        config[key] = yaml.safe_load(value)
    return config


def _bar(total: int, description: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit="job", file=sys.stderr, disable=None)


def run_tasks(args: argparse.Namespace) -> int:
    from rl_compiler.leaderboard.tasks import load_task, task_names

    for name in task_names():
        task = load_task(name)
        print(f"{task.name:<15} {task.env:<32} {task.dataset}/{task.split} x{task.repetitions}  {task.metric}")
    return 0


def run_run(args: argparse.Namespace) -> int:
    from rl_compiler.agents.base import Budget
    from rl_compiler.leaderboard import harness
    from rl_compiler.leaderboard.results import ResultsError
    from rl_compiler.leaderboard.tasks import TaskError, load_task

    try:
        task = load_task(args.task).with_overrides(args.dataset, args.split, args.repetitions)
    except TaskError as error:
        raise CLIError(str(error)) from None
    config = _parse_config(args.config)
    if args.budget:
        try:
            budget = Budget.parse(args.budget)
        except ValueError as error:
            raise CLIError(str(error)) from None
        config.update(
            {
                key: value
                for key, value in (("max_steps", budget.max_steps), ("time_limit", budget.time_limit))
                if value is not None
            }
        )
    run_config = harness.RunConfig(
        agent=args.agent,
        agent_config=config,
        seed=args.seed,
        author=args.author,
        algorithm=args.algorithm or args.agent,
        jobs=args.jobs or harness.default_jobs(),
    )
    bar = None

    def progress(done: int, total: int, message: str) -> None:
        nonlocal bar
        if bar is None:
            bar = _bar(total, f"{task.name} {run_config.algorithm}")
        bar.n = done
        bar.set_postfix_str(Path(message).name, refresh=True)

    check_ray(args)
    try:
        results = harness.run(task, run_config, args.output, progress, ray_address=args.ray)
    except (ResultsError, ValueError) as error:
        raise CLIError(str(error)) from None
    finally:
        if bar is not None:
            bar.close()
    from rl_compiler.leaderboard.report import markdown_table, summarize

    entry = summarize(results.path)
    print(markdown_table([entry], mlgo=entry.kind == "mlgo"), end="")
    print(f"results: {results.path}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from rl_compiler.leaderboard.results import ResultsError
    from rl_compiler.leaderboard.verify import verify

    failed = 0
    for path in args.results:
        bar = None

        def progress(done: int, total: int, message: str, name: str = Path(path).name) -> None:
            nonlocal bar
            if bar is None:
                bar = _bar(total, f"verify {name}")
            bar.n = done
            bar.refresh()

        try:
            result = verify(path, progress)
        except ResultsError as error:
            raise CLIError(str(error)) from None
        finally:
            if bar is not None:
                bar.close()
        if result.ok:
            print(f"OK    {path}: {result.checked} rows replayed, every metric reproduced")
        else:
            failed += 1
            print(f"FAIL  {path}: {len(result.problems)} problem(s) in {result.checked} rows")
            for problem in result.problems:
                print(f"      {problem}")
    return 1 if failed else 0


def run_report(args: argparse.Namespace) -> int:
    from rl_compiler.leaderboard.report import markdown_table, plot, summarize
    from rl_compiler.leaderboard.results import ResultsError
    from rl_compiler.llvm.cache import atomic_write_text

    try:
        entries = [summarize(path) for path in args.results]
    except ResultsError as error:
        raise CLIError(str(error)) from None
    table = markdown_table(entries, mlgo=any(entry.kind == "mlgo" for entry in entries))
    if args.output:
        atomic_write_text(Path(args.output), table)
        print(f"wrote {args.output}")
    else:
        print(table, end="")
    if args.plot:
        print(f"wrote {plot(entries, args.plot, args.title)}")
    return 0

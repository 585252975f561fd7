"""``rl-compiler search``: a search baseline on a dataset split, with a budget per benchmark.

rl-compiler search --agent greedy --budget 10s --split test -o greedy.csv
rl-compiler search --agent random --budget 2000 --agent-kwargs start=oz
"""

from __future__ import annotations

import argparse

from rl_compiler.cli.eval import add_common_arguments, build_agent, evaluate_and_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search",
        help="run a search agent (greedy, random, beam, local-search, epsilon-greedy) on a dataset split",
        description="Search for pass sequences on every benchmark of a split within a budget; print a table "
        "and the geomeans against -Oz: the IrInstructionCountOz return, IR size and object .text size.",
    )
    add_common_arguments(
        parser, "greedy, random, beam, local-search, epsilon-greedy or default (default: greedy)", "greedy"
    )
    parser.set_defaults(func=run, budget_default="10s")


def run(args: argparse.Namespace) -> int:
    if args.budget is None:
        args.budget = args.budget_default
    return evaluate_and_report(args, build_agent(args))

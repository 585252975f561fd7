"""``rl-compiler validate STATES.csv``: replay CompilerGym-style episode states and check every one.

    rl-compiler validate results.csv                       # rows: benchmark,reward,walltime,commandline
    rl-compiler validate --env rl_compiler/llvm-codesize-v0 - < states.csv

The commandline column may be a pipeline (``function(sroa),gvn``), ``opt -passes=...`` or CompilerGym's
``opt -sroa -gvn input.bc -o output.bc``. Prints one line per state; exits 1 if any state fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rl_compiler.cli import CLIError
from rl_compiler.cli.tables import Column, Table

if TYPE_CHECKING:
    from rl_compiler.envs.state import EpisodeState

DEFAULT_ENV = "rl_compiler/llvm-ic-v0"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="replay the episode states of a CSV and check rewards, the verifier and program outputs",
        description="Replay every state of a CompilerGym-style CSV (benchmark, reward, walltime, commandline) on "
        "a pass-ordering env: the reward must match the recorded one, the replay must be reproducible, the "
        "module must verify, and a runnable program must print its expected output.",
    )
    parser.add_argument("states", metavar="STATES.csv", help="the CSV file, or - for standard input")
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"the env the states were recorded on ({DEFAULT_ENV})")
    parser.add_argument("--reward-space", default=None, help="score the replay with this reward instead")
    parser.set_defaults(func=run)


def read_states(source: str) -> list[EpisodeState]:
    """The episode states of a CSV file (``-``: standard input); a :class:`CLIError` if unreadable or empty."""
    from rl_compiler.envs.state import states_from_csv

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
    except OSError as error:
        raise CLIError(f"cannot read {source}: {error.strerror or error}") from None
    try:
        states = states_from_csv(text)
    except ValueError as error:
        raise CLIError(f"{source}: {error}") from None
    if not states:
        raise CLIError(f"{source} holds no states")
    return states


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym

    from rl_compiler.envs.validation import validate_state

    states = read_states(args.states)
    if args.env not in gym.registry:
        raise CLIError(f"unknown env {args.env!r}; see rl-compiler envs")
    kwargs = {"reward_space": args.reward_space} if args.reward_space else {}
    try:
        env = gym.make(args.env, **kwargs)
    except ValueError as error:
        raise CLIError(str(error)) from None
    failures = 0
    table = Table(
        Column("", 4),
        Column("benchmark", max(len(state.benchmark) for state in states)),
        Column("recorded", 10, right=True),
        Column("replayed", 10, right=True),
        Column("details"),
    )
    table.print_header()
    try:
        for state in states:
            result = validate_state(env, state)
            failures += not result.okay()
            recorded = "-" if state.reward is None else f"{state.reward:.4f}"
            replayed = "-" if result.replayed_reward is None else f"{result.replayed_reward:.4f}"
            details = "; ".join(result.errors) or f"{len(state.actions)} passes"
            status = "ok" if result.okay() else "FAIL"
            table.print_row(status, state.benchmark, recorded, replayed, details)
    finally:
        env.close()
    print(f"{len(states) - failures} of {len(states)} states validated")
    return 1 if failures else 0

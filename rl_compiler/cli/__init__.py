"""The ``rl-compiler`` command. Each subcommand lives in its own module of this package.

A subcommand module defines ``register(subparsers)``, which adds its parser and sets ``func`` to a
function taking the parsed ``argparse.Namespace`` and returning an exit code.

Output goes through :mod:`logging` (``rl_compiler.log``): ``-v`` adds the library's DEBUG records, ``-q``
shows errors only (no progress bars, nothing on standard output). Both work before or after the
subcommand, at any depth (``rl-compiler -q train ...``, ``rl-compiler train -q ...``,
``rl-compiler datasets import -q ...``), with this one meaning: no subcommand defines its own ``-q``/``-v``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import time
from typing import NoReturn

#: Subcommand modules, in the order ``rl-compiler --help`` lists them.
SUBCOMMANDS = (
    "info",
    "envs",
    "datasets",
    "train",
    "tune",
    "eval",
    "search",
    "plot",
    "optimize",
    "coreset",
    "validate",
    "shell",
    "leaderboard",
)
#: Subcommands whose process ends without the interpreter's teardown (0.2 s of finalizing modules on a
#: 2-core machine): ``optimize``'s time limit is the process's whole wall time. Their files are all closed and
#: their workers stopped when they return.
FAST_EXIT = ("optimize",)
#: Seconds an interpreter may take to start before it runs rl-compiler's first line (30-80 ms measured on the
#: 2-core machine at load 3-4; more under heavier load); a process started longer ago ran something else first,
#: e.g. a wrapper that then ``exec``-ed the command (see command_start).
STARTUP_ALLOWANCE = 0.5


class CLIError(Exception):
    """An error to show the user in plain words (no traceback), with a non-zero exit code (default 2)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand (``only``: that one alone, so that running it
    does not import what every other subcommand needs: ``optimize``'s budget counts the start-up)."""
    from rl_compiler import __version__

    parser = argparse.ArgumentParser(
        prog="rl-compiler",
        description="Reinforcement-learning environments for LLVM compiler decisions.",
    )
    parser.add_argument("--version", action="version", version=f"rl-compiler {__version__}")
    add_verbosity_arguments(parser, default=0)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in SUBCOMMANDS else SUBCOMMANDS:
        # A subcommand module that fails to import is a bug to see, never a subcommand to drop.
        importlib.import_module(f"rl_compiler.cli.{name}").register(subparsers)
    for subparser in nested_parsers(parser):
        # SUPPRESS: a subcommand's parser must not reset what was given before the subcommand.
        add_verbosity_arguments(subparser, default=argparse.SUPPRESS)
    return parser


def nested_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every subcommand's parser below ``parser``, at any depth (``datasets import``), once (aliases share one)."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in dict.fromkeys(action.choices.values()):
                found += [subparser, *nested_parsers(subparser)]
    return found


def add_verbosity_arguments(parser: argparse.ArgumentParser, default: object) -> None:
    """``-v/--verbose`` (repeatable) and ``-q/--quiet``."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="more output: the library's debug records (-vv: also Stable-Baselines3's training tables)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="errors only: no progress bars, no output"
    )


def verbosity(args: argparse.Namespace) -> int:
    """-1 for ``-q``, else the number of ``-v``."""
    return -1 if getattr(args, "quiet", False) else int(getattr(args, "verbose", 0) or 0)


def process_start_time() -> float:
    """``time.perf_counter()`` at this process's start (its fork: /proc does not record an ``exec``); now where
    /proc does not say."""
    try:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat(5): starttime, in clock ticks since boot
        with open("/proc/uptime") as uptime:
            uptime_seconds = float(uptime.read().split()[0])
        age = uptime_seconds - started_ticks / os.sysconf("SC_CLK_TCK")
        return time.perf_counter() - max(age, 0.0)
    except (OSError, ValueError, IndexError):
        return time.perf_counter()


def command_start() -> float:
    """``time.perf_counter()`` when the ``rl-compiler`` command started, what ``optimize``'s budget counts from:
    its process's start, so that interpreter start-up and imports count too, unless the process started more
    than :data:`STARTUP_ALLOWANCE` before the interpreter ran rl-compiler's first line (a wrapper that ran
    first and then ``exec``-ed the command): then that first line, so the wrapper's own time does not count."""
    import rl_compiler

    forked, first_line = process_start_time(), rl_compiler.IMPORT_STARTED
    return forked if first_line - forked <= STARTUP_ALLOWANCE else first_line


def main(argv: list[str] | None = None, *, started: float | None = None) -> int:
    """Entry point of the ``rl-compiler`` command.

    :param started: ``time.perf_counter()`` when the command started (``args.command_started``: what
        ``optimize``'s budget counts from); default now, for a call inside a running program. The ``rl-compiler``
        program passes :func:`command_start`.
    """
    started = time.perf_counter() if started is None else started
    words = [word for word in (sys.argv[1:] if argv is None else argv) if not word.startswith("-")]
    parser = build_parser(only=words[0] if words else None)
    args = parser.parse_args(argv)
    args.command_started = started
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from rl_compiler.log import configure_console

    level = verbosity(args)
    configure_console(level)
    quiet = level < 0
    if quiet and hasattr(args, "progress"):
        args.progress = False
    try:
        with contextlib.ExitStack() as stack:
            if quiet:  # what subcommands print is output too: -q keeps standard output empty
                stack.enter_context(contextlib.redirect_stdout(stack.enter_context(open(os.devnull, "w"))))
            return int(args.func(args) or 0)
    except CLIError as error:
        print(f"rl-compiler {args.command}: error: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print(f"rl-compiler {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``rl-compiler benchmarks builtin-v0 | head``): stop quietly, as `cat` does.
        # Point stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # what a process killed by SIGPIPE reports


def entry() -> NoReturn:
    """The ``rl-compiler`` program (and ``python -m rl_compiler.cli``): :func:`main`, then exit with its code;
    the :data:`FAST_EXIT` subcommands skip the interpreter's teardown once their output is flushed."""
    code = main(started=command_start())
    words = [word for word in sys.argv[1:] if not word.startswith("-")]
    if words and words[0] in FAST_EXIT:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()

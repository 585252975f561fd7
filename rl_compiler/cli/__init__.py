"""The ``rl-compiler`` command. Each subcommand lives in its own module of this package.

A subcommand module defines ``register(subparsers)``, which adds its parser and sets ``func`` to a
function taking the parsed ``argparse.Namespace`` and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: Subcommand modules, in the order ``rl-compiler --help`` lists them.
SUBCOMMANDS = ("info", "envs", "datasets", "train", "eval", "search", "optimize", "validate", "shell", "leaderboard")


class CLIError(Exception):
    """An error to show the user in plain words (no traceback), with a non-zero exit code (default 2)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="rl-compiler",
        description="Reinforcement-learning environments for LLVM compiler decisions.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        # A subcommand module that fails to import is a bug to see, never a subcommand to drop.
        importlib.import_module(f"rl_compiler.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rl-compiler`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
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


if __name__ == "__main__":
    sys.exit(main())

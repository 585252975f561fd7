"""The errors of ``rl-compiler optimize`` (:mod:`rl_compiler.agents.optimize.optimizer` re-exports them)."""

from __future__ import annotations


class OptimizeError(RuntimeError):
    """The program cannot be optimized: bad input, it does not build or run, or no result passes the checks."""


class OptimizeInputError(OptimizeError, ValueError):
    """The input is wrong: a missing file, an unsupported kind of file, a program that does not compile."""


class ProgramRunError(OptimizeError):
    """The unoptimised program does not run cleanly, so the results' output cannot be checked."""

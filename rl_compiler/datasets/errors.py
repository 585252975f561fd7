"""Exceptions raised by the datasets layer. Each message names the offending value and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class DatasetError(RuntimeError):
    """Base class of every error the datasets layer raises."""


class UnknownDatasetError(DatasetError, KeyError):
    """A dataset name that is not registered."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownBenchmarkError(DatasetError, KeyError):
    """A benchmark URI or name that does not exist in its dataset."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class BenchmarkArgumentError(DatasetError, ValueError):
    """A benchmark argument of the wrong type, or one that names no benchmark (or several where one is due)."""


class EmptyBenchmarkError(DatasetError, ValueError):
    """A benchmark with nothing in it: an empty source file, or a module without a single instruction."""


class MissingFileError(DatasetError, FileNotFoundError):
    """A source, input or manifest file that does not exist."""


class ManifestError(DatasetError, ValueError):
    """A manifest that cannot be read: names the file and the missing or invalid field."""


class BuildError(DatasetError):
    """Compiling or linking a benchmark failed; the message includes the compiler's diagnostic."""


class BenchmarkRunError(DatasetError):
    """A benchmark binary did not run to completion: a crash (with its signal), a timeout or a limit.

    ``kind`` is one of ``"crash"``, ``"timeout"``, ``"cpu-limit"``, ``"file-size-limit"``, ``"memory-limit"``,
    ``"sandbox"`` or ``"not-runnable"``.
    """

    def __init__(self, message: str, kind: str = "crash") -> None:
        super().__init__(message)
        self.kind = kind


class BenchmarkTimeoutError(BenchmarkRunError, TimeoutError):
    """A benchmark binary exceeded its wall-clock timeout and was killed (with its whole process group)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="timeout")


class OutputMismatchError(DatasetError):
    """A benchmark's output differs from the expected output; the message holds a diff excerpt."""


class GeneratorUnavailableError(DatasetError):
    """A program generator (e.g. csmith) is not installed."""


def suggest(name: str, choices: Iterable[str]) -> str:
    """A " Did you mean ...?" suffix naming the closest matches of ``name`` among ``choices`` (or "")."""
    matches = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(repr(match) for match in matches) + "?"

"""Score pass sequences on programs: IR instruction count and object ``.text`` of start module + sequence.

Every sequence is applied to the program's start module (clang's -Oz front-end output, no pass run) parsed
afresh in one crash-isolated worker, exactly what ``opt -passes=<sequence>`` does to that bitcode. Values are
normalized to -Oz, which is scored the same way (the sequence ``default<O2>``): ``text_value = text_Oz /
text``, ``ir_value = ic_Oz / ic``; above 1 is smaller than -Oz. A sequence that crashes LLVM, times out or
leaves invalid IR on a program scores ``None`` there (the selection and the model count it as useless), and
so does a result without any ``.text``; programs whose -Oz result has no ``.text`` are left out.

Scores are cached on disk per (start module, toolchain): ``<cache>/coreset-scores/<sha1>.json`` maps each
sequence to ``[ic, text]`` (``null`` for a failure), so rebuilding a coreset, training the value model and
evaluating reuse every compilation already done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.pipelines import OZ
from rl_compiler.llvm.cache import atomic_write_text, cache_dir, file_lock
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.session import Session
from rl_compiler.llvm.toolchain import get_toolchain

SCORES_VERSION = "1"


@dataclass
class Program:
    """One program to score: its URI, start bitcode, features and the -Oz reference."""

    uri: str
    bitcode: bytes
    autophase: np.ndarray
    inst_count: np.ndarray
    ic_start: int
    ic_oz: int = 0
    text_oz: int = 0


@dataclass
class ScoreTable:
    """``ic[p, s]`` and ``text[p, s]`` of sequence ``s`` on program ``p`` (NaN: failed), with -Oz's."""

    programs: list[Program]
    sequences: list[str]
    ic: np.ndarray
    text: np.ndarray
    seconds: float = 0.0
    compilations: int = 0
    extra: dict = field(default_factory=dict)

    def values(self, metric: str = "text") -> np.ndarray:
        """Normalized values (-Oz / sequence; NaN for failures) of ``metric`` ``text`` or ``ir``."""
        if metric == "text":
            reference, costs = np.array([p.text_oz for p in self.programs], float), self.text
        elif metric == "ir":
            reference, costs = np.array([p.ic_oz for p in self.programs], float), self.ic
        else:
            raise ValueError(f"unknown metric {metric!r}; expected 'text' or 'ir'")
        # A result without any .text (or IR) cannot be compared: it counts as a failure, like a crash.
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(costs > 0, reference[:, None] / costs, np.nan)


def _cache_path(bitcode: bytes):
    key = hashlib.sha1(bitcode).hexdigest()
    return cache_dir("coreset-scores", f"{get_toolchain().id}-v{SCORES_VERSION}") / f"{key}.json"


def _read_cache(bitcode: bytes) -> dict[str, list[int] | None]:
    path = _cache_path(bitcode)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_cache(bitcode: bytes, new: dict[str, list[int] | None]) -> None:
    path = _cache_path(bitcode)
    with file_lock(path.with_suffix(".lock")):
        merged = {**_read_cache(bitcode), **new}
        atomic_write_text(path, json.dumps(merged))


class Scorer:
    """Scores sequences on programs in one crash-isolated worker (kept between calls; close it after)."""

    def __init__(self, timeout: float = 60.0, isolated: bool = True) -> None:
        self.timeout, self.isolated = timeout, isolated
        self._anchor: Session | None = None
        self.compilations = 0

    def _session(self, bitcode: bytes) -> Session:
        if self._anchor is None or self._anchor.closed:
            self._anchor = Session(bitcode, isolated=self.isolated, timeout=self.timeout)
            return self._anchor.sibling(bitcode)
        return self._anchor.sibling(bitcode)

    def program(self, uri: str, max_instructions: int | None = None) -> Program | None:
        """The start module of benchmark ``uri`` with its features and -Oz reference (one compilation);
        None if it has more than ``max_instructions`` IR instructions."""
        benchmark = get_benchmark(uri)
        bitcode = benchmark.bitcode("size")
        with self._session(bitcode) as session:
            autophase, inst_count = session.features()
            ic_start = session.instruction_count()
        if max_instructions is not None and ic_start > max_instructions:
            return None
        program = Program(benchmark.uri, bitcode, autophase, inst_count, ic_start)
        oz = self.score(program, [OZ])[0]
        if oz is None:
            raise LLVMError(f"{uri}: -Oz itself fails on this program")
        program.ic_oz, program.text_oz = oz
        if program.text_oz == 0:
            raise LLVMError(f"{uri}: -Oz leaves no .text at all (nothing to make smaller)")
        return program

    def score(self, program: Program, sequences: Sequence[str]) -> list[tuple[int, int] | None]:
        """``(ic, text)`` of each sequence applied to ``program``'s start module (None: it failed)."""
        cached = _read_cache(program.bitcode)
        new: dict[str, list[int] | None] = {}
        results: list[tuple[int, int] | None] = []
        for sequence in sequences:
            if sequence not in cached and sequence not in new:
                new[sequence] = self.compile(program.bitcode, sequence)
            value = cached.get(sequence, new.get(sequence))
            results.append(None if value is None else (int(value[0]), int(value[1])))
        if new:
            _write_cache(program.bitcode, new)
        return results

    def compile(self, bitcode: bytes, sequence: str) -> list[int] | None:
        """``[ic, text]`` of ``sequence`` on the module ``bitcode``, compiled now (no cache); None if the
        sequence crashes LLVM, times out or leaves invalid IR."""
        self.compilations += 1
        try:
            with self._session(bitcode) as session:
                ic, text = session.step(sequence, ("instruction_count", "object_text_size"))
                session.verify()
            return [int(ic), int(text)]
        except LLVMError:
            return None

    def close(self) -> None:
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def score_table(
    scorer: Scorer,
    programs: Sequence[Program],
    sequences: Sequence[str],
    progress: Callable[[str], None] | None = None,
) -> ScoreTable:
    """Every sequence on every program (from the cache where already scored)."""
    import time

    start, before = time.perf_counter(), scorer.compilations
    ic = np.full((len(programs), len(sequences)), np.nan)
    text = np.full_like(ic, np.nan)
    for row, program in enumerate(programs):
        for column, result in enumerate(scorer.score(program, sequences)):
            if result is not None:
                ic[row, column], text[row, column] = result
        if progress is not None:
            progress(f"scored {row + 1}/{len(programs)} {program.uri}")
    return ScoreTable(
        list(programs), list(sequences), ic, text,
        seconds=time.perf_counter() - start, compilations=scorer.compilations - before,
    )  # fmt: skip

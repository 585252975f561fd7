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
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.pipelines import OZ
from rl_compiler.llvm.cache import atomic_write_text, cache_dir, file_lock
from rl_compiler.llvm.errors import LLVMError, WorkerTimeoutError
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


def _bound(session: Session, end: float | None) -> None:
    """Make ``session``'s next call end by ``end`` (``time.perf_counter()`` seconds; None: its own timeout), or
    be cancelled then: its worker killed, the call not retried."""
    if end is not None:
        session.cancel_after(max(end - time.perf_counter(), 1e-3))


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
    """Scores sequences on programs in crash-isolated workers (kept between calls; close it after).

    :param lanes: worker processes, each a lane that compiles independently of the others: calls naming
        different lanes may run at the same time from different threads (:mod:`.predict` does); calls on one
        lane must not overlap. One lane by default (a corpus is scored on lane 0).
    """

    def __init__(self, timeout: float = 60.0, isolated: bool = True, lanes: int = 1) -> None:
        if lanes < 1:
            raise ValueError(f"lanes must be at least 1, got {lanes!r}")
        self.timeout, self.isolated = timeout, isolated
        self._anchors: list[Session | None] = [None] * lanes
        self._restarts: list[threading.Thread | None] = [None] * lanes
        self._count_lock = threading.Lock()
        self.compilations = 0

    @property
    def lanes(self) -> int:
        """The number of lanes (worker processes)."""
        return len(self._anchors)

    def _session(self, bitcode: bytes, lane: int = 0) -> Session:
        self._join_restart(lane)
        anchor = self._anchors[lane]
        if anchor is None or anchor.closed:  # the lane's first module keeps its worker running
            anchor = self._anchors[lane] = Session(bitcode, isolated=self.isolated, timeout=self.timeout)
        return anchor.sibling(bitcode)

    def start(self, bitcode: bytes) -> None:
        """Start every lane's worker now (each on ``bitcode``), so that no later call pays a process start."""
        for lane in range(self.lanes):
            self._session(bitcode, lane).close()

    def features(self, bitcode: bytes, lane: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
        """Autophase, InstCount and the IR instruction count of the module ``bitcode``."""
        with self._session(bitcode, lane) as session:
            autophase, inst_count = session.features()
            return autophase, inst_count, session.instruction_count()

    def program(self, uri: str, max_instructions: int | None = None) -> Program | None:
        """The start module of benchmark ``uri`` with its features and -Oz reference (one compilation);
        None if it has more than ``max_instructions`` IR instructions."""
        benchmark = get_benchmark(uri)
        bitcode = benchmark.bitcode("size")
        autophase, inst_count, ic_start = self.features(bitcode)
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

    def session(self, bitcode: bytes, lane: int = 0) -> Session:
        """A new session on the module ``bitcode`` in ``lane``'s worker (the caller closes it).

        :raises LLVMError: the bitcode does not parse.
        """
        return self._session(bitcode, lane)

    def measure(self, session: Session, pipeline: str, end: float | None = None) -> list[int] | None:
        """``[ic, text]`` after running ``pipeline`` on ``session``'s module as it is now, then the verifier;
        None if the pipeline crashes LLVM, times out or leaves invalid IR (the session is then of no use).

        :param end: a deadline (``time.perf_counter()`` seconds) for the pipeline and the verifier together: a
            call still running then is cancelled (the worker killed, not retried) and raises
            :class:`WorkerTimeoutError`.
        """
        with self._count_lock:
            self.compilations += 1
        try:
            _bound(session, end)
            ic, text = session.step(pipeline, ("instruction_count", "object_text_size"))
            _bound(session, end)
            session.verify()
            return [int(ic), int(text)]
        except WorkerTimeoutError:
            if end is not None:
                raise
            return None
        except LLVMError:
            return None

    def compile(self, bitcode: bytes, sequence: str, lane: int = 0, end: float | None = None) -> list[int] | None:
        """``[ic, text]`` of ``sequence`` on the module ``bitcode``, compiled now on ``lane`` (no cache); None
        if the sequence crashes LLVM, times out or leaves invalid IR.

        :param end: the caller's deadline (``time.perf_counter()`` seconds) for the pipeline and the verifier:
            a compilation still running then is cancelled (the lane's worker killed, not retried; a new one
            starts in the background, :meth:`restart`).
        :raises WorkerTimeoutError: cancelled at ``end``.
        """
        try:
            with self._session(bitcode, lane) as session:
                return self.measure(session, sequence, end)
        except WorkerTimeoutError:
            if end is None:
                return None
            self.restart(lane)
            raise
        except LLVMError:
            return None

    def restart(self, lane: int) -> None:
        """Start ``lane``'s worker again in a background thread (after a cancelled call killed it), so that
        the lane's next call does not wait for a process start; that call waits for the thread."""
        anchor = self._anchors[lane]
        if anchor is None or anchor.closed:
            return

        def start() -> None:
            try:
                anchor.sibling(anchor.start_bitcode).close()
            except LLVMError:  # the lane's next call starts it, and reports what fails
                pass

        self._join_restart(lane)
        thread = self._restarts[lane] = threading.Thread(target=start, name=f"scorer-restart-{lane}", daemon=True)
        thread.start()

    def _join_restart(self, lane: int) -> None:
        thread, self._restarts[lane] = self._restarts[lane], None
        if thread is not None:
            thread.join()

    def close(self) -> None:
        """End every lane's worker."""
        for lane in range(self.lanes):
            self._join_restart(lane)
        for lane, anchor in enumerate(self._anchors):
            if anchor is not None:
                anchor.close()
                self._anchors[lane] = None

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

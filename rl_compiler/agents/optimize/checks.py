"""The end of ``rl-compiler optimize``: checking the chosen result (what is written) and what that costs.

:func:`first_that_passes` replays the best candidate with ``opt`` (the module written, which a user's replay
reproduces byte for byte) and checks it: the LLVM verifier, and the program's output against the unoptimised
build when it has a ``main``; the next-best is tried only before the deadline, and -Oz last (its replay run
early, alongside the search: :class:`Replay`). :class:`EndCost` is what that and writing the outputs take
for a candidate, from the program's own measured costs: the search ends where it must start.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from rl_compiler.agents.optimize.errors import OptimizeError
from rl_compiler.agents.optimize.size_search import Candidate, Deadline
from rl_compiler.agents.optimize.tools import replay
from rl_compiler.datasets.errors import DatasetError
from rl_compiler.llvm.errors import LLVMError

#: Seconds the unoptimised program may run when its reference output is taken (at most; at least the minimum,
#: whatever is left of the budget: a run rarely takes longer than -Oz's pipeline on the same program).
REFERENCE_TIMEOUT = 10.0
MIN_REFERENCE_TIMEOUT = 1.0


class Replay:
    """``opt``'s replay of a pass list (:func:`~rl_compiler.agents.optimize.tools.replay`) run in a thread: -Oz's
    is started as soon as the start module is known, alongside the worker's own -Oz, so that falling back to
    -Oz at the end (nothing better, or the better result failed or could not be replayed in time) costs no
    replay there. :attr:`seconds` is what it took."""

    def __init__(self, start_bitcode: bytes, pipeline: str) -> None:
        self.bitcode: bytes | None = None
        self.error: OptimizeError | None = None
        self.seconds = 0.0
        self._thread = threading.Thread(
            target=self._run, args=(start_bitcode, pipeline), name="rl-compiler-replay", daemon=True
        )
        self._thread.start()

    def _run(self, start_bitcode: bytes, pipeline: str) -> None:
        clock = time.perf_counter()
        try:
            self.bitcode = replay(start_bitcode, pipeline)
        except OptimizeError as error:
            self.error = error
        self.seconds = time.perf_counter() - clock

    def result(self) -> bytes:
        """The replayed bitcode, once done; raises the replay's OptimizeError."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.bitcode is not None
        return self.bitcode


def check(benchmark: Any, bitcode: bytes, run: bool, timeout: float) -> tuple[list[str], int]:
    """The verifier, then (if runnable and ``run``) the program's output, run for at most ``timeout`` seconds;
    the checks and the module's IR instruction count. Raises OptimizeError on a failure."""
    from rl_compiler.llvm.module import Module

    try:
        with Module.from_bitcode(bitcode) as module:
            module.verify()
            ic = module.instruction_count()
    except LLVMError as error:
        raise OptimizeError(f"verifier: FAILED: {error}") from None
    checks = ["verifier: ok"]
    if run and getattr(benchmark, "runnable", False):
        try:
            benchmark.check_output(bitcode, timeout=timeout)
        except DatasetError as error:
            raise OptimizeError(f"run: FAILED: {error}") from None
        checks.append("run: output matches the unoptimised build")
    elif run:
        checks.append("run: skipped (not runnable: no main())")
    return checks, ic


@dataclass(frozen=True)
class EndCost:
    """Seconds that checking and writing a candidate takes after the search, from this program's own costs:
    ``opt`` replays the pass list and ``llc`` generates code for the output (together about the candidate's own
    evaluation in the worker, pipeline plus code generation), a few processes start (``opt`` and ``llc``; to
    run the program also ``llc``, the linker and the sandbox: the worker's start, measured under the machine's
    load at this moment, is the unit) and the program runs once more. Tuned on training programs only (the
    builtin-v0 train split, csmith-train-v0, realc-train-v0; see the README), at load 5-6 on 2 cores.
    """

    run_seconds: float
    process_seconds: float
    runs: bool

    #: Times the candidate's evaluation: opt's replay and code generation for the output (-Oz's replay is run
    #: early, alongside the search: :class:`Replay`).
    PIPELINE_FACTOR = 1.5
    #: What -Oz's early replay takes off :data:`PIPELINE_FACTOR`.
    REPLAYED_FACTOR = 1.0
    #: Times the candidate's evaluation, added when the program is run: code generation once more, to link it
    #: (on bigint, whose -Oz evaluation took 1.1 s, checking and writing -Oz took 2.6 s with the process starts).
    RUN_PIPELINE_FACTOR = 0.5
    #: Times the reference run: the check runs the program once more.
    RUN_FACTOR = 1.5
    #: Times the worker's start: ``opt`` and ``llc`` for the outputs, and the in-process verifier.
    PROCESS_FACTOR = 0.4
    #: Times the worker's start, added when the program is run: ``llc``, the linker, the sandboxed run.
    RUN_PROCESS_FACTOR = 0.6
    #: Writing the files.
    FIXED_SECONDS = 0.1

    def __call__(self, candidate: Candidate) -> float:
        processes = self.PROCESS_FACTOR + (self.RUN_PROCESS_FACTOR if self.runs else 0.0)
        pipeline = self.PIPELINE_FACTOR + (self.RUN_PIPELINE_FACTOR if self.runs else 0.0)
        if candidate.origin == "oz":
            pipeline -= self.REPLAYED_FACTOR
        return (
            pipeline * candidate.seconds
            + (self.RUN_FACTOR * self.run_seconds if self.runs else 0.0)
            + processes * self.process_seconds
            + self.FIXED_SECONDS
        )


#: Why the next-best candidates were not tried after the best failed a check.
PAST_DEADLINE = "the next-best results were not checked: the time limit was reached"


def first_that_passes(
    benchmark: Any,
    start_bitcode: bytes,
    candidates: list[Candidate],
    run: bool,
    run_time: float,
    deadline: Deadline,
    oz_replay: Replay | None = None,
) -> tuple[Candidate, bytes, list[str], str, str]:
    """The best candidate that passes the checks: (candidate, opt's replay of it, checks, replay verdict, why
    better ones were rejected). Each is replayed by ``opt`` (what is written) and checked; past ``deadline``
    only -Oz is (its replay ``oz_replay`` taken early, if given), and a candidate's replay and run are cut at
    the deadline (the program's run gets at least three times the reference run's time: a correct result is
    never cut, a hanging one is). Cutting the replay where checking -Oz instead would still fit cut good
    results on training programs (the time kept is the best's own end cost, not that plus -Oz's)."""
    rejected: list[str] = []
    for candidate in candidates:
        oz = candidate.origin == "oz"
        if not oz and deadline.remaining() <= 0:
            if rejected[-1:] != [PAST_DEADLINE]:
                rejected.append(PAST_DEADLINE)
            continue
        try:
            if oz and oz_replay is not None:
                bitcode = oz_replay.result()
            else:
                limit = None if oz else max(0.5, deadline.remaining())
                bitcode = replay(start_bitcode, candidate.pipeline, limit)
            timeout = min(REFERENCE_TIMEOUT, max(3 * run_time + 0.5, deadline.remaining()))
            checks, ic = check(benchmark, bitcode, run, REFERENCE_TIMEOUT if oz else timeout)
        except OptimizeError as error:
            if oz:
                raise OptimizeError(f"{benchmark.uri}: even the -Oz result fails a check: {error}") from None
            rejected.append(f"a {candidate.origin} result failed a check: {error}")
            continue
        replayed = (
            "ok: opt's replay has the IR instruction count the search measured"
            if ic == candidate.ic
            else f"MISMATCH: opt's replay has {ic} IR instructions, the search measured {candidate.ic}"
        )
        return candidate, bitcode, checks, replayed, "; ".join(rejected)
    raise OptimizeError(f"{benchmark.uri}: no result, not even -Oz, could be checked")

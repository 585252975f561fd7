"""The end of ``rl-compiler optimize``: checking the chosen result (what is written) and what that costs.

:func:`first_that_passes` takes the best candidate's ``opt`` replay (the module written, which a user's replay
reproduces byte for byte; run in the background since the candidate became the best:
:class:`~rl_compiler.agents.optimize.replays.Replays`) and checks it: the LLVM verifier, and the program's
output against the unoptimised build when it has a ``main``. It waits for a replay still running only as
long as leaves time to check and write the next result already replayed; the next-best are tried only in
time, and -Oz last. :class:`EndCost` is what that and writing the outputs take for a candidate, from the
program's own measured costs: the search ends where it must start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rl_compiler.agents.optimize.errors import OptimizeError
from rl_compiler.agents.optimize.replays import Replays
from rl_compiler.agents.optimize.size_search import Candidate, Deadline
from rl_compiler.datasets.errors import DatasetError
from rl_compiler.llvm.errors import LLVMError

#: Seconds the unoptimised program may run when its reference output is taken (at most; at least the minimum,
#: whatever is left of the budget: a run rarely takes longer than -Oz's pipeline on the same program).
REFERENCE_TIMEOUT = 10.0
MIN_REFERENCE_TIMEOUT = 1.0


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

    #: Times the candidate's evaluation: opt's replay and code generation for the output.
    PIPELINE_FACTOR = 1.5
    #: What a replay done in the background (-Oz's, and the search's bests') takes off :data:`PIPELINE_FACTOR`.
    REPLAYED_FACTOR = 1.0
    #: Times the candidate's evaluation, added when the program is run: code generation once more, to link it
    #: (on bigint, whose -Oz evaluation took 1.1 s, checking and writing -Oz took 2.6 s with the process starts).
    RUN_PIPELINE_FACTOR = 0.5
    #: Times the reference run: the check runs the program once more.
    RUN_FACTOR = 1.5
    #: Times the worker's start: ``opt`` and ``llc`` for the outputs, and the in-process verifier.
    PROCESS_FACTOR = 0.4
    #: What a replay done in the background takes off :data:`PROCESS_FACTOR`: ``opt``'s start, one of the two.
    REPLAYED_PROCESS_FACTOR = 0.2
    #: Times the worker's start, added when the program is run: ``llc``, the linker, the sandboxed run.
    RUN_PROCESS_FACTOR = 0.6
    #: Writing the files.
    FIXED_SECONDS = 0.1

    def __call__(self, candidate: Candidate, replayed: bool | None = None) -> float:
        """Seconds to check and write ``candidate``; ``replayed``: its replay is done (default: only -Oz's, which
        starts first)."""
        processes = self.PROCESS_FACTOR + (self.RUN_PROCESS_FACTOR if self.runs else 0.0)
        pipeline = self.PIPELINE_FACTOR + (self.RUN_PIPELINE_FACTOR if self.runs else 0.0)
        if replayed is None:
            replayed = candidate.origin == "oz"
        if replayed:
            pipeline -= self.REPLAYED_FACTOR
            processes -= self.REPLAYED_PROCESS_FACTOR
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
    candidates: list[Candidate],
    run: bool,
    run_time: float,
    deadline: Deadline,
    replays: Replays,
    after: Callable[[Candidate], float],
) -> tuple[Candidate, bytes, list[str], str, str]:
    """The best candidate that passes the checks: (candidate, opt's replay of it, checks, replay verdict, why
    better ones were rejected). -Oz must be among ``candidates`` (the last resort, always checked).

    Each candidate's replay comes from ``replays`` (started now if it was not). ``after(c)`` is what checking
    and writing ``c`` takes once replayed. The first candidate's replay is waited for as long as leaves time
    to check and write it or, if it is not done by then, the next candidate already replayed (a running
    replay is not cut: it goes on in the background until :meth:`Replays.close`); a later candidate is tried
    only if that leaves time for it. The program's run gets at least three times the reference run's time
    (a correct result is never cut, a hanging one is).
    """
    rejected: list[str] = []

    def note(reason: str) -> None:
        if rejected[-1:] != [reason]:
            rejected.append(reason)

    promised: Candidate | None = None  # the fallback whose checking and writing time was kept
    for index, candidate in enumerate(candidates):
        oz = candidate.origin == "oz"
        job = replays.get(candidate)
        if not oz:
            done = job is not None and job.done()
            fallback = next((c for c in candidates[index + 1 :] if c.origin == "oz" or replays.replayed(c)), None)
            keep = max(after(candidate), after(fallback) if fallback is not None and not done else 0.0)
            if index > 0 and candidate is not promised and deadline.remaining() < keep:
                note(PAST_DEADLINE)
                continue
            if not done:
                waited = deadline.remaining() - keep
                if waited > 0:
                    job = replays.now(candidate)
                if job is None or not job.wait(waited):
                    note(f"opt's replay of the {candidate.origin} result was not done in time")
                    promised = fallback
                    continue
        job = job or replays.now(candidate)
        try:
            bitcode = job.result()
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

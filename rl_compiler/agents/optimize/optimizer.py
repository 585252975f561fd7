"""Optimize one program for object size within a wall-clock budget (the library behind ``rl-compiler optimize``).

:func:`optimize_program` takes a :class:`rl_compiler.datasets.Benchmark` (see :func:`load_benchmark` for C
files, ``.ll``/``.bc`` modules and URIs) and returns an :class:`OptimizeResult`:

- the budget is wall time from ``started`` (default: now), and everything counts: building the program,
  taking its reference output, -Oz, the search, the final checks. Time for the checks is kept in reserve
  from what -Oz and the reference run cost on this program;
- :class:`rl_compiler.agents.optimize.size_search.SizeSearch` judges candidates by object ``.text`` first
  (``metric="text"``, the default) or by IR instructions (``metric="ir"``);
- the result is never larger than -Oz in ``.text`` (and, with ``metric="ir"``, not in IR instructions
  either); the best candidate is checked (the LLVM verifier, and the program's output against the
  unoptimised build when it has a ``main``), and when no candidate beats -Oz or the better ones fail a
  check, the -Oz result is returned with the reason in :attr:`OptimizeResult.reason`.

:mod:`rl_compiler.agents.optimize.output` writes the result where ``-o`` says, like a compiler.
"""

from __future__ import annotations

import functools
import hashlib
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rl_compiler.agents.optimize.size_search import OZ, Candidate, Deadline, SearchLog, SizeSearch
from rl_compiler.datasets.errors import DatasetError
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.session import Session

#: Seconds the unoptimised program may run when its reference output is taken.
REFERENCE_TIMEOUT = 10.0
#: Seconds kept back from the search for writing the outputs and ending the process (see optimize_program).
RESERVE_SECONDS = 0.6
#: Default wall-time budget of one optimization, in seconds.
DEFAULT_TIME_LIMIT = 10.0
SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx")
MODULE_SUFFIXES = (".ll", ".bc")


class OptimizeError(RuntimeError):
    """The program cannot be optimized: bad input, it does not build or run, or no result passes the checks."""


class OptimizeInputError(OptimizeError, ValueError):
    """The input is wrong: a missing file, an unsupported kind of file, a program that does not compile."""


class ProgramRunError(OptimizeError):
    """The unoptimised program does not run cleanly, so the results' output cannot be checked."""


@dataclass
class OptimizeResult:
    """The chosen result for one program, the -Oz comparison, and what was checked and spent."""

    benchmark: Any
    final: Candidate
    oz: Candidate
    ic_start: int
    fell_back: bool
    reason: str
    bitcode: bytes
    start_bitcode: bytes
    metric: str
    checks: list[str] = field(default_factory=list)
    log: SearchLog = field(default_factory=SearchLog)
    candidates: int = 0
    candidate_order: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def passes(self) -> list[str]:
        return list(self.final.passes)

    def opt_pipeline(self) -> str:
        """The pass list as one ``opt -passes=`` string for :attr:`start_bitcode`.

        ``default<O2>`` in it is -Oz: the start module carries ``minsize optsize`` on every function.
        """
        return self.final.pipeline

    @property
    def ir_instruction_count_oz(self) -> float:
        """CompilerGym's ``IrInstructionCountOz`` return: (C_start - C_final) / max(C_start - C_Oz, 1)."""
        return (self.ic_start - self.final.ic) / max(self.ic_start - self.oz.ic, 1)

    @property
    def text_ratio(self) -> float:
        """.text of -Oz over .text of the result (above 1: smaller than -Oz)."""
        return self.oz.text / max(self.final.text, 1)

    @property
    def ir_ratio(self) -> float:
        """IR instructions of -Oz over those of the result."""
        return self.oz.ic / max(self.final.ic, 1)


def load_benchmark(programs: Sequence[str | Path], cflags: Sequence[str] = (), ldflags: Sequence[str] = ()) -> Any:
    """A benchmark from a built-in URI, one or more C/C++ files forming one program, or a .ll/.bc module.

    Sources are compiled (clang's -Oz front end, no LLVM pass) and linked once, and the program becomes a
    benchmark of that one bitcode file: the search, the pass list and the written ``OUT.input.bc`` then all
    start from the same module. A .ll/.bc module gets ``minsize optsize`` on its functions first.

    :raises OptimizeInputError: for a missing file, an unsupported suffix, or sources that do not compile.
    """
    from rl_compiler.datasets import benchmark_from_files, get_benchmark

    programs = [str(p) for p in programs]
    try:
        if len(programs) == 1 and "://" in programs[0]:
            return get_benchmark(programs[0])
        for program in programs:
            path = Path(program)
            if not path.exists():
                raise OptimizeInputError(f"program file {program} does not exist")
            if path.is_file() and path.suffix not in SOURCE_SUFFIXES + MODULE_SUFFIXES:
                raise OptimizeInputError(
                    f"cannot optimize {program}: expected .c/.cc/.cpp source files or a .ll/.bc module"
                )
        modules = [p for p in programs if Path(p).suffix in MODULE_SUFFIXES]
        if modules and len(programs) > 1:
            raise OptimizeInputError(
                "give either C/C++ source files or one .ll/.bc module, not both or several modules"
            )
        name = Path(programs[0]).stem
        if modules:
            path = _cached_input(name, _size_attributed(Path(modules[0])))
        else:
            path = _cached_input(name, benchmark_from_files(programs, cflags=cflags).bitcode())
        return benchmark_from_files([path], name=name, ldflags=ldflags)
    except (DatasetError, LLVMError) as error:
        raise OptimizeInputError(f"cannot build {' '.join(programs)}: {error}") from None


def _cached_input(name: str, bitcode: bytes) -> Path:
    from rl_compiler.llvm.cache import atomic_write_bytes, cache_dir

    path = cache_dir("optimize-inputs") / f"{name}.{hashlib.sha1(bitcode).hexdigest()[:20]}.bc"
    if not path.is_file():
        atomic_write_bytes(path, bitcode)
    return path


def _size_attributed(path: Path) -> bytes:
    """A .ll/.bc module with ``minsize optsize`` on every function (as clang -Oz sets them), so that
    ``default<O2>`` on it is -Oz. An O0 module's ``optnone`` functions stay as they are."""
    from rl_compiler.llvm.module import Module

    with Module.from_file(path) as module:
        module.set_size_attributes()
        return module.bitcode()


#: Sequences always tried, found on training programs only (builtin-v0 train split and csmith seeds 200-211):
#: -Oz run three times made `.text` 3.1% smaller than -Oz in geomean there (up to 20% on csmith programs,
#: whose inlining and constant propagation each round unlocks more), twice 1.2%.
EXTRA_SEQUENCES: tuple[tuple[str, ...], ...] = ((OZ, OZ, OZ), (OZ, OZ))
#: Coreset sequences tried before the extra ones: -Oz (already compiled, so free) and the model's first 4,
#: the "value prediction, 5 compilations" that benchmarks/perf/coreset_eval.py measures.
FIRST_PREDICTED = 5


class CandidateSequences:
    """The candidate pass lists for a program, best predicted first: a callable for :class:`SizeSearch`.

    The shipped coreset (``agents/coreset/coreset-v0.yml``, :mod:`rl_compiler.agents.coreset`) in the order
    its value model (NumPy only: :mod:`.ranking`) gives for the start module's features and -Oz's outcome,
    with :data:`EXTRA_SEQUENCES` after the first :data:`FIRST_PREDICTED`. Without a usable model: the
    coreset's own order (greedy marginal gain on the training corpus) with the extra sequences right after
    -Oz. Without a coreset: the extra sequences, then -Oz followed by each of the PPO recipe's macro actions.
    :attr:`order` says which order was used.
    """

    def __init__(self) -> None:
        self.order = ""

    def __call__(self, root: Session, oz: Candidate | None = None) -> list[tuple[str, ...]]:
        try:
            from rl_compiler.envs.coreset import load_coreset  # the coreset file alone
        except ImportError:  # no coreset in this installation
            from rl_compiler.agents.rl.shipped import default_policy_path, search_settings

            self.order = "no coreset: -Oz repeated, then the PPO recipe's macro actions"
            macros = search_settings(default_policy_path()).get("macro_actions") or []
            return [*EXTRA_SEQUENCES, *((OZ, macro) for macro in macros if macro != OZ)]
        coreset = load_coreset()
        order = list(range(len(coreset)))
        try:
            order = _rank(coreset, root, oz)
            self.order = "value model"
        except (ValueError, OSError) as error:  # none shipped, another coreset's, or -Oz left no .text
            self.order = f"coreset order (value model: {str(error).splitlines()[0][:120]})"
        ranked = [(coreset.sequences[index],) for index in order]
        first = FIRST_PREDICTED if self.order == "value model" else 1  # without a model: -Oz, then the extras
        return [*ranked[:first], *EXTRA_SEQUENCES, *ranked[first:]]


def _rank(coreset: Any, root: Session, oz: Candidate | None) -> list[int]:
    """The value model's order of ``coreset`` for the start module ``root`` (NumPy only)."""
    from rl_compiler.agents.coreset.value import feature_vector

    model = shipped_value_model()
    if model is None:
        raise ValueError("none shipped")
    model.check_coreset(coreset.sequences)
    if oz is None:
        raise ValueError("no -Oz result to rank from")
    return model.rank(feature_vector(*root.features(), root.instruction_count(), oz.ic, oz.text))


def shipped_value_model() -> Any:
    """The shipped coreset value model (NumPy only), or None in an installation without it.

    :raises ValueError: the file is not a value model.
    """
    from rl_compiler.agents.coreset import load_value_model, value_model_path

    path = value_model_path()
    return load_value_model(path) if path.is_file() else None


@functools.cache
def preload_coreset() -> threading.Thread:
    """Once per process: load the coreset and its value model (NumPy only: milliseconds) in a thread started
    early, so that it overlaps building the program. A no-op afterwards."""

    def load() -> None:
        try:
            shipped_value_model()
        except (ValueError, OSError):  # reported when ranking
            pass

    thread = threading.Thread(target=load, name="rl-compiler-load-value-model", daemon=True)
    thread.start()
    return thread


def _reference(benchmark: Any, run: bool, deadline: Deadline) -> float:
    """Take the program's reference output (fail fast, before the search); the seconds one run takes.

    The run may take what is left of the budget (at least 1 s, at most :data:`REFERENCE_TIMEOUT`): a
    program that runs longer cannot be run again to check a result within the budget, so it is refused at
    once rather than after overrunning the budget.
    """
    if not (run and getattr(benchmark, "runnable", False)):
        return 0.0
    timeout = min(REFERENCE_TIMEOUT, max(1.0, deadline.remaining()))
    try:
        reference = benchmark.reference_output(timeout=timeout)
    except DatasetError as error:
        raise ProgramRunError(
            f"the unoptimised program does not run cleanly within the time limit, so its output cannot be "
            f"checked: {error}\n(use --no-run to check with the verifier only, or a larger --time-limit)"
        ) from None
    return statistics.median(reference.times) if reference.times else 1.0


def _check(benchmark: Any, session: Session, run: bool) -> list[str]:
    """The verifier, then (if runnable and ``run``) the program's output; raises OptimizeError on a failure."""
    try:
        session.verify()
    except LLVMError as error:
        raise OptimizeError(f"verifier: FAILED: {error}") from None
    checks = ["verifier: ok"]
    if run and getattr(benchmark, "runnable", False):
        try:
            benchmark.check_output(session.bitcode())
        except DatasetError as error:
            raise OptimizeError(f"run: FAILED: {error}") from None
        checks.append("run: output matches the unoptimised build")
    elif run:
        checks.append("run: skipped (not runnable: no main())")
    return checks


def optimize_program(
    benchmark: Any,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    metric: str = "text",
    run: bool = True,
    started: float | None = None,
    sequences: Sequence[Sequence[str]] | Callable[[Session], Sequence[Sequence[str]]] | None = None,
    refine: bool = True,
    seed: int = 0,
) -> OptimizeResult:
    """Optimize ``benchmark`` within ``time_limit`` seconds of wall time from ``started`` and check the result.

    :param metric: ``"text"`` (object ``.text`` bytes, then IR instructions) or ``"ir"`` (the reverse).
    :param run: also run the program (if it has a ``main``) and compare its output with the unoptimised build.
    :param started: ``time.perf_counter()`` when the budget began (default: now), e.g. at process start.
    :param sequences: candidate pass lists best first, or a callable ranking them for the start module
        (default: :class:`CandidateSequences`, waiting for the value model up to 15% of the budget, at most
        1.5 s).
    :param refine: refine the best candidate with local search in the time left.
    :raises ProgramRunError: the unoptimised program does not run cleanly (before any search).
    :raises OptimizeError: even the -Oz result fails a check, or LLVM fails on the -Oz pipeline.
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive seconds, got {time_limit!r}")
    deadline = Deadline.after(time_limit, started)
    ranking = CandidateSequences() if sequences is None else None
    if ranking is not None:
        preload_coreset()
    chosen = ranking if ranking is not None else sequences
    search = SizeSearch(metric=metric, sequences=chosen, refine=refine, seed=seed)
    clock = time.perf_counter()
    # Before this call: interpreter start, imports, loading the benchmark (its dataset's manifest).
    seconds: dict[str, float] = {"start": clock - (deadline.end - time_limit)}
    try:
        start_bitcode = benchmark.bitcode()
    except DatasetError as error:
        raise OptimizeInputError(f"cannot build {benchmark.uri}: {error}") from None
    run_time = _reference(benchmark, run, deadline)
    seconds["build_and_reference"] = time.perf_counter() - clock
    clock = time.perf_counter()
    root = Session(start_bitcode, isolated=True)
    try:
        ic_start = root.instruction_count()
        seconds["worker"] = time.perf_counter() - clock
        clock = time.perf_counter()
        try:
            oz = search.baseline(root)
        except LLVMError as error:
            raise OptimizeError(f"{benchmark.uri}: {error}") from None
        oz_seconds = seconds["oz"] = time.perf_counter() - clock
        # Kept for after the search: the checks (codegen, link and run), the outputs (opt's replay of the
        # pass list, codegen; -Oz's pipeline plus codegen measures both on this program) and the process's
        # exit. Measured on 29 training programs (a 2-core machine at load 4): checks 0.1-0.6 s, outputs about
        # 0.5 s, exit 0.2-0.3 s, against a reserve that left 0.7-1.3 s unused with 1.2 s fixed here.
        reserve = 2 * oz_seconds + (1.5 * run_time + 0.5 if run_time else 0.0) + RESERVE_SECONDS
        clock = time.perf_counter()
        found = search.run(root, deadline.earlier(reserve), oz=oz)
        seconds["search"] = time.perf_counter() - clock
        clock = time.perf_counter()
        candidates = [c for c in found if search.admissible(c, oz)]
        final, bitcode, checks, rejected = _first_that_passes(benchmark, root, search, candidates, run, deadline)
        seconds["checks"] = time.perf_counter() - clock
    finally:
        root.close()
    fell_back = final.pipeline == oz.pipeline
    reason = ""
    if fell_back:
        reason = rejected or _why_oz(search.metric, found, oz)
    return OptimizeResult(
        benchmark=benchmark,
        final=final,
        oz=oz,
        ic_start=ic_start,
        fell_back=fell_back,
        reason=reason,
        bitcode=bitcode,
        start_bitcode=start_bitcode,
        metric=search.metric,
        checks=checks,
        log=search.log,
        candidates=sum(search.log.evaluations.values()),
        candidate_order=ranking.order if ranking is not None else "given",
        seconds=seconds,
    )


#: Why the next-best candidates were not tried after the best failed a check.
PAST_DEADLINE = "the next-best results were not checked: the time limit was reached"


def _first_that_passes(
    benchmark: Any, root: Session, search: SizeSearch, candidates: list[Candidate], run: bool, deadline: Deadline
) -> tuple[Candidate, bytes, list[str], str]:
    """The best candidate that passes the checks: (candidate, bitcode, checks, why better ones were rejected).
    The search's kept sessions serve -Oz and the best; another candidate is re-run exactly, but only before
    ``deadline``: past it, the next one checked is -Oz (kept, so not re-run)."""
    rejected = []
    try:
        for candidate in candidates:
            session = search.take(candidate)
            if session is None and candidate.origin != "oz" and deadline.remaining() <= 0:
                if not rejected[-1:] == [PAST_DEADLINE]:
                    rejected.append(PAST_DEADLINE)
                continue
            if session is None:
                result = search.evaluate(root, candidate.passes, candidate.origin, phase="final")
                if result is None:
                    rejected.append(f"a {candidate.origin} result: LLVM failed replaying it")
                    continue
                exact, session = result
                if exact.key(search.metric)[:2] != candidate.key(search.metric)[:2]:
                    session.close()
                    rejected.append(f"a {candidate.origin} result: not reproducible")
                    continue
            try:
                checks = _check(benchmark, session, run)
                return candidate, session.bitcode(), checks, "; ".join(rejected)
            except OptimizeError as error:
                if candidate.origin == "oz":
                    raise OptimizeError(f"{benchmark.uri}: even the -Oz result fails a check: {error}") from None
                rejected.append(f"a {candidate.origin} result failed a check: {error}")
            finally:
                session.close()
    finally:
        search.close()
    raise OptimizeError(f"{benchmark.uri}: no result, not even -Oz, could be reproduced")


def _why_oz(metric: str, found: list[Candidate], oz: Candidate) -> str:
    """Why -Oz was kept when nothing failed a check: no candidate was smaller on the metric without being
    larger in ``.text``; names the best IR result when that one was larger in ``.text``."""
    what = ".text" if metric == "text" else "IR instructions without more .text"
    reason = f"none of the {len(found) - 1} other results found was smaller than -Oz in {what}"
    smallest_ir = min(found, key=lambda c: (c.ic, c.text))
    if smallest_ir.ic < oz.ic and smallest_ir.text > oz.text:
        reason += (
            f" (the smallest in IR, {smallest_ir.ic} instructions against {oz.ic}, had "
            f"{smallest_ir.text - oz.text} bytes more .text)"
        )
    return reason

"""Optimize one program for object size within a wall-clock budget (the library behind ``rl-compiler optimize``).

:func:`optimize_program` takes a :class:`rl_compiler.datasets.Benchmark` (see :func:`load_benchmark` for C
files, ``.ll``/``.bc`` modules and URIs) and returns an :class:`OptimizeResult`:

- the budget is wall time from ``started`` (default: now), and everything counts: building the program,
  taking its reference output, -Oz, the search, the final checks, writing the outputs. The deadline is hard:
  the search ends (cancelling an evaluation still running) when the time left is what checking and writing
  its best result takes (:class:`EndCost`, from what this program's own evaluations, reference run and
  worker start took), and a result that could not be checked and written in time is never taken;
- :class:`rl_compiler.agents.optimize.size_search.SizeSearch` judges candidates by object ``.text`` first
  (``metric="text"``, the default) or by IR instructions (``metric="ir"``);
- the result is never larger than -Oz in ``.text`` (and, with ``metric="ir"``, not in IR instructions
  either); the best candidate is checked (the LLVM verifier, and the program's output against the
  unoptimised build when it has a ``main``) on ``opt``'s replay of its pass list, run in the background from
  the moment it became the best (:mod:`rl_compiler.agents.optimize.replays`). When its replay is not done
  in time or it fails a check, the best result that is replayed and passes is returned (an earlier best,
  else -Oz), with the reason in :attr:`OptimizeResult.reason`; so is -Oz when no candidate beats it.

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

from rl_compiler.agents.optimize.checks import MIN_REFERENCE_TIMEOUT, REFERENCE_TIMEOUT, EndCost, first_that_passes
from rl_compiler.agents.optimize.errors import OptimizeError, OptimizeInputError, ProgramRunError
from rl_compiler.agents.optimize.replays import Replays
from rl_compiler.agents.optimize.size_search import OZ, Candidate, Deadline, SearchLog, SizeSearch
from rl_compiler.datasets.errors import DatasetError
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.session import Session
from rl_compiler.llvm.worker_client import Worker

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "EndCost",
    "OptimizeError",
    "OptimizeInputError",
    "OptimizeResult",
    "ProgramRunError",
    "WorkerStart",
    "load_benchmark",
    "optimize_program",
]

#: Seconds kept for ending the process after the outputs are written (``rl-compiler`` skips the interpreter's
#: teardown: 0.01-0.04 s measured at load 3 on 2 cores, against 0.17-0.26 s with it).
EXIT_SECONDS = 0.1
#: Default wall-time budget of one optimization, in seconds.
DEFAULT_TIME_LIMIT = 10.0
SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx")
MODULE_SUFFIXES = (".ll", ".bc")


@dataclass
class OptimizeResult:
    """The chosen result for one program, the -Oz comparison, and what was checked and spent."""

    benchmark: Any
    final: Candidate
    oz: Candidate
    ic_start: int
    fell_back: bool
    #: Why the result is not the search's best (with :attr:`fell_back`: why it is -Oz's); "" if it is.
    reason: str
    bitcode: bytes
    start_bitcode: bytes
    metric: str
    checks: list[str] = field(default_factory=list)
    #: Whether opt's replay (:attr:`bitcode`) has the IR instruction count the search measured.
    replay_check: str = ""
    log: SearchLog = field(default_factory=SearchLog)
    candidates: int = 0
    candidate_order: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    #: opt's background replays: started, and cancelled at the end (still running, not needed).
    replays: dict[str, int] = field(default_factory=dict)

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
    its value model (NumPy only: :mod:`rl_compiler.agents.coreset.value`) gives for the start module's
    features and -Oz's outcome, with :data:`EXTRA_SEQUENCES` after the first :data:`FIRST_PREDICTED`.
    Without a usable model: the coreset's own order (greedy marginal gain on the training corpus) with the
    extra sequences right after -Oz. Without a coreset: the extra sequences, then -Oz followed by each of the
    PPO recipe's macro actions.
    :attr:`order` says which order was used.
    """

    def __init__(self) -> None:
        self.order = ""

    def __call__(self, root: Session, oz: Candidate | None = None) -> list[tuple[str, ...]]:
        try:
            from rl_compiler.envs.coreset_data import load_coreset
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
def preload_value_model() -> threading.Thread:
    """Once per process: load the shipped value model (NumPy only: milliseconds) and the engine library in a
    thread started early, so that both overlap building the program. A no-op afterwards."""

    def load() -> None:
        from rl_compiler.llvm.engine import lib

        try:
            shipped_value_model()
            lib()  # the engine, for checking the result in this process after the search
        except (ValueError, OSError, LLVMError):  # reported when ranking, or when the engine is used
            pass

    thread = threading.Thread(target=load, name="rl-compiler-load-value-model", daemon=True)
    thread.start()
    return thread


class WorkerStart:
    """A worker process started in a thread, so that its start (a Python interpreter, NumPy and libLLVM: 0.2-0.9
    s) overlaps building the program and taking its reference output. :attr:`seconds` is what the start took:
    the cost of starting a process on this machine at its current load (:class:`EndCost` counts in it)."""

    def __init__(self) -> None:
        self.worker = Worker()
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._start, name="rl-compiler-start-worker", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        clock = time.perf_counter()
        try:
            with self.worker.lock:
                self.worker.ensure_running()
        except LLVMError:  # the first session's call starts it again and reports the failure
            pass
        self.seconds = time.perf_counter() - clock

    def join(self) -> Worker:
        """The worker, once started."""
        self._thread.join()
        return self.worker


def _reference(benchmark: Any, run: bool, deadline: Deadline) -> float:
    """Take the program's reference output (fail fast, before the search); the seconds one run takes.

    The run may take half of what is left of the budget (at least :data:`MIN_REFERENCE_TIMEOUT`, at most
    :data:`REFERENCE_TIMEOUT`): a result must be run once more to check it, so a program that runs longer
    cannot be checked within the budget and is refused at once, within the budget, rather than after
    overrunning it.
    """
    if not (run and getattr(benchmark, "runnable", False)):
        return 0.0
    timeout = max(MIN_REFERENCE_TIMEOUT, min(REFERENCE_TIMEOUT, deadline.remaining() / 2))
    try:
        reference = benchmark.reference_output(timeout=timeout)
    except DatasetError as error:
        raise ProgramRunError(
            f"the unoptimised program does not run cleanly within the time limit ({timeout:.1f} s, half of what "
            f"was left of the budget: a result must run once more to be checked), so its output cannot be "
            f"checked: {error}\n(use --no-run to check with the verifier only, or a larger --time-limit)"
        ) from None
    return statistics.median(reference.times) if reference.times else 1.0


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
    worker: WorkerStart | None = None,
) -> OptimizeResult:
    """Optimize ``benchmark`` within ``time_limit`` seconds of wall time from ``started`` and check the result.

    :param metric: ``"text"`` (object ``.text`` bytes, then IR instructions) or ``"ir"`` (the reverse).
    :param run: also run the program (if it has a ``main``) and compare its output with the unoptimised build.
    :param started: ``time.perf_counter()`` when the budget began (default: now), e.g. at process start.
    :param sequences: candidate pass lists best first, or a callable ranking them for the start module
        (default: :class:`CandidateSequences`, waiting for the value model up to 15% of the budget, at most
        1.5 s).
    :param refine: refine the best candidate with local search in the time left.
    :param worker: the worker to search in, started ahead (default: one started here, while the program builds).
    :raises ProgramRunError: the unoptimised program does not run cleanly (before any search).
    :raises OptimizeError: even the -Oz result fails a check, or LLVM fails on the -Oz pipeline.
    """
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive seconds, got {time_limit!r}")
    # Hard: the outputs are written by then (the caller writes them: see EndCost), then the process ends.
    deadline = Deadline.after(time_limit, started).earlier(EXIT_SECONDS)
    ranking = CandidateSequences() if sequences is None else None
    if ranking is not None:
        preload_value_model()
    chosen = ranking if ranking is not None else sequences
    search = SizeSearch(metric=metric, sequences=chosen, refine=refine, seed=seed)
    worker = worker or WorkerStart()
    clock = time.perf_counter()
    # Before this call: interpreter start, imports, loading the benchmark (its dataset's manifest).
    seconds: dict[str, float] = {"start": clock - (deadline.end + EXIT_SECONDS - time_limit)}
    try:
        start_bitcode = benchmark.bitcode()
        run_time = _reference(benchmark, run, deadline)
    except DatasetError as error:
        worker.join().shutdown()
        raise OptimizeInputError(f"cannot build {benchmark.uri}: {error}") from None
    except BaseException:
        worker.join().shutdown()
        raise
    seconds["build_and_reference"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # opt's replays (the modules checked and written): -Oz's now, alongside the worker's -Oz, then each new best's.
    replays = Replays(start_bitcode, OZ, size=lambda candidate: candidate.key(search.metric)[0])
    try:
        root = Session(start_bitcode, isolated=True, worker=worker.join())
        try:
            ic_start = root.instruction_count()
            seconds["worker"] = time.perf_counter() - clock
            clock = time.perf_counter()
            try:
                oz = search.baseline(root)
            except LLVMError as error:
                raise OptimizeError(f"{benchmark.uri}: {error}") from None
            seconds["oz"] = time.perf_counter() - clock
            seconds["worker_start"] = worker.seconds
            runs = run and bool(getattr(benchmark, "runnable", False))
            end_cost = EndCost(run_seconds=run_time, process_seconds=worker.seconds, runs=runs)

            def reserve(candidate: Candidate) -> float:
                """What checking and writing ``candidate`` takes now (less if its replay is done)."""
                return end_cost(candidate, replayed=candidate.origin == "oz" or replays.replayed(candidate))

            search.end_cost, search.on_best = reserve, replays.offer
            clock = time.perf_counter()
            found = search.run(root, deadline, oz=oz)
        finally:
            search.close()  # the checks run opt's replay in this process: the worker is not needed any more
            root.close()
        seconds["search"] = time.perf_counter() - clock
        clock = time.perf_counter()
        # The search's best and -Oz, and others only if they can still be checked and written in time (a
        # better result found too late is not).
        writable = (oz, search.best)
        candidates = [
            c for c in found if search.admissible(c, oz) and (c in writable or reserve(c) <= deadline.remaining())
        ]
        final, bitcode, checks, replayed, rejected = first_that_passes(
            benchmark, candidates, run, run_time, deadline, replays, lambda c: end_cost(c, replayed=True)
        )
    finally:
        replays.close()  # cancels what still runs: no opt process or temp dir outlives the call
    oz_replay = replays.get(oz)
    seconds["oz_replay"] = oz_replay.seconds if oz_replay is not None else 0.0
    seconds["checks"] = time.perf_counter() - clock
    seconds["end_reserved"] = reserve(final)
    seconds["final_evaluation"], seconds["reference_run"] = final.seconds, run_time
    seconds["left_at_checks"] = deadline.remaining() + seconds["checks"] + EXIT_SECONDS
    fell_back = final.pipeline == oz.pipeline
    reason = rejected
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
        replay_check=replayed,
        log=search.log,
        candidates=sum(search.log.evaluations.values()),
        candidate_order=ranking.order if ranking is not None else "given",
        seconds=seconds,
        replays={"started": replays.started, "cancelled": replays.cancelled},
    )


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

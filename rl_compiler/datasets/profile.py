"""Deterministic execution costs of a benchmark's module: run it once with block counters.

``DynamicInstructionCount`` is the number of IR instructions the program executes: the sum over basic
blocks of (times the block was entered) x (instructions in the block). ``EstimatedCycles`` weighs each
block by a static cycle estimate instead (engine.c ``static_cycles``; docs/runtime.md). Both come from one
run of an instrumented copy of the module (:mod:`rl_compiler.llvm.profile`), linked like any benchmark
run (``llc -O2``, no re-optimisation) and run in the same sandbox and limits (:mod:`.runner`).

For a given IR, program and input the counts are exact and identical on every run, in every process and on
every machine where the program itself is deterministic (same libc behaviour, no timing-dependent control
flow). They do not depend on the machine's load. A block left through ``exit()`` counts as fully executed;
a program that ends by a signal, ``abort()`` or ``_exit()`` has no counts (:class:`ProfileError`).

Results are cached in memory and on disk by bitcode SHA-1, run key and :data:`PROFILE_VERSION`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.errors import BenchmarkRunError
from rl_compiler.datasets.runner import Limits, run_bitcode
from rl_compiler.llvm.baselines import optimize_o3, optimize_oz
from rl_compiler.llvm.cache import atomic_write_text, cache_dir
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.profile import COUNTS_FILE, instrument, read_counts, runtime_object

#: Bump when the instrumentation or the cycle model changes, to invalidate cached profiles.
PROFILE_VERSION = 1
_MEMORY: dict[str, Profile] = {}
_MEMORY_LIMIT = 4096


class ProfileError(BenchmarkRunError):
    """An instrumented run produced no block counts (it crashed, aborted or called ``_exit``)."""


@dataclass(frozen=True)
class Profile:
    """The deterministic execution costs of one module state.

    :param dynamic_instructions: IR instructions executed.
    :param estimated_cycles: executed blocks weighted by their static cycle estimate.
    :param executed_blocks: block entries (the sum of the counters).
    :param blocks: basic blocks in the module.
    :param returncode: the instrumented run's exit code.
    """

    dynamic_instructions: int
    estimated_cycles: int
    executed_blocks: int
    blocks: int
    returncode: int


@dataclass(frozen=True)
class DynamicBaselines:
    """``DynamicInstructionCount`` (``dyn_*``) and ``EstimatedCycles`` (``cycles_*``) at -O0, -O3 and -Oz,
    with the same -O3/-Oz definitions as :mod:`rl_compiler.llvm.baselines`."""

    dyn_O0: int
    dyn_O3: int
    dyn_Oz: int
    cycles_O0: int
    cycles_O3: int
    cycles_Oz: int


def _key(benchmark: Benchmark, bitcode: bytes) -> str:
    # _run_key covers the toolchain, the bitcode, args, stdin and input files.
    return f"{benchmark._run_key(bitcode)}-v{PROFILE_VERSION}"


def profile_module(
    benchmark: Benchmark,
    module: Module,
    *,
    timeout: float = 10.0,
    limits: Limits | None = None,
    use_cache: bool = True,
) -> Profile:
    """Run ``module`` (a state of ``benchmark``'s module) once instrumented; return its execution costs.

    :param use_cache: read and write the memory and disk caches (False: always run).
    :raises ProfileError: if the run left no counts; BenchmarkRunError/BenchmarkTimeoutError/BuildError
        as :meth:`Benchmark.run`.
    """
    key = _key(benchmark, module.bitcode())
    path = cache_dir("profiles") / f"{key}.json"
    if use_cache:
        if key in _MEMORY:
            return _MEMORY[key]
        if path.is_file():
            try:
                profile = Profile(**json.loads(path.read_text()))
            except (ValueError, TypeError):
                pass  # corrupt or outdated: run again
            else:
                _remember(key, profile)
                return profile
    if not benchmark.runnable:
        raise BenchmarkRunError(
            f"{benchmark.uri} is not runnable (no run specification or no main())", kind="not-runnable"
        )
    instrumented, costs = instrument(module)
    spec = benchmark.run_spec()
    spec = dataclasses.replace(spec, ldflags=(*spec.ldflags, str(runtime_object())), collect=(COUNTS_FILE,))
    result = run_bitcode(instrumented, spec, timeout=timeout, limits=limits)
    if COUNTS_FILE not in result.files:
        raise ProfileError(
            f"{benchmark.uri}: the instrumented run wrote no block counts (exit code {result.returncode}; "
            "it must end by returning from main or calling exit)",
            kind="no-profile",
        )
    counts = read_counts(result.files[COUNTS_FILE], len(costs))
    profile = Profile(
        dynamic_instructions=int(counts @ costs.instructions),
        estimated_cycles=int(counts @ costs.cycles),
        executed_blocks=int(counts.sum()),
        blocks=len(costs),
        returncode=result.returncode,
    )
    if use_cache:
        _remember(key, profile)
        atomic_write_text(path, json.dumps(dataclasses.asdict(profile)))
    return profile


def profile_bitcode(benchmark: Benchmark, bitcode: bytes, **kwargs: object) -> Profile:
    """:func:`profile_module` on a module given as bitcode."""
    with Module.from_bitcode(bitcode) as module:
        return profile_module(benchmark, module, **kwargs)  # type: ignore[arg-type]


def _remember(key: str, profile: Profile) -> None:
    if len(_MEMORY) >= _MEMORY_LIMIT:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = profile


def dynamic_baselines(
    benchmark: Benchmark, bitcode: bytes, *, timeout: float = 10.0, use_cache: bool = True
) -> DynamicBaselines:
    """The O0/O3/Oz dynamic costs of ``bitcode`` (the unoptimized module of ``benchmark``), cached on disk
    (``use_cache=False``: computed from scratch, with three fresh runs)."""
    key = hashlib.sha1(f"{_key(benchmark, bitcode)}-baselines".encode()).hexdigest()[:24]
    path = cache_dir("profiles") / f"baselines-{key}.json"
    if use_cache and path.is_file():
        try:
            return DynamicBaselines(**json.loads(path.read_text()))
        except (ValueError, TypeError):
            pass
    with Module.from_bitcode(bitcode) as o0, optimize_o3(o0) as o3, optimize_oz(o0) as oz:
        p0, p3, pz = (profile_module(benchmark, m, timeout=timeout, use_cache=use_cache) for m in (o0, o3, oz))
    result = DynamicBaselines(
        p0.dynamic_instructions, p3.dynamic_instructions, pz.dynamic_instructions,
        p0.estimated_cycles, p3.estimated_cycles, pz.estimated_cycles,
    )  # fmt: skip
    atomic_write_text(path, json.dumps(dataclasses.asdict(result)))
    return result


class CostBaselines:
    """A benchmark's static baselines (``ic_*``, ``text_*``: rl_compiler.llvm.baselines.Baselines) and its
    dynamic ones (``dyn_*``, ``cycles_*``: :class:`DynamicBaselines`), the latter computed on first access
    (three instrumented runs, then cached on disk) so that environments that never ask pay nothing."""

    def __init__(self, static: Any, benchmark: Benchmark, bitcode: bytes, timeout: float = 10.0) -> None:
        self.static = static
        self._benchmark = benchmark
        self._bitcode = bitcode
        self._timeout = timeout
        self._dynamic: DynamicBaselines | None = None

    @property
    def dynamic(self) -> DynamicBaselines:
        """The dynamic baselines (computed now if needed)."""
        if self._dynamic is None:
            self._dynamic = dynamic_baselines(self._benchmark, self._bitcode, timeout=self._timeout)
        return self._dynamic

    def __getattr__(self, name: str) -> Any:  # only called for names not set in __init__
        if name.startswith(("dyn_", "cycles_")):
            return getattr(self.dynamic, name)
        static = self.__dict__.get("static")
        if name.startswith("_") or static is None:  # e.g. while unpickling, before __dict__ is restored
            raise AttributeError(name)
        return getattr(static, name)

    def __repr__(self) -> str:
        return f"CostBaselines({self.static!r}, dynamic={self._dynamic!r})"

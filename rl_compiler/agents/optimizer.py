"""Optimize one program for size with the shipped policy plus a short search (``rl-compiler optimize``).

The result is checked (the LLVM verifier, and the program's output against the unoptimised build when it
runs) and compared with -Oz on the chosen metric; if it is not at least as good, or fails a check, the
-Oz result is used instead, so the output is never worse than -Oz on that metric.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
from tqdm.auto import tqdm

from rl_compiler.agents import envtools
from rl_compiler.agents.base import EpisodeResult, Policy
from rl_compiler.agents.fixed import OzPolicy

OPTIMIZE_ENV = "rl_compiler/llvm-autophase-ic-v0"
#: Seconds the unoptimised program may run when its reference output is taken.
REFERENCE_TIMEOUT = 10.0


class OptimizeError(RuntimeError):
    """The program cannot be optimized safely (it does not run, or no result passes the checks)."""


METRICS = ("ir", "text")


@dataclass
class OptimizeResult:
    """The chosen result for one program, with the -Oz comparison and the checks done."""

    benchmark: Any
    result: EpisodeResult
    oz: EpisodeResult
    fell_back: bool
    reason: str
    bitcode: bytes
    start_bitcode: bytes
    checks: list[str] = field(default_factory=list)

    @property
    def passes(self) -> list[str]:
        return self.result.passes

    def opt_pipeline(self) -> str:
        """The pass list as one ``opt -passes=`` string for :attr:`start_bitcode`.

        ``default<O2>`` in it is -Oz: the start module carries ``minsize optsize`` on every function.
        """
        return ",".join(self.passes)


def load_benchmark(programs: Sequence[str | Path], cflags: Sequence[str] = ()) -> Any:
    """A benchmark from a built-in URI, one or more C/C++ files forming one program, or a .ll/.bc module.

    Sources are compiled (clang's -Oz front end, no LLVM pass) and linked once, and the program becomes a
    benchmark of that one bitcode file: the env, the pass list and the written ``OUT.input.bc`` then all
    start from the same module. A .ll/.bc module gets ``minsize optsize`` on its functions first.
    """
    from rl_compiler.datasets import benchmark_from_files, get_benchmark
    from rl_compiler.llvm.cache import atomic_write_bytes, cache_dir

    programs = [str(p) for p in programs]
    if len(programs) == 1 and "://" in programs[0]:
        return get_benchmark(programs[0])
    for program in programs:
        path = Path(program)
        if not path.exists():
            raise FileNotFoundError(f"program file {program} does not exist")
        if path.is_file() and path.suffix not in (".c", ".cc", ".cpp", ".cxx", ".ll", ".bc"):
            raise ValueError(f"cannot optimize {program}: expected .c/.cc/.cpp source files or a .ll/.bc module")
    modules = [p for p in programs if Path(p).suffix in (".ll", ".bc")]
    if modules and len(programs) > 1:
        raise ValueError("give either C/C++ source files or one .ll/.bc module, not both or several modules")
    name = Path(programs[0]).stem
    if modules:
        return benchmark_from_files([size_attributed_copy(Path(modules[0]))], name=name)
    import hashlib

    bitcode = benchmark_from_files(programs, cflags=cflags).bitcode()
    path = cache_dir("optimize-inputs") / f"{name}.{hashlib.sha1(bitcode).hexdigest()[:20]}.bc"
    if not path.is_file():
        atomic_write_bytes(path, bitcode)
    return benchmark_from_files([path], name=name)


def size_attributed_copy(path: Path) -> Path:
    """A cached copy of a .ll/.bc module with ``minsize optsize`` on every function (as clang -Oz sets them),
    so that ``default<O2>`` on it is -Oz. An O0 module's ``optnone`` functions stay as they are."""
    import hashlib

    from rl_compiler.llvm.cache import atomic_write_bytes, cache_dir
    from rl_compiler.llvm.module import Module

    data = path.read_bytes()
    target = cache_dir("optimize-inputs") / f"{path.stem}.{hashlib.sha1(data).hexdigest()[:20]}.bc"
    if not target.is_file():
        with Module.from_file(path) as module:
            module.set_size_attributes()
            atomic_write_bytes(target, module.bitcode())
    return target


@contextmanager
def time_bar(seconds: float, desc: str, enabled: bool):
    """A tqdm bar that fills over ``seconds`` of wall time while the body runs."""
    if not enabled or seconds < 1.0:
        yield
        return
    done = threading.Event()
    bar = tqdm(
        total=round(seconds, 1),
        desc=desc,
        unit="s",
        bar_format="{desc}: {bar} {n:.0f}/{total:.0f} s",
        leave=False,
    )

    def tick() -> None:
        start = time.perf_counter()
        while not done.wait(0.2):
            bar.n = min(round(time.perf_counter() - start, 1), bar.total)
            bar.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        bar.close()


def _check(env: gym.Env, benchmark: Any, run: bool) -> tuple[bool, list[str]]:
    """Verifier, then (if runnable and ``run``) the program's output against the expected output."""
    checks = []
    try:
        envtools.verify(env)
        checks.append("verifier: ok")
    except Exception as error:
        return False, [f"verifier: FAILED: {error}"]
    if run and getattr(benchmark, "runnable", False):
        try:
            benchmark.check_output(envtools.bitcode(env))
            checks.append("run: output matches the unoptimised build")
        except Exception as error:
            return False, checks + [f"run: FAILED: {error}"]
    elif run:
        checks.append("run: skipped (not runnable: no main())")
    return True, checks


def optimize_program(
    benchmark: Any,
    *,
    policy: Policy | None = None,
    time_limit: float = 10.0,
    metric: str = "ir",
    run: bool = True,
    progress: bool = True,
    env_id: str = OPTIMIZE_ENV,
) -> OptimizeResult:
    """Optimize ``benchmark`` (a :class:`rl_compiler.datasets.Benchmark`) and return the checked result.

    :param policy: the policy to apply (default: the shipped
        :class:`~rl_compiler.agents.default.DefaultPolicy` with ``time_limit``).
    :param metric: ``"ir"`` (IR instruction count) or ``"text"`` (object .text bytes): the fallback to -Oz
        happens when the result is larger than -Oz on this metric.
    :param run: also run the program (if it has a ``main``) and compare its output with the unoptimised build.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    if policy is None:
        from rl_compiler.agents.default import DefaultPolicy

        policy = DefaultPolicy(time_limit=time_limit)
    if run and getattr(benchmark, "runnable", False):
        try:  # fail fast, before the search, if the program itself does not run
            benchmark.reference_output(timeout=REFERENCE_TIMEOUT)
        except Exception as error:
            raise OptimizeError(
                f"the unoptimised program does not run cleanly, so its output cannot be checked: {error}\n"
                "(use --no-run to check with the verifier only)"
            ) from None
    env = gym.make(env_id, benchmark=benchmark)
    try:
        oz = OzPolicy().run(env, benchmark=benchmark)
        oz_bitcode = envtools.bitcode(env)
        start_bitcode = envtools.start_bitcode(env)
        with time_bar(time_limit, "search", progress):
            result = policy.run(env, benchmark=benchmark)
        result.agent = policy.name
        better = (
            (result.ic_final <= oz.ic_final) if metric == "ir" else ((result.text_final or 0) <= (oz.text_final or 0))
        )
        fell_back, reason = False, ""
        if not better:
            fell_back, reason = True, f"the search result is larger than -Oz on {metric}"
        else:
            ok, checks = _check(env, benchmark, run)
            if not ok:
                fell_back, reason = True, "the search result failed a check: " + checks[-1]
        if fell_back:
            OzPolicy().run(env, benchmark=benchmark)
            result = oz
            result.agent = "oz (fallback)"
            ok, checks = _check(env, benchmark, run)
            if not ok:
                raise OptimizeError(f"{benchmark.uri}: even the -Oz result fails a check: {checks[-1]}")
        bitcode = envtools.bitcode(env) if not fell_back else oz_bitcode
        result.valid, result.validation = True, "; ".join(checks)
        return OptimizeResult(
            benchmark=benchmark,
            result=result,
            oz=oz,
            fell_back=fell_back,
            reason=reason,
            bitcode=bitcode,
            start_bitcode=start_bitcode,
            checks=checks,
        )
    finally:
        env.close()

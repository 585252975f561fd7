"""Turn a module state into an executable and run it as untrusted code, under limits.

Linking never re-optimises the IR: ``llc -O2 -relocation-model=pic -filetype=obj`` (codegen only), then the
toolchain's clang links the object with the program's ldflags. Each run happens in a fresh private
temporary directory (removed afterwards, whatever happens) with:

- a wall-clock timeout that kills the whole process group (the child starts a new session);
- ``RLIMIT_CPU`` (timeout + 1 s), ``RLIMIT_AS`` (memory), ``RLIMIT_FSIZE`` (every file written, and
  stdout itself, which goes to a file: huge output ends the run with SIGXFSZ), ``RLIMIT_NPROC`` and
  ``RLIMIT_CORE=0``, set in the child before ``exec``;
- no network when ``unshare -rn`` works on this machine (an empty network namespace in a new user
  namespace); otherwise the run proceeds without network isolation and ``RunResult.network_isolated``
  says so. ``RLIMIT_NPROC`` counts all processes of the user and is not enforced for root.

A descendant that calls ``setsid()`` leaves the process group and survives the group kill; it still carries
the CPU limit, so a busy one dies within ``timeout + 1`` CPU seconds. (A PID namespace would contain it, but
util-linux ``unshare --pid --fork`` hides the child's crash signal from the exit status.)

The runtime of a run is its wall time from spawn to exit (it includes ~1-2 ms of ``unshare``).
"""

from __future__ import annotations

import contextlib
import functools
import math
import resource
import shutil
import signal
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rl_compiler.datasets.build import run_tool
from rl_compiler.datasets.errors import BenchmarkRunError, BenchmarkTimeoutError, DatasetError
from rl_compiler.llvm.processes import kill_group, signal_name, spawn
from rl_compiler.llvm.tempdirs import private_dir
from rl_compiler.llvm.toolchain import get_toolchain

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits of one benchmark run (the wall-clock timeout is passed separately)."""

    memory_bytes: int = 2048 * MiB
    file_size_bytes: int = 64 * MiB
    max_processes: int = 64


@dataclass(frozen=True)
class RunSpec:
    """How to run a program: its standard input, arguments, files to copy in, and link flags."""

    stdin: Path | None = None
    args: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    ldflags: tuple[str, ...] = ()
    cxx: bool = False
    #: Names of files the program writes in its working directory, returned in ``RunResult.files``.
    collect: tuple[str, ...] = ()


@dataclass
class RunResult:
    """The outcome of running a benchmark: stdout and exit code of the last run, wall times of every run."""

    stdout: bytes
    returncode: int
    times: list[float] = field(default_factory=list)
    stderr: bytes = b""
    network_isolated: bool = False
    #: The files named in ``RunSpec.collect`` that the last run wrote (name -> content).
    files: dict[str, bytes] = field(default_factory=dict)
    #: User + system CPU seconds of every run (the program's own, from the rusage of reaped children: less
    #: sensitive to a busy machine than wall time, and approximate if this process reaps other children
    #: at the same moment).
    cpu_times: list[float] = field(default_factory=list)

    @property
    def runtime(self) -> float:
        """The median wall time of the runs, in seconds."""
        return statistics.median(self.times)


@functools.lru_cache(maxsize=1)
def network_sandbox_prefix() -> tuple[str, ...]:
    """``("unshare", "-rn")`` if an unprivileged network namespace works here, else ``()``."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:  # under the same limits as a real run, so a run never fails where this check passed
        process = spawn([unshare, "-rn", "true"], stderr=subprocess.DEVNULL, rlimits=_rlimits(Limits(), 10))
    except OSError:
        return ()
    try:
        returncode = process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        kill_group(process)
        return ()
    return (unshare, "-rn") if returncode == 0 else ()


def link_executable(bitcode: bytes, workdir: Path, ldflags: Sequence[str] = (), cxx: bool = False) -> Path:
    """Write ``bitcode`` to ``workdir``, generate code with ``llc -O2`` and link it; return the executable."""
    toolchain = get_toolchain()
    module = workdir / "module.bc"
    module.write_bytes(bitcode)
    obj = workdir / "module.o"
    run_tool(
        [str(toolchain.llc), "-O2", "-relocation-model=pic", "-filetype=obj", str(module), "-o", str(obj)],
        "llc failed to generate code for the module",
    )
    exe = workdir / "program"
    linker = str(toolchain.tool("clang++") if cxx else toolchain.clang)
    run_tool([linker, str(obj), "-o", str(exe), *ldflags], "linking the benchmark executable failed")
    return exe


def _rlimits(limits: Limits, cpu_seconds: int) -> dict[int, int | tuple[int, int]]:
    """The resource limits of a run, applied in the child before ``exec``."""
    return {
        resource.RLIMIT_CPU: (cpu_seconds, cpu_seconds + 1),
        resource.RLIMIT_AS: limits.memory_bytes,
        resource.RLIMIT_FSIZE: limits.file_size_bytes,
        resource.RLIMIT_NPROC: limits.max_processes,
        resource.RLIMIT_CORE: 0,
    }


def _signal_error(signum: int, limits: Limits, cpu_seconds: int, stderr: bytes) -> BenchmarkRunError:
    name = signal_name(signum)
    tail = stderr.decode(errors="replace").strip()[-500:]
    detail = f"\n  stderr: {tail}" if tail else ""
    if signum == signal.SIGXFSZ:
        return BenchmarkRunError(
            f"benchmark exceeded the file-size limit of {limits.file_size_bytes // MiB} MiB "
            f"(stdout or a file it wrote) and was killed by SIGXFSZ{detail}",
            kind="file-size-limit",
        )
    if signum in (signal.SIGXCPU, signal.SIGKILL):
        return BenchmarkRunError(
            f"benchmark exceeded the CPU time limit of {cpu_seconds} s ({name}){detail}", kind="cpu-limit"
        )
    memory = b"alloc" in stderr or b"memory" in stderr.lower()
    return BenchmarkRunError(
        f"benchmark crashed with {name}"
        + (f" (memory limit {limits.memory_bytes // MiB} MiB)" if memory else "")
        + detail,
        kind="memory-limit" if memory else "crash",
    )


def _run_once(exe: Path, spec: RunSpec, scratch: Path, timeout: float, limits: Limits) -> tuple[RunResult, float]:
    rundir = scratch / "cwd"
    rundir.mkdir()
    for item in spec.files:
        shutil.copyfile(item, rundir / item.name)
    cpu_seconds = math.ceil(timeout) + 1
    prefix = network_sandbox_prefix()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(rundir), "TMPDIR": str(rundir), "LC_ALL": "C"}
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(open(spec.stdin, "rb")) if spec.stdin else subprocess.DEVNULL
        stdout = stack.enter_context(open(scratch / "stdout", "wb"))
        stderr = stack.enter_context(open(scratch / "stderr", "wb"))
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before = usage.ru_utime + usage.ru_stime
        start = time.perf_counter()
        process = spawn(
            [*prefix, str(exe), *spec.args],
            cwd=rundir,
            env=env,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            rlimits=_rlimits(limits, cpu_seconds),
        )
        try:
            returncode = process.wait(timeout=timeout)
            elapsed = time.perf_counter() - start
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = usage.ru_utime + usage.ru_stime - cpu_before
        except subprocess.TimeoutExpired:
            kill_group(process, timeout=None)
            raise BenchmarkTimeoutError(f"benchmark timed out after {timeout:g} s wall time and was killed") from None
        finally:
            kill_group(process, timeout=None)  # whatever it left running in its group goes too
    err = (scratch / "stderr").read_bytes()[-64 * 1024 :]
    if returncode < 0:
        raise _signal_error(-returncode, limits, cpu_seconds, err)
    if prefix and returncode == 1 and err.startswith(b"unshare:"):
        raise BenchmarkRunError(f"the network sandbox failed: {err.decode(errors='replace').strip()}", kind="sandbox")
    out = (scratch / "stdout").read_bytes()
    files = {name: (rundir / name).read_bytes() for name in spec.collect if (rundir / name).is_file()}
    result = RunResult(out, returncode, stderr=err, network_isolated=bool(prefix), files=files, cpu_times=[cpu])
    return result, elapsed


def run_bitcode(
    bitcode: bytes, spec: RunSpec, *, repeats: int = 1, timeout: float = 10.0, limits: Limits | None = None
) -> RunResult:
    """Link ``bitcode`` and run it ``repeats`` times (each in a fresh private directory) under limits.

    Raises BuildError if code generation or linking fails, BenchmarkTimeoutError on timeout, and
    BenchmarkRunError on a crash or a resource limit. A non-zero exit code is returned, not raised.
    """
    if repeats < 1:
        raise DatasetError(f"repeats must be at least 1, got {repeats}")
    if timeout <= 0:
        raise DatasetError(f"timeout must be positive, got {timeout}")
    limits = limits or Limits()
    with private_dir("run") as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "build").mkdir()
        exe = link_executable(bitcode, tmpdir / "build", spec.ldflags, spec.cxx)
        times, cpu_times = [], []
        result: RunResult | None = None
        for index in range(repeats):
            scratch = tmpdir / f"run{index}"
            scratch.mkdir()
            result, elapsed = _run_once(exe, spec, scratch, timeout, limits)
            times.append(elapsed)
            cpu_times.extend(result.cpu_times)
            shutil.rmtree(scratch, ignore_errors=True)
        assert result is not None
        result.times, result.cpu_times = times, cpu_times
        return result

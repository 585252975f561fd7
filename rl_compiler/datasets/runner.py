"""Turn a module state into an executable and run it as untrusted code, in a sandbox, under limits.

Linking never re-optimises the IR: ``llc -O2 -relocation-model=pic -filetype=obj`` (codegen only), then the
toolchain's clang links the object with the program's ldflags. Each run happens in a fresh private
temporary directory (removed afterwards, whatever happens), in the strongest sandbox this machine allows
(:mod:`rl_compiler.datasets.sandbox`: bubblewrap, else ``unshare``, else rlimits only; ``RunResult.sandbox``
says which), with:

- a wall-clock timeout that kills the whole process group (and with it the sandbox and its PID namespace);
- ``RLIMIT_CPU`` (timeout + 1 s), ``RLIMIT_AS`` (memory), ``RLIMIT_FSIZE`` (every file written, and
  stdout itself, which goes to a file: huge output ends the run with SIGXFSZ), ``RLIMIT_NPROC`` and
  ``RLIMIT_CORE=0``, set before ``exec``. ``RLIMIT_NPROC`` counts all processes of the user and is not
  enforced for root.

The runtime of a run is the program's own wall time, from its start to its exit as the sandbox's launcher
measures it: the sandbox's set-up is not counted.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rl_compiler.datasets.build import run_tool
from rl_compiler.datasets.errors import BenchmarkRunError, BenchmarkTimeoutError, DatasetError
from rl_compiler.datasets.sandbox import Limits, MiB, launch, read_status, rlimits_for, sandbox_level
from rl_compiler.llvm.processes import describe_returncode, kill_group, signal_name
from rl_compiler.llvm.tempdirs import private_dir
from rl_compiler.llvm.toolchain import get_toolchain


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
    #: The isolation level the runs had (:func:`rl_compiler.datasets.sandbox.sandbox_level`).
    sandbox: str = "rlimits"
    #: The files named in ``RunSpec.collect`` that the last run wrote (name -> content).
    files: dict[str, bytes] = field(default_factory=dict)
    #: User + system CPU seconds of every run (the program's own, as the sandbox's launcher measured it: less
    #: sensitive to a busy machine than wall time).
    cpu_times: list[float] = field(default_factory=list)

    @property
    def runtime(self) -> float:
        """The median wall time of the runs, in seconds."""
        return statistics.median(self.times)


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
    level = sandbox_level()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(rundir), "TMPDIR": str(rundir), "LC_ALL": "C"}
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(open(spec.stdin, "rb")) if spec.stdin else subprocess.DEVNULL
        stdout = stack.enter_context(open(scratch / "stdout", "wb"))
        stderr = stack.enter_context(open(scratch / "stderr", "wb"))
        process, status_fd = launch(
            level,
            exe,
            spec.args,
            rundir,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            env=env,
            rlimits=rlimits_for(limits, cpu_seconds),
        )
        stack.callback(os.close, status_fd)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchmarkTimeoutError(f"benchmark timed out after {timeout:g} s wall time and was killed") from None
        finally:
            kill_group(process, timeout=None)  # whatever it left running in its group goes too
        status = read_status(status_fd)
    err = (scratch / "stderr").read_bytes()[-64 * 1024 :]
    if status is None:  # the launcher never reported: the sandbox itself failed (or was killed)
        raise BenchmarkRunError(
            f"the {level} sandbox failed ({describe_returncode(process.returncode)}): "
            f"{err.decode(errors='replace').strip()[-500:]}",
            kind="sandbox",
        )
    returncode, elapsed, cpu = status
    if returncode < 0:
        raise _signal_error(-returncode, limits, cpu_seconds, err)
    out = (scratch / "stdout").read_bytes()
    files = {name: (rundir / name).read_bytes() for name in spec.collect if (rundir / name).is_file()}
    isolated = level != "rlimits"
    result = RunResult(out, returncode, stderr=err, network_isolated=isolated, files=files, sandbox=level)
    result.cpu_times = [cpu]
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
    with private_dir("run") as tmpdir:
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

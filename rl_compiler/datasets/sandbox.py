"""The sandbox program runs happen in: the strongest isolation this machine allows, and what it leaves out.

Levels, strongest first (:func:`sandbox_level` says which is in force; ``rl-compiler info`` prints it):

``bubblewrap``
    ``bwrap`` (Debian's ``bubblewrap``): new user, PID, network, IPC, UTS and cgroup namespaces; the whole
    file system read-only (``/`` bound read-only, a fresh ``/dev`` and ``/proc``, an empty ``/tmp``, both
    read-only), with the run's private directory as the only writable place; no capabilities; a new
    session; killed with its parent. Nothing the program starts outlives the run (the PID namespace ends
    with it), and it writes nowhere but its directory. Not covered: what the program may *read* (the
    whole file system the user can read, minus ``/tmp``), CPU time of a busy loop until its limits, and,
    when rl-compiler runs as root, the process-count limit (the kernel exempts root from ``RLIMIT_NPROC``).
``unshare``
    util-linux ``unshare``: new user, PID and network namespaces. Nothing outlives the run and there is no
    network; not covered: the file system (the program can write wherever the user can).
``rlimits``
    no namespaces: only the resource limits and the process-group kill. Not covered: the network, the file
    system, and a descendant that calls ``setsid()`` (it survives the run until its CPU limit).

Every level applies the run's rlimits (CPU, address space, file size, processes, no core files) and
starts the program through a small launcher (``launcher.c``, built once with the toolchain's clang) that
reports the program's own wait status, wall time and CPU time: the sandbox's set-up (tens of milliseconds
for namespaces) is not counted in run times, and a crash keeps its signal. ``$RL_COMPILER_SANDBOX`` forces a
level (e.g. ``unshare`` to compare); forcing one this machine cannot provide fails at the first run.
"""

from __future__ import annotations

import functools
import hashlib
import os
import resource
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rl_compiler.datasets.errors import BenchmarkRunError
from rl_compiler.llvm.cache import build_once, cache_dir
from rl_compiler.llvm.processes import kill_group, run_checked, spawn
from rl_compiler.llvm.tempdirs import private_dir
from rl_compiler.llvm.toolchain import get_toolchain

MiB = 1 << 20
LEVELS = ("bubblewrap", "unshare", "rlimits")
SANDBOX_ENV = "RL_COMPILER_SANDBOX"
LAUNCHER_SOURCE = Path(__file__).with_name("launcher.c")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one benchmark run (the wall-clock timeout is passed separately)."""

    memory_bytes: int = 2048 * MiB
    file_size_bytes: int = 64 * MiB
    max_processes: int = 64


def rlimits_for(limits: Limits, cpu_seconds: int) -> dict[int, int | tuple[int, int]]:
    """The resource limits of a run, applied in the child before ``exec``."""
    return {
        resource.RLIMIT_CPU: (cpu_seconds, cpu_seconds + 1),
        resource.RLIMIT_AS: limits.memory_bytes,
        resource.RLIMIT_FSIZE: limits.file_size_bytes,
        resource.RLIMIT_NPROC: limits.max_processes,
        resource.RLIMIT_CORE: 0,
    }


def launcher_path() -> Path:
    """The launcher executable, compiled on first use (cached per toolchain and source hash)."""
    toolchain = get_toolchain()
    digest = hashlib.sha1(LAUNCHER_SOURCE.read_bytes()).hexdigest()[:12]
    target = cache_dir("sandbox", f"{toolchain.id}-{digest}") / "launcher"

    def compile_to(tmp: str) -> None:
        command = [str(toolchain.clang), "-O2", "-std=c11", str(LAUNCHER_SOURCE), "-o", tmp]
        error = functools.partial(BenchmarkRunError, kind="sandbox")
        run_checked(command, "building the sandbox launcher failed", error, timeout=120)
        os.chmod(tmp, 0o755)

    return build_once(target, compile_to)


def sandbox_argv(level: str, rundir: Path, readable: Sequence[Path], argv: Sequence[str]) -> list[str]:
    """The command that runs ``argv`` (launcher first) at ``level``, writable only in ``rundir`` where the
    level allows, with ``readable`` folders (the executable's) visible read-only."""
    if level == "bubblewrap":
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise BenchmarkRunError(f"{SANDBOX_ENV}=bubblewrap but bwrap is not installed", kind="sandbox")
        mounts = [arg for folder in readable for arg in ("--ro-bind", str(folder), str(folder))]
        return [
            bwrap, "--die-with-parent", "--unshare-all", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", *mounts,
            "--bind", str(rundir), str(rundir), "--remount-ro", "/tmp", "--remount-ro", "/dev",
            "--chdir", str(rundir), "--", *argv,
        ]  # fmt: skip
    if level == "unshare":
        unshare = shutil.which("unshare")
        if unshare is None:
            raise BenchmarkRunError(f"{SANDBOX_ENV}=unshare but unshare is not installed", kind="sandbox")
        return [unshare, "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--", *argv]
    if level == "rlimits":
        return list(argv)
    raise BenchmarkRunError(f"unknown sandbox level {level!r}; expected one of {', '.join(LEVELS)}", kind="sandbox")


def launch(
    level: str,
    exe: Path,
    args: Sequence[str],
    rundir: Path,
    *,
    stdin: int | object,
    stdout: object,
    stderr: object,
    env: Mapping[str, str],
    rlimits: Mapping[int, int | tuple[int, int]],
) -> tuple[subprocess.Popen, int]:
    """Start ``exe args`` in the sandbox; returns the process and the read end of the launcher's status pipe
    (read it with :func:`read_status` after the process ended; the caller closes it)."""
    read_fd, write_fd = os.pipe()
    try:
        launcher = launcher_path()
        argv = [str(launcher), str(write_fd), str(exe), *args]
        process = spawn(
            sandbox_argv(level, rundir, [exe.parent, launcher.parent], argv),
            cwd=rundir,
            env=env,
            stdin=stdin,  # type: ignore[arg-type]
            stdout=stdout,  # type: ignore[arg-type]
            stderr=stderr,  # type: ignore[arg-type]
            rlimits=rlimits,
            pass_fds=(write_fd,),
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return process, read_fd


def read_status(read_fd: int) -> tuple[int, float, float] | None:
    """The program's return code (negative: killed by that signal), wall seconds and CPU seconds, as the
    launcher wrote them; None if it wrote nothing (it was killed, or the sandbox failed before starting it)."""
    os.set_blocking(read_fd, False)  # the launcher wrote before the sandbox ended; never wait for more
    data = b""
    try:
        while chunk := os.read(read_fd, 256):
            data += chunk
    except BlockingIOError:
        pass
    try:
        status, wall_ns, cpu_ns = (int(field) for field in data.split())
    except ValueError:
        return None
    returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return returncode, wall_ns / 1e9, cpu_ns / 1e9


@functools.lru_cache(maxsize=1)
def sandbox_level() -> str:
    """The isolation level of program runs here: ``$RL_COMPILER_SANDBOX`` if set, else the strongest level
    whose sandbox runs ``true`` under the same limits as a real run (checked once per process)."""
    forced = os.environ.get(SANDBOX_ENV)
    if forced:
        if forced not in LEVELS:
            raise BenchmarkRunError(f"{SANDBOX_ENV}={forced!r}; expected one of {', '.join(LEVELS)}", kind="sandbox")
        return forced
    true = shutil.which("true") or "/bin/true"
    for level in LEVELS[:-1]:
        with private_dir("sandbox-probe") as rundir:
            try:
                process, read_fd = launch(
                    level,
                    Path(true),
                    [],
                    rundir,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env={"PATH": "/usr/bin:/bin"},
                    rlimits=rlimits_for(Limits(), 10),
                )
            except (OSError, BenchmarkRunError):
                continue
            try:
                process.wait(timeout=30)
                status = read_status(read_fd)
            except subprocess.TimeoutExpired:
                status = None
            finally:
                kill_group(process)
                os.close(read_fd)
            if process.returncode == 0 and status is not None and status[0] == 0:
                return level
    return "rlimits"

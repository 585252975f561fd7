"""Child processes: start them bounded, kill them whole, and say how they ended.

Every process rl-compiler starts (the engine's worker, ``llc``/``opt`` on the MLGO channel, benchmark
programs) goes through :func:`spawn`, which gives it:

* its own session and process group, so :func:`kill_group` removes it and everything it started that
  stayed in the group;
* ``PR_SET_PDEATHSIG=SIGKILL`` (Linux), so it dies if this process dies, even by SIGKILL. The kernel
  sends that signal when the *thread* that forked exits, so children are forked from one long-lived
  spawner thread, not from whatever (maybe short-lived) thread asked; a child whose parent died before
  the signal took effect exits at once;
* optional resource limits (``rlimits``: ``{resource.RLIMIT_AS: bytes, ...}``), applied in the child
  before ``exec``.

:func:`run` is ``subprocess.run`` with captured output on top of :func:`spawn`: the tools run to completion
(clang, llvm-link, csmith) die with this process too. :func:`run_checked` is :func:`run` for a tool that must
succeed: it raises the caller's error class, naming the command, how it ended and what it printed.

:func:`describe_returncode` turns an exit status into words (``exit status 1``, ``killed by signal
SIGSEGV``) for error messages; :func:`read_tail` reads the end of a child's stderr file.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any, NoReturn

#: prctl option number of PR_SET_PDEATHSIG (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
_libc: Any = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError):
        _libc = ctypes.CDLL(None, use_errno=True)

_spawner: concurrent.futures.ThreadPoolExecutor | None = None
_spawner_lock = threading.Lock()

Stream = int | IO[Any] | None


def _reset_spawner_after_fork() -> None:
    global _spawner, _spawner_lock
    _spawner = None
    _spawner_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_spawner_after_fork)


def _spawner_pool() -> concurrent.futures.ThreadPoolExecutor:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rl-compiler-spawn")
        return _spawner


def _prepare_child(parent_pid: int, rlimits: tuple[tuple[int, tuple[int, int]], ...], own_group: bool) -> None:
    """Runs in the child between fork and exec: (``own_group``) lead a process group of its own in the parent's
    session, die with the parent, then apply the limits."""
    if own_group:
        os.setpgid(0, 0)
    prctl = getattr(_libc, "prctl", None)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    for limit, values in rlimits:
        resource.setrlimit(limit, values)


def _as_pairs(rlimits: Mapping[int, int | tuple[int, int]]) -> tuple[tuple[int, tuple[int, int]], ...]:
    return tuple(
        (limit, value if isinstance(value, tuple) else (int(value), int(value))) for limit, value in rlimits.items()
    )


def spawn(
    argv: Sequence[str | os.PathLike],
    *,
    stdin: Stream = subprocess.DEVNULL,
    stdout: Stream = subprocess.DEVNULL,
    stderr: Stream = None,
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    rlimits: Mapping[int, int | tuple[int, int]] | None = None,
    bufsize: int = -1,
    pass_fds: Sequence[int] = (),
    new_session: bool = True,
) -> subprocess.Popen:
    """Start ``argv`` in its own process group, killed by the kernel if this process dies, under ``rlimits``.

    :param rlimits: ``{resource.RLIMIT_*: limit}``; an int sets soft and hard limits alike, a pair sets both.
    :param pass_fds: descriptors the child inherits (all others are closed).
    :param new_session: the child's process group leads a session of its own (away from the terminal, and, where
        the kernel groups tasks by session for scheduling (autogroup), in a scheduling group of its own); False:
        a process group of its own in this process's session (the terminal's signals still do not reach it).
    :raises OSError: if the program cannot be started (e.g. no such file).
    """
    pairs = _as_pairs(rlimits or {})
    parent = os.getpid()

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [os.fspath(a) for a in argv],
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=new_session,
            preexec_fn=lambda: _prepare_child(parent, pairs, not new_session),
            close_fds=True,
            pass_fds=tuple(pass_fds),
            bufsize=bufsize,
        )

    try:
        future = _spawner_pool().submit(start)
    except RuntimeError:  # interpreter shutting down: the pool refuses work; fork from this thread
        return start()
    return future.result()


def run(
    argv: Sequence[str | os.PathLike],
    *,
    timeout: float,
    input: bytes | None = None,
    cwd: str | os.PathLike | None = None,
    text: bool = True,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> subprocess.CompletedProcess:
    """Run ``argv`` to completion through :func:`spawn` (it dies with this process) and capture its output:
    ``subprocess.run(argv, capture_output=True, timeout=timeout)`` for the tools rl-compiler runs (clang,
    llvm-link, csmith), whose whole group is killed on a timeout or an interruption.

    :param input: bytes for its stdin (else stdin is ``/dev/null``).
    :param text: decode stdout and stderr as UTF-8 (undecodable bytes replaced).
    :param started: called with the process once started (e.g. so that another thread can cancel it with
        :func:`kill_group`; the call then returns the killed process's status).
    :raises subprocess.TimeoutExpired: after ``timeout`` seconds (the group killed by then).
    :raises OSError: if the program cannot be started.
    """
    process = spawn(
        argv,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
    )
    try:
        if started is not None:
            started(process)
        stdout, stderr = process.communicate(input, timeout=timeout)
    except BaseException:  # a timeout, or KeyboardInterrupt: the tool must not outlive the call
        kill_group(process)
        for stream in (process.stdin, process.stdout, process.stderr):
            close_quietly(stream)
        raise
    if text:
        stdout, stderr = stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_checked(
    argv: Sequence[str | os.PathLike],
    what: str,
    error: Callable[[str], Exception],
    *,
    timeout: float,
    input: bytes | None = None,
    cwd: str | os.PathLike | None = None,
    text: bool = True,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> subprocess.CompletedProcess:
    """:func:`run` for a tool that must succeed (a compiler, ``llvm-config``).

    :param what: what failed, in words (``"clang failed to compile x.c"``); every message starts with it.
    :param error: the exception class (or factory) to raise with the message.
    :param started: as for :func:`run`.
    :raises error: the program could not start, timed out, or exited non-zero (with its stderr, or stdout).
    """
    command = " ".join(map(os.fspath, argv))

    def fail(detail: str, cause: BaseException | None = None) -> NoReturn:
        raise error(f"{what}{detail}\n  command: {command}") from cause

    try:
        result = run(argv, timeout=timeout, input=input, cwd=cwd, text=text, started=started)
    except subprocess.TimeoutExpired as exc:
        fail(f": timed out after {timeout:g} s", exc)
    except OSError as exc:
        fail(f": could not run {os.fspath(argv[0])}: {exc}", exc)
    if result.returncode != 0:
        printed = result.stderr or result.stdout
        printed = (printed.decode("utf-8", "replace") if isinstance(printed, bytes) else printed).strip()
        fail(f" ({describe_returncode(result.returncode)})" + (f":\n{printed[-4000:]}" if printed else ""))
    return result


def kill_group(process: subprocess.Popen, timeout: float | None = 10.0) -> int | None:
    """SIGKILL ``process``'s whole process group (it leads its own session) and reap it.

    Returns its exit status (None if it could not be reaped within ``timeout`` seconds).
    """
    running = process.poll() is None
    try:  # also when it has exited: whatever it left running in its group goes too
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        if running:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def signal_name(signum: int) -> str:
    """``SIGSEGV`` for 11; ``signal 99`` for a number without a name."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def describe_returncode(returncode: int | None) -> str:
    """How a child ended, in words: ``exit status 1``, ``killed by signal SIGSEGV``, ``still running``."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        return f"killed by signal {signal_name(-returncode)}"
    return f"exit status {returncode}"


def read_tail(path: str | os.PathLike, nbytes: int = 4000) -> str:
    """The last ``nbytes`` of a file (a child's stderr), decoded and stripped; "" if it cannot be read."""
    try:
        with open(path, "rb") as file:
            return _tail_of(file.fileno(), nbytes)
    except OSError:
        return ""


def read_tail_fd(fd: int, nbytes: int = 4000) -> str:
    """Like :func:`read_tail` for an open file descriptor (e.g. an unlinked temporary file)."""
    try:
        return _tail_of(fd, nbytes)
    except (OSError, ValueError):
        return ""


def _tail_of(fd: int, nbytes: int) -> str:
    size = os.fstat(fd).st_size
    start = max(0, size - nbytes)
    return os.pread(fd, size - start, start).decode("utf-8", "replace").strip()


def close_quietly(stream: Any) -> None:
    """Close a file object, ignoring errors (used on every cleanup path)."""
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


__all__ = [
    "close_quietly",
    "describe_returncode",
    "kill_group",
    "read_tail",
    "read_tail_fd",
    "run",
    "run_checked",
    "signal_name",
    "spawn",
]

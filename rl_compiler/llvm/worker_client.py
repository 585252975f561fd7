"""The caller's side of the worker protocol: one worker process, its pipes, and how it is lost.

:class:`Worker` starts the worker (:data:`WORKER_BOOT`: :mod:`rl_compiler.llvm.worker` of the caller's own package)
through :func:`rl_compiler.llvm.processes.spawn` (own process group, dies with this process), sends one framed
pickle per request (a step: the fast lane's binary request, sent and decoded in C by
:class:`rl_compiler.llvm.fastlane.NativeCaller`) and waits for the reply within a deadline. A worker that dies,
closes a pipe or misses the deadline is killed with its whole group
and reported as :class:`WorkerLost`; the session layer (:mod:`rl_compiler.llvm.session`) decides what to
replay. Its stderr goes to an unlinked temp file, read for error messages, so nothing is left on disk.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import select
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from typing import Any, BinaryIO

from rl_compiler.llvm import fastlane
from rl_compiler.llvm.errors import LLVMError, WorkerCrashError
from rl_compiler.llvm.pipeio import (
    MessageReader,
    backoff_min_seconds,
    caller_contended_seconds,
    enlarge_pipe,
    escape_checked,
    escape_enabled,
    frame,
    quiet_yield_seconds,
    spin_cap_seconds,
    spin_seconds,
)
from rl_compiler.llvm.processes import close_quietly, describe_returncode, kill_group, read_tail_fd, spawn
from rl_compiler.llvm.step_queue import SentStep, StepQueue, WorkerLost
from rl_compiler.llvm.worker import EXIT_OUT_OF_MEMORY, PARENT_PID_ENV, REPLY_ARRAYS, REPLY_OK

#: Seconds a new worker may take to start (import numpy, load libLLVM, maybe build the engine).
STARTUP_TIMEOUT = 120.0
#: Bytes of the worker's stderr quoted in crash and timeout errors.
STDERR_TAIL_BYTES = 4000
#: The worker's default address-space limit: far above what optimizing real programs needs (the worker
#: maps about 300 MiB before it loads a module), far below what a pathological pass sequence can take.
DEFAULT_MEMORY_LIMIT = 4 << 30
MIN_MEMORY_LIMIT = 512 << 20
#: What LLVM, libc++ and the worker print when an allocation fails.
_OUT_OF_MEMORY_SIGNS = ("out of memory", "Allocation failed", "bad_alloc", "MemoryError", "Cannot allocate memory")
#: ``caller``: the worker stays in this process's session (its own process group), so that where the kernel
#: groups tasks by session for scheduling (autogroup) caller and worker share one group; ``own`` (default): a
#: session of its own.
WORKER_SESSION_ENV = "RL_COMPILER_WORKER_SESSION"
#: The directory this process imported ``rl_compiler`` from.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: The worker's program (``python -c WORKER_BOOT PACKAGE_ROOT``): ``python -m rl_compiler.llvm.worker`` would
#: import ``rl_compiler`` from the working directory first, so a caller started in another checkout (or beside
#: any other copy of the package) would have its steps served by that copy's engine. This drops the working
#: directory from ``sys.path`` and imports the package from the caller's root, moving that root ahead of the
#: other entries only when they would find another copy (an installed package keeps its place behind the
#: standard library).
WORKER_BOOT = """\
import importlib.util, os, sys
root = sys.argv[1]
if sys.path and sys.path[0] == "":  # python -c: the working directory
    del sys.path[0]
found = importlib.util.find_spec("rl_compiler")
origin = os.path.dirname(os.path.dirname(found.origin)) if found and found.origin else None
if origin is None or os.path.realpath(origin) != os.path.realpath(root):
    sys.path.insert(0, root)
from rl_compiler.llvm.worker import main
main()
"""


class _Process:
    """The mutable state of a worker process, shared with its finalizer (which must not hold the worker)."""

    def __init__(self) -> None:
        self.popen: subprocess.Popen | None = None
        #: The worker's stderr: an unlinked temp file, so nothing is left on disk even if we are SIGKILLed.
        self.stderr: BinaryIO | None = None
        self.owner_pid = os.getpid()

    def kill(self) -> int | None:
        """Kill the process group and reap the worker; returns its exit status (None if not running)."""
        popen, self.popen = self.popen, None
        if popen is None:
            return None
        if self.owner_pid != os.getpid():  # a forked child: the worker belongs to the parent
            for stream in (popen.stdin, popen.stdout, self.stderr):
                close_quietly(stream)
            self.stderr = None
            popen.returncode = 0  # keep Popen.__del__ from tracking a process that is not ours
            return None
        returncode = kill_group(popen, timeout=None)
        for stream in (popen.stdin, popen.stdout):
            close_quietly(stream)
        return returncode

    def finish(self) -> None:
        """Kill the worker and close its stderr file (idempotent)."""
        self.kill()
        stderr, self.stderr = self.stderr, None
        close_quietly(stderr)


class Worker(StepQueue):
    """One worker process and its pipes. ``generation`` increases with every (re)start; steps sent ahead
    (:meth:`send_step`, :meth:`receive_step`) are :class:`~rl_compiler.llvm.step_queue.StepQueue`'s."""

    def __init__(self, memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> None:
        if memory_limit is not None and memory_limit < MIN_MEMORY_LIMIT:
            raise ValueError(
                f"memory_limit must be at least {MIN_MEMORY_LIMIT >> 20} MiB (the worker alone maps about 300 MiB) "
                f"or None for no limit, got {memory_limit!r}"
            )
        #: The worker's address-space limit in bytes (RLIMIT_AS), or None.
        self.memory_limit = memory_limit
        #: What happened when the worker was last lost (for sessions rebuilt because of it), or None.
        self.last_loss: str | None = None
        self.lock = threading.RLock()
        self.generation = 0
        self.sessions = 0  # open sessions using this worker
        self.pending_drops: list[tuple[int, int]] = []  # (generation, handle) of closed sessions
        self.pid: int | None = None
        self.fast_lane = False
        self._native: fastlane.NativeCaller | None = None
        #: Steps sent, their replies not read yet, oldest first (the worker answers them in this order).
        self._in_flight: deque[SentStep] = deque()
        self._replied_at = 0.0  # when the last step reply was read (the next queued step ran from then at most)
        self._proc = _Process()
        self._finalizer = weakref.finalize(self, _Process.finish, self._proc)

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return self._proc.popen is not None and self._proc.owner_pid == os.getpid()

    def ensure_running(self) -> None:
        """Start the worker if it is not running in this process (first use, after a crash, after fork)."""
        if self._proc.owner_pid != os.getpid():
            self._proc.kill()  # only forgets the parent's worker: see _Process.kill
            self._proc.owner_pid = os.getpid()
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _Process.finish, self._proc)
            self.lock = threading.RLock()
        if self._proc.popen is None:
            self._start()

    def _start(self) -> None:
        if not self._finalizer.alive:  # shut down when its sessions were all closed, and used again since
            self._finalizer = weakref.finalize(self, _Process.finish, self._proc)
        close_quietly(self._proc.stderr)  # the previous generation's
        self._proc.stderr = None
        self._proc.stderr = stderr = tempfile.TemporaryFile(prefix="rl-compiler-worker-")
        env = dict(os.environ)
        env[PARENT_PID_ENV] = str(os.getpid())
        popen = spawn(
            [sys.executable, "-c", WORKER_BOOT, PACKAGE_ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            bufsize=0,
            rlimits={resource.RLIMIT_AS: self.memory_limit} if self.memory_limit else None,
            new_session=os.environ.get(WORKER_SESSION_ENV, "own").strip() != "caller",
        )
        self._proc.popen = popen
        self._in_flight.clear()  # steps sent to the previous process: their receive_step reports the loss
        self.generation += 1
        self.pending_drops.clear()
        self.pid = popen.pid
        assert popen.stdin is not None
        os.set_blocking(popen.stdin.fileno(), False)
        assert popen.stdout is not None
        for fd in (popen.stdin.fileno(), popen.stdout.fileno()):
            enlarge_pipe(fd)
        # The worker answers at once: always spin (briefly) for its reply.
        contended = caller_contended_seconds()
        self._replies = MessageReader(popen.stdout.fileno(), adaptive=False, contended=contended)
        try:
            _, ready = pickle.loads(self._receive(time.monotonic() + STARTUP_TIMEOUT, STARTUP_TIMEOUT))
        except WorkerLost as lost:
            raise WorkerCrashError(
                f"the rl_compiler worker failed to start: {lost.detail}{stderr_note(lost)}"
            ) from None
        #: Whether this worker serves steps natively (:mod:`rl_compiler.llvm.fastlane`).
        self.fast_lane = ready[2:3] == (True,)
        self._native = None
        if self.fast_lane and fastlane.native_caller_enabled():
            fds = (popen.stdin.fileno(), popen.stdout.fileno())
            self._native = fastlane.NativeCaller(
                *fds,
                spin_seconds(),
                contended,
                quiet_yield_seconds(),
                spin_cap_seconds(),
                escape_enabled(),
                backoff_min_seconds(),
                popen.pid if escape_checked() else 0,
            )

    def shutdown(self) -> None:
        """Kill the worker process and close its files."""
        self._finalizer()

    def stderr_tail(self) -> str:
        """The end of what the current (or last) worker process wrote to stderr."""
        stderr = self._proc.stderr
        if stderr is None:
            return ""
        try:
            return read_tail_fd(stderr.fileno(), STDERR_TAIL_BYTES)
        except ValueError:  # closed
            return ""

    def _lose(self, timed_out: bool, detail: str) -> WorkerLost:
        self._in_flight.clear()  # their receive_step reports the loss
        returncode = self._proc.kill()
        stderr = self.stderr_tail()
        out_of_memory = not timed_out and self._out_of_memory(returncode, stderr)
        if out_of_memory:
            limit = f"{self.memory_limit >> 20} MiB (memory_limit={self.memory_limit})"
            detail = f"{detail}: the worker exceeded its memory limit of {limit}"
        elif not timed_out:
            ended = "stopped answering" if returncode is None else f"ended ({describe_returncode(returncode)})"
            detail = f"{detail}: the worker {ended}"
        self.last_loss = detail
        return WorkerLost(timed_out, detail, stderr, out_of_memory)

    def _out_of_memory(self, returncode: int | None, stderr: str) -> bool:
        """Whether the worker died because an allocation failed under its memory limit."""
        if self.memory_limit is None:
            return False
        return returncode == EXIT_OUT_OF_MEMORY or any(sign in stderr for sign in _OUT_OF_MEMORY_SIGNS)

    # -- protocol --------------------------------------------------------------------------------

    def request(self, handle: int, method: str, args: tuple, timeout: float) -> Any:
        """Send one request and wait at most ``timeout`` seconds for the reply.

        Returns the result, raises the exception the worker raised, or raises ``WorkerLost``.
        """
        while self._in_flight:
            self._settle()
        data = None
        if method == "step" and self.fast_lane and not self.pending_drops:
            data = fastlane.encode_step(handle, *args)
            if data is not None and self._native is not None:
                return self._native_step(data, args, timeout)
        if data is None:
            drops = tuple(h for g, h in self.pending_drops if g == self.generation)
            self.pending_drops.clear()
            data = pickle.dumps((drops, handle, method, args), protocol=pickle.HIGHEST_PROTOCOL)
        deadline = time.monotonic() + timeout
        try:
            self._send(frame(data), deadline, timeout)
            payload = self._receive(deadline, timeout)
            fast = fastlane.is_fast_reply(payload)
            if not fast:
                status, value = pickle.loads(payload)
        except WorkerLost:
            raise
        except BaseException:
            # Interrupted half-way (KeyboardInterrupt, an unpicklable reply): the reply stream is out of
            # step with the requests, so this worker cannot be trusted; its sessions will be replayed.
            self._proc.kill()
            raise
        if fast:
            return fastlane.decode_step(payload, *args)
        if status == REPLY_OK:
            return value
        if status == REPLY_ARRAYS:
            return _rebuild_arrays(*value)
        raise _rebuild_exception(*value)

    def _native_step(self, data: bytes, args: tuple, timeout: float) -> tuple:
        """A fast-lane step sent and decoded in C (:class:`rl_compiler.llvm.fastlane.NativeCaller`)."""
        assert self._native is not None
        return self._native_outcome(self._native.step(data, *args, timeout), args, timeout)

    def _native_outcome(self, result: tuple | int, args: tuple, timeout: float) -> tuple:
        """The results of a native step, or the loss its negative status reports (the worker is then killed)."""
        if isinstance(result, tuple):
            return result
        if result == fastlane.INTERRUPTED:  # a signal came first: its handler runs while Python waits
            try:  # (nothing follows this reply: see _resume)
                payload = self._receive(time.monotonic() + timeout, timeout)
            except WorkerLost:
                raise
            except BaseException:  # e.g. KeyboardInterrupt: the reply stream is out of step
                self._proc.kill()
                raise
            return fastlane.decode_step(payload, *args)
        if result == fastlane.TIMED_OUT:
            raise self._lose(True, f"no reply within {timeout:g} s")
        if result == fastlane.LOST:
            raise self._lose(False, "the worker closed its pipe")
        raise self._lose(False, "the worker's step reply was malformed")

    def _send(self, data: bytes, deadline: float, timeout: float) -> None:
        popen = self._proc.popen
        assert popen is not None and popen.stdin is not None
        fd = popen.stdin.fileno()
        view = memoryview(data)
        poller = None
        while view:
            try:
                view = view[os.write(fd, view) :]
                continue
            except BlockingIOError:
                pass
            except (BrokenPipeError, OSError):
                raise self._lose(False, "the worker closed its input") from None
            if poller is None:
                poller = select.poll()
                poller.register(fd, select.POLLOUT)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise self._lose(True, f"no reply within {timeout:g} s")

    def _receive(self, deadline: float, timeout: float) -> bytes:
        try:
            payload = self._replies.read(max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise self._lose(True, f"no reply within {timeout:g} s") from None
        if payload is None:
            raise self._lose(False, "the worker closed its output")
        return payload


class Slot:
    """Where a session's module lives: its worker and its handle there (shared with the finalizer)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.handle = 0
        self.generation = -1  # the worker generation ``handle`` belongs to; -1: never loaded
        self.closed = False

    def release(self) -> None:
        """Free the module and, if this was the worker's last session, the worker (no I/O otherwise)."""
        if self.closed:
            return
        self.closed = True
        worker = self.worker
        worker.sessions -= 1
        if worker.sessions <= 0:
            worker.shutdown()
        elif self.generation == worker.generation:
            worker.pending_drops.append((self.generation, self.handle))  # sent with the next request


def stderr_note(lost: WorkerLost) -> str:
    return f"\nworker stderr (tail):\n{lost.stderr}" if lost.stderr else "\n(the worker wrote nothing to stderr)"


def _rebuild_arrays(single: bool, positions: tuple[int, ...], items: list[Any]) -> Any:
    import numpy as np

    for k in positions:
        dtype, shape, data = items[k]
        items[k] = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    return items[0] if single else tuple(items)


def _rebuild_exception(module: str, name: str, message: str, pickled: bytes | None) -> BaseException:
    """The worker's exception, with its own type and message where possible."""
    if pickled is not None:
        try:
            exc = pickle.loads(pickled)
            if isinstance(exc, BaseException):
                return exc
        except Exception:
            pass
    try:
        cls = getattr(importlib.import_module(module), name)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            return cls(message)
    except Exception:
        pass
    return LLVMError(f"{name}: {message}")

"""Length-prefixed messages over a pipe, and waiting for them with a short busy-poll before sleeping.

Session and worker talk in strict request/reply turns that are often only tens of microseconds apart.
A process that sleeps in ``poll()`` for such a message wakes up late, and on a cold core: on the 2-core
virtual machines this project is measured on, that doubled the round trip of a small environment step
(see ``benchmarks/perf/env_bench.py``). Polling without sleeping for a bounded time first removes that
latency. Two rules bound what it costs when the other side is slow: a spin lasts at most
``RL_COMPILER_SPIN_US`` microseconds (default :data:`DEFAULT_SPIN_US`, 0 disables it; the worker's own window
can be set apart with ``RL_COMPILER_WORKER_SPIN_US``), and an adaptive
waiter only spins while messages keep arriving within that window; after a longer wait it sleeps straight
away until a message comes quickly again. Each spin iteration yields the CPU, so spinning never starves a
process that is ready to run, and a process allowed a single CPU never spins. On a machine with more
runnable tasks than CPUs a yield hands the CPU to another task for a whole time slice (milliseconds), so
a spinner answers later than a sleeper that is woken: a waiter whose yield took longer than
:data:`CONTENDED_YIELD` stops spinning and sleeps, and for the next :data:`CONTENDED_BACKOFF` seconds too
unless the yield was under ``RL_COMPILER_QUIET_YIELD_US`` and the machine is not busy (:func:`machine_busy`):
then the yield only ran the peer on this CPU, which wakes the sleeper cheaply, while the next wait may find
the peer on the other CPU, where spinning saves a cross-CPU wake-up (about 100 µs on these VMs). A session
waiting for its worker's reply can be given another threshold (:func:`caller_contended_seconds`, for
side-by-side measurements).

Three more rules apply to the fast lane's waits in ``serve.c`` (a session waiting for a step's reply, the
worker waiting for the next step): ``RL_COMPILER_SPIN_CAP_US`` (:func:`spin_cap_seconds`, default 3,000; 0
for the fixed window) makes the window adapt to the recent waits (a margin over about their 90th percentile,
at most the cap), so that a step longer than 250 µs, or a caller that computes between steps, still finds the
other side spinning; and ``RL_COMPILER_SPIN_ESCAPE`` (:func:`escape_enabled`, default on) makes a waiter
whose long yield ran its peer on a machine that is not busy move to another CPU and spin on, rather than sleep
(this kernel keeps the two on one CPU otherwise), once it has checked that the peer is on its CPU
(``RL_COMPILER_ESCAPE_CHECK``, :func:`escape_checked`, default on); and there a contested yield stops the spin for
``RL_COMPILER_BACKOFF_MIN_US`` (:func:`backoff_min_seconds`, default 20 ms), doubling while contests follow, up
to :data:`CONTENDED_BACKOFF`. The README ("Waiting for the worker") has what they measured.

A message is an 8-byte little-endian length (:data:`HEADER`) followed by that many bytes.
"""

from __future__ import annotations

import io
import os
import select
import struct
import time

HEADER = struct.Struct("<Q")
SPIN_ENV = "RL_COMPILER_SPIN_US"
#: The worker's spin window, when it should differ from the caller's (unset: ``RL_COMPILER_SPIN_US``).
WORKER_SPIN_ENV = "RL_COMPILER_WORKER_SPIN_US"
DEFAULT_SPIN_US = 250.0
_READ_CHUNK = 1 << 16
#: A reader's buffer larger than this (grown for a big message) is dropped once the message is read.
_KEEP_BUFFER = 1 << 22
#: A ``sched_yield`` that returns later than this (seconds) ran another task: the CPU is contested.
CONTENDED_YIELD = 50e-6
#: Seconds without spinning after a contested yield.
CONTENDED_BACKOFF = 1.0
#: The caller's threshold (µs), as the worker's by default. Caller and worker mostly share a CPU, where a
#: caller's yield runs the worker's step for up to its 100 µs slice (``worker.WORKER_SLICE_NS``) and returns
#: before a longer step's reply; a 200 µs threshold (spinning on through such yields) lost side by side on the
#: loaded machine (README, "The cost of crash isolation"): such a yield is handled by the quiet-yield rule
#: (:data:`DEFAULT_QUIET_YIELD_US`) instead.
CALLER_CONTENDED_YIELD_US = 50.0
CALLER_CONTENDED_ENV = "RL_COMPILER_CALLER_CONTENDED_US"


def spin_seconds(worker: bool = False) -> float:
    """The spin window from ``RL_COMPILER_SPIN_US`` (for the worker, ``RL_COMPILER_WORKER_SPIN_US`` first),
    or 0 where spinning cannot help (a single CPU)."""
    name = SPIN_ENV
    if worker and os.environ.get(WORKER_SPIN_ENV, "").strip():
        name = WORKER_SPIN_ENV
    raw = os.environ.get(name)
    try:
        micros = DEFAULT_SPIN_US if raw is None or raw.strip() == "" else float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number of microseconds (0 disables spinning)") from None
    if micros < 0:
        raise ValueError(f"{name}={raw!r}: expected a number of microseconds >= 0")
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return micros * 1e-6 if cpus > 1 else 0.0


QUIET_YIELD_ENV = "RL_COMPILER_QUIET_YIELD_US"
#: A yield over the contested threshold but up to this long (µs) stops the spin for a while only when the
#: machine is busy (more runnable tasks than CPUs in ``/proc/loadavg``); on a quiet machine it ran the peer on
#: this CPU (or the hypervisor held this virtual CPU), and only that wait sleeps, or with the escape rule
#: (:func:`escape_enabled`) moves off the CPU and spins on. 0: every yield over the threshold stops the spin
#: for a second. 200 alone lost at crc32's size in the full quiet runs before issue 19's adaptive windows; with
#: them and the escape rule, 1,000 won in every quiet probe at crc32's size (README, "Waiting for the worker").
DEFAULT_QUIET_YIELD_US = 1000.0


def _micros_env(name: str, default: float) -> float:
    """The environment variable ``name`` (microseconds, >= 0; ``default`` when unset), in seconds."""
    raw = os.environ.get(name, "").strip()
    try:
        micros = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number of microseconds") from None
    if micros < 0:
        raise ValueError(f"{name}={raw!r}: expected a number of microseconds >= 0")
    return micros * 1e-6


def quiet_yield_seconds() -> float:
    """``RL_COMPILER_QUIET_YIELD_US`` (default :data:`DEFAULT_QUIET_YIELD_US`) in seconds: a waiter's yield
    shorter than this stops its spin for a while only when the machine is busy (see :class:`PipeWaiter`)."""
    return _micros_env(QUIET_YIELD_ENV, DEFAULT_QUIET_YIELD_US)


SPIN_CAP_ENV = "RL_COMPILER_SPIN_CAP_US"
#: The longest adaptive spin window (µs): above ``RL_COMPILER_SPIN_US``, the fast lane's waits spin for a
#: margin over the recent waits (the caller: replies' times; the worker: gaps between its reply and the next
#: request), at most this long; at or below it (0), every wait spins for ``RL_COMPILER_SPIN_US``, the rule
#: before issue 19. 3 ms covers the 90th percentile of the built-in programs' steps up to about 10,000
#: instructions; it won against the fixed window in two loaded side-by-side runs (README, "Waiting for the
#: worker").
DEFAULT_SPIN_CAP_US = 3000.0
ESCAPE_ENV = "RL_COMPILER_SPIN_ESCAPE"


def spin_cap_seconds() -> float:
    """``RL_COMPILER_SPIN_CAP_US`` (default :data:`DEFAULT_SPIN_CAP_US`) in seconds: the longest window of the
    fast lane's adaptive spin (``serve.c``); 0 where spinning cannot help (a single CPU)."""
    return _micros_env(SPIN_CAP_ENV, DEFAULT_SPIN_CAP_US) if spin_seconds() else 0.0


def escape_enabled() -> bool:
    """``RL_COMPILER_SPIN_ESCAPE`` (default on; ``0`` turns it off): a fast-lane waiter whose yield ran its
    peer on its CPU (on a machine that is not busy) moves to another CPU and spins on, instead of sleeping."""
    return escape_level() > 0


def escape_level() -> int:
    """``RL_COMPILER_SPIN_ESCAPE`` as a number: 0 off, 1 (default) on, 2 on and a worker that moved off its
    caller's CPU stays off it until the machine gets busy (``serve.c``, ``move_off_cpu``)."""
    raw = os.environ.get(ESCAPE_ENV, "1").strip()
    return 0 if raw in ("0", "") else 2 if raw == "2" else 1


ESCAPE_CHECK_ENV = "RL_COMPILER_ESCAPE_CHECK"


def escape_checked() -> bool:
    """``RL_COMPILER_ESCAPE_CHECK`` (default on; ``0`` turns it off, the rule before): a fast-lane waiter moves
    off its CPU only when its peer process is on that CPU (``serve.c``'s ``rlc_peer_on_cpu``, from ``/proc``), not
    after every long yield: another task or the hypervisor makes long yields too, and the move then put the
    waiter on its peer's CPU, where the two took turns for milliseconds while the other CPU idled."""
    return os.environ.get(ESCAPE_CHECK_ENV, "1").strip() not in ("0", "")


BACKOFF_MIN_ENV = "RL_COMPILER_BACKOFF_MIN_US"
#: The fast lane's first back-off after a contested yield (µs; ``serve.c``'s ``back_off``): the next contest
#: within a second of its end doubles it, up to :data:`CONTENDED_BACKOFF`. 1,000,000 restores the rule before
#: (every contest stops the spin for a second): on the quiet machine a lone long yield (the hypervisor holding a
#: virtual CPU, a task passing through) then put the worker to sleep for the next few thousand steps, each woken
#: from the other CPU (README, "Waiting for the worker": the back-off that grows).
DEFAULT_BACKOFF_MIN_US = 20000.0


def backoff_min_seconds() -> float:
    """``RL_COMPILER_BACKOFF_MIN_US`` (default :data:`DEFAULT_BACKOFF_MIN_US`) in seconds, at most
    :data:`CONTENDED_BACKOFF`: a fast-lane waiter's first back-off after a contested yield."""
    return min(_micros_env(BACKOFF_MIN_ENV, DEFAULT_BACKOFF_MIN_US), CONTENDED_BACKOFF)


def caller_contended_seconds() -> float:
    """The contested-yield threshold of a session waiting for its worker (``RL_COMPILER_CALLER_CONTENDED_US``,
    default :data:`CALLER_CONTENDED_YIELD_US`), in seconds."""
    return _micros_env(CALLER_CONTENDED_ENV, CALLER_CONTENDED_YIELD_US)


_LOADAVG = "/proc/loadavg"
_BUSY_RECHECK = 0.02
_busy = [-1.0, True]  # when last looked up, and whether the machine was busy


def machine_busy() -> bool:
    """Whether more tasks are runnable than there are CPUs (the running count in ``/proc/loadavg``, which
    counts the reader), looked up at most every 20 ms; True where that cannot be read (the plain rule)."""
    now = time.monotonic()
    if now - _busy[0] >= _BUSY_RECHECK:
        try:
            with open(_LOADAVG, "rb") as f:
                running = int(f.read().split()[3].split(b"/")[0])
            _busy[1] = running > (os.cpu_count() or 1)
        except (OSError, IndexError, ValueError):
            _busy[1] = True
        _busy[0] = now
    return _busy[1]


class PipeWaiter:
    """Waits until a file descriptor is readable, spinning briefly first (see the module docstring).

    :param adaptive: spin only while the previous wait ended within the spin window (for a side whose
        peer may be idle for long, e.g. a worker waiting for the next request); otherwise always spin.
    :param spin: the spin window in seconds; default from :func:`spin_seconds`.
    :param contended: seconds after which a yield ran another task; default :data:`CONTENDED_YIELD`.
    :param quiet: a longer yield stops the spin for :data:`CONTENDED_BACKOFF`; a shorter one only when the
        machine is busy (:func:`machine_busy`), else this wait alone sleeps; default :func:`quiet_yield_seconds`.
    """

    def __init__(
        self,
        fd: int,
        adaptive: bool = True,
        spin: float | None = None,
        contended: float | None = None,
        quiet: float | None = None,
    ) -> None:
        self._poller = select.poll()
        self._poller.register(fd, select.POLLIN)
        self.spin = spin_seconds() if spin is None else spin
        self.adaptive = adaptive
        self.contended = contended
        self.quiet = quiet_yield_seconds() if quiet is None else quiet
        self._recent = True  # whether the last message came within the spin window
        self._calm_after = 0.0  # perf_counter() before which not to spin (the CPUs were contested)

    def wait(self, timeout: float | None, checked: bool = False) -> bool:
        """Whether the descriptor became readable (or hung up) within ``timeout`` seconds (None: forever).

        :param checked: the caller has just found nothing to read: skip the first, immediate poll.
        """
        poll = self._poller.poll
        if not checked and poll(0):
            self._recent = True
            return True
        start = time.perf_counter()
        if self.spin and self._recent and start >= self._calm_after:
            end = start + (self.spin if timeout is None else min(self.spin, timeout))
            now = start
            while now < end:
                os.sched_yield()
                if poll(0):
                    return True
                before, now = now, time.perf_counter()
                took = now - before
                if took > (CONTENDED_YIELD if self.contended is None else self.contended):
                    # The yield ran another task: sleep instead. If the CPUs are contested (a spinner queues
                    # behind the others at every yield), for a while; a shorter yield on a machine that is
                    # not busy ran the peer on this CPU, which wakes us cheaply: sleep this time only.
                    if took > self.quiet or machine_busy():
                        self._calm_after = now + CONTENDED_BACKOFF
                    break
        remaining = None if timeout is None else max(0.0, timeout - (time.perf_counter() - start))
        ready = bool(poll(None if remaining is None else remaining * 1000))
        self._recent = not self.adaptive or time.perf_counter() - start < self.spin
        return ready


class MessageReader:
    """Reads length-prefixed messages from a pipe, taking whatever is available in one ``read``.

    The descriptor is made non-blocking: a reply that is already there is read at once, without a
    ``poll`` first (each system call costs microseconds on a virtual machine). Bytes arrive into one
    reused buffer; bytes beyond the current message are kept for the next one.
    """

    def __init__(
        self, fd: int, adaptive: bool = True, spin: float | None = None, contended: float | None = None
    ) -> None:
        os.set_blocking(fd, False)
        self._file = io.FileIO(fd, "rb", closefd=False)
        self._waiter = PipeWaiter(fd, adaptive=adaptive, spin=spin, contended=contended)
        self._buffer = bytearray(_READ_CHUNK)
        self._start = self._end = 0  # the unread bytes are _buffer[_start:_end]

    def read(self, timeout: float | None = None) -> bytes | None:
        """The next message, or None if the writer closed the pipe first.

        :raises TimeoutError: no complete message within ``timeout`` seconds (None: wait forever).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            buffer, start, end = self._buffer, self._start, self._end
            needed = HEADER.size
            if end - start >= HEADER.size:
                needed += HEADER.unpack_from(buffer, start)[0]
                if end - start >= needed:
                    message = bytes(memoryview(buffer)[start + HEADER.size : start + needed])
                    self._start = start + needed
                    if self._start == end:
                        self._start = self._end = 0
                        if len(buffer) > _KEEP_BUFFER:  # after a huge message: do not hold on to its memory
                            self._buffer = bytearray(_READ_CHUNK)
                    return message
            if len(buffer) - start < max(needed, _READ_CHUNK // 2):  # make room: compact, or grow
                grown = bytearray(max(len(buffer), needed + _READ_CHUNK))
                grown[: end - start] = memoryview(buffer)[start:end]
                self._buffer, self._start, self._end = grown, 0, end - start
                continue
            got = self._file.readinto(memoryview(buffer)[end:])
            if got is None:  # nothing there yet
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0 or not self._waiter.wait(remaining, checked=True):
                    raise TimeoutError(f"no complete message within {timeout:g} s")
                continue
            if not got:
                return None
            self._end = end + got


#: ``fcntl`` command to resize a pipe (Linux); the default 64 KiB buffer splits larger replies (a graph,
#: IR text) into several writer/reader hand-offs, each of which can cost a process wake-up.
_F_SETPIPE_SZ = 1031
PIPE_BYTES = 1 << 20


def enlarge_pipe(fd: int, size: int = PIPE_BYTES) -> None:
    """Ask Linux for a ``size``-byte buffer on the pipe ``fd`` (best effort: elsewhere, or above the
    system's ``pipe-max-size`` for an unprivileged user, the pipe keeps its size)."""
    try:
        import fcntl

        fcntl.fcntl(fd, _F_SETPIPE_SZ, size)
    except (ImportError, OSError):
        pass


def frame(payload: bytes) -> bytes:
    """``payload`` as one message: its length, then itself."""
    return HEADER.pack(len(payload)) + payload

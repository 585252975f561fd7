"""LLVM's MLGO interactive channel: drive ``llc``'s eviction advisor or ``opt``'s inliner over named pipes.

With ``-regalloc-evict-interactive-channel-base=BASE`` (llc) or ``-inliner-interactive-channel-base=BASE``
(opt) the compiler writes a JSON header, then ``{"context":...}`` lines and ``{"observation":N}`` lines each
followed by the raw tensor bytes, to ``BASE.out``; after every observation it blocks until it has read exactly
``advice.nbytes`` bytes from ``BASE.in``. See ``reference/mlgo-interactive.md`` for the protocol and pitfalls.

:class:`InteractiveCompilation` is one compiler process on one module, with the hygiene that protocol needs:

* a private temporary directory per process holds both FIFOs, the stderr file and the outputs; it is removed
  by :meth:`~InteractiveCompilation.close`, by garbage collection and at interpreter exit;
* the compiler runs in its own process group, with ``PR_SET_PDEATHSIG=SIGKILL`` (set from a long-lived
  spawner thread, because the signal fires when the *thread* that forked dies), so a dying host never
  leaves an ``llc`` spinning on a closed pipe (pitfall 7); every error path kills the whole group;
* the FIFOs are opened in an order that cannot deadlock whichever order the compiler uses (``.out`` for
  reading non-blockingly first, then ``.in`` for writing polled non-blockingly while the child is alive),
  so a compiler that never opens the channel is noticed (pitfalls 1, 2, 16);
* reads use ``poll`` with timeouts and byte counts from the header, never newline splitting (pitfall 10);
* advice is written as exactly ``advice.nbytes`` bytes of the advice dtype (pitfall 4);
* stderr goes to a file (pitfall 3), and the exit status is checked before any output is trusted (pitfall 9).

This module knows nothing of Gymnasium; the environments live in ``rl_compiler.envs``.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import errno
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.tempdirs import make_private_dir, private_dir

#: C type names the header uses -> numpy dtypes (native byte order, as the compiler writes them).
_DTYPES = {
    "float": np.float32,
    "double": np.float64,
    "int8_t": np.int8,
    "uint8_t": np.uint8,
    "int16_t": np.int16,
    "uint16_t": np.uint16,
    "int32_t": np.int32,
    "uint32_t": np.uint32,
    "int64_t": np.int64,
    "uint64_t": np.uint64,
}

REGALLOC_CHANNEL_OPTION = "-regalloc-evict-interactive-channel-base"
INLINER_CHANNEL_OPTION = "-inliner-interactive-channel-base"
STDERR_TAIL_CHARS = 4000


class MLGOError(LLVMError):
    """Base class of errors of the MLGO interactive channel."""


class ChannelProtocolError(MLGOError):
    """The compiler sent something that does not follow the interactive protocol."""


class NoDecisionsError(MLGOError):
    """The compiler finished the module without asking a single decision (nothing for a policy to do)."""


class ChannelNotOpenedError(NoDecisionsError):
    """The compiler exited without ever opening the channel (e.g. -O0, optnone, no eligible function)."""


class ChannelTimeoutError(MLGOError, TimeoutError):
    """The compiler did not open the channel, send an observation, or exit within the timeout."""


class CompilerCrashError(MLGOError):
    """The compiler exited with a non-zero status or a signal; its output must not be trusted."""

    def __init__(self, message: str, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class ChannelClosedError(MLGOError):
    """The compilation was closed (or already finished) and cannot be used any more."""


# --------------------------------------------------------------------------------------------------
# Header: tensor specs


@dataclass(frozen=True)
class TensorSpec:
    """One tensor of the protocol: its name, numpy dtype and shape as the header declares them."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        """Number of bytes on the wire."""
        return self.size * self.dtype.itemsize

    @classmethod
    def from_json(cls, spec: dict) -> TensorSpec:
        """Parse ``{"name":..., "type":"int64_t", "shape":[1,33]}``."""
        try:
            name, type_name, shape = spec["name"], spec["type"], spec["shape"]
        except (KeyError, TypeError) as error:
            raise ChannelProtocolError(f"tensor spec {spec!r} lacks name, type or shape") from error
        if type_name not in _DTYPES:
            raise ChannelProtocolError(
                f"tensor {name!r} has unknown type {type_name!r}; known: {', '.join(_DTYPES)}"
            )
        return cls(name=name, dtype=np.dtype(_DTYPES[type_name]), shape=tuple(int(d) for d in shape))

    def to_json(self) -> dict:
        type_name = next(k for k, v in _DTYPES.items() if np.dtype(v) == self.dtype)
        return {"name": self.name, "type": type_name, "shape": list(self.shape)}


@dataclass(frozen=True)
class ChannelSpec:
    """What the compiler's header declares: the feature tensors (in wire order) and the advice tensor."""

    features: tuple[TensorSpec, ...]
    advice: TensorSpec
    offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)
    observation_nbytes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        offsets, total = [], 0
        for feature in self.features:
            offsets.append(total)
            total += feature.nbytes
        object.__setattr__(self, "offsets", tuple(offsets))
        object.__setattr__(self, "observation_nbytes", total)

    @classmethod
    def from_header(cls, header: bytes | str | dict) -> ChannelSpec:
        """Parse the header line ``{"features":[...],"advice":{...}}``."""
        try:
            data = header if isinstance(header, dict) else json.loads(header)
            features = tuple(TensorSpec.from_json(spec) for spec in data["features"])
            advice = TensorSpec.from_json(data["advice"])
        except (ValueError, KeyError, TypeError) as error:
            raise ChannelProtocolError(f"malformed MLGO header {str(header)[:300]!r}: {error}") from error
        if not features:
            raise ChannelProtocolError("MLGO header declares no features")
        return cls(features=features, advice=advice)

    def to_json(self) -> dict:
        return {"features": [f.to_json() for f in self.features], "advice": self.advice.to_json()}

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def feature(self, name: str) -> TensorSpec:
        """The spec of feature ``name``."""
        for spec in self.features:
            if spec.name == name:
                return spec
        raise KeyError(f"feature {name!r} not in the header; features: {', '.join(self.feature_names)}")

    def tensors(self, blob: bytes) -> dict[str, np.ndarray]:
        """Split an observation's raw bytes into flat (1-D) read-only arrays, one per feature."""
        return {
            spec.name: np.frombuffer(blob, dtype=spec.dtype, count=spec.size, offset=offset)
            for spec, offset in zip(self.features, self.offsets, strict=True)
        }

    def advice_bytes(self, value: int | float) -> bytes:
        """Encode one advice value as exactly ``advice.nbytes`` bytes in the advice dtype."""
        data = np.full(self.advice.shape or (1,), value, dtype=self.advice.dtype).tobytes()
        if len(data) != self.advice.nbytes:
            raise ChannelProtocolError(
                f"advice {value!r} encodes to {len(data)} bytes, expected {self.advice.nbytes}"
            )
        return data


@dataclass
class Observation:
    """One decision the compiler asks for: its function (context), its index there, and its raw bytes."""

    context: str
    index: int
    blob: bytes


# --------------------------------------------------------------------------------------------------
# Spawning with the parent-death signal and a process group

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_spawner: concurrent.futures.ThreadPoolExecutor | None = None
_spawner_lock = threading.Lock()
_live: weakref.WeakSet = weakref.WeakSet()


def _set_parent_death_signal() -> None:  # runs in the child between fork and exec
    prctl = getattr(_libc, "prctl", None)  # Linux only; elsewhere atexit and close() remain
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent already died before prctl took effect
        os._exit(1)


def _reset_spawner_after_fork() -> None:
    global _spawner
    _spawner = None


os.register_at_fork(after_in_child=_reset_spawner_after_fork)


def _spawner_pool() -> concurrent.futures.ThreadPoolExecutor:
    # PR_SET_PDEATHSIG fires when the thread that forked exits, so fork from one thread that lives as long
    # as the process, not from whatever (maybe short-lived) thread created the environment.
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="rl-compiler-spawn"
            )
        return _spawner


def spawn(argv: Sequence[str], stderr_path: Path, cwd: Path | None = None) -> subprocess.Popen:
    """Start ``argv`` in its own process group, stderr to a file; the kernel kills it if this process dies."""

    def start() -> subprocess.Popen:
        with open(stderr_path, "wb") as stderr:
            return subprocess.Popen(
                [str(a) for a in argv],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_set_parent_death_signal,
                close_fds=True,
            )

    try:
        return _spawner_pool().submit(start).result()
    except RuntimeError:  # interpreter shutting down: the pool refuses work; spawn from this thread
        return start()


def kill_process_group(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGKILL the process's whole group (it leads its own session) and reap it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)


def _read_tail(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - STDERR_TAIL_CHARS))
            return file.read().decode(errors="replace").strip()
    except OSError:
        return ""


def describe_returncode(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def run_compiler(argv: Sequence[str], timeout: float = 600.0) -> None:
    """Run a (non-interactive) compiler command to completion with the same hygiene; raise on failure."""
    with private_dir("run") as tmp:
        stderr_path = Path(tmp) / "stderr.txt"
        process = spawn(argv, stderr_path)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            kill_process_group(process)
            raise ChannelTimeoutError(
                f"{Path(argv[0]).name} did not finish within {timeout:.0f} s"
            ) from error
        except BaseException:
            kill_process_group(process)
            raise
        if returncode != 0:
            stderr = _read_tail(stderr_path)
            raise CompilerCrashError(
                f"{' '.join(map(str, argv))} failed ({describe_returncode(returncode)}): {stderr[-1500:]}",
                returncode,
                stderr,
            )


# --------------------------------------------------------------------------------------------------
# One interactive compilation


def _cleanup(state: dict) -> None:
    """Kill the compiler, close the FIFO descriptors and remove the private directory (idempotent)."""
    process = state.get("process")
    if process is not None:
        kill_process_group(process)  # before closing the FIFOs: llc spins on EOF otherwise (pitfall 7)
    for key in ("read_fd", "write_fd"):
        fd = state.pop(key, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
    workdir = state.pop("workdir", None)
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


class InteractiveCompilation:
    """One compiler process driven through the MLGO interactive channel.

    Usage::

        with InteractiveCompilation() as c:
            c.start([llc, "-O2", ..., "-o", c.path("out.o"), "in.bc"], REGALLOC_CHANNEL_OPTION)
            spec = c.spec
            while (obs := c.next_observation()) is not None:
                c.send(policy(spec.tensors(obs.blob)))
            c.finish()                      # raises CompilerCrashError unless the exit status is 0
            data = c.path("out.o").read_bytes()

    :param startup_timeout: seconds to wait for the channel to open and the header plus first message to
        arrive (the compiler runs all IR passes before its first decision).
    :param decision_timeout: seconds to wait for any later message or for the exit after EOF.
    """

    def __init__(self, startup_timeout: float = 600.0, decision_timeout: float = 120.0) -> None:
        self.startup_timeout = startup_timeout
        self.decision_timeout = decision_timeout
        self.workdir = make_private_dir("mlgo")
        self._state: dict = {"workdir": self.workdir}
        self._finalizer = weakref.finalize(self, _cleanup, self._state)
        self._buffer = bytearray()
        self._pos = 0
        self._poller: select.poll | None = None
        self._spec: ChannelSpec | None = None
        self._context = ""
        self._eof = False
        self._received = False
        self._awaiting_advice = False
        self.decisions = 0
        self.argv: list[str] = []
        self.returncode: int | None = None
        _live.add(self)

    # ---- paths and state

    def path(self, name: str) -> Path:
        """A file in the compilation's private directory (for outputs such as the object or remarks)."""
        return self.workdir / name

    @property
    def base(self) -> Path:
        return self.workdir / "channel"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "stderr.txt"

    @property
    def process(self) -> subprocess.Popen | None:
        return self._state.get("process")

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None else None

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    @property
    def spec(self) -> ChannelSpec:
        """The header the compiler sent (available after :meth:`start` returned)."""
        if self._spec is None:
            raise ChannelProtocolError("no header received yet")
        return self._spec

    @property
    def context(self) -> str:
        """The current function (context) name."""
        return self._context

    def stderr(self) -> str:
        """The tail of the compiler's stderr."""
        return _read_tail(self.stderr_path)

    def _check_open(self) -> None:
        if self.closed:
            raise ChannelClosedError("this compilation was closed; start a new one")

    # ---- start

    def start(self, argv: Sequence[str], channel_option: str) -> ChannelSpec | None:
        """Create the FIFOs, spawn ``argv + [channel_option=BASE]``, open the channel and read the header.

        Returns the header's spec, or ``None`` if the compiler exited successfully without opening the
        channel (no function reached the advisor); raises :class:`CompilerCrashError` if it failed
        before opening it and :class:`ChannelTimeoutError` if nothing happened within ``startup_timeout``.
        """
        self._check_open()
        if self.process is not None:
            raise MLGOError("start() was already called on this compilation")
        base = self.base
        os.mkfifo(f"{base}.in", 0o600)
        os.mkfifo(f"{base}.out", 0o600)
        self.argv = [str(a) for a in argv] + [f"{channel_option}={base}"]
        # Open our read end first, non-blocking: it succeeds at once, so a compiler that opens .out before
        # .in does not block, and poll() reports nothing until a writer has connected and written.
        self._state["read_fd"] = os.open(f"{base}.out", os.O_RDONLY | os.O_NONBLOCK)
        self._poller = select.poll()
        self._poller.register(self._state["read_fd"], select.POLLIN | select.POLLHUP | select.POLLERR)
        try:
            self._state["process"] = spawn(self.argv, self.stderr_path, cwd=self.workdir)
            deadline = time.monotonic() + self.startup_timeout
            if not self._open_inbound(deadline):
                return None
            line = self._read_line(deadline)
            if line is None:
                self._finish_eof()
                raise ChannelProtocolError(
                    "the compiler opened the channel but closed it before sending a header"
                )
            self._spec = ChannelSpec.from_header(line)
            return self._spec
        except BaseException:
            self.close()
            raise

    def _open_inbound(self, deadline: float) -> bool:
        """Open ``BASE.in`` for writing once the compiler opened it for reading; False if it never will."""
        delay = 50e-6
        while True:
            try:
                fd = os.open(f"{self.base}.in", os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
            else:
                os.set_blocking(fd, True)
                self._state["write_fd"] = fd
                return True
            returncode = self.process.poll()
            if returncode is not None:
                self.returncode = returncode
                if returncode != 0:
                    raise self._crash("before opening the channel")
                self._eof = True
                return False
            if time.monotonic() > deadline:
                raise ChannelTimeoutError(
                    f"{Path(self.argv[0]).name} did not open the MLGO channel "
                    f"within {self.startup_timeout:.0f} s"
                )
            time.sleep(delay)
            delay = min(delay * 2, 5e-3)

    # ---- reading

    def _fill(self, deadline: float) -> bool:
        """Read more bytes into the buffer; False at EOF."""
        fd = self._state["read_fd"]
        delay = 50e-6
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChannelTimeoutError(
                        f"{Path(self.argv[0]).name} sent nothing for too long "
                        f"(after {self.decisions} decisions, in function {self._context!r})"
                    ) from None
                self._poller.poll(min(remaining, 1.0) * 1000.0)
                continue
            if not chunk:
                # Before the compiler's first byte, EOF only means "no writer yet" (it may open .in first
                # and .out later): wait while it is alive. After that, EOF is the end of the stream.
                if self._received or self.process.poll() is not None:
                    return False
                if time.monotonic() > deadline:
                    raise ChannelTimeoutError(
                        f"{Path(self.argv[0]).name} opened the channel's inbound pipe but never wrote to it"
                    )
                time.sleep(delay)
                delay = min(delay * 2, 5e-3)
                continue
            self._received = True
            if self._pos:
                del self._buffer[: self._pos]
                self._pos = 0
            self._buffer += chunk
            return True

    def _read_line(self, deadline: float) -> bytes | None:
        while True:
            end = self._buffer.find(b"\n", self._pos)
            if end >= 0:
                line = bytes(self._buffer[self._pos : end])
                self._pos = end + 1
                return line
            if not self._fill(deadline):
                return None

    def _read_exact(self, nbytes: int, deadline: float) -> bytes | None:
        while len(self._buffer) - self._pos < nbytes:
            if not self._fill(deadline):
                return None
        data = bytes(self._buffer[self._pos : self._pos + nbytes])
        self._pos += nbytes
        return data

    def next_observation(self) -> Observation | None:
        """The next decision to make, or ``None`` when the compiler finished (call :meth:`finish` then)."""
        self._check_open()
        if self._awaiting_advice:
            raise MLGOError("send() the advice for the previous observation before reading the next one")
        if self._eof:
            return None
        timeout = self.startup_timeout if self.decisions == 0 else self.decision_timeout
        deadline = time.monotonic() + timeout
        try:
            while True:
                line = self._read_line(deadline)
                if line is None:
                    if self._pos != len(self._buffer):
                        raise ChannelProtocolError(
                            f"stream ended inside a message: {self._buffer[self._pos :][:80]!r}"
                        )
                    self._eof = True
                    return None
                if line.startswith(b'{"observation":'):
                    index = int(line[15:-1])
                    spec = self._spec
                    blob = self._read_exact(spec.observation_nbytes + 1, deadline)
                    if blob is None:
                        self._eof = True
                        raise self._crash("in the middle of an observation", protocol=True)
                    if blob[-1:] != b"\n":
                        raise ChannelProtocolError(f"observation {index} is not followed by a newline")
                    self._awaiting_advice = True
                    return Observation(self._context, index, blob[:-1])
                message = json.loads(line)
                if "context" in message:
                    self._context = str(message["context"])
                elif "observation" not in message:  # e.g. {"outcome":...} never appears in interactive mode
                    raise ChannelProtocolError(f"unexpected message from the compiler: {line[:200]!r}")
        except (ValueError, ChannelProtocolError) as error:
            self.close()
            if isinstance(error, ChannelProtocolError):
                raise
            raise ChannelProtocolError(f"malformed message from the compiler: {error}") from error
        except BaseException:
            self.close()
            raise

    # ---- writing

    def send(self, value: int | float) -> None:
        """Answer the current observation with one advice value (exactly ``advice.nbytes`` bytes)."""
        self._check_open()
        if not self._awaiting_advice:
            raise MLGOError("no observation is waiting for advice")
        data = self.spec.advice_bytes(value)
        try:
            written = os.write(self._state["write_fd"], data)  # <= PIPE_BUF: atomic, never partial
        except BrokenPipeError:
            self.process.wait(timeout=self.decision_timeout)
            error = self._crash("while receiving advice")
            self.close()
            raise error from None
        except BaseException:
            self.close()
            raise
        if written != len(data):
            self.close()
            raise ChannelProtocolError(f"short write of advice: {written} of {len(data)} bytes")
        self._awaiting_advice = False
        self.decisions += 1

    # ---- end

    def finish(self) -> int:
        """Wait for the compiler to exit after EOF and check its status; raise unless it is 0."""
        self._check_open()
        if not self._eof:
            raise MLGOError(
                "the compiler has not finished: read observations until next_observation() is None"
            )
        return self._finish_eof()

    def _finish_eof(self) -> int:
        process = self.process
        try:
            self.returncode = process.wait(timeout=self.decision_timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise ChannelTimeoutError(
                f"{Path(self.argv[0]).name} closed the channel but did not exit "
                f"within {self.decision_timeout:.0f} s"
            ) from None
        if self.returncode != 0:
            error = self._crash("")
            self.close()
            raise error
        return self.returncode

    def _crash(self, where: str, protocol: bool = False) -> MLGOError:
        process = self.process
        returncode = process.poll() if process is not None else None
        if returncode is None and process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                returncode = process.wait(timeout=self.decision_timeout)
        self.returncode = returncode
        stderr = self.stderr()
        status = describe_returncode(returncode) if returncode is not None else "still running"
        tool = Path(self.argv[0]).name if self.argv else "compiler"
        message = f"{tool} failed {where} ({status}) after {self.decisions} decisions".replace("  ", " ")
        if self._context:
            message += f", in function {self._context!r}"
        if stderr:
            message += f"; stderr:\n{stderr[-1500:]}"
        if protocol and returncode == 0:
            return ChannelProtocolError(message)
        return CompilerCrashError(message, returncode, stderr)

    def close(self) -> None:
        """Kill the compiler's process group if it still runs, close the FIFOs and remove the directory."""
        process = self.process
        if process is not None and self.returncode is None:
            self.returncode = process.poll()
        self._finalizer()

    def __enter__(self) -> InteractiveCompilation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@atexit.register
def _close_all() -> None:
    for compilation in list(_live):
        compilation.close()


# --------------------------------------------------------------------------------------------------
# Results: remarks and object sizes

#: Weights of MLGO's RegAllocScore applied to greedy's SpillReloadCopies costs.
SPILL_WEIGHT, RELOAD_WEIGHT, COPY_WEIGHT = 1.0, 4.0, 0.2

_REMARK_FIELDS = {
    "NumSpills": "spills",
    "NumFoldedSpills": "folded_spills",
    "NumReloads": "reloads",
    "NumFoldedReloads": "folded_reloads",
    "NumVRCopies": "copies",
    "TotalSpillsCost": "spill_cost",
    "TotalFoldedSpillsCost": "folded_spill_cost",
    "TotalReloadsCost": "reload_cost",
    "TotalFoldedReloadsCost": "folded_reload_cost",
    "TotalCopiesCost": "copy_cost",
}
_ARG_RE = re.compile(r"^\s*-\s*(\w+):\s*'?([^']*)'?\s*$")


@dataclass
class RegallocStats:
    """Greedy's ``SpillReloadCopies`` remark of one function (all zero if it emitted none)."""

    spills: int = 0
    folded_spills: int = 0
    reloads: int = 0
    folded_reloads: int = 0
    copies: int = 0
    spill_cost: float = 0.0
    folded_spill_cost: float = 0.0
    reload_cost: float = 0.0
    folded_reload_cost: float = 0.0
    copy_cost: float = 0.0

    @property
    def score(self) -> float:
        """1*spill cost + 4*reload cost + 0.2*copy cost (block-frequency weighted; lower is better)."""
        return (
            SPILL_WEIGHT * (self.spill_cost + self.folded_spill_cost)
            + RELOAD_WEIGHT * (self.reload_cost + self.folded_reload_cost)
            + COPY_WEIGHT * self.copy_cost
        )

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in _REMARK_FIELDS.values()}
        data["score"] = self.score
        return data


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else json.loads(value)
    return value


def parse_regalloc_remarks(text: str) -> dict[str, RegallocStats]:
    """Per-function stats from a ``-pass-remarks-output`` YAML of greedy (``SpillReloadCopies`` only).

    A line-based reader of the fixed layout LLVM writes (a YAML library is ~100x slower on MBs of remarks).
    Functions without spills, reloads or copies emit no remark and are absent: count them as zero.
    """
    stats: dict[str, RegallocStats] = {}
    for document in text.split("\n--- "):
        if (
            "\nName:            SpillReloadCopies\n" not in document
            and "\nName: SpillReloadCopies\n" not in document
        ):
            continue
        function = None
        record = RegallocStats()
        for line in document.splitlines():
            if line.startswith("Function:"):
                function = _unquote(line[len("Function:") :])
                continue
            match = _ARG_RE.match(line)
            if match and match.group(1) in _REMARK_FIELDS:
                name = _REMARK_FIELDS[match.group(1)]
                setattr(record, name, float(match.group(2)) if "cost" in name else int(match.group(2)))
        if function is None:
            raise ChannelProtocolError(
                f"SpillReloadCopies remark without a Function field: {document[:200]!r}"
            )
        stats[function] = record
    return stats


def text_size(obj: bytes) -> int:
    """Total size of the executable (SHF_EXECINSTR) sections of an ELF object: its ``.text`` bytes."""
    if obj[:4] != b"\x7fELF":
        raise ValueError("not an ELF object file")
    is64 = obj[4] == 2
    endian = "<" if obj[5] == 1 else ">"
    if is64:
        (shoff,) = struct.unpack_from(endian + "Q", obj, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", obj, 0x3A)
    else:
        (shoff,) = struct.unpack_from(endian + "I", obj, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", obj, 0x2E)
    total = 0
    for i in range(shnum):
        base = shoff + i * shentsize
        if is64:
            sh_type, sh_flags = struct.unpack_from(endian + "IQ", obj, base + 4)
            (sh_size,) = struct.unpack_from(endian + "Q", obj, base + 0x20)
        else:
            sh_type, sh_flags = struct.unpack_from(endian + "II", obj, base + 4)
            (sh_size,) = struct.unpack_from(endian + "I", obj, base + 0x14)
        if sh_type == 1 and sh_flags & 0x4:  # SHT_PROGBITS and SHF_EXECINSTR
            total += sh_size
    return total


# --------------------------------------------------------------------------------------------------
# Probing the header a toolchain sends (spaces must be fixed before the first real episode)

#: A small C program whose functions reach both advisors: live values across a loop (evictions) and
#: small static helpers called from several places (inlining decisions).
PROBE_SOURCE = r"""
static long mix(long a, long b) { return (a ^ (b << 3)) + (b >> 2); }
long probe(long *a, long n) {
  long s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5, s6 = 6, s7 = 7, s8 = 8, s9 = 9, s10 = 10, s11 = 11;
  long s12 = 12, s13 = 13, s14 = 14, s15 = 15;
  for (long i = 0; i < n; i++) {
    long x = a[i];
    s0 += x * s15; s1 ^= x + s0; s2 += s1 * x; s3 -= s2 ^ x; s4 += s3 * s0; s5 ^= s4 + x; s6 += s5 * s1;
    s7 -= s6 ^ s2; s8 += s7 * s3; s9 ^= s8 + s4; s10 += s9 * s5; s11 -= s10 ^ s6; s12 += s11 * s7;
    s13 ^= s12 + s8; s14 += s13 * s9; s15 -= s14 ^ s10;
    a[i] = mix(s0 + s1 + s2 + s3, s4 + s5 + s6 + s7);
  }
  return mix(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7, s8 + s9 + s10 + s11 + s12 + s13 + s14 + s15);
}
"""

REGALLOC_FLAGS = ("-O2", "-regalloc-enable-advisor=release")
INLINER_FLAGS = ("-enable-ml-inliner=release", "-inliner-interactive-include-default")


def probe_spec(kind: str, toolchain=None) -> ChannelSpec:
    """The header ``llc`` (``kind="regalloc"``) or ``opt`` (``kind="inliner"``) of a toolchain sends.

    Compiles :data:`PROBE_SOURCE` once, reads the header and kills the compiler; cached in memory and on
    disk per toolchain id, so an environment's spaces cost one compile per toolchain, ever.
    """
    from rl_compiler.llvm.cache import atomic_write_text, cache_dir
    from rl_compiler.llvm.toolchain import get_toolchain

    if kind not in ("regalloc", "inliner"):
        raise ValueError(f"unknown MLGO channel kind {kind!r}; expected 'regalloc' or 'inliner'")
    toolchain = toolchain or get_toolchain()
    key = (kind, toolchain.id)
    if key in _probe_cache:
        return _probe_cache[key]
    cached = cache_dir("mlgo", toolchain.id) / f"{kind}-header.json"
    if cached.exists():
        spec = ChannelSpec.from_header(cached.read_text())
    else:
        with InteractiveCompilation(startup_timeout=120.0) as compilation:
            source = compilation.path("probe.c")
            source.write_text(PROBE_SOURCE)
            bitcode = compilation.path("probe.bc")
            run_compiler(
                [
                    toolchain.clang,
                    "-O2",
                    "-Xclang",
                    "-disable-llvm-passes",
                    "-c",
                    "-emit-llvm",
                    source,
                    "-o",
                    bitcode,
                ]
            )
            if kind == "regalloc":
                argv = [toolchain.llc, *REGALLOC_FLAGS, "-filetype=obj", "-o", "/dev/null", bitcode]
                option = REGALLOC_CHANNEL_OPTION
            else:
                argv = [toolchain.opt, "-passes=default<O2>", *INLINER_FLAGS, "-o", "/dev/null", bitcode]
                option = INLINER_CHANNEL_OPTION
            spec = compilation.start(argv, option)
            if spec is None:
                raise ChannelNotOpenedError(
                    f"the probe module never opened the {kind} channel of LLVM {toolchain.version}"
                )
        atomic_write_text(cached, json.dumps(spec.to_json()))
    _probe_cache[key] = spec
    return spec


_probe_cache: dict[tuple[str, str], ChannelSpec] = {}

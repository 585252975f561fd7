"""One compiler process driven through the MLGO interactive channel (:class:`InteractiveCompilation`),
and :func:`run_compiler` for a compiler run to completion with the same hygiene.

See :mod:`rl_compiler.llvm.mlgo` for the protocol and the hygiene it needs.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import json
import os
import select
import shutil
import subprocess
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

from rl_compiler.llvm.errors import (
    ChannelClosedError,
    ChannelProtocolError,
    ChannelTimeoutError,
    CompilerCrashError,
    MLGOError,
)
from rl_compiler.llvm.mlgo.spec import ChannelSpec, Observation
from rl_compiler.llvm.processes import describe_returncode, kill_group, read_tail, spawn
from rl_compiler.llvm.tempdirs import make_private_dir, private_dir

#: Characters of a compiler's stderr quoted in errors.
STDERR_TAIL_CHARS = 4000
_live: weakref.WeakSet = weakref.WeakSet()


def _spawn_compiler(argv: Sequence[str], stderr_path: Path, cwd: Path | None = None) -> subprocess.Popen:
    """Start a compiler with stdin/stdout closed and stderr to a file (see :func:`processes.spawn`)."""
    with open(stderr_path, "wb") as stderr:
        return spawn(argv, stderr=stderr, cwd=cwd)


#: The first pause while waiting for the compiler; each next one doubles, up to ``MAX_PAUSE``: a short wait
#: costs little latency, a long one little CPU.
FIRST_PAUSE = 50e-6
MAX_PAUSE = 5e-3


def _pause(delay: float, deadline: float, message: str) -> float:
    """Sleep ``delay`` seconds before polling again (or raise ``ChannelTimeoutError(message)`` once past
    ``deadline``); return the next, doubled, delay."""
    if time.monotonic() > deadline:
        raise ChannelTimeoutError(message)
    time.sleep(delay)
    return min(delay * 2, MAX_PAUSE)


def run_compiler(argv: Sequence[str], timeout: float = 600.0) -> None:
    """Run a (non-interactive) compiler command to completion with the same hygiene; raise on failure."""
    with private_dir("run") as tmp:
        stderr_path = Path(tmp) / "stderr.txt"
        process = _spawn_compiler(argv, stderr_path)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            kill_group(process)
            raise ChannelTimeoutError(f"{Path(argv[0]).name} did not finish within {timeout:.0f} s") from error
        except BaseException:
            kill_group(process)
            raise
        if returncode != 0:
            stderr = read_tail(stderr_path, STDERR_TAIL_CHARS)
            raise CompilerCrashError(
                f"{' '.join(map(str, argv))} failed ({describe_returncode(returncode)}): {stderr[-1500:]}",
                returncode,
                stderr,
            )


def _cleanup(state: dict) -> None:
    """Kill the compiler, close the FIFO descriptors and remove the private directory (idempotent)."""
    process = state.get("process")
    if process is not None:
        kill_group(process)  # before closing the FIFOs: llc spins on EOF otherwise (pitfall 7)
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
        return read_tail(self.stderr_path, STDERR_TAIL_CHARS)

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
            self._state["process"] = _spawn_compiler(self.argv, self.stderr_path, cwd=self.workdir)
            deadline = time.monotonic() + self.startup_timeout
            if not self._open_inbound(deadline):
                return None
            line = self._read_line(deadline)
            if line is None:
                self._finish_eof()
                raise ChannelProtocolError("the compiler opened the channel but closed it before sending a header")
            self._spec = ChannelSpec.from_header(line)
            return self._spec
        except BaseException:
            self.close()
            raise

    def _open_inbound(self, deadline: float) -> bool:
        """Open ``BASE.in`` for writing once the compiler opened it for reading; False if it never will."""
        delay = FIRST_PAUSE
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
            delay = _pause(
                delay,
                deadline,
                f"{Path(self.argv[0]).name} did not open the MLGO channel within {self.startup_timeout:.0f} s",
            )

    # ---- reading

    def _fill(self, deadline: float) -> bool:
        """Read more bytes into the buffer; False at EOF."""
        fd = self._state["read_fd"]
        delay = FIRST_PAUSE
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
                delay = _pause(
                    delay,
                    deadline,
                    f"{Path(self.argv[0]).name} opened the channel's inbound pipe but never wrote to it",
                )
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
                        raise ChannelProtocolError(f"stream ended inside a message: {self._buffer[self._pos :][:80]!r}")
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
            raise MLGOError("the compiler has not finished: read observations until next_observation() is None")
        return self._finish_eof()

    def _finish_eof(self) -> int:
        process = self.process
        try:
            self.returncode = process.wait(timeout=self.decision_timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise ChannelTimeoutError(
                f"{Path(self.argv[0]).name} closed the channel but did not exit within {self.decision_timeout:.0f} s"
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

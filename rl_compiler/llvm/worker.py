"""The worker process that holds modules for :class:`rl_compiler.llvm.session.Session`.

Started by the session layer (:data:`rl_compiler.llvm.worker_client.WORKER_BOOT`), never by hand. The worker reads
requests from its stdin and writes replies to its stdout; each message is a pickle framed by
:mod:`rl_compiler.llvm.pipeio` (an 8-byte little-endian length first). A request is
``(drops, handle, method, args)``:

- ``drops`` is a tuple of module handles to free first (closed sessions, sent lazily);
- ``handle`` 0 addresses the worker itself: ``replay(bitcode, ops) -> handle`` parses bitcode and
  applies ``ops`` (``(method, args)`` pairs such as ``("run_passes", ("function(sroa)",))``),
  ``ping() -> pid``, ``sleep(seconds)`` (for tests of the timeout path), ``wait_stats()`` (what the fast
  lane's waits did: :meth:`_Host.wait_stats`, for ``benchmarks/perf/wait_probe.py``);
- any other handle addresses one module: ``clone() -> handle``, ``step(pipeline, queries)`` (see
  :func:`step`), ``baselines()`` (:func:`rl_compiler.llvm.baselines.compute_baselines`: the -O3/-Oz
  pipelines run here, under the session's timeout and memory limit), or a method of
  :class:`rl_compiler.llvm.module.Module` from :data:`MODULE_METHODS`.

Step requests normally take the fast lane instead (:mod:`rl_compiler.llvm.fastlane`): once libLLVM is
loaded, the worker waits for requests in ``serve.c``'s C loop, which answers steps itself (binary request,
binary reply, no Python) and hands every other request to the Python loop here. ``RL_COMPILER_FAST_LANE=0``
in the worker's environment serves everything in Python.

A reply is ``(REPLY_OK, result)``; ``(REPLY_ARRAYS, (single, positions, items))`` for a NumPy array or
a tuple holding some, where the arrays at ``positions`` travel as raw ``(dtype, shape, bytes)``
(pickling a small array costs more than computing it); or
``(REPLY_ERROR, (type_module, type_name, message, pickled_exception))``. The first message the worker
sends, unasked, is ``(REPLY_OK, ("ready", pid, fast_lane))``.

A ``MemoryError`` (the session's memory limit met in Python) ends the worker with
:data:`EXIT_OUT_OF_MEMORY`, as LLVM ends it when an allocation fails, so both are recovered as crashes.
The worker dies with its parent and runs in its own process group so the parent can kill it and anything
it started at once (both arranged by :func:`rl_compiler.llvm.processes.spawn`), and sends anything LLVM prints on
stdout to stderr so that stray output cannot corrupt the protocol.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import pickle
import struct
import sys
import time
from collections.abc import Callable
from typing import Any, BinaryIO, NoReturn

from rl_compiler.llvm import fastlane
from rl_compiler.llvm.pipeio import (
    MessageReader,
    backoff_min_seconds,
    escape_checked,
    escape_level,
    frame,
    quiet_yield_seconds,
    spin_cap_seconds,
    spin_seconds,
)

#: Set (to the parent's pid) in the worker's environment: marks a worker process (``import rl_compiler``
#: then skips registering the environments).
PARENT_PID_ENV = "RL_COMPILER_WORKER_PARENT"
REPLY_ERROR, REPLY_OK, REPLY_ARRAYS = 0, 1, 2
#: Module methods the session layer may call in the worker.
MODULE_METHODS = frozenset(
    {
        "run_passes",
        "verify",
        "instruction_count",
        "autophase",
        "inst_count",
        "features",
        "bitcode",
        "ir",
        "sha1",
        "ir_sha1",
        "fingerprint",
        "object_text_size",
        "programl",
        "set_size_attributes",
    }
)
#: Module methods that change the module: the session records them for replay.
MUTATING_METHODS = frozenset({"run_passes", "set_size_attributes"})
_READ_ONLY_METHODS = MODULE_METHODS - MUTATING_METHODS
_WARM_UP_IR = "define void @warm_up() {\n  ret void\n}\n"


#: Exit status of a worker that ran out of memory in Python (``MemoryError``): the session reports it
#: like LLVM's own allocation failures, as a crash caused by the memory limit.
EXIT_OUT_OF_MEMORY = 86


def call_module(module: Any, method: str, args: tuple) -> Any:
    """Run one session request on ``module``: ``step``, ``baselines`` or a :data:`MODULE_METHODS` method.

    Shared by the worker and by in-process sessions, so that both answer the same requests the same way.
    """
    if method == "step":
        return step(module, *args)
    if method == "baselines":
        from rl_compiler.llvm.baselines import compute_baselines

        return compute_baselines(module)
    if method not in MODULE_METHODS:
        raise AttributeError(f"Module method {method!r} is not available through a session")
    return getattr(module, method)(*args)


def step(module: Any, pipeline: str, queries: tuple[str, ...]) -> tuple:
    """Run ``pipeline`` on ``module``, then return the results of the read-only ``queries`` (method names).

    One request instead of one per query: an environment step needs the pass, a fingerprint, a cost and
    an observation, and each round trip to the worker costs more than most of those calls.
    """
    if not _READ_ONLY_METHODS.issuperset(queries):
        bad = [query for query in queries if query not in _READ_ONLY_METHODS]
        raise ValueError(f"cannot query {bad} in a step: expected read-only Module methods")
    if fastlane.query_codes(queries) is not None:  # the pass and the queries in one native call, one walk
        return module.step(pipeline, queries)
    module.run_passes(pipeline)
    return tuple(getattr(module, query)() for query in queries)


def _enable_llvm_stack_dump() -> None:
    """Install LLVM's crash handler, which prints ``Stack dump:`` with LLVM's frames on a segfault."""
    from rl_compiler.llvm.toolchain import get_toolchain

    # Symbolizing libLLVM at crash time can take seconds; the raw frames are enough.
    os.environ.setdefault("LLVM_DISABLE_SYMBOLIZATION", "1")
    try:
        ctypes.CDLL(str(get_toolchain().libllvm)).LLVMEnablePrettyStackTrace()
    except (OSError, AttributeError, RuntimeError):
        pass


#: The scheduler time slice the worker asks for (ns; Linux's minimum). On a busy machine a task woken by a
#: request otherwise waits behind other tasks' full slices (milliseconds) before answering: with a short
#: slice, Linux >= 6.12 (EEVDF) gives it an earlier deadline, so it runs soon after it is woken.
WORKER_SLICE_NS = 100_000
_SYS_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274}


def _request_short_slice() -> None:
    """Ask for :data:`WORKER_SLICE_NS` (best effort: older kernels, other systems keep their default)."""
    number = _SYS_SCHED_SETATTR.get(os.uname().machine)
    if number is None:
        return
    # struct sched_attr: size, policy (SCHED_OTHER), flags, nice (kept), priority, runtime (the slice), ...
    attr = struct.pack("<IIQiIQQQII", 56, 0, 0, os.getpriority(os.PRIO_PROCESS, 0), 0, WORKER_SLICE_NS, 0, 0, 0, 0)
    try:
        ctypes.CDLL(None, use_errno=True).syscall(number, 0, ctypes.create_string_buffer(attr, len(attr)), 0)
    except (OSError, AttributeError):
        pass


def _ok_reply(result: Any) -> tuple[int, Any]:
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if type(result) is numpy.ndarray:
            return REPLY_ARRAYS, (True, (0,), [_raw_array(result)])
        if type(result) is tuple:
            positions = tuple(k for k, item in enumerate(result) if type(item) is numpy.ndarray)
            if positions:
                items = [_raw_array(item) if k in positions else item for k, item in enumerate(result)]
                return REPLY_ARRAYS, (False, positions, items)
    return REPLY_OK, result


def _raw_array(array: Any) -> tuple[str, tuple[int, ...], bytes]:
    return array.dtype.str, array.shape, array.tobytes()


def _error_reply(exc: BaseException) -> tuple[int, tuple[str, str, str, bytes | None]]:
    try:
        pickled: bytes | None = pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        pickled = None
    cls = type(exc)
    return REPLY_ERROR, (cls.__module__, cls.__qualname__, str(exc), pickled)


class _Host:
    """The modules this worker holds, by handle."""

    def __init__(self, native: Any = None) -> None:
        self.modules: dict[int, Any] = {}
        self.next_handle = 1
        self._module_class: Any = None
        #: The engine library when its native loop serves steps: it must know every module by handle.
        self.native = native

    def module_class(self) -> Any:
        if self._module_class is None:
            from rl_compiler.llvm.module import Module

            self._module_class = Module
        return self._module_class

    def add(self, module: Any) -> int:
        handle = self.next_handle
        self.next_handle += 1
        self.modules[handle] = module
        if self.native is not None and self.native.rlc_serve_register(handle, module._handle):
            raise MemoryError("out of memory registering a module")
        return handle

    def drop(self, handle: int) -> None:
        module = self.modules.pop(handle, None)
        if module is not None:
            if self.native is not None:
                self.native.rlc_serve_forget(handle)
            module.close()

    def replay(self, bitcode: bytes, ops: list[tuple[str, tuple]]) -> int:
        module = self.module_class().from_bitcode(bitcode)
        try:
            for method, args in ops:
                if method not in MUTATING_METHODS:
                    raise ValueError(f"cannot replay {method!r}: expected one of {sorted(MUTATING_METHODS)}")
                getattr(module, method)(*args)
        except BaseException:
            module.close()
            raise
        return self.add(module)

    def wait_stats(self) -> dict[str, float] | None:
        """What the fast lane's waits did so far (``serve.c``'s ``rlc_serve_stats``; None without the fast lane):
        steps served, the waiter's yields, contested yields and moves, the sleeps by cause (``sleeps idle``,
        ``calm``, ``window``, ``yield``), the last spin window (``window``, seconds) and the time spent in steps'
        passes and queries (``serving``, seconds)."""
        if self.native is None:
            return None
        counts, times = (ctypes.c_uint64 * 8)(), (ctypes.c_double * 2)()
        self.native.rlc_serve_stats(counts, times)
        names = (
            "served",
            "yields",
            "contested",
            "moves",
            "sleeps idle",
            "sleeps calm",
            "sleeps window",
            "sleeps yield",
        )
        return {**dict(zip(names, counts, strict=True)), "window": times[0], "serving": times[1]}

    def handle_request(self, handle: int, method: str, args: tuple) -> Any:
        if handle == 0:
            if method == "replay":
                return self.replay(*args)
            if method == "ping":
                return os.getpid()
            if method == "wait_stats":
                return self.wait_stats()
            if method == "sleep":  # lets tests exercise the timeout path without LLVM
                time.sleep(*args)
                return None
            raise ValueError(f"unknown worker request {method!r}")
        module = self.modules.get(handle)
        if module is None:
            raise KeyError(f"no module with handle {handle} in worker {os.getpid()}")
        if method == "clone":
            return self.add(module.clone())
        return call_module(module, method, args)


def _native_reader(native: Any, requests: int, replies: BinaryIO) -> Callable[[], bytes | None]:
    """A ``read()`` for :func:`serve` that runs ``serve.c``'s loop: it answers step requests itself and
    returns the next other request's payload (None once the parent closed the pipe)."""
    message = ctypes.c_void_p()
    spin, quiet, reply_fd = spin_seconds(worker=True), quiet_yield_seconds(), replies.fileno()
    cap, escape, backoff = spin_cap_seconds(), escape_level(), backoff_min_seconds()
    peer = int(os.environ.get(PARENT_PID_ENV) or os.getppid()) if escape_checked() else 0
    serve_natively, string_at = native.rlc_serve, ctypes.string_at

    def read() -> bytes | None:
        replies.flush()  # the C loop writes to the same descriptor
        size = serve_natively(
            requests, reply_fd, spin, quiet, EXIT_OUT_OF_MEMORY, ctypes.byref(message), cap, escape, backoff, peer
        )
        if size == -2:
            raise MemoryError("out of memory reading a request")
        return None if size < 0 else string_at(message.value, size)

    return read


def serve(requests: int, replies: BinaryIO, native: Any = None) -> None:
    """Answer requests read from the file descriptor ``requests`` until the parent closes it.

    :param native: the engine library, whose C loop then serves step requests (the fast lane,
        :mod:`rl_compiler.llvm.fastlane`); None serves every request here.
    """
    host = _Host(native)
    # Bound once: the loop runs for every request, often only tens of microseconds of work.
    loads, dumps, protocol = pickle.loads, pickle.dumps, pickle.HIGHEST_PROTOCOL
    handle_request, drop = host.handle_request, host.drop
    write, flush = replies.write, replies.flush
    write(frame(dumps((REPLY_OK, ("ready", os.getpid(), native is not None)), protocol=protocol)))
    flush()
    # Adaptive: the parent may think for long between requests (an agent, a training update).
    if native is None:
        read = MessageReader(requests, adaptive=True, spin=spin_seconds(worker=True)).read
    else:
        read = _native_reader(native, requests, replies)
    while True:
        try:
            payload = read()
        except MemoryError:
            _die_out_of_memory()
        if payload is None:
            return
        try:
            drops, handle, method, args = loads(payload)
            for dropped in drops:
                drop(dropped)
            data = dumps(_ok_reply(handle_request(handle, method, args)), protocol=protocol)
        except MemoryError:  # the memory limit (RLIMIT_AS), met in Python: die like LLVM does
            _die_out_of_memory()
        except Exception as exc:
            data = dumps(_error_reply(exc), protocol=protocol)
        write(frame(data))
        flush()


def _die_out_of_memory() -> NoReturn:
    """End the worker the way the session recognises as the memory limit (:data:`EXIT_OUT_OF_MEMORY`)."""
    os.write(2, b"rl_compiler worker: out of memory (MemoryError)\n")
    os._exit(EXIT_OUT_OF_MEMORY)


def main() -> None:
    """Entry point of the worker process (``worker_client.WORKER_BOOT`` calls it)."""
    # Keep private copies of the protocol pipes, then point fds 0/1 elsewhere: LLVM (or a pass such
    # as print<...>) writing to stdout must not corrupt the reply stream.
    requests = os.dup(0)
    replies = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    faulthandler.enable()  # a crash also prints the Python stack: which request was running
    native = None
    try:  # load libLLVM (and build the engine if needed) now, not inside the first timed call
        _Host().module_class().from_ir(_WARM_UP_IR).close()
    except Exception as exc:  # reported again, with its type, by the first request that needs it
        print(f"rl_compiler worker: warm-up failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    else:
        _enable_llvm_stack_dump()
        if fastlane.enabled():
            from rl_compiler.llvm import engine

            native = engine.lib()
    _request_short_slice()
    serve(requests, replies, native)


if __name__ == "__main__":
    main()

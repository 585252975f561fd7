"""`Session`: an LLVM module kept in a worker process, with crash recovery by replay.

A pass sequence can crash LLVM (a segfault, or ``LLVM ERROR: ...`` which exits the process). A
session therefore keeps its module in a worker process (:mod:`rl_compiler.llvm.worker`) and
remembers how to rebuild it: the bitcode it started from and the mutating calls applied since
(``run_passes`` pipelines, ``set_size_attributes``). If the worker dies, or a call exceeds
``timeout`` seconds (the worker's process group is then killed), the session starts a new worker,
replays its history and retries the call once. If the retry fails the same way, the session
restarts and replays again, then raises :class:`WorkerCrashError` or :class:`WorkerTimeoutError`
whose message names the call and ends with the worker's stderr (LLVM's stack dump or
``LLVM ERROR`` line). Either way the session is left at its state before the failed call, and the
caller's process never dies. A caller with a hard deadline sets ``retry_timeouts = False``: a call over
its timeout is then cancelled (its worker killed) and raises at once. Errors the module raises on purpose
(``ModuleParseError``, ``PassPipelineError``, ``VerifierError``, ...) keep their type and message and are not crashes.

Workers are shared: :meth:`Session.fork` clones the module inside the same worker and
:meth:`Session.sibling` opens another module there, so neither starts a process. When one worker
dies every session on it is rebuilt lazily, on its next call. The worker process ends when its last
session is closed or garbage-collected, and at interpreter exit; it also dies with the parent
process (started by :func:`rl_compiler.llvm.processes.spawn`). Its stderr goes to an unlinked temp file
(read for error messages), so no file is left behind even if the caller is killed. The process
machinery is in :mod:`rl_compiler.llvm.worker_client`.

Fork safety: a session used in a child created by ``os.fork()`` (Gymnasium's ``AsyncVectorEnv``,
Stable-Baselines3's ``SubprocVecEnv`` with the fork start method) notices the new pid, leaves the
parent's worker alone and starts its own worker, replaying its history there. A pickled session
carries its start bitcode and history and rebuilds itself in a new worker on first use.

The worker runs under an address-space limit (``memory_limit``, default 4 GiB): a pass sequence that
makes LLVM allocate without bound (e.g. inlining an ``always_inline`` call tree) ends the worker, and the
call is recovered like a crash, with a message naming the limit. :meth:`Session.baselines` runs the
-O3/-Oz pipelines there too, under the same timeout and limit, so the caller never runs a pipeline.
Every call that meets a lost worker, whoever lost it, counts one recovery in :attr:`Session.recoveries`.

``isolated=False`` keeps the module in the caller's process instead: the same API at the speed of
the bare engine, with no protection against crashes (``fork`` is then ``Module.clone``).
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rl_compiler.llvm.call_deadline import CallDeadline
from rl_compiler.llvm.errors import (
    LLVMError,
    ModuleParseError,
    WorkerCrashError,
    WorkerMemoryError,
    WorkerTimeoutError,
    unnamed,
)
from rl_compiler.llvm.step_halves import StepHalves
from rl_compiler.llvm.worker import MUTATING_METHODS, call_module
from rl_compiler.llvm.worker_client import DEFAULT_MEMORY_LIMIT, SentStep, Slot, Worker, WorkerLost, stderr_note

#: Requests whose result depends only on the module: one that timed out is not retried.
DETERMINISTIC_METHODS = frozenset({"baselines"})

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import numpy as np

    from rl_compiler.llvm.baselines import Baselines
    from rl_compiler.llvm.module import Module

Op = tuple[str, tuple]


def _as_bitcode(module_or_bitcode: Module | bytes | bytearray | memoryview) -> bytes:
    if isinstance(module_or_bitcode, (bytes, bytearray, memoryview)):
        return bytes(module_or_bitcode)
    if hasattr(module_or_bitcode, "bitcode"):
        return module_or_bitcode.bitcode()
    raise TypeError(f"expected a Module or bitcode bytes, got {type(module_or_bitcode).__name__}")


class Session(StepHalves, CallDeadline):
    """An LLVM module in a crash-isolated worker process (or in-process with ``isolated=False``).

    :param module_or_bitcode: the starting module: a :class:`~rl_compiler.llvm.module.Module`
        (copied; the caller keeps ownership) or its bitcode.
    :param isolated: keep the module in a worker process (default) so that LLVM crashes and hangs
        cannot take the caller down; ``False`` keeps it in-process for maximum speed.
    :param timeout: seconds any one call may take before the worker is killed (isolated only).
    :param memory_limit: the worker's address-space limit in bytes (``RLIMIT_AS``; default 4 GiB, None for
        none). A call that exceeds it is recovered like a crash; a second time it raises
        :class:`WorkerMemoryError` naming the limit. Sessions sharing a worker share its limit.
    :param worker: open the module in this worker (isolated only; e.g. one started ahead, while the program was
        built) rather than in a new one; its ``memory_limit`` applies.
    :raises ModuleParseError: if the bitcode is invalid.

    Example::

        with Session.from_file("prog.bc") as s:
            s.run_passes("function(sroa),function(instcombine<no-verify-fixpoint>)")
            print(s.instruction_count(), s.history)
    """

    def __init__(
        self,
        module_or_bitcode: Module | bytes,
        *,
        isolated: bool = True,
        timeout: float = 60.0,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        worker: Worker | None = None,
    ) -> None:
        if worker is not None and not isolated:
            raise ValueError("a worker was given for an in-process session (isolated=False)")
        self._setup(_as_bitcode(module_or_bitcode), [], isolated, timeout, memory_limit, worker)
        try:
            self._load()
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike,
        *,
        isolated: bool = True,
        timeout: float = 60.0,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    ) -> Session:
        """A session on the bitcode file at ``path``.

        :raises FileNotFoundError: if there is no such file.
        :raises ModuleParseError: if it is not valid bitcode.
        """
        data = Path(path).read_bytes()
        try:
            return cls(data, isolated=isolated, timeout=timeout, memory_limit=memory_limit)
        except ModuleParseError as error:
            raise ModuleParseError(f"{path}: {unnamed(error)}") from None

    def _setup(
        self,
        bitcode: bytes,
        ops: list[Op],
        isolated: bool,
        timeout: float,
        memory_limit: int | None,
        worker: Worker | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive seconds, got {timeout!r}")
        #: The worker's address-space limit in bytes (None: none; in-process sessions are never limited).
        self.memory_limit = memory_limit if worker is None else worker.memory_limit
        self._bitcode = bitcode
        self._ops = ops
        self._isolated = isolated
        self.timeout = float(timeout)
        #: Whether a call over ``timeout`` is retried once (on a new worker, after replaying the history). A
        #: caller with a hard deadline sets False: the call is then cancelled (the worker killed) and raises
        #: :class:`WorkerTimeoutError` at once; the session is rebuilt lazily, on its next call.
        self.retry_timeouts = True
        self._cancel_at: float | None = None  # see CallDeadline
        self.recoveries = 0
        self._lost_in_call = False  # this call met a lost worker: its rebuild counts as a recovery
        self._sent: tuple[str, tuple[str, ...], SentStep | WorkerLost] | None = None
        #: Description of the last failure this session recovered from (None if none).
        self.last_failure: str | None = None
        self._module: Module | None = None
        self._slot: Slot | None = None
        self._finalizer: weakref.finalize | None = None
        if isolated:
            worker = worker if worker is not None else Worker(memory_limit)
            worker.sessions += 1
            self._slot = Slot(worker)
            self._finalizer = weakref.finalize(self, Slot.release, self._slot)

    def _load(self) -> None:
        if not self._isolated:
            from rl_compiler.llvm.module import Module

            module = Module.from_bitcode(self._bitcode)
            try:
                for method, args in self._ops:
                    getattr(module, method)(*args)
            except BaseException:
                module.close()
                raise
            self._module = module
        else:
            self._call("ping")  # handle 0: _ensure_module() loads the module first

    # -- public API ------------------------------------------------------------------------------

    @property
    def isolated(self) -> bool:
        """Whether the module lives in a worker process."""
        return self._isolated

    @property
    def history(self) -> list[str]:
        """The pass pipelines applied so far, in order (a copy)."""
        return [args[0] for method, args in self._ops if method == "run_passes"]

    @property
    def start_bitcode(self) -> bytes:
        """The bitcode this session started from (replaying ``history`` on it gives the current state)."""
        return self._bitcode

    @property
    def pid(self) -> int | None:
        """The worker's pid (None for an in-process session or before the worker has started)."""
        return self._slot.worker.pid if self._slot is not None else None

    @property
    def closed(self) -> bool:
        return self._slot.closed if self._slot is not None else self._module is None

    def run_passes(self, pipeline: str) -> None:
        """Run a new-PM pass pipeline (e.g. ``"function(sroa),globaldce"``) and record it in ``history``.

        :raises PassPipelineError: if LLVM rejects the pipeline (the module is unchanged).
        :raises WorkerCrashError: if the pipeline crashes LLVM twice (the module is unchanged).
        :raises WorkerTimeoutError: if it exceeds ``timeout`` twice (the module is unchanged).
        """
        if not isinstance(pipeline, str):
            raise TypeError(f"pipeline must be a str, got {type(pipeline).__name__}")
        self._call("run_passes", pipeline)

    def step(self, pipeline: str, queries: Sequence[str] = ()) -> tuple:
        """Run ``pipeline`` (recorded like :meth:`run_passes`), then return the results of the named
        read-only methods, e.g. ``step("function(gvn)", ("fingerprint", "instruction_count"))``.

        Isolated, this is one round trip to the worker instead of one per call. Errors as :meth:`run_passes`.
        """
        return self.step_receive(pipeline, queries)

    def set_size_attributes(self) -> None:
        """Add ``minsize optsize`` to every defined function (recorded for replay, not in ``history``)."""
        self._call("set_size_attributes")

    def verify(self) -> None:
        """Run LLVM's verifier. :raises VerifierError: with LLVM's message if the module is invalid."""
        self._call("verify")

    def instruction_count(self) -> int:
        """Number of IR instructions."""
        return self._call("instruction_count")

    def autophase(self) -> np.ndarray:
        """The 56 Autophase features, in CompilerGym's order."""
        return self._call("autophase")

    def inst_count(self) -> np.ndarray:
        """The 70 InstCount features, in CompilerGym's order."""
        return self._call("inst_count")

    def features(self) -> tuple[np.ndarray, np.ndarray]:
        """``(autophase(), inst_count())`` in one call (one round trip to the worker)."""
        return self._call("features")

    def bitcode(self) -> bytes:
        """The module as bitcode."""
        return self._call("bitcode")

    def ir(self) -> str:
        """The module as textual IR."""
        return self._call("ir")

    def sha1(self) -> str:
        """Hex SHA-1 of the bitcode."""
        return self._call("sha1")

    def ir_sha1(self) -> str:
        """Hex SHA-1 of the textual IR (CompilerGym's ``IrSha1``)."""
        return self._call("ir_sha1")

    def baselines(self) -> Baselines:
        """The module's -O0/-O3/-Oz instruction counts and object sizes (:func:`~rl_compiler.llvm.baselines.
        compute_baselines`), computed in the worker under the timeout and memory limit, cached on disk.

        A timeout is not retried (the pipelines would take as long again): it raises
        :class:`WorkerTimeoutError` after one ``timeout``.
        """
        return self._call("baselines")

    def fingerprint(self) -> int:
        """Cheap structural 64-bit hash of the module."""
        return self._call("fingerprint")

    def object_text_size(self) -> int:
        """``.text`` bytes of an object emitted for the module's target."""
        return self._call("object_text_size")

    def programl(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
        """The ProGraML graph arrays of the module (see :meth:`Module.programl`)."""
        return self._call("programl")

    def fork(self) -> Session:
        """An independent copy of this session: same module state and history, in the same worker."""
        self._check_open()
        if not self._isolated:
            assert self._module is not None
            twin = Session.__new__(Session)
            twin._setup(self._bitcode, list(self._ops), False, self.timeout, self.memory_limit)
            twin._module = self._module.clone()
            return twin
        assert self._slot is not None
        twin = Session.__new__(Session)
        twin._setup(self._bitcode, list(self._ops), True, self.timeout, self.memory_limit, self._slot.worker)
        try:
            handle = self._call("clone")
            twin._slot.handle = handle  # type: ignore[union-attr]
            twin._slot.generation = self._slot.worker.generation  # type: ignore[union-attr]
        except BaseException:
            twin.close()
            raise
        return twin

    def replica(self) -> Session:
        """An independent copy rebuilt from the start bitcode and the history, in the same worker.

        Unlike :meth:`fork` (a clone, which goes through bitcode written without use-list orders), the
        copy is exactly what ``opt`` gives for the same passes, so later passes act identically on both.
        Isolated, it costs one request: a parse plus the replay.
        """
        return self._new_in_worker(self._bitcode, list(self._ops))

    def sibling(self, module_or_bitcode: Module | bytes, *, lazy: bool = False) -> Session:
        """A new session on another module, in this session's worker (no process start: cheap).

        :param lazy: an isolated session parses the module at its first call, not now (a session that may be
            closed unused costs nothing; a parse error then surfaces at that call).
        """
        return self._new_in_worker(_as_bitcode(module_or_bitcode), [], load=not (lazy and self._isolated))

    def _new_in_worker(self, bitcode: bytes, ops: list[Op], load: bool = True) -> Session:
        self._check_open()
        twin = Session.__new__(Session)
        worker = self._slot.worker if self._slot is not None else None
        twin._setup(bitcode, ops, self._isolated, self.timeout, self.memory_limit, worker)
        if load:
            try:
                twin._load()
            except BaseException:
                twin.close()
                raise
        return twin

    def close(self) -> None:
        """Free the module; the worker process ends when its last session closes. Idempotent."""
        self._sent = None  # a reply in flight is read and dropped by the worker's next request
        if self._finalizer is not None:
            self._finalizer()
        if self._module is not None:
            self._module.close()
            self._module = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f"worker pid {self.pid}" if self._isolated else "in-process"
        state = "closed" if self.closed else f"{len(self._ops)} ops"
        return f"<Session {where}, {state}, recoveries={self.recoveries}>"

    def __getstate__(self) -> dict[str, Any]:
        return {
            "bitcode": self._bitcode,
            "ops": list(self._ops),
            "isolated": self._isolated,
            "timeout": self.timeout,
            "memory_limit": self.memory_limit,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        memory_limit = state.get("memory_limit", DEFAULT_MEMORY_LIMIT)
        self._setup(state["bitcode"], list(state["ops"]), state["isolated"], state["timeout"], memory_limit)
        if not self._isolated:
            self._load()
        # isolated: the worker starts and the history is replayed on first use

    # -- machinery -------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("operation on a closed Session")

    def _call(self, method: str, *args: Any, sent: SentStep | WorkerLost | None = None) -> Any:
        """``method(*args)`` on the module, recovering a lost worker (``sent``: :meth:`step_send` sent this step)."""
        if self._sent is not None and sent is None:
            raise ValueError(f"the step {self._sent[0]!r} was sent (step_send): call step_receive first")
        slot = self._slot
        if slot is None:  # in-process
            if self._module is None:
                raise ValueError("operation on a closed Session")
            result = call_module(self._module, method, args)
            self._record(method, args)
            return result
        if slot.closed:
            raise ValueError("operation on a closed Session")
        if sent is None and self._deadline_passed():
            raise WorkerTimeoutError(f"not {self._describe(method, args)}: the deadline of cancel_after passed")
        worker = slot.worker
        proc = worker._proc
        if proc.owner_pid != os.getpid():
            worker.ensure_running()  # after os.fork(): our own worker; sessions replay lazily
        with worker.lock:
            lost: WorkerLost | None = None
            for attempt in range(2):
                try:
                    if attempt == 0 and sent is not None:
                        if isinstance(sent, WorkerLost):
                            raise sent
                        result = worker.receive_step(sent)
                    else:
                        # The module is loaded in the running worker (the common case) unless a start or a loss
                        # changed the worker since: then _ensure_module starts it and replays the history.
                        if proc.popen is None or slot.generation != worker.generation:
                            self._ensure_module()
                        if method == "ping":
                            return None
                        result = worker.request(slot.handle, method, args, self._request_timeout())
                except WorkerLost as exc:
                    lost = exc
                    self._lost_in_call = True
                    self.last_failure = f"{self._describe(method, args)}: {exc.detail}"
                    if exc.timed_out and (method in DETERMINISTIC_METHODS or not self.retry_timeouts):
                        break  # the same computation would time out again, or the caller's time is up
                    continue
                self._record(method, args)
                return result
            assert lost is not None
            if not (lost.timed_out and not self.retry_timeouts):  # cancelled: rebuilt lazily, if ever needed
                try:  # leave the session usable, at its state before the failed call
                    self._ensure_module()
                except (WorkerLost, LLVMError):
                    pass
            raise self._final_error(lost, method, args)

    def _record(self, method: str, args: tuple) -> None:
        if method == "step":
            self._ops.append(("run_passes", args[:1]))
        elif method in MUTATING_METHODS:
            self._ops.append((method, args))

    def _ensure_module(self) -> None:
        """Make sure the module exists in a running worker: start it and replay the history if needed."""
        slot = self._slot
        assert slot is not None
        worker = slot.worker
        worker.ensure_running()
        if slot.generation == worker.generation:
            return
        handle = worker.request(0, "replay", (self._bitcode, self._ops), self._request_timeout(len(self._ops) + 1))
        if slot.generation != -1 or self._lost_in_call:
            self.recoveries += 1
            # Debug: searches meet crashing passes on purpose, and the env reports each one in info.
            logger.debug("the worker process was lost; restarted it and replayed %d operations", len(self._ops))
            if not self._lost_in_call:  # lost during another session's call
                self.last_failure = f"rebuilding the module after the worker was lost ({worker.last_loss})"
        self._lost_in_call = False
        slot.handle, slot.generation = handle, worker.generation

    def _describe(self, method: str, args: tuple) -> str:
        if method in ("run_passes", "step"):
            return f"running pipeline {args[0]!r}"
        if method == "ping":
            return f"rebuilding the module (replaying {len(self._ops)} ops)"
        return f"calling {method}()"

    def _final_error(self, lost: WorkerLost, method: str, args: tuple) -> LLVMError:
        what = self._describe(method, args)
        cls = WorkerTimeoutError if lost.timed_out else WorkerMemoryError if lost.out_of_memory else WorkerCrashError
        verb = "timed out" if lost.timed_out else "crashed"
        once = lost.timed_out and (method in DETERMINISTIC_METHODS or not self.retry_timeouts)
        twice = "" if once else " twice"
        err = cls(
            f"the worker {verb} {what}{twice} ({lost.detail}); the session is at its state before the call"
            f"{stderr_note(lost)}"
        )
        err.stderr = lost.stderr  # type: ignore[attr-defined]
        return err

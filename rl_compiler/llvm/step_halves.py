"""A session's step in two halves, so that several sessions' workers run their steps at once.

:meth:`StepHalves.step_send` writes a step's request to the worker and returns; :meth:`StepHalves.step_receive`
reads its reply. A caller with several sessions (a vector env: :mod:`rl_compiler.envs.vector`) sends every
session's step before it reads the first reply, so that their workers compute at the same time, or one worker
computes them back to back while the caller handles the replies (:mod:`rl_compiler.llvm.step_queue`).
``Session.step`` is ``step_receive`` alone (with nothing sent, it sends and reads in one call), and a sent step
is received through the same recovery loop (``Session._call``): a crash, a timeout or a lost worker between the
two halves is the step's first attempt, retried after a replay exactly as for ``Session.step``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rl_compiler.llvm.step_queue import SentStep, WorkerLost
from rl_compiler.llvm.worker_client import Slot


class StepHalves:
    """The two halves of ``Session.step`` (a mixin of :class:`rl_compiler.llvm.session.Session`, whose
    ``_check_open`` and ``_call`` it uses)."""

    _slot: Slot | None
    timeout: float
    _lost_in_call: bool
    last_failure: str | None
    # A step sent by step_send, its reply not read yet: (pipeline, queries, what the send gave).
    _sent: tuple[str, tuple[str, ...], SentStep | WorkerLost] | None

    def step_send(self, pipeline: str, queries: Sequence[str] = ()) -> bool:
        """The first half of ``step``: send its request to the worker and return without waiting, so that
        several sessions' workers run their steps at once; :meth:`step_receive` with the same arguments then
        returns the results (and recovers a crash or timeout exactly as ``step`` does).

        Returns whether a request went out. Nothing is sent for an in-process session, a step the worker's
        native fast lane cannot carry, or a module still to be (re)loaded: :meth:`step_receive` then does the
        whole step. Any other call on the session before :meth:`step_receive` (or :meth:`step_discard`) raises
        ``ValueError``.
        """
        if not isinstance(pipeline, str):
            raise TypeError(f"pipeline must be a str, got {type(pipeline).__name__}")
        self._check_open()
        if self._sent is not None:
            raise ValueError(f"step_send({pipeline!r}): the step {self._sent[0]!r} was sent and not received")
        slot = self._slot
        if slot is None or slot.generation != slot.worker.generation:
            return False
        worker = slot.worker
        queries = tuple(queries)
        with worker.lock:
            try:
                sent: SentStep | WorkerLost | None = worker.send_step(slot.handle, (pipeline, queries), self.timeout)
            except WorkerLost as lost:
                sent = lost  # the first attempt failed: step_receive retries, as step does
            if sent is None:
                return False
            self._sent = (pipeline, queries, sent)
        return True

    def step_receive(self, pipeline: str, queries: Sequence[str] = ()) -> tuple:
        """The results of ``step`` for the step :meth:`step_send` sent with these arguments, or, when none
        was sent, of the whole step. Errors as ``step``."""
        if not isinstance(pipeline, str):
            raise TypeError(f"pipeline must be a str, got {type(pipeline).__name__}")
        queries = tuple(queries)
        sent = self._sent
        if sent is None or sent[:2] != (pipeline, queries):
            return self._call("step", pipeline, queries)  # raises if another step was sent
        self._sent = None
        return self._call("step", pipeline, queries, sent=sent[2])

    def step_discard(self) -> None:
        """Undo a step :meth:`step_send` sent and nobody will receive (its caller raised in between): its reply
        is read and dropped, and the module rebuilt by replay at its next call, at the state before that step (a
        recovery, counted in ``recoveries``); the worker's other sessions keep their modules. Does nothing if no
        step was sent."""
        sent, self._sent = self._sent, None
        slot = self._slot
        if sent is None or not isinstance(sent[2], SentStep) or slot is None:
            return
        worker = slot.worker
        with worker.lock:
            if worker.discard_step(sent[2]) and slot.generation == worker.generation:
                worker.pending_drops.append((slot.generation, slot.handle))  # the module that holds the step
                slot.generation = -1  # rebuilt by the next call
                self._lost_in_call = True  # counted as a recovery
                self.last_failure = f"the step {sent[0]!r} was sent and discarded unread"

"""The steps sent to one worker and not answered yet: :class:`StepQueue`, the step-pipelining half of
:class:`rl_compiler.llvm.worker_client.Worker`.

A caller with several sessions (a vector env) sends every session's step before it reads the first reply: to
several workers, which then run at once, and to one worker several steps, which it answers in the order they came,
each found already waiting when it finishes the one before. Replies are read in that order; one read before its
own receive (another request, or a later step's receive, needs the pipe) is kept on its :class:`SentStep`.
A lost worker loses every step in flight: each session's receive reports it, and the session replays its history.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

from rl_compiler.llvm import fastlane

if TYPE_CHECKING:
    from rl_compiler.llvm.worker_client import _Process

#: Step requests one worker may have sent and unanswered at once (several sessions' steps, queued in its pipe in
#: the order they are answered): far fewer than fill its pipes (a reply is at most 17 KiB; the pipes hold 1 MiB).
MAX_IN_FLIGHT = 64


class WorkerLost(Exception):
    """Internal: the worker died or timed out during a request (it has been killed and reaped)."""

    def __init__(self, timed_out: bool, detail: str, stderr: str, out_of_memory: bool = False) -> None:
        super().__init__(detail)
        self.timed_out = timed_out
        self.detail = detail
        self.stderr = stderr
        #: The worker died of its memory limit (an allocation failed under RLIMIT_AS).
        self.out_of_memory = out_of_memory


class SentStep:
    """A step request :meth:`StepQueue.send_step` sent, whose reply :meth:`StepQueue.receive_step` reads (``deadline``:
    ``timeout`` seconds after the send; a step queued behind others also gets ``timeout`` after the reply before it)."""

    def __init__(self, args: tuple, deadline: float, timeout: float) -> None:
        self.args, self.deadline, self.timeout = args, deadline, timeout
        #: The reply's outcome once read before its receive (another request came first): a result or an exception.
        self.outcome: Any = None
        self.settled = False


class StepQueue:
    """Sending steps ahead and reading their replies in order (a mixin of ``Worker``, whose pipes, fast lane
    (``_native``), ``request``, ``stderr_tail``, ``_lose`` and ``_native_outcome`` it uses)."""

    _native: fastlane.NativeCaller | None
    _proc: _Process
    pending_drops: list[tuple[int, int]]
    #: Steps sent, their replies not read yet, oldest first (the worker answers them in this order).
    _in_flight: deque[SentStep]
    _replied_at: float  # when the last step reply was read (the next queued step ran from then at most)

    alive: bool

    def send_step(self, handle: int, args: tuple, timeout: float) -> SentStep | None:
        """Send the request of ``step(*args)`` on ``handle`` and return without waiting for its reply, so that
        the caller can send other workers theirs before it waits (they then run at once); the reply is read by
        :meth:`receive_step` (or by the next :meth:`request`, which keeps it for :meth:`receive_step`).

        Several steps (of the worker's sessions) may be in flight at once: the worker answers them in the order
        they were sent, each found already waiting when it finishes the one before (no wake-up between them).

        Returns None, having sent nothing, for a step the native fast lane cannot carry (or when
        :data:`MAX_IN_FLIGHT` are in flight): :meth:`request` then does the whole step. Raises ``WorkerLost`` as
        :meth:`request`.
        """
        if self._native is None or len(self._in_flight) >= MAX_IN_FLIGHT or not self.alive:
            return None
        data = fastlane.encode_step(handle, *args)
        if data is None:
            return None
        if self.pending_drops:  # closed sessions' modules: a fast-lane request cannot carry their handles
            if self._in_flight:
                return None
            self.request(0, "ping", (), timeout)  # sends them (one round trip, once after a session closed)
        sent = SentStep(args, time.monotonic() + timeout, timeout)
        status = self._native.send(data, timeout)
        if status == fastlane.TIMED_OUT:
            raise self._lose(True, f"no reply within {timeout:g} s")
        if status != fastlane.ST_OK:
            raise self._lose(False, "the worker closed its input")
        self._in_flight.append(sent)
        return sent

    def receive_step(self, sent: SentStep) -> tuple:
        """The results of the step :meth:`send_step` sent (``sent``), waiting for them until its deadline.

        Raises as :meth:`request` (``WorkerLost`` also when the worker was restarted before the reply came).
        """
        if sent.settled:
            if isinstance(sent.outcome, BaseException):
                raise sent.outcome
            return sent.outcome
        queue = self._in_flight
        if not any(step is sent for step in queue) or not self.alive:
            raise WorkerLost(False, "the worker was lost before the step's reply came", self.stderr_tail())
        while queue[0] is not sent:  # steps sent before it, whose replies come first
            self._settle()  # raises WorkerLost if that lost the worker (and with it this step)
        queue.popleft()
        assert self._native is not None
        # Queued behind other steps, it ran from the reply before it at the latest: it gets its full timeout.
        deadline = max(sent.deadline, self._replied_at + sent.timeout)
        more = bool(queue)
        status = self._native.wait(max(0.0, deadline - time.monotonic()), more)
        if status == fastlane.INTERRUPTED and more:
            status = self._resume(deadline)
        self._replied_at = time.monotonic()
        return self._native_outcome(self._native.outcome(status, *sent.args), sent.args, sent.timeout)

    def discard_step(self, sent: SentStep) -> bool:
        """Forget ``sent`` unread: its reply (if it is still in flight) is read and dropped, so that the worker's
        other sessions keep their modules. Returns whether the session's module may hold the step (the caller
        then rebuilds it by replay); False when the worker was lost meanwhile (all its sessions are rebuilt)."""
        if not sent.settled and not any(step is sent for step in self._in_flight):
            return False
        try:
            self.receive_step(sent)
        except WorkerLost:
            return False
        except Exception:
            pass
        return True

    def _settle(self) -> None:
        """Read the reply of the oldest step in flight and keep its outcome for its :meth:`receive_step`, before
        a later reply or another request uses the pipes. :raises WorkerLost: if that lost the worker (the
        steps after it and this request are lost with it)."""
        sent = self._in_flight[0]
        try:
            sent.outcome = self.receive_step(sent)
        except Exception as error:
            sent.outcome = error
        sent.settled = True
        lost = sent.outcome
        if isinstance(lost, WorkerLost):  # the same loss, raised for this request too
            raise WorkerLost(lost.timed_out, lost.detail, lost.stderr, lost.out_of_memory)

    def _resume(self, deadline: float) -> int:
        """Wait on in C for a reply that later replies may follow, after a signal interrupted the wait (its
        handler runs here, between the calls; Python's reader, which reads ahead, must not take their bytes);
        returns the reply's status. A handler that raises (e.g. KeyboardInterrupt) leaves the reply stream out
        of step with the requests: the worker is killed (its sessions are rebuilt by replay)."""
        assert self._native is not None
        status = fastlane.INTERRUPTED
        try:
            while status == fastlane.INTERRUPTED:
                status = self._native.wait(max(0.0, deadline - time.monotonic()), True)
        except BaseException:
            self._in_flight.clear()
            self._proc.kill()
            raise
        return status

"""A session's hard deadline: :meth:`CallDeadline.cancel_after` and :meth:`CallDeadline.bounded`.

A caller with a wall-clock budget (``rl-compiler optimize``'s search, the coreset's budgeted prediction) needs its
calls to end by a point in time, not each within a number of seconds: a call that first starts a new worker (after
a cancelled call killed the last one) and rebuilds its module there would otherwise get the whole bound again after
that start. Every request sent under the deadline gets what is left of it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class CallDeadline:
    """The deadline half of ``Session`` (a mixin of :class:`rl_compiler.llvm.session.Session`, whose ``timeout``
    and ``retry_timeouts`` it sets and whose ``_call`` asks :meth:`_request_timeout` and :meth:`_deadline_passed`)."""

    timeout: float
    retry_timeouts: bool
    #: ``time.monotonic()`` of the deadline set by :meth:`cancel_after` (None: none).
    _cancel_at: float | None

    def cancel_after(self, seconds: float) -> None:
        """A hard deadline ``seconds`` from now for every call until then, a rebuild after a lost worker included
        (each request gets what is left, not ``seconds`` again): a call over it is cancelled (its worker killed,
        not retried), and one made after it is not sent; both raise :class:`WorkerTimeoutError`. Starting a
        worker process is not cut (it is not an LLVM call); the requests after it get what is left."""
        self.timeout, self.retry_timeouts = min(self.timeout, seconds), False
        self._cancel_at = time.monotonic() + seconds

    @contextlib.contextmanager
    def bounded(self, seconds: float) -> Iterator[None]:
        """:meth:`cancel_after` for the calls in the ``with`` block only: the timeout, retries and deadline are
        restored after."""
        saved = self.timeout, self.retry_timeouts, self._cancel_at
        self.cancel_after(seconds)
        try:
            yield
        finally:
            self.timeout, self.retry_timeouts, self._cancel_at = saved

    def _deadline_passed(self) -> bool:
        return self._cancel_at is not None and time.monotonic() >= self._cancel_at

    def _request_timeout(self, requests: int = 1) -> float:
        """Seconds a request sent now may take: ``timeout`` per request (``requests`` of them replayed at once),
        at most what is left before the deadline."""
        timeout = self.timeout * requests
        return timeout if self._cancel_at is None else max(min(timeout, self._cancel_at - time.monotonic()), 1e-3)

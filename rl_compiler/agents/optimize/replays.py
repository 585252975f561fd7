"""``opt``'s replays of the search's results, run in the background while the search goes on.

The module ``optimize`` checks and writes is ``opt``'s replay of the chosen pass list (so that a user's replay
reproduces it byte for byte). Replaying only after the search costs the end of the budget a cold ``opt`` run
on the best result, and when that run does not finish in time nothing better than -Oz is left to write.
:class:`Replays` runs them alongside the search instead: -Oz's at once, then each new best's as soon as it is
the best. At the end a best result already replayed costs no ``opt`` time, and when the best's replay is not
done in time the best result whose replay is done is still there to fall back to.

The policy, for 2 cores (the search's worker on one, ``opt`` on the other):

- a new best is replayed only if it is materially better than the last one replayed (:data:`MATERIAL`: 1%
  smaller on the metric): during refinement the best improves every few evaluations, by a few bytes, and
  replaying each took the search's worker half its evaluations on small programs (two optimizations side by
  side on 2 cores: kmp 3,865 -> 1,878) for nothing, as all but the last are superseded. A result replayed
  at the end only is then at most 1% better than the fallback ready to write;
- one replay at a time, never cancelled by a better result (each one finished is a fallback ready to write;
  cancelling could leave none finished); when it ends, the newest best still waiting starts (the ones it
  superseded are skipped).

The end phase starts the final best's replay at once if it has not started (the search's worker has
stopped, so a core is free) and cancels what is left.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable

from rl_compiler.agents.optimize.errors import OptimizeError
from rl_compiler.agents.optimize.size_search import Candidate
from rl_compiler.agents.optimize.tools import replay
from rl_compiler.llvm import processes

#: A new best is replayed in the background when it is this much smaller (relatively, on the search's metric)
#: than the last one replayed; the others wait for the end, if they are still the best then.
MATERIAL = 0.01


class Replay:
    """``opt``'s replay of one pass list (:func:`~rl_compiler.agents.optimize.tools.replay`) in a thread, which
    :meth:`cancel` kills. :attr:`seconds` is what it took once done.

    :param finished: called (in the replay's thread) with this replay when it ends, whatever the outcome.
    """

    def __init__(self, start_bitcode: bytes, pipeline: str, finished: Callable[[Replay], None] | None = None) -> None:
        self.pipeline = pipeline
        self.bitcode: bytes | None = None
        self.error: OptimizeError | None = None
        self.seconds = 0.0
        self.cancelled = False
        self._finished = finished
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._run, args=(start_bitcode,), name="rl-compiler-replay", daemon=True)
        self._thread.start()

    def _run(self, start_bitcode: bytes) -> None:
        clock = time.perf_counter()
        try:
            if not self.cancelled:
                self.bitcode = replay(start_bitcode, self.pipeline, started=self._started)
        except OptimizeError as error:
            self.error = error
        except OSError as error:  # its temp dir could not be written
            self.error = OptimizeError(f"opt's replay failed: {error}")
        finally:
            if self.cancelled:
                self.bitcode, self.error = None, OptimizeError("opt's replay was cancelled")
            self.seconds = time.perf_counter() - clock
            if self._finished is not None:
                self._finished(self)

    def _started(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._process = process
            if self.cancelled:  # cancelled while it was being started
                processes.kill_group(process, timeout=None)

    def done(self) -> bool:
        """Whether it has ended (replayed, failed or cancelled)."""
        return not self._thread.is_alive()

    def ok(self) -> bool:
        """Whether it has ended with the replayed module."""
        return self.done() and self.bitcode is not None

    def wait(self, seconds: float | None = None) -> bool:
        """Wait up to ``seconds`` (None: until it ends); whether it has ended."""
        self._thread.join(None if seconds is None else max(0.0, seconds))
        return self.done()

    def result(self) -> bytes:
        """The replayed bitcode, once done; raises the replay's OptimizeError."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.bitcode is not None
        return self.bitcode

    def cancel(self) -> None:
        """Kill ``opt`` if it is running and wait for the thread (its temp dir is gone after this). A replay
        already done keeps its result."""
        with self._lock:
            if self._thread.is_alive():
                self.cancelled = True
                if self._process is not None:
                    processes.kill_group(self._process, timeout=None)
        self._thread.join()


class Replays:
    """The background replays of one optimization: -Oz's at once, then the search's bests (:meth:`offer`).

    :param start_bitcode: the module every pass list applies to.
    :param first: the pass list replayed at once (-Oz's: the fallback of last resort).
    :param size: a candidate's size on the search's metric (default: object ``.text``), for :data:`MATERIAL`.
    """

    def __init__(self, start_bitcode: bytes, first: str, size: Callable[[Candidate], int] | None = None) -> None:
        self._start_bitcode = start_bitcode
        self._size = size or (lambda candidate: candidate.text)
        self._lock = threading.Lock()
        self._jobs: dict[str, Replay] = {}
        self._running: Replay | None = None
        self._waiting: Candidate | None = None
        self._last: Candidate | None = None  # the last best whose replay was started
        self._closed = False
        #: Replays started, and of those cancelled at the end (for the record).
        self.started = 0
        self.cancelled = 0
        with self._lock:
            self._start(first)

    def _start(self, pipeline: str) -> Replay:
        """Start ``pipeline``'s replay (the lock held)."""
        job = Replay(self._start_bitcode, pipeline, finished=self._finished)
        self._jobs[pipeline] = job
        self._running = job
        self.started += 1
        return job

    def _finished(self, job: Replay) -> None:
        with self._lock:
            if self._running is job:
                self._running = None
            if self._waiting is not None and not self._closed and self._running is None:
                candidate, self._waiting = self._waiting, None
                if candidate.pipeline not in self._jobs:
                    self._last = candidate
                    self._start(candidate.pipeline)

    def offer(self, candidate: Candidate) -> None:
        """``candidate`` is the search's new best: if it is smaller than the last one replayed by
        :data:`MATERIAL` (or is the first), replay it now, or once the running replay ends (a newer best
        offered meanwhile takes its place)."""
        with self._lock:
            if self._closed or candidate.pipeline in self._jobs:
                return
            if self._last is not None and self._size(candidate) > (1.0 - MATERIAL) * self._size(self._last):
                return
            if self._running is None:
                self._last = candidate
                self._start(candidate.pipeline)
            else:
                self._waiting = candidate

    def get(self, candidate: Candidate) -> Replay | None:
        """``candidate``'s replay, if started."""
        with self._lock:
            return self._jobs.get(candidate.pipeline)

    def replayed(self, candidate: Candidate) -> bool:
        """Whether ``candidate``'s replay is done and gave a module (no ``opt`` time left to spend on it)."""
        job = self.get(candidate)
        return job is not None and job.ok()

    def now(self, candidate: Candidate) -> Replay:
        """``candidate``'s replay, started now if it was not (alongside a running one: the end phase's)."""
        with self._lock:
            job = self._jobs.get(candidate.pipeline)
            if job is None:
                if self._waiting is not None and self._waiting.pipeline == candidate.pipeline:
                    self._waiting = None
                job = self._start(candidate.pipeline)
            return job

    def close(self) -> None:
        """Start nothing more, cancel the replays still running and wait for their threads: no ``opt`` process
        and no temp dir is left."""
        with self._lock:
            self._closed = True
            self._waiting = None
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel()
            self.cancelled += job.cancelled

"""Budget-aware search for the smallest object code of one program: whole pass sequences, then refinement.

This is the engine of ``rl-compiler optimize`` (:mod:`rl_compiler.agents.optimize.optimizer`) and of the ``default``
agent. It works on :class:`rl_compiler.llvm.Session` objects in one crash-isolated worker, never on an
environment, and keeps to a wall-clock :class:`Deadline`:

1. -Oz: ``default<O2>`` on the size-attributed start module (the baseline every result is compared with);
2. candidate sequences, best predicted first (the coreset ordered by the value model when one is shipped,
   see :class:`rl_compiler.agents.optimize.optimizer.CandidateSequences`), each applied to the start module;
3. refinement of the best result so far: a first-improvement local search that appends one pass (or a
   macro such as a re-run of -Oz) at a time, judged on the chosen metric, with random kicks when stuck.

Every candidate is judged by ``(object .text bytes, IR instructions)`` (``metric="text"``, the default)
or the reverse (``metric="ir"``). Results that count are *exact*: the whole pass list run as one
``opt -passes=`` pipeline on a fresh parse of the start bitcode, which is what ``opt`` replays bit for bit
(a forked session is a clone through bitcode without use-list orders, on which later passes can act
differently). The search explores with cheap forks and re-evaluates every improvement exactly.

The deadline is hard: every call is bounded by the time left before the point where the caller must start
checking and writing the best result (``end_cost``, measured on the program by the caller), and a call
still running then is cancelled (its worker killed, no retry), so the search never eats into that time.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rl_compiler.llvm.errors import LLVMError, WorkerTimeoutError
from rl_compiler.llvm.session import Session

OZ = "default<O2>"
METRICS = ("text", "ir")
#: Shortest time a bounded call is given (seconds): with less left the search stops instead (a probe takes
#: tens of milliseconds, a worker's round trip well under one).
MIN_CALL_SECONDS = 0.05


#: A candidate sequence may take this many times what -Oz took on the program (at least SLOW_MIN_SECONDS),
#: (the call is cancelled then, not retried). On training programs the useful sequences took up to 3.8 times
#: -Oz; the slower ones (10-50 times) gave results larger than -Oz's.
SLOW_FACTOR = 5.0
SLOW_MIN_SECONDS = 1.0


def _limit(seconds: float | None, cap: float | None = None) -> float | None:
    """The longest a call may take: ``seconds`` (the time left before the search's cut-off) and ``cap`` (a
    whole pass sequence can take 50 times -Oz on a large unoptimised module: 15 s against 0.3 s on a csmith
    training program, for a result larger than -Oz's), at least :data:`MIN_CALL_SECONDS`; None: no limit."""
    limits = [limit for limit in (seconds, cap) if limit is not None]
    return max(MIN_CALL_SECONDS, min(limits)) if limits else None


def _bounded(session: Session, seconds: float | None, cap: float | None = None) -> contextlib.AbstractContextManager:
    """Calls on ``session`` inside the ``with`` block end within :func:`_limit` (``Session.bounded``: a call over
    it is cancelled, its worker killed and the call not retried; the other sessions in that worker replay their
    history on their next call, if any); the session's own timeout is back after the block."""
    limit = _limit(seconds, cap)
    return contextlib.nullcontext() if limit is None else session.bounded(limit)


@dataclass
class Deadline:
    """A point in wall-clock time (``time.perf_counter()`` seconds) that work must finish by."""

    end: float

    @classmethod
    def after(cls, seconds: float, start: float | None = None) -> Deadline:
        """The deadline ``seconds`` after ``start`` (default: now)."""
        return cls((time.perf_counter() if start is None else start) + seconds)

    def remaining(self) -> float:
        """Seconds left (negative once past)."""
        return self.end - time.perf_counter()

    def earlier(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` before this one (time kept in reserve for what follows)."""
        return Deadline(self.end - seconds)


@dataclass
class Candidate:
    """One exactly evaluated result: the pass list from the start module and its sizes."""

    passes: tuple[str, ...]
    ic: int
    text: int
    origin: str
    #: Wall seconds its exact evaluation took (the pipeline and code generation): what writing it costs again.
    seconds: float = field(default=0.0, compare=False)

    @property
    def pipeline(self) -> str:
        """The pass list as one ``opt -passes=`` string."""
        return ",".join(self.passes)

    def key(self, metric: str) -> tuple[int, int, int]:
        """Sort key (smaller is better); shorter pass lists win ties."""
        first, second = (self.text, self.ic) if metric == "text" else (self.ic, self.text)
        return first, second, len(self.passes)


@dataclass
class SearchLog:
    """What the search did, for the JSON record: evaluations per phase and the time each took."""

    evaluations: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failures: int = 0
    #: Calls cancelled at the cut-off (still running when checking and writing had to start).
    cancelled: int = 0
    #: Better results not taken: too little time was left to check and write them (``end_cost``).
    unwritable: int = 0

    def count(self, phase: str, seconds: float) -> None:
        self.evaluations[phase] = self.evaluations.get(phase, 0) + 1
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds


class SizeSearch:
    """Find a pass list that makes one program's object code as small as possible within a deadline.

    :param metric: ``"text"`` (object ``.text`` bytes first, then IR instructions) or ``"ir"`` (the reverse).
    :param sequences: candidate pass lists, best predicted first, or a callable given the start session and
        the -Oz :class:`Candidate` that returns them (e.g. a value model ranking the coreset for this program).
    :param refine_actions: the passes the refinement may append (default: the ``default`` action set).
    :param macro_actions: pipelines the refinement tries before the single passes (default: a re-run of -Oz).
    :param refine: spend the time left after the sequences on refining the best result.
    :param seed: seed of the refinement's random order and kicks.
    :param max_evaluations: stop after this many module evaluations (probes included) as well as at the
        deadline (None: the deadline only); makes a run reproducible whatever the machine's speed.
    :param moves: the refinement's steps besides the macros: ``"pass"`` (one pass), ``"pass-oz"`` (a pass
        followed by -Oz) or ``"mixed"`` (both, alternating). One pass did at least as well on training
        programs (builtin-v0 train split, csmith seeds 100-110).
    :param chain: the first ``chain`` candidate sequences (best predicted first) are also refinement steps:
        a whole sequence run again on the best result.
    :param end_cost: seconds the caller needs after the search to check and write a candidate (None: none).
        The search stops (cancelling a call still running) when the time left before the deadline is the
        best's end cost, and never takes as best a result it could not check and write in time.
    :param on_best: called with each candidate the search takes as its new best (e.g. to start replaying it).
    """

    def __init__(
        self,
        metric: str = "text",
        sequences: Sequence[Sequence[str]] | Callable[[Session], Sequence[Sequence[str]]] = (),
        refine_actions: Sequence[str] | None = None,
        macro_actions: Sequence[str] = (OZ,),
        refine: bool = True,
        seed: int = 0,
        max_evaluations: int | None = None,
        moves: str = "pass",
        chain: int = 0,
        end_cost: Callable[[Candidate], float] | None = None,
        on_best: Callable[[Candidate], None] | None = None,
    ) -> None:
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
        self.metric = metric
        self.sequences = sequences
        if refine_actions is None:
            from rl_compiler.envs.action_sets import load_action_set

            refine_actions = load_action_set("default").pipelines
        self.refine_actions = [a for a in refine_actions if a != "<end-episode>"]
        self.macro_actions = list(macro_actions)
        self.refine = refine
        self.seed = seed
        self.max_evaluations = max_evaluations
        self.moves = moves
        self.chain = chain
        self.end_cost = end_cost
        self.on_best = on_best
        self._deadline: Deadline | None = None
        self._macros = list(self.macro_actions)
        self.log = SearchLog()
        self._oz: tuple[Candidate, Session] | None = None
        self._best: tuple[Candidate, Session] | None = None
        #: The best admissible result the search took (one it can check and write in time, given ``end_cost``).
        self.best: Candidate | None = None

    def _stop(self, deadline: Deadline) -> bool:
        """Out of time (less than :data:`MIN_CALL_SECONDS` before the cut-off), or out of evaluations."""
        if self.max_evaluations is not None and sum(self.log.evaluations.values()) >= self.max_evaluations:
            return True
        return self._time_left(deadline) < MIN_CALL_SECONDS

    def _reserve(self) -> float:
        """Seconds before the deadline at which the search must end: what checking and writing the best takes."""
        if self.end_cost is None or self._best is None:
            return 0.0
        return self.end_cost(self._best[0])

    def _time_left(self, deadline: Deadline | None) -> float:
        """Seconds until the cut-off: the deadline less the reserve for the best result."""
        return float("inf") if deadline is None else deadline.remaining() - self._reserve()

    # -- exact evaluation ----------------------------------------------------------------------------------
    def evaluate(
        self,
        root: Session,
        passes: Sequence[str],
        origin: str,
        phase: str | None = None,
        deadline: Deadline | None = None,
    ) -> tuple[Candidate, Session] | None:
        """Run ``passes`` as one pipeline on a fresh parse of the start module; the candidate and its session
        (the caller closes it), or None if LLVM rejects or crashes on the pipeline, or (given ``deadline``)
        it would run past the deadline or take :data:`SLOW_FACTOR` times -Oz's time. ``phase`` (default:
        ``origin``) is where the time is logged."""
        started = time.perf_counter()
        session = root.sibling(root.start_bitcode, lazy=True)  # parsed in the first call, under its bound
        oz_seconds = self.log.seconds.get("oz")
        cap = None if oz_seconds is None else max(SLOW_MIN_SECONDS, SLOW_FACTOR * oz_seconds)
        cut = None if deadline is None else self._time_left(deadline)
        try:
            with _bounded(session, cut, cap):  # a kept session may be used after the deadline
                if passes:  # one request, so one bounded call: the pipeline, then the sizes
                    ic, text = session.step(",".join(passes), ("instruction_count", "object_text_size"))
                else:
                    ic, text = session.instruction_count(), session.object_text_size()
        except LLVMError as error:
            session.close()
            self._failed(error, deadline)
            return None
        finally:
            self.log.count(phase or origin, time.perf_counter() - started)
        return Candidate(tuple(passes), ic, text, origin, seconds=time.perf_counter() - started), session

    def _failed(self, error: LLVMError, deadline: Deadline | None) -> None:
        """Count a failed call: cancelled at the cut-off, or a failure (crash, rejected or too slow pipeline)."""
        if isinstance(error, WorkerTimeoutError) and deadline is not None and self._stop(deadline):
            self.log.cancelled += 1
        else:
            self.log.failures += 1

    def baseline(self, root: Session) -> Candidate:
        """-Oz on the start module (raises if even that fails); its session is kept until :meth:`close`."""
        result = self.evaluate(root, (OZ,), "oz")
        if result is None:
            raise LLVMError("the -Oz pipeline fails on this module")
        self.close()
        self._oz = self._best = result
        self.best = result[0]
        return result[0]

    # -- kept sessions: the exact modules of -Oz and of the best candidate (the refinement starts from the best) --
    def _offer(self, candidate: Candidate, session: Session) -> bool:
        """Keep ``session`` if ``candidate`` is the best admissible one so far; True if kept."""
        assert self._oz is not None and self._best is not None
        if not self.admissible(candidate, self._oz[0]) or candidate.key(self.metric) >= self._best[0].key(self.metric):
            return False
        if self.end_cost is not None and self._deadline is not None:
            if self._deadline.remaining() < self.end_cost(candidate):
                self.log.unwritable += 1  # the previous best still fits: the cut-off was set by it
                return False
        previous = self._best
        self._best = (candidate, session)
        self.best = candidate
        self._release(previous[1])
        if self.on_best is not None:
            self.on_best(candidate)
        return True

    def _release(self, session: Session) -> None:
        """Close ``session`` unless it is kept."""
        if all(session is not kept[1] for kept in (self._oz, self._best) if kept is not None):
            session.close()

    def close(self) -> None:
        """Close the kept sessions."""
        for kept in (self._best, self._oz):
            if kept is not None:
                kept[1].close()
        self._best = self._oz = None

    # -- the search ----------------------------------------------------------------------------------------
    def run(self, root: Session, deadline: Deadline, oz: Candidate | None = None) -> list[Candidate]:
        """Search from ``root`` (a session on the start module) until ``deadline``.

        :param oz: the result of :meth:`baseline` if already taken.
        :returns: every exactly evaluated candidate, best first on the metric, -Oz included. The sessions of
            -Oz and of the best admissible candidate stay open until :meth:`close`.
        """
        self._deadline = deadline
        if oz is None or self._oz is None:
            oz = self.baseline(root)
        found: dict[str, Candidate] = {oz.pipeline: oz}
        if self._stop(deadline):  # e.g. a slow build took the budget: not even ranking the candidates
            sequences: Sequence[Sequence[str]] = ()
        else:
            sequences = self.sequences(root, oz) if callable(self.sequences) else self.sequences
        for passes in sequences:
            if self._stop(deadline):
                break
            passes = tuple(passes)
            if ",".join(passes) in found:
                continue
            result = self.evaluate(root, passes, "sequence", deadline=deadline)
            if result is not None:
                found[result[0].pipeline] = result[0]
                if not self._offer(*result):
                    result[1].close()
        if self.refine and not self._stop(deadline):
            # The first `chain` sequences (best predicted) become moves too: a whole sequence run again on the
            # best result, as -Oz twice often beats -Oz once.
            chained = [",".join(p) for p in list(sequences)[: self.chain + 1] if ",".join(p) != OZ][: self.chain]
            self._macros = list(dict.fromkeys([*self.macro_actions, *chained]))
            for candidate in self.refine_from(root, deadline):
                found.setdefault(candidate.pipeline, candidate)
        return sorted(found.values(), key=lambda c: c.key(self.metric))

    def admissible(self, candidate: Candidate, oz: Candidate) -> bool:
        """Whether ``candidate`` may replace -Oz: never larger in ``.text``; with ``metric="ir"`` not larger
        in IR instructions either; and at least as good as -Oz on the metric."""
        if candidate.text > oz.text:
            return False
        if self.metric == "ir" and candidate.ic > oz.ic:
            return False
        return candidate.key(self.metric)[:2] <= oz.key(self.metric)[:2]

    def refine_from(self, root: Session, deadline: Deadline) -> Iterable[Candidate]:
        """First-improvement local search from the best candidate so far: append one action at a time, accept
        a child whose exact re-evaluation improves on the metric; kick the best state with random actions
        when no action improves it. Yields each new best."""
        assert self._best is not None
        rng = random.Random(self.seed)
        current, session = self._best
        tried: set[int] = set()
        try:
            while not self._stop(deadline):
                improved = None
                actions = self._moves(rng)
                try:
                    with self._bounded(session, deadline):
                        here = session.fingerprint()
                except LLVMError as error:
                    self._failed(error, deadline)
                    return
                tried.add(here)
                for action in self._macros + actions:
                    if self._stop(deadline):
                        break
                    probe = self._probe(session, here, action, tried, deadline)
                    if probe is None or not self._better(probe, current):
                        continue
                    exact = self.evaluate(root, current.passes + (action,), "refine", deadline=deadline)
                    if exact is None:
                        continue
                    if exact[0].key(self.metric) < current.key(self.metric):
                        improved = exact
                        break
                    exact[1].close()
                if improved is None:
                    improved = self._kick(root, self._best[0] if self._best else current, rng, deadline)
                    if improved is None:
                        return
                previous = session
                current, session = improved
                self._release(previous)
                if self._offer(current, session):
                    yield current
        finally:
            self._release(session)

    def _bounded(self, session: Session, deadline: Deadline | None) -> contextlib.AbstractContextManager:
        """Calls on a kept session bounded by the cut-off, like every other call: after a cancelled or failed
        call killed the worker, the kept session's next call rebuilds its module in a new worker (a worker
        start plus its whole pass list: about 1 s on a 9,000-instruction module). Its timeout is restored after."""
        return _bounded(session, None if deadline is None else self._time_left(deadline))

    def _moves(self, rng: random.Random) -> list[str]:
        """The refinement's candidate steps in this round's order (macros first are added by the caller)."""
        plain = self.refine_actions[:]
        rng.shuffle(plain)
        with_oz = [f"{action},{OZ}" for action in plain]
        if self.moves == "pass":
            return plain
        if self.moves == "pass-oz":
            return with_oz
        return [move for pair in zip(with_oz, plain, strict=True) for move in pair]

    def _better(self, probe: tuple[int, int], current: Candidate) -> bool:
        """Whether a probed (ic, text) beats ``current`` on the metric."""
        ic, text = probe
        key = (text, ic) if self.metric == "text" else (ic, text)
        return key < current.key(self.metric)[:2]

    def _probe(
        self, session: Session, here: int, action: str, tried: set[int], deadline: Deadline | None = None
    ) -> tuple[int, int] | None:
        """(ic, text) of ``session`` (whose fingerprint is ``here``) plus ``action`` on a fork, or None if the
        action fails, changes nothing, leads to a module already probed, or would run past ``deadline``."""
        started = time.perf_counter()
        fork = None
        try:
            with self._bounded(session, deadline):
                fork = session.fork()
            with self._bounded(fork, deadline):
                fingerprint, ic = fork.step(action, ("fingerprint", "instruction_count"))
                if fingerprint == here or fingerprint in tried:
                    return None
                tried.add(fingerprint)
                return ic, fork.object_text_size()
        except LLVMError as error:
            self._failed(error, deadline)
            return None
        finally:
            if fork is not None:
                fork.close()
            self.log.count("probe", time.perf_counter() - started)

    def _kick(
        self, root: Session, best: Candidate, rng: random.Random, deadline: Deadline
    ) -> tuple[Candidate, Session] | None:
        """``best`` plus 1-3 random actions and a re-run of -Oz, exactly evaluated (None if out of time)."""
        while not self._stop(deadline):
            kick = tuple(rng.choice(self.refine_actions) for _ in range(rng.randint(1, 3)))
            result = self.evaluate(root, best.passes + kick + (OZ,), "kick", deadline=deadline)
            if result is not None:
                return result
        return None

"""Value prediction alone: -Oz, the value model's order and its first sequences compiled, on all lanes at once,
within a wall-clock budget.

:func:`predict` is the "value prediction, 5 compilations" of ``benchmarks/perf/coreset_eval.py``: the start
module's features and -Oz on it (the model needs -Oz's outcome), the model's order, then its first
``compilations - 1`` other sequences, each applied to the start module, compiled to an object and verified; the
result kept is the smallest ``.text`` (then IR), so never larger than -Oz's.

The compilations run on every lane of the :class:`~.scoring.Scorer` (one crash-isolated worker process each)
at the same time. While lane 0 takes the features and -Oz, another lane compiles :data:`SPECULATIVE` sequences
the model is likely to pick, guessed from the start module alone (:mod:`.speculate`: where ``always_inline``
functions have several call sites, the prior order's sequence 2 and -Oz twice; elsewhere the first picks of the
model's rule over the start features alone). Once the order is known, each
free lane takes the next picked sequence not yet started, and a speculative result outside the picks is
dropped (:attr:`Prediction.wasted`).

**Budget** (``budget`` seconds for the whole path, default :data:`BUDGET`): -Oz always runs to its end (the
model needs its outcome, and it is the result kept when nothing else finishes); every other compilation is
bounded by the time left, and one still running at the deadline is cancelled (its worker killed, a new one
started in the background: :meth:`.scoring.Scorer.restart`); the result kept is the best that finished. With a
cost model (:mod:`.costs`; the shipped one by default), the picks start in the model's order (``order``), and a
pick estimated not to finish in the time left (the smaller of its measured multiple of -Oz's time on this program
and its seconds per instruction) is not started (skipped) rather than started and cancelled; a pick never started
because its lane was cancelled counts as skipped too. The budget is for
compiling: a lane whose worker is not running starts one first, unbounded (:meth:`.scoring.Scorer.start` starts
them ahead; after a cancellation the new one starts in the background).

**At most ``compilations`` in all**, -Oz and the guesses included: a guess the model does not pick takes the place
of its last pick (skipped). With ``budget=None`` nothing is guessed (a guess only saves time), so the picks and the
result kept are exactly those of compiling one sequence after the other (measured in docs/coreset.md); with a
budget they are too whenever no guess is wasted and every pick finishes in time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rl_compiler.agents.coreset.costs import SequenceCosts, load_costs
from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.speculate import (
    force_inlining,
    prior_speculation,
    start_order,
    start_speculation,
)
from rl_compiler.agents.coreset.value import ValueModel, feature_vector, start_vector
from rl_compiler.envs.coreset_data import Coreset
from rl_compiler.llvm.errors import LLVMError, WorkerTimeoutError

#: Compilations of "value prediction alone", -Oz included (the issue's budget).
COMPILATIONS = 5
#: Sequences compiled before the model's order is known (:mod:`.speculate`). Where -Oz blows a module up (lz4's
#: `lz4.c`: -Oz 0.8 s) sequence 2 takes 0.2 s and shrinks it 4 times, and waiting for -Oz to start it missed a 1 s
#: budget; elsewhere an expensive likely pick (sequence 11: 2-2.5 times -Oz) needs to start at once. More are
#: picked less often, and one not picked can take seconds (lz4's `lz4hc.c`: 3.5 s of passes for sequence 11)
#: while the picks wait for it.
SPECULATIVE = 2
#: What the speculative lanes compile (``guess`` of :func:`predict`): ``"start"`` guesses from the start module
#: (:mod:`.speculate`), ``"prior"`` compiles the prior order's first (sequence 2 and -Oz twice) on every program.
GUESSES = ("start", "prior")
#: Wall seconds of the whole path by default (the issue's "under 1 s below 10,000 instructions").
BUDGET = 1.0
#: Seconds of the budget kept back for cancelling compilations still running (killing a worker and reaping
#: it) and returning: compilations are cut off this long before the budget ends.
RESERVE = 0.05
#: Shortest time a bounded compilation is given; with less left, nothing more is started.
MIN_CALL_SECONDS = 0.02
#: ``costs`` of :func:`predict`: the shipped cost model.
SHIPPED: Literal["shipped"] = "shipped"
#: Orders the picks can start in under a cost model (:meth:`Plan.decide`).
ORDERS = ("cheapest", "longest", "model")


@dataclass
class Prediction:
    """The picks, what each gave, and the result kept."""

    #: Coreset indices of the picks, -Oz (0) first, then in the model's order.
    chosen: list[int]
    #: ``(ic, text)`` of each chosen index (None: the sequence failed: crash, timeout, invalid IR, no .text;
    #: or it was cancelled at the deadline or not started, see :attr:`cancelled` and :attr:`skipped`).
    results: dict[int, tuple[int, int] | None]
    #: The index kept: smallest ``.text``, then IR instructions (then the sequence's text, as a tie-break).
    kept: int
    #: The model's raw input (:func:`.value.feature_vector`).
    features: np.ndarray
    #: Speculative compilations whose sequence the model did not pick (time spent for nothing).
    wasted: list[int] = field(default_factory=list)
    #: Picks still compiling at the deadline, cancelled.
    cancelled: list[int] = field(default_factory=list)
    #: Picks never started: estimated not to finish in the time left, no time left, or a wasted guess used the
    #: compilation (the last picks).
    skipped: list[int] = field(default_factory=list)
    #: Wall seconds of -Oz on lane 0 (the cost model's scale).
    oz_seconds: float = 0.0
    #: Sequences started before the order was known (picked or wasted), in the order they started.
    speculated: list[int] = field(default_factory=list)

    @property
    def compilations(self) -> int:
        """Compilations started on this program, -Oz and wasted speculative ones included."""
        return len(set(self.chosen) - set(self.skipped)) + len(self.wasted)

    @property
    def ic(self) -> int:
        """IR instructions of the kept result."""
        return self.results[self.kept][0]  # type: ignore[index]

    @property
    def text(self) -> int:
        """Object ``.text`` bytes of the kept result."""
        return self.results[self.kept][1]  # type: ignore[index]


class Plan:
    """Which sequence each lane compiles next: speculative ones until the order is known, then the picks in
    ``queue`` order, each only while time is left (and, with an estimate, only if it should finish).

    :param clock: seconds now (the same clock as ``end``); a parameter so that a simulation can drive it.
    """

    def __init__(self, speculative: list[int], limit: int, end: float | None = None,
                 clock: Callable[[], float] = time.perf_counter, capacity: int | None = None) -> None:  # fmt: skip
        self.lock = threading.Condition()
        self.speculative, self.limit = speculative[:limit], limit
        #: Sequences other than -Oz started in all, wasted speculative ones included (None: no cap): the picks
        #: past it are skipped.
        self.capacity = capacity
        self.end, self.clock = end, clock
        self.chosen: list[int] | None = None
        self.queue: list[int] = []
        self.estimate: Callable[[int], float] | None = None
        self.started: set[int] = set()
        self.skipped: list[int] = []
        self.failed = False
        self.speculated: list[int] = []

    def remaining(self) -> float:
        """Seconds until compilations are cut off (infinite without a budget)."""
        return float("inf") if self.end is None else self.end - self.clock()

    def take(self) -> int | None | Literal["wait"]:
        """The next index to compile, None when nothing is left, or ``"wait"`` while lane 0 ranks."""
        if self.failed:
            return None
        if self.chosen is None:
            for index in self.speculative:
                if index not in self.started and self.remaining() >= MIN_CALL_SECONDS:
                    self.started.add(index)
                    self.speculated.append(index)
                    return index
            return "wait"
        for index in self.queue:
            if index in self.started or index in self.skipped:
                continue
            left = self.remaining()
            full = self.capacity is not None and len(self.started) >= self.capacity
            if full or left < MIN_CALL_SECONDS or (self.estimate is not None and self.estimate(index) > left):
                self.skipped.append(index)
                continue
            self.started.add(index)
            return index
        return None

    def next(self) -> int | None:
        """:meth:`take`, waiting while lane 0 ranks."""
        with self.lock:
            while (index := self.take()) == "wait":
                self.lock.wait()
            return index  # type: ignore[return-value]

    def speculate(self, indices: list[int]) -> None:
        """More sequences to compile while the order is not known yet (a guess that came after the start)."""
        with self.lock:
            self.speculative = [*self.speculative, *(i for i in indices if i not in self.speculative)][: self.limit]
            self.lock.notify_all()

    def decide(
        self, chosen: list[int] | None, estimate: Callable[[int], float] | None = None, order: str = "cheapest"
    ) -> None:
        """The model's picks (None: give up, e.g. -Oz failed); with ``estimate`` (seconds a pick is expected
        to take), a pick expected to overrun is skipped, and the picks start in ``order``: ``"cheapest"``
        first, ``"longest"`` first, or the ``"model"``'s."""
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}; got {order!r}")
        with self.lock:
            self.chosen, self.failed = chosen, chosen is None
            if chosen is not None:
                picks = chosen[1:]
                if estimate is not None and order != "model":
                    picks = sorted(picks, key=estimate, reverse=order == "longest")
                self.queue, self.estimate = picks, estimate
            self.lock.notify_all()


def predict(
    bitcode: bytes,
    scorer: Scorer,
    coreset: Coreset,
    model: ValueModel,
    compilations: int = COMPILATIONS,
    budget: float | None = BUDGET,
    costs: SequenceCosts | Literal["shipped"] | None = SHIPPED,
    order: str = "model",
    speculative: int = SPECULATIVE,
    guess: str = "start",
) -> Prediction:
    """Compile -Oz and the model's first ``compilations - 1`` other sequences on the start module ``bitcode``,
    on every lane of ``scorer`` at once, and keep the smallest ``.text`` (see the module docstring).

    :param budget: wall seconds for the whole path (None: no limit): compilations other than -Oz still
        running ``RESERVE`` seconds before it ends are cancelled.
    :param costs: the cost model that skips picks under a budget and orders the speculative compilations
        (``"shipped"``: the shipped one; None: no estimate).
    :param order: the order the picks start in with a cost model (:data:`ORDERS`, :meth:`Plan.decide`).
    :param speculative: sequences compiled before the model's order is known (:mod:`.speculate`).
    :param guess: how they are chosen (:data:`GUESSES`).
    :raises LLVMError: -Oz itself fails on the module, or leaves no ``.text``.
    """
    from rl_compiler.agents.coreset import rank_sequences

    started = time.perf_counter()
    if compilations < 1:
        raise ValueError(f"compilations must be at least 1, got {compilations!r}")
    if budget is not None and not budget > 0:
        raise ValueError(f"budget must be positive seconds or None, got {budget!r}")
    if guess not in GUESSES:
        raise ValueError(f"guess must be one of {', '.join(GUESSES)}; got {guess!r}")
    if costs == SHIPPED:
        costs = load_costs() if budget is not None else None
    if isinstance(costs, SequenceCosts):
        costs.check_coreset(coreset.sequences)
    oz = coreset.sequences[0]
    # Not done: continuing lane 0's -Oz module for a picked "-Oz, -Oz" (one -Oz of passes less) gave the same IR
    # on 164 training programs but not on 4 of 239 held-out csmith programs (IR 164 against 166 instructions):
    # the second -Oz in another pass-manager run is not the pipeline's second half.
    end = None if budget is None else started + budget - RESERVE
    # A guess is a compilation: a wasted one takes the place of the last pick. Without a budget nothing is
    # guessed (it only saves time), so the picks are exactly those of compiling one after the other.
    count = 0 if budget is None else min(speculative, compilations - 1)
    prior = prior_speculation(model, costs if isinstance(costs, SequenceCosts) else None, count)
    plan = Plan(prior if guess == "prior" else [], count, end, capacity=compilations - 1)
    results: dict[int, tuple[int, int] | None] = {}
    cancelled: list[int] = []
    errors: list[BaseException] = []
    start: list[np.ndarray] = []  # the start features, once lane 0 has them
    started_features = threading.Event()

    def guess_from_start(lane: int) -> None:  # on the first speculative lane, while lane 0 takes the features
        with scorer.session(bitcode, lane) as session:
            forced = force_inlining(session.ir())
        if not forced:
            started_features.wait()
        if forced or not start:  # force-inlining (or lane 0 failed): sequence 2 first, as the prior order has it
            plan.speculate(prior)
        else:
            plan.speculate(start_speculation(start_order(model, start[0]), count))

    def keep(index: int, scored: list[int] | None) -> None:
        results[index] = None if scored is None or scored[1] <= 0 else (scored[0], scored[1])

    def compile_on(lane: int) -> None:
        try:
            if lane == 1 and guess == "start" and count > 0:
                guess_from_start(lane)
            while (index := plan.next()) is not None:
                try:
                    keep(index, scorer.compile(bitcode, coreset.sequences[index], lane, end))
                except WorkerTimeoutError:  # the deadline: nothing more on this lane
                    cancelled.append(index)
                    return
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)
            plan.decide(None)

    lanes = [threading.Thread(target=compile_on, args=(lane,), daemon=True) for lane in range(1, scorer.lanes)]
    for thread in lanes:
        thread.start()
    try:
        with scorer.session(bitcode) as root:
            autophase, inst_count = root.features()
            start.append(start_vector(autophase, inst_count))
            started_features.set()
            ic_start = root.instruction_count()
            oz_started = time.perf_counter()
            scored = scorer.measure(root, oz)
            oz_seconds = time.perf_counter() - oz_started
            if scored is None or scored[1] <= 0:
                raise LLVMError("-Oz fails on this module or leaves no .text")
            features = feature_vector(autophase, inst_count, ic_start, scored[0], scored[1])
            ranked = rank_sequences(features, coreset=coreset, model=model)
            chosen = [0, *[i for i in ranked if i != 0][: compilations - 1]]
            keep(0, scored)
            estimate = None
            if isinstance(costs, SequenceCosts):
                estimate = lambda index: costs.seconds(index, oz_seconds, ic_start)  # noqa: E731
            plan.decide(chosen, estimate, order)
    except BaseException:
        plan.decide(None)
        started_features.set()
        for thread in lanes:
            thread.join()
        raise
    compile_on(0)
    for thread in lanes:
        thread.join()
    if errors:
        raise errors[0]
    kept = min(
        (i for i in chosen if results.get(i) is not None),
        key=lambda i: (results[i][1], results[i][0], coreset.sequences[i]),  # type: ignore[index]
    )
    wasted = sorted((set(results) | set(cancelled)) - set(chosen))
    # A pick never started because its lane was cancelled had no time left either.
    skipped = set(plan.skipped) | {i for i in chosen if i not in results and i not in cancelled}
    return Prediction(
        chosen, {i: results.get(i) for i in chosen}, kept, features, wasted,
        cancelled=sorted(set(cancelled) & set(chosen)), skipped=sorted(skipped), oz_seconds=oz_seconds,
        speculated=list(plan.speculated),
    )  # fmt: skip

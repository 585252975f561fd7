"""Value prediction alone: -Oz, the value model's order and its first sequences compiled, on all lanes at once.

:func:`predict` is the "value prediction, 5 compilations" of ``benchmarks/perf/coreset_eval.py``: the start
module's features and -Oz on it (the model needs -Oz's outcome), the model's order, then its first
``compilations - 1`` other sequences, each applied to the start module, compiled to an object and verified; the
result kept is the smallest ``.text`` (then IR), so never larger than -Oz's.

The compilations run on every lane of the :class:`~.scoring.Scorer` (one crash-isolated worker process each)
at the same time. While lane 0 takes the features and -Oz, another lane compiles the sequence the model puts
first for a program it knows nothing about yet (:meth:`.value.ValueModel.prior_order`, the greedy cover of all
its training programs: -Oz twice, which it picks for 97% of its training programs). Once the order is known,
each free lane takes the next picked sequence not yet started, and a speculative result outside the picks is
dropped. The picks and the result kept are exactly those
of compiling one sequence after the other: only the wall time changes (measured in docs/coreset.md).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.value import ValueModel, feature_vector
from rl_compiler.envs.coreset_data import Coreset
from rl_compiler.llvm.errors import LLVMError

#: Compilations of "value prediction alone", -Oz included (the issue's budget).
COMPILATIONS = 5
#: Sequences compiled before the model's order is known: the first of the prior order (-Oz twice), which the
#: model picks for 97% of its training programs. The next ones are picked less often, and one not picked can
#: take seconds on a module that -Oz blows up (lz4's `lz4hc.c`: 3.5 s of passes for sequence 11) while the
#: picks wait for it.
SPECULATIVE = 1


@dataclass
class Prediction:
    """The picks, what each gave, and the result kept."""

    #: Coreset indices compiled for the program, -Oz (0) first, then in the model's order.
    chosen: list[int]
    #: ``(ic, text)`` of each chosen index (None: the sequence failed: crash, timeout, invalid IR, no .text).
    results: dict[int, tuple[int, int] | None]
    #: The index kept: smallest ``.text``, then IR instructions (then the sequence's text, as a tie-break).
    kept: int
    #: The model's raw input (:func:`.value.feature_vector`).
    features: np.ndarray
    #: Speculative compilations whose sequence the model did not pick (time spent for nothing).
    wasted: list[int] = field(default_factory=list)

    @property
    def ic(self) -> int:
        """IR instructions of the kept result."""
        return self.results[self.kept][0]  # type: ignore[index]

    @property
    def text(self) -> int:
        """Object ``.text`` bytes of the kept result."""
        return self.results[self.kept][1]  # type: ignore[index]


class _Plan:
    """Which sequence each lane compiles next: speculative ones until the order is known, then the picks."""

    def __init__(self, speculative: list[int], limit: int) -> None:
        self.lock = threading.Condition()
        self.speculative = speculative[:limit]
        self.chosen: list[int] | None = None
        self.started: set[int] = set()
        self.failed = False

    def next(self) -> int | None:
        """The next index to compile, or None when nothing is left (waits while lane 0 ranks)."""
        with self.lock:
            while True:
                if self.failed:
                    return None
                pending = self.speculative if self.chosen is None else self.chosen[1:]
                for index in pending:
                    if index not in self.started:
                        self.started.add(index)
                        return index
                if self.chosen is not None:
                    return None
                self.lock.wait()

    def decide(self, chosen: list[int] | None) -> None:
        """The model's picks (None: give up, e.g. -Oz failed)."""
        with self.lock:
            self.chosen, self.failed = chosen, chosen is None
            self.lock.notify_all()


def predict(
    bitcode: bytes,
    scorer: Scorer,
    coreset: Coreset,
    model: ValueModel,
    compilations: int = COMPILATIONS,
) -> Prediction:
    """Compile -Oz and the model's first ``compilations - 1`` other sequences on the start module ``bitcode``,
    on every lane of ``scorer`` at once, and keep the smallest ``.text`` (see the module docstring).

    :raises LLVMError: -Oz itself fails on the module, or leaves no ``.text``.
    """
    from rl_compiler.agents.coreset import rank_sequences

    if compilations < 1:
        raise ValueError(f"compilations must be at least 1, got {compilations!r}")
    oz = coreset.sequences[0]
    # Not done: continuing lane 0's -Oz module for a picked "-Oz, -Oz" (one -Oz of passes less) gave the same IR
    # on 164 training programs but not on 4 of 239 held-out csmith programs (IR 164 against 166 instructions):
    # the second -Oz in another pass-manager run is not the pipeline's second half.
    speculative = [i for i in model.prior_order() if i != 0]
    plan = _Plan(speculative, min(SPECULATIVE, compilations - 1))
    results: dict[int, tuple[int, int] | None] = {}
    errors: list[BaseException] = []

    def keep(index: int, scored: list[int] | None) -> None:
        results[index] = None if scored is None or scored[1] <= 0 else (scored[0], scored[1])

    def compile_on(lane: int) -> None:
        try:
            while (index := plan.next()) is not None:
                keep(index, scorer.compile(bitcode, coreset.sequences[index], lane))
        except BaseException as error:  # reported by the caller's thread
            errors.append(error)
            plan.decide(None)

    lanes = [threading.Thread(target=compile_on, args=(lane,), daemon=True) for lane in range(1, scorer.lanes)]
    for thread in lanes:
        thread.start()
    try:
        with scorer.session(bitcode) as root:
            autophase, inst_count = root.features()
            ic_start = root.instruction_count()
            scored = scorer.measure(root, oz)
            if scored is None or scored[1] <= 0:
                raise LLVMError("-Oz fails on this module or leaves no .text")
            features = feature_vector(autophase, inst_count, ic_start, scored[0], scored[1])
            order = rank_sequences(features, coreset=coreset, model=model)
            chosen = [0, *[i for i in order if i != 0][: compilations - 1]]
            keep(0, scored)
            plan.decide(chosen)
    except BaseException:
        plan.decide(None)
        for thread in lanes:
            thread.join()
        raise
    compile_on(0)
    for thread in lanes:
        thread.join()
    if errors:
        raise errors[0]
    kept = min(
        (i for i in chosen if results[i] is not None),
        key=lambda i: (results[i][1], results[i][0], coreset.sequences[i]),  # type: ignore[index]
    )
    wasted = sorted(set(results) - set(chosen))
    return Prediction(chosen, {i: results[i] for i in chosen}, kept, features, wasted)

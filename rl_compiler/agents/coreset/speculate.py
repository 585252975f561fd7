"""What the prediction path compiles before the value model's order is known: a guess from the start module.

The model needs -Oz's outcome, so while lane 0 takes the features and -Oz, another lane compiles sequences the
model is likely to pick (:mod:`.predict`). Two kinds of program decide what to guess:

- **Force-inlining** (``always_inline`` functions called from several places: lz4's ``FORCE_INLINE``, hiredis's
  parser): -Oz's inliner blows such a module up and takes most of the budget itself (lz4's ``lz4.c``: 0.8 s),
  while a sequence without that inlining (coreset sequence 2) takes 0.2 s and shrinks it 2-4 times. The start
  module's Autophase/InstCount features do not show it; its IR text does (:func:`force_inlining`). There the
  guess is the model's prior order (:func:`prior_speculation`: sequence 2, then -Oz twice), as before.
- **Everything else**: the first picks of the model's rule over the start module's features alone
  (:func:`start_order`: v1's distance without the -Oz features). An expensive likely pick
  (sequence 11 on large unrolled code: 2-2.5 times -Oz's time) then starts at once instead of after -Oz, when
  the time left may no longer hold it.

The guess never changes the picks or the result kept: a guessed sequence the model does not pick is dropped
(and reported as wasted).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from rl_compiler.agents.coreset.costs import SequenceCosts
from rl_compiler.agents.coreset.value import START_FEATURES, ValueModel, greedy_cover_order

#: Call sites of one ``always_inline`` function from which a module counts as force-inlined.
FORCE_INLINE_CALLS = 2

_ATTRIBUTE_GROUP = re.compile(r"^attributes #(\d+) = \{([^}\n]*)\}", re.M)
_DEFINE = re.compile(r"^define [^\n]*?@(\"[^\"]+\"|[-\w.$]+)\([^\n]*\)[^\n#]*#(\d+)\b[^\n]*\{$", re.M)
_CALL = re.compile(r"\b(?:call|invoke)\b[^\n]*?@(\"[^\"]+\"|[-\w.$]+)\(")


def force_inlining(ir: str, calls: int = FORCE_INLINE_CALLS) -> bool:
    """Whether the module (its textual IR) defines an ``alwaysinline`` function with at least ``calls`` call
    sites: the modules that -Oz's inliner can blow up."""
    groups = {number for number, body in _ATTRIBUTE_GROUP.findall(ir) if "alwaysinline" in body.split()}
    forced = {name for name, group in _DEFINE.findall(ir) if group in groups}
    if not forced:
        return False
    sites = Counter(name for name in _CALL.findall(ir) if name in forced)
    return any(count >= calls for count in sites.values())


def start_order(model: ValueModel, start: np.ndarray, exclude: np.ndarray | None = None) -> list[int]:
    """Coreset indices, -Oz first, in greedy-cover order of the neighbours over the start module's features
    alone (``start``: :func:`.value.start_vector`; standardized as the model's), weighted by the model's own rule
    for a program whose IR -Oz does not grow (:meth:`.value.ValueModel.cover_weights`), so that the guess is what
    the model is likely to pick.

    :param exclude: training programs (a boolean mask) left out, e.g. a program's own library in a simulation.
    """
    scaled = (model.features[:, :START_FEATURES] - np.asarray(start, float)) / model.std[:START_FEATURES]
    keep = np.ones(len(model.logs), bool) if exclude is None else ~np.asarray(exclude, bool)
    return greedy_cover_order(model.logs[keep], model.cover_weights((scaled[keep] ** 2).sum(axis=1)))


def prior_speculation(model: ValueModel, costs: SequenceCosts | None, count: int) -> list[int]:
    """The ``count`` sequences the model picks most often (the first of its prior order, -Oz left out), the
    cheapest per instruction first when ``costs`` are known (for coreset-v0: sequence 2, then -Oz twice)."""
    first = [i for i in model.prior_order() if i != 0][: max(count, 0)]
    return first if costs is None else sorted(first, key=lambda i: costs.per_instruction[i])


def start_speculation(order: list[int], count: int) -> list[int]:
    """The start module's first ``count`` picks (of ``order``, :func:`start_order`), -Oz left out."""
    return [i for i in order if i != 0][: max(count, 0)]

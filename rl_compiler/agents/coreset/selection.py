"""Pick the coreset: the K sequences that together cover a training corpus best (greedy submodular).

The objective is a facility-location function, ``F(S) = sum over programs p of max(0, max over s in S of
log v[p, s])``, where ``v`` is a sequence's value on a program normalized to -Oz (-Oz itself is always
available, hence the 0). ``F`` is monotone submodular, so adding at each round the sequence with the
largest marginal gain is within ``1 - 1/e`` of the best set of that size (Nemhauser, Wolsey and Fisher,
1978); Coreset-NVP (Liang et al., ICML 2023, https://arxiv.org/abs/2208.13193) picks its sequences the same
way. Logs make the sum the log of the geometric mean that the evaluation reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pick:
    """One chosen sequence: its column in the value table and what it added to the objective."""

    column: int
    marginal_gain: float  # mean over programs of the log-value it added
    covered: int  # programs on which it improved the best value so far


def log_gains(values: np.ndarray) -> np.ndarray:
    """``max(0, log v)``: the gain over -Oz of each (program, sequence); failures (NaN) gain nothing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        gains = np.log(values)
    return np.where(np.isfinite(gains), np.maximum(gains, 0.0), 0.0)


def greedy_cover(values: np.ndarray, size: int) -> list[Pick]:
    """Greedily choose up to ``size`` columns of ``values`` (programs x sequences); stops early when no
    remaining sequence improves any program."""
    if values.ndim != 2:
        raise ValueError(f"expected a programs x sequences table, got shape {values.shape}")
    if size < 1:
        raise ValueError(f"coreset size must be >= 1, got {size}")
    gains = log_gains(values)
    best = np.zeros(gains.shape[0])
    picks: list[Pick] = []
    available = np.ones(gains.shape[1], bool)
    while len(picks) < size and available.any():
        marginal = np.maximum(gains - best[:, None], 0.0).sum(axis=0)
        marginal[~available] = -1.0
        column = int(np.argmax(marginal))
        if marginal[column] <= 0:
            break
        improved = gains[:, column] > best
        picks.append(Pick(column, float(marginal[column] / gains.shape[0]), int(improved.sum())))
        best = np.maximum(best, gains[:, column])
        available[column] = False
    return picks


def coverage(values: np.ndarray, columns: list[int]) -> float:
    """Geometric mean over programs of the best value among ``columns`` and -Oz (1.0)."""
    if not columns:
        return 1.0
    return float(np.exp(log_gains(values[:, columns]).max(axis=1).mean()))

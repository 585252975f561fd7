"""Value prediction: which coreset sequences to try on a program, from its features and -Oz's outcome.

A nearest-neighbour model in NumPy (Coreset-NVP's spirit: Liang et al., ICML 2023 predict each sequence's
normalized value and try the best). Its input per program is the start module's Autophase (56) and InstCount (70)
features, log-scaled, plus three numbers from the -Oz result that ``optimize`` compiles first anyway: log(IR
after -Oz / IR of the start module), log(-Oz ``.text`` / IR after -Oz) and log(-Oz ``.text`` / IR of the start
module). -Oz *growing* the IR marks programs where force-inlining blows code up; a sequence that is bad on
average shrinks exactly those, and the start module's features alone do not show them.

The model keeps its training programs' standardized features and the log of every coreset sequence's value on
each (``text_Oz / text``, clipped to +-0.5, a failure counting as 20% larger than -Oz). For a new program it
weighs the ``k`` nearest training programs (the -Oz features scaled up by ``oz_weight`` in the distance) -- in v2
the distance over the start module's features is replaced by one over the values that two small MLPs predict from
all the features (a learned metric: programs the networks expect to respond alike, whatever features make them
so) -- and orders the sequences by greedy cover of those neighbours: each next sequence adds the most to the
weighted sum over neighbours of the best value so far (never below -Oz's). So the first few sequences complement
each other instead of being near-copies of one good guess. v3 hedged: for a program whose IR -Oz does not grow,
only the neighbours' first 2 picks were kept and the rest followed the greedy cover of all training programs
given those. v4 (``wide``) covers a wide neighbourhood instead for such a program: the nearest 60% of the
training programs, so the order is that of the many programs that respond like it rather than of 20 near-ties or
of the whole, mostly generated, corpus (a built-in program's is two-thirds real C and built-in programs, which
are 44% of the corpus); the 20 nearest still decide where -Oz grows the IR (the rare force-inlining case). The
networks' own predictions rank worse (they average away the rare force-inlining case that the -Oz features keep
among the neighbours). Chosen by grouped 5-fold cross-validation on the training programs (docs/coreset.md,
benchmarks/perf/coreset_cv.py). Trained with ``rl-compiler coreset train-value`` (the networks with PyTorch,
:mod:`.value_net`); shipped as ``agents/coreset/value-v4.npz``, loaded and run with NumPy alone (no PyTorch in
``optimize``).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rl_compiler.envs.coreset_data import Coreset
from rl_compiler.llvm.engine import AUTOPHASE_DIM, INSTCOUNT_DIM

START_FEATURES = AUTOPHASE_DIM + INSTCOUNT_DIM
OZ_FEATURES = 3
FEATURES = START_FEATURES + OZ_FEATURES
FAILED_LOG_VALUE = float(np.log(1 / 1.2))
CLIP = 0.5  # log values beyond +-0.5 (1.65x) are clipped: a few outliers would dominate the cover
FORMAT = "rl-compiler-coreset-value-v2"
FORMATS = ("rl-compiler-coreset-knn-v1", FORMAT)  # v1: the neighbour model without networks


def start_vector(autophase: Any, inst_count: Any) -> np.ndarray:
    """The start-module part of :func:`feature_vector`: log1p of the start module's Autophase and InstCount."""
    raw = np.concatenate([np.asarray(autophase, float).ravel(), np.asarray(inst_count, float).ravel()])
    if raw.shape != (START_FEATURES,):
        raise ValueError(
            f"expected {AUTOPHASE_DIM} Autophase + {INSTCOUNT_DIM} InstCount features ({START_FEATURES}), "
            f"got {raw.shape[0]} values"
        )
    return np.log1p(np.maximum(raw, 0.0))


def feature_vector(autophase: Any, inst_count: Any, ic_start: float, ic_oz: float, text_oz: float) -> np.ndarray:
    """The model's raw input for one program: :func:`start_vector`, then the three -Oz outcome features (see
    the module docstring)."""
    start = start_vector(autophase, inst_count)
    if min(ic_start, ic_oz, text_oz) <= 0:
        raise ValueError(
            f"the -Oz outcome needs positive sizes: start IR {ic_start}, -Oz IR {ic_oz}, -Oz .text {text_oz}"
        )
    oz = [np.log(ic_oz / ic_start), np.log(text_oz / ic_oz), np.log(text_oz / ic_start)]
    return np.concatenate([start, oz])


def targets(values: np.ndarray) -> np.ndarray:
    """Training targets from normalized values (NaN: failed): clipped logs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(values)
    return np.clip(np.where(np.isfinite(logs), logs, FAILED_LOG_VALUE), -CLIP, CLIP)


def sequences_digest(sequences: tuple[str, ...] | list[str]) -> str:
    """A short hash of a coreset's sequences: a model only ranks the coreset it was trained for."""
    return hashlib.sha1("\n".join(sequences).encode()).hexdigest()[:16]


def greedy_cover_order(logs: np.ndarray, weights: np.ndarray, start: tuple[int, ...] | list[int] = (0,)) -> list[int]:
    """Every column of ``logs`` (programs x sequences) ordered by greedy weighted cover, the columns of
    ``start`` first (by default column 0, -Oz): each next column adds most to ``sum_p weights[p] * max(0,
    best so far on p)``; ties go to the higher weighted mean."""
    mean = weights @ logs / max(weights.sum(), 1e-12)
    order = list(start)
    best = np.maximum(0.0, logs[:, order].max(axis=1)) if order else np.zeros(logs.shape[0])
    left = [column for column in range(logs.shape[1]) if column not in order]
    while left:
        gains = [weights @ np.maximum(best, logs[:, s]) + 1e-9 * mean[s] for s in left]
        column = left.pop(int(np.argmax(gains)))
        order.append(column)
        best = np.maximum(best, logs[:, column])
    return order


def network_forward(layers: list[tuple[np.ndarray, np.ndarray]], inputs: np.ndarray) -> np.ndarray:
    """An MLP's output in NumPy: ReLU between the ``(weight, bias)`` layers (weights ``in x out``)."""
    hidden = np.atleast_2d(inputs)
    for index, (weight, bias) in enumerate(layers):
        hidden = hidden @ weight + bias
        if index < len(layers) - 1:
            hidden = np.maximum(hidden, 0.0)
    return hidden


def neighbour_weights(distances: np.ndarray, k: int, alpha: float) -> np.ndarray:
    """``alpha`` for every training program plus ``1 / (1 + d / mean d)`` for the ``k`` nearest."""
    weights = np.full(len(distances), float(alpha))
    nearest = np.argsort(distances, kind="stable")[:k]
    weights[nearest] += 1.0 / (1.0 + distances[nearest] / max(distances[nearest].mean(), 1e-12))
    return weights


@dataclass
class ValueModel:
    """The neighbour model: training features (raw), their standardization, log-values, and settings; with
    ``networks``, also their predictions on the training programs (``predicted``) for the learned metric."""

    features: np.ndarray
    logs: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    coreset_digest: str
    metric: str = "text"
    k: int = 20
    oz_weight: float = 20.0
    alpha: float = 0.05
    info: dict[str, Any] = field(default_factory=dict)
    networks: list[list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=list)
    predicted: np.ndarray | None = None
    hedge: int = 0
    wide: float = 0.0

    def _scaled(self, features: np.ndarray) -> np.ndarray:
        scaled = (np.atleast_2d(features) - self.mean) / self.std
        scaled[:, START_FEATURES:] *= self.oz_weight
        return scaled

    def network_values(self, features: np.ndarray) -> np.ndarray:
        """The networks' mean predicted log-value of each sequence for one program's raw features."""
        inputs = (np.atleast_2d(features) - self.mean) / self.std
        return np.mean([network_forward(layers, inputs)[0] for layers in self.networks], axis=0)

    def distances(self, features: np.ndarray) -> np.ndarray:
        """Squared distance of one program's raw features to every training program's: over the scaled
        features (v1), or with networks over their predicted values (rescaled to a mean of ``FEATURES``, the
        size of the other's) plus the scaled -Oz features (v2)."""
        scaled = (self._scaled(self.features) - self._scaled(features)) ** 2
        if not self.networks or self.predicted is None:
            return scaled.sum(axis=1)
        learned = ((self.predicted - self.network_values(features)) ** 2).sum(axis=1)
        return learned / max(learned.mean(), 1e-12) * FEATURES + scaled[:, START_FEATURES:].sum(axis=1)

    def weights(self, features: np.ndarray) -> np.ndarray:
        """Each training program's weight for one program's raw features: ``alpha`` for all, plus
        ``1 / (1 + d / mean d)`` for the ``k`` nearest (:meth:`distances`)."""
        return neighbour_weights(self.distances(features), self.k, self.alpha)

    def cover_weights(self, distances: np.ndarray) -> np.ndarray:
        """Weights of the training programs (or of any subset, given their ``distances``) whose greedy cover
        orders a program whose IR -Oz does not grow: the nearest ``wide`` fraction of them (no ``alpha``), or
        without ``wide`` the ``k`` nearest plus ``alpha`` for all."""
        if self.wide > 0:
            return neighbour_weights(distances, max(self.k, round(self.wide * len(distances))), 0.0)
        return neighbour_weights(distances, self.k, self.alpha)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Predicted log-value of each sequence for one program: the neighbours' weighted mean."""
        weights = self.weights(features)
        return weights @ self.logs / weights.sum()

    def rank(self, features: np.ndarray) -> list[int]:
        """Coreset indices, -Oz first, then in greedy-cover order of the program's neighbours. Unless -Oz
        grows the program's IR (force-inlining: the ``k`` nearest keep their rare sequence): with ``wide`` > 0
        the neighbours are the nearest ``wide`` fraction of the training programs (no ``alpha``); with
        ``hedge`` > 0 only the ``k`` nearest's first ``hedge`` picks are kept, then the rest follow the
        greedy cover of *all* training programs (equal weights) given those."""
        if np.atleast_2d(features)[0, START_FEATURES] >= 0:  # -Oz grows the IR: the k nearest decide
            return greedy_cover_order(self.logs, self.weights(features))
        order = greedy_cover_order(self.logs, self.cover_weights(self.distances(features)))
        if self.hedge <= 0:
            return order
        return greedy_cover_order(self.logs, np.ones(len(self.logs)), order[: 1 + self.hedge])

    def prior_order(self) -> list[int]:
        """Coreset indices, -Oz first, in the greedy-cover order of all training programs (equal weights): the
        order for a program about which nothing is known yet (:mod:`.predict` compiles its first sequences while
        -Oz runs)."""
        return greedy_cover_order(self.logs, np.ones(len(self.logs)))

    def check_coreset(self, sequences: tuple[str, ...] | list[str]) -> None:
        """:raises ValueError: the model was trained for another coreset."""
        if sequences_digest(sequences) != self.coreset_digest:
            raise ValueError(
                f"the value model was trained for another coreset ({len(sequences)} sequences given): "
                "retrain it with `rl-compiler coreset train-value`"
            )

    def save(self, path: str | Path) -> None:
        """Write the model as a NumPy ``.npz`` (no pickles)."""
        settings = {"format": FORMAT, "coreset_digest": self.coreset_digest, "metric": self.metric, "k": self.k,
                    "oz_weight": self.oz_weight, "alpha": self.alpha, "hedge": self.hedge, "wide": self.wide,
                    "info": self.info,
                    "network_layers": [len(layers) for layers in self.networks]}  # fmt: skip
        arrays = {f"net{n}_{kind}{i}": array.astype(np.float32) for n, layers in enumerate(self.networks)
                  for i, pair in enumerate(layers) for kind, array in zip("wb", pair, strict=True)}  # fmt: skip
        if self.predicted is not None:
            arrays["predicted"] = self.predicted.astype(np.float32)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            features=self.features.astype(np.float32),
            logs=self.logs.astype(np.float32),
            mean=self.mean,
            std=self.std,
            settings=np.array(json.dumps(settings, sort_keys=True)),
            **arrays,
        )
        Path(path).write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> ValueModel:
        """Read a model written by :meth:`save`.

        :raises ValueError: the file is not such a model.
        """
        try:
            with np.load(str(path), allow_pickle=False) as data:
                settings = json.loads(str(data["settings"]))
                arrays = {key: np.asarray(data[key], float) for key in ("features", "logs", "mean", "std")}
                networks = [
                    [(np.asarray(data[f"net{n}_w{i}"], float), np.asarray(data[f"net{n}_b{i}"], float))
                     for i in range(count)]
                    for n, count in enumerate(settings.get("network_layers", []))
                ]  # fmt: skip
                predicted = np.asarray(data["predicted"], float) if "predicted" in data else None
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(f"{path}: not a coreset value model: {error}") from error
        if settings.get("format") not in FORMATS:
            raise ValueError(f"{path}: not a coreset value model of format {' or '.join(FORMATS)}")
        return cls(
            **arrays, coreset_digest=settings["coreset_digest"], metric=settings["metric"], k=int(settings["k"]),
            oz_weight=float(settings["oz_weight"]), alpha=float(settings["alpha"]), info=dict(settings["info"]),
            networks=networks, predicted=predicted, hedge=int(settings.get("hedge", 0)),
            wide=float(settings.get("wide", 0.0)),
        )  # fmt: skip


def train_value_model(
    features: np.ndarray,
    values: np.ndarray,
    coreset: Coreset,
    *,
    metric: str = "text",
    k: int = 20,
    oz_weight: float = 20.0,
    alpha: float = 0.05,
    networks: int = 0,
    seed: int = 0,
    hedge: int = 0,
    wide: float = 0.0,
) -> ValueModel:
    """The model of ``values`` (programs x coreset sequences, normalized to -Oz, NaN for failures) on
    programs with raw ``features`` (:func:`feature_vector`). With ``networks`` > 0, trains that many MLPs
    (PyTorch, seeds ``seed``, ``seed + 1``, ...) whose mean predicted values replace the start features in
    the neighbours' distance (a learned metric; the -Oz features stay). ``hedge`` and ``wide`` (alternatives):
    see :meth:`ValueModel.rank`."""
    features = np.atleast_2d(np.asarray(features, float))
    if features.shape[1] != FEATURES:
        raise ValueError(f"features have {features.shape[1]} columns; expected {FEATURES} (feature_vector)")
    if values.shape != (features.shape[0], len(coreset)):
        raise ValueError(
            f"values have shape {values.shape}; expected ({features.shape[0]}, {len(coreset)}) for "
            f"{features.shape[0]} programs and the {len(coreset)} sequences of {coreset.name}"
        )
    if k < 1 or oz_weight < 0 or alpha < 0 or networks < 0 or hedge < 0:
        raise ValueError(
            f"need k >= 1, oz_weight >= 0, alpha >= 0, networks >= 0, hedge >= 0; got {k}, {oz_weight}, {alpha}, "
            f"{networks}, {hedge}"
        )
    if not 0 <= wide <= 1 or (wide > 0 and hedge > 0):
        raise ValueError(f"need 0 <= wide <= 1 and not both wide and hedge; got wide {wide}, hedge {hedge}")
    info = {"programs": int(features.shape[0]), "coreset": coreset.name}
    model = ValueModel(
        features, targets(values), features.mean(axis=0), features.std(axis=0) + 1e-6,
        sequences_digest(coreset.sequences), metric, k, oz_weight, alpha, info, hedge=hedge, wide=wide,
    )  # fmt: skip
    if networks:
        from rl_compiler.agents.coreset.value_net import train_network  # PyTorch: training only

        inputs = (features - model.mean) / model.std
        model.networks = [train_network(inputs, model.logs, seed + n) for n in range(networks)]
        model.predicted = np.mean([network_forward(layers, inputs) for layers in model.networks], axis=0)
    return model

"""The pass-sequence coreset and value prediction (Coreset-NVP, Liang et al., ICML 2023).

The public API, for ``rl-compiler optimize`` and research code::

    from rl_compiler.agents.coreset import load_coreset, rank_sequences

    coreset = load_coreset()                 # the shipped agents/coreset/coreset-v0.yml
    coreset.sequences[0]                     # "default<O2>": -Oz; every sequence applies to the start module
    order = rank_sequences(module)           # coreset indices, predicted best first (a Module, Session,
                                             # bitcode, (autophase, inst_count) or the 126 raw features)
    for index in order[:5]:
        candidate = start_module.clone(); candidate.run_passes(coreset.sequences[index]) ...

``rl-compiler coreset build`` rebuilds the coreset (search, scoring, greedy cover: :mod:`.build`),
``rl-compiler coreset train-value`` the model (:mod:`.value`); ``benchmarks/perf/coreset_eval.py`` measures
both on held-out programs.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from rl_compiler.agents.coreset.value import ValueModel, feature_vector, sequences_digest
from rl_compiler.data import data_path
from rl_compiler.envs.coreset import Coreset, load_coreset
from rl_compiler.llvm.module import Module

DEFAULT_VALUE_MODEL = "value-v0.pt"

__all__ = ["Coreset", "ValueModel", "load_coreset", "load_value_model", "program_features", "rank_sequences"]


def value_model_path(name: str = DEFAULT_VALUE_MODEL) -> Path:
    """The shipped value model file (``agents/coreset/<name>``)."""
    return data_path("agents", "coreset", name)


@functools.cache
def _load_cached(path: str) -> ValueModel:
    return ValueModel.load(path)


def load_value_model(path: str | Path | None = None) -> ValueModel:
    """The shipped value model (or the one at ``path``); loaded once per process."""
    return _load_cached(str(Path(path) if path is not None else value_model_path()))


def program_features(program: Any) -> np.ndarray:
    """The value model's raw input from a Module or Session (its current state), start-module bitcode,
    an ``(autophase, inst_count)`` pair, or the 126 raw features themselves."""
    if isinstance(program, (bytes, bytearray, memoryview)):
        with Module.from_bitcode(bytes(program)) as module:
            return feature_vector(module.autophase(), module.inst_count())
    if hasattr(program, "features"):  # Session: one round trip
        return feature_vector(*program.features())
    if hasattr(program, "autophase") and hasattr(program, "inst_count"):  # Module
        return feature_vector(program.autophase(), program.inst_count())
    if isinstance(program, tuple) and len(program) == 2:
        return feature_vector(*program)
    raw = np.asarray(program, dtype=float).ravel()
    return feature_vector(raw[:56], raw[56:])


def rank_sequences(
    module_or_features: Any, *, coreset: Coreset | None = None, model: ValueModel | None = None
) -> list[int]:
    """Coreset indices in predicted best-first order for a program's start module.

    :param module_or_features: see :func:`program_features`; give the start module (clang's -Oz front-end
        output, before any pass), which is what the model was trained on.
    :param coreset: the coreset the order refers to (default: the shipped one).
    :param model: the value model (default: the shipped one); it must have been trained for ``coreset``.
    """
    coreset = coreset or load_coreset()
    model = model or load_value_model()
    if model.coreset_digest != sequences_digest(coreset.sequences):
        raise ValueError(
            f"the value model was trained for another coreset than {coreset.name!r} "
            f"({len(coreset)} sequences): retrain it with `rl-compiler coreset train-value`"
        )
    predicted = model.predict(program_features(module_or_features))[0]
    return [int(i) for i in np.argsort(-predicted, kind="stable")]

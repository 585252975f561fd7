"""The pass-sequence coreset and value prediction (Coreset-NVP, Liang et al., ICML 2023).

The public API, for ``rl-compiler optimize`` and research code::

    from rl_compiler.agents.coreset import load_coreset, rank_sequences

    coreset = load_coreset()                 # the shipped agents/coreset/coreset-v0.yml
    coreset.sequences[0]                     # "default<O2>": -Oz; every sequence applies to the start module
    order = rank_sequences(module)           # coreset indices, -Oz first, then the order to try the others
                                             # (a Module, Session or bitcode of the start module, or the
                                             # 129 raw features; the -Oz outcome is compiled if not given)
    for index in order[:5]:
        candidate = start_module.clone(); candidate.run_passes(coreset.sequences[index]) ...

``rl-compiler coreset build`` rebuilds the coreset (search, scoring, greedy cover: :mod:`.build`),
``rl-compiler coreset train-value`` the model (:mod:`.value`, NumPy only to rank; its networks are
trained with PyTorch, :mod:`.value_net`); ``benchmarks/perf/coreset_eval.py``
measures both on held-out programs.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from rl_compiler.agents.coreset.value import FEATURES, ValueModel, feature_vector
from rl_compiler.data import data_path
from rl_compiler.envs.coreset_data import Coreset, load_coreset
from rl_compiler.envs.pipelines import OZ
from rl_compiler.llvm.module import Module

DEFAULT_VALUE_MODEL = "value-v4.npz"

__all__ = ["Coreset", "ValueModel", "load_coreset", "load_value_model", "program_features", "rank_sequences"]


def value_model_path(name: str = DEFAULT_VALUE_MODEL) -> Path:
    """The shipped value model file (``agents/coreset/<name>``)."""
    return data_path("agents", "coreset", name)


@functools.cache
def _load_cached(path: str) -> ValueModel:
    return ValueModel.load(path)


def load_value_model(path: str | Path | None = None) -> ValueModel:
    """The shipped value model (or the one at ``path``); loaded once per process (NumPy only)."""
    return _load_cached(str(Path(path) if path is not None else value_model_path()))


def _module_features(module: Any, oz: tuple[int, int] | None) -> np.ndarray:
    autophase, inst_count = module.features()
    ic_start = module.instruction_count()
    if oz is None:  # one -Oz compilation of a copy: what `optimize` has anyway
        with Module.from_bitcode(module.bitcode()) as copy:
            copy.run_passes(OZ)
            oz = (copy.instruction_count(), copy.object_text_size())
    return feature_vector(autophase, inst_count, ic_start, *oz)


def program_features(program: Any, oz: tuple[int, int] | None = None) -> np.ndarray:
    """The value model's raw input (:func:`.value.feature_vector`).

    :param program: the start module as a Module or Session (its current state) or bitcode, or the 129 raw
        features themselves.
    :param oz: ``(IR instructions, .text bytes)`` of -Oz on the start module; compiled here if not given.
    """
    if isinstance(program, (bytes, bytearray, memoryview)):
        with Module.from_bitcode(bytes(program)) as module:
            return _module_features(module, oz)
    if hasattr(program, "instruction_count"):  # Module or Session
        return _module_features(program, oz)
    raw = np.asarray(program, dtype=float).ravel()
    if raw.shape != (FEATURES,):
        raise ValueError(
            f"expected a Module, Session, bitcode or the {FEATURES} raw features (feature_vector), got "
            f"{type(program).__name__} of {raw.size} values"
        )
    return raw


def rank_sequences(
    program: Any,
    *,
    oz: tuple[int, int] | None = None,
    coreset: Coreset | None = None,
    model: ValueModel | None = None,
) -> list[int]:
    """Coreset indices for a program's start module: -Oz (0) first, then the order to try the others.

    :param program: see :func:`program_features`; give the start module (clang's -Oz front-end output,
        before any pass), which is what the model was trained on.
    :param oz: ``(IR instructions, .text bytes)`` of -Oz on it, if already known (saves one compilation).
    :param coreset: the coreset the order refers to (default: the shipped one).
    :param model: the value model (default: the shipped one); it must have been trained for ``coreset``.
    """
    coreset = coreset or load_coreset()
    model = model or load_value_model()
    model.check_coreset(coreset.sequences)
    return model.rank(program_features(program, oz))

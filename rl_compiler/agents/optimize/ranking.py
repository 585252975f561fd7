"""The shipped coreset value model for ``rl-compiler optimize``, loaded with NumPy alone.

The model (:mod:`rl_compiler.agents.coreset.value`, ``agents/coreset/value-v1.npz``) is a NumPy archive of
its training programs' features and values; loading and ranking import no PyTorch, which a 10 s budget
could not afford (seconds, tens of seconds on a loaded machine).
"""

from __future__ import annotations

from pathlib import Path

from rl_compiler.agents.coreset.value import ValueModel

#: The shipped model, as :func:`rl_compiler.agents.coreset.value_model_path`.
MODEL_PARTS = ("agents", "coreset", "value-v1.npz")


def shipped_model_path() -> Path:
    """Where the shipped value model is (it may be missing from a stripped installation)."""
    from rl_compiler.data import data_path

    return data_path(*MODEL_PARTS)


def load_shipped_model(model_path: Path | None = None) -> ValueModel | None:
    """The model at ``model_path`` (default: the shipped one), or None if there is none.

    :raises ValueError: the file is not a value model.
    """
    model_path = model_path or shipped_model_path()
    if not model_path.is_file():
        return None
    from rl_compiler.agents.coreset import load_value_model  # cached per process

    return load_value_model(model_path)

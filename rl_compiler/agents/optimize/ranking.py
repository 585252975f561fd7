"""The coreset's value model without PyTorch: its small MLP evaluated in NumPy, for ``rl-compiler optimize``.

Importing PyTorch takes seconds (tens of seconds on a loaded machine), which a 10 s budget cannot afford.
The shipped model (:mod:`rl_compiler.agents.coreset.value`: standardization, then Linear-ReLU-Linear-ReLU-
Linear) is exported once to a ``.npz`` in the cache, keyed by the model file's SHA-1
(:func:`export_numpy_model`, which does import PyTorch); afterwards :func:`load_numpy_model` and
:meth:`NumpyValueModel.rank` need NumPy only and give the same order as
:func:`rl_compiler.agents.coreset.rank_sequences`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rl_compiler.llvm.cache import cache_dir

#: The shipped model (``agents/coreset/value-v0.pt``), as :func:`rl_compiler.agents.coreset.value_model_path`.
MODEL_PARTS = ("agents", "coreset", "value-v0.pt")


def shipped_model_path() -> Path:
    from rl_compiler.data import data_path

    return data_path(*MODEL_PARTS)


def _exported_path(model_path: Path) -> Path:
    digest = hashlib.sha1(model_path.read_bytes()).hexdigest()[:20]
    return cache_dir("value-models") / f"{model_path.stem}.{digest}.npz"


@dataclass(frozen=True)
class NumpyValueModel:
    """The MLP's weights and the standardization of its inputs, and the coreset it was trained for."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    mean: np.ndarray
    std: np.ndarray
    coreset_digest: str

    def predict(self, autophase: np.ndarray, inst_count: np.ndarray) -> np.ndarray:
        """Predicted log-values of the coreset's sequences for one program's start-module features."""
        # The model's input (rl_compiler.agents.coreset.value.feature_vector, which imports PyTorch).
        raw = np.concatenate([np.asarray(autophase, float).ravel(), np.asarray(inst_count, float).ravel()])
        x = (np.log1p(np.maximum(raw, 0.0)) - self.mean) / self.std
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = x @ weight.T + bias
            if index < len(self.weights) - 1:
                x = np.maximum(x, 0.0)
        return x

    def rank(self, sequences: tuple[str, ...], autophase: np.ndarray, inst_count: np.ndarray) -> list[int]:
        """Indices of ``sequences`` (the coreset), predicted best first.

        :raises ValueError: the model was trained for another coreset.
        """
        # As rl_compiler.agents.coreset.value.sequences_digest.
        digest = hashlib.sha1("\n".join(sequences).encode()).hexdigest()[:16]
        if digest != self.coreset_digest:
            raise ValueError("the value model was trained for another coreset")
        return [int(i) for i in np.argsort(-self.predict(autophase, inst_count), kind="stable")]


def load_numpy_model(model_path: Path | None = None) -> NumpyValueModel | None:
    """The exported model of ``model_path`` (default: the shipped one), or None if not exported yet (or no
    model is shipped)."""
    model_path = model_path or shipped_model_path()
    if not model_path.is_file():
        return None
    exported = _exported_path(model_path)
    if not exported.is_file():
        return None
    with np.load(exported) as data:
        layers = int(data["layers"])
        return NumpyValueModel(
            weights=tuple(data[f"w{i}"] for i in range(layers)),
            biases=tuple(data[f"b{i}"] for i in range(layers)),
            mean=data["mean"],
            std=data["std"],
            coreset_digest=str(data["coreset_digest"]),
        )


def export_numpy_model(model_path: Path | None = None) -> Path:
    """Export the PyTorch model at ``model_path`` (default: the shipped one) for :func:`load_numpy_model`
    (imports PyTorch; written atomically to the cache)."""
    import io

    from rl_compiler.agents.coreset import load_value_model
    from rl_compiler.llvm.cache import atomic_write_bytes

    model_path = model_path or shipped_model_path()
    model = load_value_model(model_path)
    linears = [layer for layer in model.network if hasattr(layer, "weight")]
    arrays = {f"w{i}": layer.weight.detach().numpy() for i, layer in enumerate(linears)}
    arrays |= {f"b{i}": layer.bias.detach().numpy() for i, layer in enumerate(linears)}
    buffer = io.BytesIO()
    np.savez(
        buffer,
        layers=len(linears),
        mean=np.asarray(model.mean, float),
        std=np.asarray(model.std, float),
        coreset_digest=model.coreset_digest,
        **arrays,
    )
    target = _exported_path(model_path)
    atomic_write_bytes(target, buffer.getvalue())
    return target

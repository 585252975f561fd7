"""Value prediction: which coreset sequences will do best on a program, from the program's features.

A small MLP (PyTorch) maps the start module's Autophase (56) and InstCount (70) features, log-scaled and
standardized, to one number per coreset sequence: the predicted log of its value normalized to -Oz
(``text_Oz / text``; the IR instruction count for ``metric="ir"``). Sequences are then tried in predicted
order (Coreset-NVP, Liang et al., ICML 2023, which uses a graph network on the same targets). Trained with
``rl-compiler coreset train-value`` on the training corpus; the shipped model is
``agents/coreset/value-v0.pt``. A sequence that fails on a training program counts as 20% larger than -Oz
there, so the model learns to put it last.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from rl_compiler.envs.coreset import Coreset

FEATURES = 56 + 70
FAILED_LOG_VALUE = float(np.log(1 / 1.2))
CLIP = 0.5  # log values beyond +-0.5 (1.65x) are clipped: a few outliers would dominate the loss


def feature_vector(autophase: np.ndarray, inst_count: np.ndarray) -> np.ndarray:
    """The model's raw input for one program: log1p of Autophase and InstCount, concatenated."""
    raw = np.concatenate([np.asarray(autophase, float).ravel(), np.asarray(inst_count, float).ravel()])
    if raw.shape != (FEATURES,):
        raise ValueError(f"expected 56 Autophase + 70 InstCount features, got {raw.shape[0]} values")
    return np.log1p(np.maximum(raw, 0.0))


def targets(values: np.ndarray) -> np.ndarray:
    """Training targets from normalized values (NaN: failed): clipped logs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(values)
    return np.clip(np.where(np.isfinite(logs), logs, FAILED_LOG_VALUE), -CLIP, CLIP)


def sequences_digest(sequences: tuple[str, ...] | list[str]) -> str:
    """A short hash of a coreset's sequences: a model only ranks the coreset it was trained for."""
    return hashlib.sha1("\n".join(sequences).encode()).hexdigest()[:16]


def _network(outputs: int, hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(FEATURES, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs)
    )


@dataclass
class ValueModel:
    """The trained predictor: standardization, network weights, and the coreset it belongs to."""

    network: nn.Module
    mean: np.ndarray
    std: np.ndarray
    coreset_digest: str
    metric: str
    hidden: int
    info: dict[str, Any]

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Predicted log-values, shape ``(programs, sequences)``, for raw feature rows (:func:`feature_vector`)."""
        x = (np.atleast_2d(features) - self.mean) / self.std
        with torch.no_grad():
            return self.network(torch.as_tensor(x, dtype=torch.float32)).numpy().astype(float)

    def save(self, path: str | Path) -> None:
        torch.save(
            {
                "state_dict": self.network.state_dict(),
                "mean": self.mean.tolist(),
                "std": self.std.tolist(),
                "coreset_digest": self.coreset_digest,
                "metric": self.metric,
                "hidden": self.hidden,
                "outputs": int(self.network[-1].out_features),
                "info": self.info,
            },
            str(path),
        )

    @classmethod
    def load(cls, path: str | Path) -> ValueModel:
        try:
            data = torch.load(str(path), map_location="cpu", weights_only=True)
        except (OSError, RuntimeError) as error:
            raise ValueError(f"{path}: not a coreset value model: {error}") from error
        network = _network(data["outputs"], data["hidden"])
        network.load_state_dict(data["state_dict"])
        network.eval()
        return cls(
            network, np.array(data["mean"]), np.array(data["std"]), data["coreset_digest"], data["metric"],
            data["hidden"], dict(data["info"]),
        )  # fmt: skip


def train_value_model(
    features: np.ndarray,
    values: np.ndarray,
    coreset: Coreset,
    *,
    metric: str = "text",
    hidden: int = 64,
    epochs: int = 400,
    seed: int = 0,
    weight_decay: float = 1e-3,
) -> ValueModel:
    """Fit the MLP to ``values`` (programs x coreset sequences, normalized to -Oz, NaN for failures)."""
    if values.shape != (features.shape[0], len(coreset)):
        raise ValueError(
            f"values have shape {values.shape}; expected ({features.shape[0]}, {len(coreset)}) for "
            f"{features.shape[0]} programs and the {len(coreset)} sequences of {coreset.name}"
        )
    torch.manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a network this small trains fastest on one thread; more only contend
    try:
        network, loss, mean, std = _fit(features, values, len(coreset), hidden, epochs, weight_decay)
    finally:
        torch.set_num_threads(threads)
    info = {
        "programs": int(features.shape[0]),
        "epochs": epochs,
        "final_mse": float(loss),
        "coreset": coreset.name,
        "weight_decay": weight_decay,
        "seed": seed,
    }
    return ValueModel(network, mean, std, sequences_digest(coreset.sequences), metric, hidden, info)


def _fit(
    features: np.ndarray, values: np.ndarray, outputs: int, hidden: int, epochs: int, weight_decay: float
) -> tuple[nn.Module, float, np.ndarray, np.ndarray]:
    mean, std = features.mean(axis=0), features.std(axis=0) + 1e-6
    x = torch.as_tensor((features - mean) / std, dtype=torch.float32)
    y = torch.as_tensor(targets(values), dtype=torch.float32)
    network = _network(outputs, hidden)
    optimizer = torch.optim.Adam(network.parameters(), lr=3e-3, weight_decay=weight_decay)
    network.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(network(x), y)
        loss.backward()
        optimizer.step()
    network.eval()
    return network, float(loss.detach()), mean, std

"""Training the value model's networks (PyTorch, offline: ``rl-compiler coreset train-value`` only).

Each network is a small MLP from a program's standardized features (:func:`.value.feature_vector`) to every
coreset sequence's clipped log value (:func:`.value.targets`), trained by mean squared error. The value
model uses the networks' predictions as a learned metric: the distance between programs is measured over
their predicted values (plus the -Oz features; :class:`.value.ValueModel`). The weights are returned as NumPy
arrays, so ranking never imports PyTorch.
"""

from __future__ import annotations

import numpy as np

#: Hidden width, epochs, batch, learning rate, weight decay and dropout: chosen by grouped cross-validation on
#: the training programs (benchmarks/perf/coreset_cv.py), like the model's other settings.
HIDDEN, EPOCHS, BATCH, LR, WEIGHT_DECAY, DROPOUT = 64, 300, 64, 3e-3, 1e-3, 0.1

Layers = list[tuple[np.ndarray, np.ndarray]]


def train_network(inputs: np.ndarray, targets: np.ndarray, seed: int, epochs: int = EPOCHS) -> Layers:
    """One MLP (two hidden ReLU layers) fitted to ``targets`` (programs x sequences) from standardized
    ``inputs``; deterministic for a seed. Returns ``[(weight, bias), ...]`` with weights as ``in x out``."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "the value model's networks are trained with PyTorch: pip install 'rl-compiler[rl]' (or train "
            "without networks: --networks 0)"
        ) from error

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the same weights on every machine (and small batches gain nothing from more)
    try:
        generator = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        net = torch.nn.Sequential(
            torch.nn.Linear(inputs.shape[1], HIDDEN), torch.nn.ReLU(), torch.nn.Dropout(DROPOUT),
            torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, targets.shape[1]),
        )  # fmt: skip
        optimizer = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
        x = torch.tensor(inputs, dtype=torch.float32)
        y = torch.tensor(targets, dtype=torch.float32)
        for _ in range(epochs):
            permutation = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), BATCH):
                batch = permutation[start : start + BATCH]
                loss = ((net(x[batch]) - y[batch]) ** 2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        linear = [layer for layer in net if isinstance(layer, torch.nn.Linear)]
        return [(layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy().copy()) for layer in linear]
    finally:
        torch.set_num_threads(threads)

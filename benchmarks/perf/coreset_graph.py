"""Program-graph networks for the coreset value model, cross-validated (``coreset_cv.py --graph``).

Issue 13 asked for the program-graph network once that observation existed. Per fold a
:class:`rl_compiler.graph.network.GraphEncoder` (gated graph network over the start module's ProGraML graph)
plus the three -Oz outcome features feeds a small head that predicts every coreset sequence's clipped log
value (MSE, the same targets as the MLPs of :mod:`rl_compiler.agents.coreset.value_net`). The fold's network
then serves the designs of :data:`DESIGNS`, each scored on the same folds as the shipped model:

- ``graph top 4``: its 4 best predicted sequences after -Oz;
- ``graph metric``: the shipped model (neighbours, gate, hedge or wide neighbourhood) with the distance over the
  graph network's predicted values in place of the MLPs';
- ``graph+mlp metric``: the distance over both predictions side by side (each scaled to a mean squared norm of 1);
- ``graph embedding``: the distance over the encoder's per-graph output instead of predicted values;
- ``graph embedding, -Oz weight 6.32``: the same with the -Oz features' weight lowered so the graph's part
  of the distance is 10 times the shipped share, next to ``shipped, -Oz weight 6.32`` (the shipped MLPs' metric so
  weighted: the control that tells the graph from the weight).

Graphs are built once per start module and cached (``--graph-cache``, one ``.npz`` per bitcode hash); each
fold's predictions are cached there too (keyed by settings, fold assignment and fold), so re-scoring the
designs costs nothing. Needs PyTorch (the ``[rl]`` extra).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rl_compiler.agents.coreset.value import FEATURES, START_FEATURES, ValueModel, targets

OZ_COLUMNS = slice(START_FEATURES, FEATURES)


@dataclass(frozen=True)
class GraphSettings:
    """The graph network's size and training (chosen on training programs only)."""

    hidden: int = 16
    steps: int = 2
    out_dim: int = 32
    head: int = 64
    epochs: int = 30
    batch: int = 16
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0

    def key(self) -> str:
        return "-".join(f"{value}" for value in self.__dict__.values())


def load_graphs(bitcodes: list[bytes], cache: Path) -> list[dict[str, np.ndarray]]:
    """Each start module's graph as arrays (``nodes``: type and vocabulary id; ``edges``: flow and position;
    ``links``: source and target), built natively once and cached in ``cache``."""
    from rl_compiler.graph import programl_graph
    from rl_compiler.llvm import Module

    cache.mkdir(parents=True, exist_ok=True)
    graphs = []
    for bitcode in bitcodes:
        path = cache / f"{hashlib.sha1(bitcode).hexdigest()}.npz"
        if not path.exists():
            with Module.from_bitcode(bitcode) as module:
                graph = programl_graph(module.programl())
            arrays = {"nodes": graph.nodes[:, :2], "edges": graph.edges, "links": graph.edge_links}
            np.savez_compressed(path, **{key: np.asarray(value, np.int32) for key, value in arrays.items()})
        with np.load(path) as data:
            graphs.append({key: data[key] for key in ("nodes", "edges", "links")})
    return graphs


def _batch(graphs: list[dict[str, np.ndarray]], torch):
    """:meth:`GraphEncoder.forward`'s flat-batch arguments for ``graphs``."""
    sizes = np.array([len(g["nodes"]) for g in graphs])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    nodes = np.concatenate([g["nodes"] for g in graphs])
    links = np.concatenate([g["links"] + offset for g, offset in zip(graphs, offsets, strict=True)])
    edges = np.concatenate([g["edges"] for g in graphs])

    def tensor(array: np.ndarray):
        return torch.as_tensor(np.ascontiguousarray(array), dtype=torch.long)

    batch = np.repeat(np.arange(len(graphs)), sizes)
    return (tensor(nodes[:, 1]), tensor(nodes[:, 0]), tensor(links.T), tensor(edges[:, 0]), tensor(edges[:, 1]),
            tensor(batch), len(graphs))  # fmt: skip


def train_predict(
    graphs: list[dict[str, np.ndarray]], oz: np.ndarray, logs: np.ndarray, train: np.ndarray, settings: GraphSettings
) -> tuple[np.ndarray, np.ndarray, float]:
    """Train on the ``train`` rows (graphs, -Oz features ``oz``, clipped log values ``logs``); return every
    row's predicted log values, every row's graph embedding, and the training seconds."""
    import torch

    from rl_compiler.graph import load_vocabulary
    from rl_compiler.graph.network import GraphEncoder

    started = time.perf_counter()
    torch.set_num_threads(1)
    torch.manual_seed(settings.seed)
    generator = np.random.RandomState(settings.seed)
    mean, std = oz[train].mean(axis=0), oz[train].std(axis=0) + 1e-6
    oz_tensor = torch.tensor((oz - mean) / std, dtype=torch.float32)
    encoder = GraphEncoder(len(load_vocabulary()), settings.hidden, settings.steps, settings.out_dim)
    head = torch.nn.Sequential(
        torch.nn.Linear(settings.out_dim + oz.shape[1], settings.head), torch.nn.ReLU(),
        torch.nn.Linear(settings.head, logs.shape[1]),
    )  # fmt: skip
    parameters = [*encoder.parameters(), *head.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=settings.lr, weight_decay=settings.weight_decay)
    target = torch.tensor(logs, dtype=torch.float32)

    def forward(rows: np.ndarray):
        embedding = encoder(*_batch([graphs[r] for r in rows], torch))
        return head(torch.cat([embedding, oz_tensor[rows]], dim=1)), embedding

    for _ in range(settings.epochs):
        order = generator.permutation(train)
        for start in range(0, len(order), settings.batch):
            rows = order[start : start + settings.batch]
            loss = ((forward(rows)[0] - target[rows]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    predicted, embedded = [], []
    with torch.no_grad():
        for start in range(0, len(graphs), 32):
            rows = np.arange(start, min(start + 32, len(graphs)))
            values, embedding = forward(rows)
            predicted.append(values.numpy())
            embedded.append(embedding.numpy())
    return np.concatenate(predicted), np.concatenate(embedded), time.perf_counter() - started


class GivenMetric(ValueModel):
    """A shipped-style model whose learned metric is given per program (the fold's graph-network outputs) instead
    of computed from the features: ``lookup`` maps a program's raw feature row to its vector."""

    lookup: dict[bytes, np.ndarray]

    def network_values(self, features: np.ndarray) -> np.ndarray:
        return self.lookup[np.atleast_2d(features)[0].tobytes()]


def given_metric(
    model: ValueModel, vectors: np.ndarray, train_rows: np.ndarray, features: np.ndarray, oz_weight: float | None = None
) -> GivenMetric:
    """``model`` (a trained fold model; its ``networks`` only mark it as learned-metric) with the distance over
    ``vectors`` (one row per program of ``features``) instead of its MLPs' predictions, and ``oz_weight`` in
    place of its own if given."""
    given = GivenMetric(**{name: getattr(model, name) for name in model.__dataclass_fields__})
    given.oz_weight = model.oz_weight if oz_weight is None else oz_weight
    given.networks = model.networks or [[]]
    given.predicted = vectors[train_rows]
    given.lookup = {row.tobytes(): vector for row, vector in zip(features, vectors, strict=True)}
    return given


def standardized(*blocks: np.ndarray) -> np.ndarray:
    """Blocks side by side, each scaled so its mean squared row norm is 1 (equal say in a distance)."""
    return np.concatenate([block / np.sqrt(max((block**2).sum(axis=1).mean(), 1e-12)) for block in blocks], axis=1)


def top_choice(predicted_row: np.ndarray, compilations: int) -> list[int]:
    """-Oz and the ``compilations - 1`` sequences of highest predicted value."""
    return [0, *[int(i) for i in np.argsort(-predicted_row, kind="stable") if i != 0][: compilations - 1]]


#: The -Oz features' weight in the distance that gives the learned part 10 times its shipped share (with the
#: shipped 20, the -Oz features are about 90% of the distance; the share scales with the weight squared).
LOW_OZ_WEIGHT = round(20 / np.sqrt(10), 2)
DESIGNS = (
    "graph top 4", "graph metric", "graph+mlp metric", "graph embedding",
    f"graph embedding, -Oz weight {LOW_OZ_WEIGHT:g}", f"shipped, -Oz weight {LOW_OZ_WEIGHT:g}",
)  # fmt: skip


def fold_predictions(graphs, features, values, train, settings: GraphSettings, cache: Path, tag: str):
    """The fold's graph network predictions and embeddings for every row, and its training seconds (cached
    under ``cache``: 0 seconds when read from there)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"fold-{settings.key()}-{tag}.npz"
    if path.exists():
        with np.load(path) as data:
            return data["predicted"], data["embedded"], 0.0  # trained before (its seconds are in the file)
    predicted, embedded, seconds = train_predict(graphs, features[:, OZ_COLUMNS], targets(values), train, settings)
    np.savez_compressed(path, predicted=predicted, embedded=embedded, seconds=seconds)
    return predicted, embedded, seconds


def cross_validate_graph(
    features,
    values,
    bitcodes,
    coreset,
    groups,
    folds: int,
    seed: int,
    extra,
    settings: GraphSettings,
    cache: Path,
    shipped: dict,
    fold_of,
    choose,
) -> tuple[dict[str, list[list[int]]], float]:
    """Every design's choice (and the shipped model's, ``"shipped"``) for each program, by the fold models of fold
    assignment ``seed`` (``fold_of(groups, folds, seed)``; ``extra``: (features, values, bitcodes) in every
    fold); ``choose(model, features)`` is the shipped static choice. Returns the choices and the graph networks'
    training seconds (0 for cached folds)."""
    from rl_compiler.agents.coreset.value import network_forward, train_value_model

    n = len(features)
    if extra is not None:
        features_all = np.concatenate([features, extra[0]])
        values_all = np.concatenate([values, extra[1]])
        bitcodes = [*bitcodes, *extra[2]]
    else:
        features_all, values_all = features, values
    graphs = load_graphs(bitcodes, cache / "graphs")
    hashes = [hashlib.sha1(b).hexdigest() for b in bitcodes]
    fold = fold_of(groups, folds, seed)
    chosen: dict[str, list[list[int]]] = {name: [[] for _ in range(n)] for name in ("shipped", *DESIGNS)}
    seconds = 0.0
    for f in range(folds):
        train = np.concatenate([np.where(fold != f)[0], np.arange(n, len(features_all))])
        test = np.where(fold == f)[0]
        model = train_value_model(features_all[train], values_all[train], coreset, **shipped)
        tag = hashlib.sha1("".join(sorted(hashes[r] for r in train)).encode()).hexdigest()[:16]
        predicted, embedded, spent = fold_predictions(
            graphs, features_all, values_all, train, settings, cache / "folds", f"s{seed}f{f}-{tag}"
        )
        seconds += spent
        inputs = (features_all - model.mean) / model.std
        mlp = np.mean([network_forward(layers, inputs) for layers in model.networks], axis=0)
        low = f"-Oz weight {LOW_OZ_WEIGHT:g}"
        metrics = {
            "graph metric": given_metric(model, predicted, train, features_all),
            "graph+mlp metric": given_metric(model, standardized(predicted, mlp), train, features_all),
            "graph embedding": given_metric(model, embedded, train, features_all),
            f"graph embedding, {low}": given_metric(model, embedded, train, features_all, LOW_OZ_WEIGHT),
            f"shipped, {low}": given_metric(model, mlp, train, features_all, LOW_OZ_WEIGHT),
        }
        for p in test:
            chosen["shipped"][p] = choose(model, features[p])
            chosen["graph top 4"][p] = top_choice(predicted[p], len(chosen["shipped"][p]))
            for name, given in metrics.items():
                chosen[name][p] = choose(given, features[p])
    return chosen, seconds

"""Graph network vs Autophase network on a held-out value-prediction task, measured side by side.

Task: for a program state, predict the fraction of its IR instructions that ``-Oz`` (``default<O2>`` on
the size-prepared module) would keep, ``ic(-Oz(state)) / ic(state)``: the value of finishing with -Oz from
there. States: every program as episodes start, plus ``--random-states`` states after 1-6 random passes of
the default action set (seeded). Training programs: the built-in *train* split and csmith programs
(``--csmith`` seeds); held-out: the built-in *validation* and *test* splits, never trained on.

Models, trained with the same budget (Adam, ``--epochs`` epochs, MSE on the target):
  Autophase: the 56 features normalized as the ``autophase-norm`` wrapper does -> MLP [64, 64] -> 1;
  Graph: :class:`rl_compiler.graph.network.GraphEncoder` (hidden 32, 3 steps, 64 out; graphs truncated to
  ``--max-nodes``) -> linear -> 1.
Reports held-out MAE, R^2 and Spearman rank correlation per model, mean and spread over ``--seeds``.

Usage: python benchmarks/perf/graph_value_bench.py [--csmith 40] [--random-states 6] [--epochs 4] [--seeds 2]
       [--cache states.pkl] [--out table.md]
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from perfreport import emit

from rl_compiler.datasets import get_benchmark, get_dataset
from rl_compiler.envs.action_sets import load_action_set
from rl_compiler.graph import load_vocabulary, programl_graph
from rl_compiler.graph.network import GraphEncoder
from rl_compiler.graph.padding import pad_graph
from rl_compiler.llvm import Module
from rl_compiler.llvm.baselines import OZ_PIPELINE
from rl_compiler.wrappers.observations import normalize_autophase


def states(uri: str, extra: int, rng: np.random.Generator, pipelines: list[str], max_nodes: int) -> list[dict]:
    """(autophase, padded graph, target) for the program's start state and ``extra`` random states."""
    out = []
    with Module.from_bitcode(get_benchmark(uri).bitcode()) as start:
        for k in range(extra + 1):
            module = start.clone()
            try:
                for _ in range(0 if k == 0 else int(rng.integers(1, 7))):
                    module.run_passes(pipelines[int(rng.integers(len(pipelines)))])
                count = module.instruction_count()
                features = normalize_autophase(module.autophase())
                graph = pad_graph(programl_graph(module.programl()), max_nodes, 2 * max_nodes)
                module.run_passes(OZ_PIPELINE)
                out.append({"uri": uri, "autophase": features, "graph": graph,
                            "target": module.instruction_count() / max(count, 1)})  # fmt: skip
            except Exception:  # a pass that fails on this program: skip the state
                pass
            finally:
                module.close()
    return out


def dataset(uris: list[str], extra: int, seed: int, max_nodes: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    pipelines = list(load_action_set("default").pipelines)
    return [s for uri in uris for s in states(uri, extra, rng, pipelines, max_nodes)]


class AutophaseModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(56, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)
        )

    def forward(self, batch: list[dict]) -> torch.Tensor:
        return self.net(torch.as_tensor(np.stack([s["autophase"] for s in batch]))).squeeze(1)


class GraphModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = GraphEncoder(len(load_vocabulary()), hidden=32, steps=3, out_dim=64)
        self.head = torch.nn.Linear(64, 1)

    def forward(self, batch: list[dict]) -> torch.Tensor:
        stacked = {k: torch.as_tensor(np.stack([s["graph"][k] for s in batch])) for k in batch[0]["graph"]}
        return self.head(self.encoder.forward_padded(stacked)).squeeze(1)


def train(model: torch.nn.Module, data: list[dict], epochs: int, seed: int, batch: int = 8) -> float:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    targets = torch.tensor([s["target"] for s in data], dtype=torch.float32)
    start = time.perf_counter()
    for epoch in range(epochs):
        print(f"{type(model).__name__} seed {seed} epoch {epoch}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
        order = rng.permutation(len(data))
        for i in range(0, len(order), batch):
            index = order[i : i + batch]
            loss = torch.nn.functional.mse_loss(model([data[j] for j in index]), targets[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


@torch.no_grad()
def evaluate(model: torch.nn.Module, data: list[dict]) -> dict[str, float]:
    predicted = torch.cat([model(data[i : i + 16]) for i in range(0, len(data), 16)]).numpy()
    truth = np.array([s["target"] for s in data])
    residual = ((truth - predicted) ** 2).sum()
    spread = ((truth - truth.mean()) ** 2).sum()
    rank = lambda x: np.argsort(np.argsort(x))  # noqa: E731
    return {
        "mae": float(np.abs(truth - predicted).mean()),
        "r2": float(1 - residual / max(spread, 1e-12)),
        "spearman": float(np.corrcoef(rank(truth), rank(predicted))[0, 1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csmith", type=int, default=40, help="csmith training programs (seeds 1..N)")
    parser.add_argument("--random-states", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--max-nodes", type=int, default=4096)
    parser.add_argument("--models", nargs="+", choices=("autophase", "graph"), default=["autophase", "graph"])
    parser.add_argument("--cache", type=Path, help="pickle of the generated states (reused when present)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)

    builtin = get_dataset("builtin-v0")
    if args.cache and args.cache.is_file():
        train_data, test_data = pickle.loads(args.cache.read_bytes())
    else:
        train_uris = [*builtin.split("train"), *(f"generator://csmith-v0/{s}" for s in range(1, args.csmith + 1))]
        test_uris = [*builtin.split("validation"), *builtin.split("test")]
        train_data = dataset(train_uris, args.random_states, 0, args.max_nodes)
        test_data = dataset(test_uris, args.random_states, 1, args.max_nodes)
        if args.cache:
            args.cache.write_bytes(pickle.dumps((train_data, test_data)))
    models = {"autophase": ("Autophase MLP", AutophaseModel), "graph": ("Graph network", GraphModel)}
    chosen = [models[m] for m in args.models]
    results: dict[str, list[dict]] = {name: [] for name, _ in chosen}
    for seed in range(args.seeds):
        for name, cls in chosen:
            torch.manual_seed(seed)
            model = cls()
            seconds = train(model, train_data, args.epochs, seed)
            results[name].append({**evaluate(model.eval(), test_data), "train_r2": evaluate(model, train_data)["r2"],
                                  "seconds": seconds})  # fmt: skip

    held_out = len({s["uri"] for s in test_data})
    baseline = float(np.mean([s["target"] for s in train_data]))
    constant_mae = float(np.mean([abs(s["target"] - baseline) for s in test_data]))
    lines = [
        f"Held-out value prediction: ic(-Oz(state)) / ic(state) on {len(test_data)} states of {held_out} held-out "
        f"programs (built-in validation + test), trained on {len(train_data)} states of "
        f"{len({s['uri'] for s in train_data})} programs (built-in train + csmith); {args.epochs} epochs, "
        f"{args.seeds} seeds (mean ± sd). Predicting the training mean gives MAE {constant_mae:.4f}.",
        "",
        "| model | held-out MAE | held-out R² | held-out Spearman | train R² | training time (s) |",
        "|---|--:|--:|--:|--:|--:|",
    ]

    def cell(values: list[float], digits: int = 3) -> str:
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.fmean(values):.{digits}f} ± {sd:.{digits}f}"

    for name, runs in results.items():
        lines.append(
            f"| {name} | {cell([r['mae'] for r in runs], 4)} | {cell([r['r2'] for r in runs])} | "
            f"{cell([r['spearman'] for r in runs])} | {cell([r['train_r2'] for r in runs])} | "
            f"{statistics.fmean(r['seconds'] for r in runs):.0f} |"
        )
    emit(lines, args.out)


if __name__ == "__main__":
    main()

"""Cross-validation of the coreset value model on training programs: how the model's settings were chosen.

    nice -n 10 python benchmarks/perf/coreset_cv.py --dataset realc-train-v0 --dataset builtin-v0/train \\
        --dataset builtin-v0/validation --dataset csmith-train-v0:240 --grid --seeds 5 \\
        --k 20 30 --oz-weight 20 40 --alpha 0.02 0.05 --networks 0 2

(The corpora's names resolve once ``scripts/build_corpora.py`` has imported them.)

Grouped K-fold: the translation units of one real-C library are held out together (a held-out set's
libraries are never seen in training either), other programs one by one. Per fold the model
(:func:`rl_compiler.agents.coreset.value.train_value_model`) is built on the other folds and each held-out
program keeps the best ``.text`` of -Oz and the model's first 4 other sequences; reported per source (csmith,
real C, the built-in programs) as the share of the coreset oracle's geomean ``.text`` gain, next to the two
orders without a model (best mean training value; the coreset file's greedy-cover order). Only training
programs: never give the held-out sets or evaluation suites.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from rl_compiler.agents.coreset import load_coreset
from rl_compiler.agents.coreset.build import dataset_uris, load_programs
from rl_compiler.agents.coreset.scoring import Scorer, score_table
from rl_compiler.agents.coreset.value import feature_vector, targets, train_value_model

COMPILATIONS = 5
#: The shipped model's settings (``rl-compiler coreset train-value``'s defaults).
SHIPPED = {"k": 20, "oz_weight": 20.0, "alpha": 0.05, "networks": 2}


def group(uri: str) -> str:
    """Programs held out together: a real-C library's translation units (``<library>.<unit>``)."""
    name = uri.rsplit("/", 1)[-1]
    return name.split(".", 1)[0] if "realc" in uri else uri


def source(uri: str) -> str:
    return "real C" if "realc" in uri else ("builtin" if "builtin-v0" in uri else "csmith")


def shares(logs: np.ndarray, chosen: list[list[int]], sources: np.ndarray) -> dict[str, float]:
    """Share of the oracle's geomean gain reached by keeping the best of each program's ``chosen`` columns."""
    got = np.array([max(0.0, max(logs[p, c] for c in columns)) for p, columns in enumerate(chosen)])
    oracle = np.maximum(0.0, np.nanmax(logs, axis=1))
    result = {}
    for name in [*sorted(set(sources)), "all"]:
        mask = np.ones(len(sources), bool) if name == "all" else sources == name
        result[name] = float(np.expm1(got[mask].mean()) / max(np.expm1(oracle[mask].mean()), 1e-12))
    return result


def cross_validate(features, values, coreset, groups, folds: int, seed: int, **settings) -> list[list[int]]:
    names = sorted(set(groups))
    fold_of = dict(zip(names, np.random.RandomState(seed).permutation(len(names)) % folds, strict=True))
    fold = np.array([fold_of[g] for g in groups])
    chosen: list[list[int]] = [[] for _ in groups]
    for f in range(folds):
        train, test = np.where(fold != f)[0], np.where(fold == f)[0]
        model = train_value_model(features[train], values[train], coreset, **settings)
        for p in test:
            chosen[p] = [0, *[i for i in model.rank(features[p]) if i != 0][: COMPILATIONS - 1]]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", required=True, help="training programs; NAME:N keeps N")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3, help="fold assignments to average over")
    parser.add_argument("--max-instructions", type=int, default=10_000)
    parser.add_argument("--grid", action="store_true", help="also try other k, oz-weight and alpha")
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10, 20, 40], help="the grid's k values")
    parser.add_argument("--oz-weight", type=float, nargs="+", default=[0, 1, 3, 5, 10], help="the grid's oz weights")
    parser.add_argument("--alpha", type=float, nargs="+", default=[0, 0.05, 0.2], help="the grid's alphas")
    parser.add_argument("--networks", type=int, nargs="+", default=[0, 2], help="the grid's network counts")
    parser.add_argument(
        "--by-program", action="store_true", help="hold out programs one by one (default: real-C libraries whole)"
    )
    args = parser.parse_args()
    coreset = load_coreset()
    uris: list[str] = []
    for selector in args.dataset:
        head, colon, tail = selector.rpartition(":")
        limit = int(tail) if colon and tail.isdigit() else None
        uris += dataset_uris(head if limit is not None else selector, limit, 0)
    with Scorer() as scorer:
        programs = load_programs(scorer, list(dict.fromkeys(uris)), None, args.max_instructions)
        table = score_table(scorer, programs, coreset.sequences)
    features = np.stack([feature_vector(p.autophase, p.inst_count, p.ic_start, p.ic_oz, p.text_oz) for p in programs])
    values = table.values("text")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.isfinite(np.log(values)), np.log(values), -np.inf)
    groups = [p.uri if args.by_program else group(p.uri) for p in programs]
    sources = np.array([source(p.uri) for p in programs])
    print(f"{len(programs)} programs: " + ", ".join(f"{s} {np.sum(sources == s)}" for s in sorted(set(sources))))
    static = [0, *[int(i) for i in np.argsort(-targets(values).mean(axis=0)) if i != 0][: COMPILATIONS - 1]]
    baselines = {"static order": [static] * len(programs), "coreset order": [list(range(COMPILATIONS))] * len(programs)}
    for name, chosen in baselines.items():  # (static: best mean on all programs, so slightly optimistic)
        print(f"{name:32s}", "  ".join(f"{k} {100 * v:.0f}%" for k, v in shares(logs, chosen, sources).items()))
    shipped = tuple(SHIPPED.values())
    grid = [shipped, (*shipped[:3], 0)]  # the shipped model, and the same without networks (v1)
    if args.grid:
        grid = list(dict.fromkeys([*grid, *itertools.product(args.k, args.oz_weight, args.alpha, args.networks)]))
    for setting in grid:
        settings = dict(zip(SHIPPED, setting, strict=True))
        runs = [
            shares(logs, cross_validate(features, values, coreset, groups, args.folds, seed, **settings), sources)
            for seed in range(args.seeds)
        ]  # fmt: skip
        mean = {key: np.mean([run[key] for run in runs]) for key in runs[0]}
        low = {key: min(run[key] for run in runs) for key in runs[0]}
        k, oz_weight, alpha, networks = setting
        print(
            f"k={k:<3d} oz-weight={oz_weight:<4g} alpha={alpha:<4g} networks={networks}  ",
            "  ".join(f"{key} {100 * mean[key]:.0f}% (min {100 * low[key]:.0f}%)" for key in mean),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

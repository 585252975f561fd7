"""Cross-validation of the coreset value model on training programs: how the model's settings were chosen.

    nice -n 10 python benchmarks/perf/coreset_cv.py --dataset realc-train-v0 --dataset builtin-v0/train \\
        --dataset builtin-v0/validation --dataset csmith-train-v0:240 --grid --seeds 5 \\
        --k 20 30 --oz-weight 20 40 --alpha 0.02 0.05 --networks 0 2
    nice -n 10 python benchmarks/perf/coreset_cv.py ... --seeds 10 --adaptive --without lz4   # adaptive selection
    nice -n 10 python benchmarks/perf/coreset_cv.py ... --extra realc-extra-v0 --seeds 10 --graph  # graph nets

(The corpora's names resolve once ``scripts/build_corpora.py`` has imported them.)

Grouped K-fold: the translation units of one real-C library are held out together (a held-out set's
libraries are never seen in training either), other programs one by one. Per fold the model
(:func:`rl_compiler.agents.coreset.value.train_value_model`) is built on the other folds and each held-out
program keeps the best ``.text`` of -Oz and the model's first 4 other sequences; reported per source (csmith,
real C, the built-in programs) as the share of the coreset oracle's geomean ``.text`` gain, next to the two
orders without a model (best mean training value; the coreset file's greedy-cover order). Only training
programs: never give the held-out sets or evaluation suites.

``--adaptive`` simulates *sequential* selection from the stored values (no compilation): the 4 compilations
after -Oz are chosen one at a time, each knowing the outcomes so far (:class:`Adaptive`), on the same
fold models as the shipped (static) order, so the two are compared on the same folds.

``--graph`` trains a program-graph network per fold (``coreset_graph.py``, PyTorch) and scores its designs
next to the shipped model on the same folds (docs/coreset.md: "A program-graph network").
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rl_compiler.agents.coreset import load_coreset
from rl_compiler.agents.coreset.build import dataset_uris, load_programs
from rl_compiler.agents.coreset.scoring import Scorer, score_table
from rl_compiler.agents.coreset.value import (
    ValueModel,
    feature_vector,
    greedy_cover_order,
    targets,
    train_value_model,
)
from rl_compiler.llvm.cache import cache_dir
from rl_compiler.llvm.toolchain import get_toolchain

COMPILATIONS = 5
#: The shipped model's settings (``rl-compiler coreset train-value``'s defaults).
SHIPPED = {"k": 20, "oz_weight": 20.0, "alpha": 0.05, "networks": 2, "hedge": 0, "wide": 0.6}


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


def fold_of(groups: list[str], folds: int, seed: int) -> np.ndarray:
    """Each program's fold in fold assignment ``seed``: a group's programs share one."""
    names = sorted(set(groups))
    assignment = dict(zip(names, np.random.RandomState(seed).permutation(len(names)) % folds, strict=True))
    return np.array([assignment[g] for g in groups])


def fold_models(
    features, values, coreset, groups, folds: int, seed: int, extra=None, **settings
) -> list[tuple[ValueModel, np.ndarray]]:
    """One model per fold of fold assignment ``seed``, each with the programs it holds out; ``extra``
    (features, values) are training programs in every fold, never held out."""
    fold = fold_of(groups, folds, seed)
    models = []
    for f in range(folds):
        train, test = np.where(fold != f)[0], np.where(fold == f)[0]
        x, y = features[train], values[train]
        if extra is not None:
            x, y = np.concatenate([x, extra[0]]), np.concatenate([y, extra[1]])
        models.append((train_value_model(x, y, coreset, **settings), test))
    return models


#: A way to choose a program's compilations: (fold model, the program's raw features, its true clipped
#: log-values, which only an adaptive chooser reads, one at a time after "compiling") -> the columns, -Oz first.
Chooser = Callable[[ValueModel, np.ndarray, np.ndarray], list[int]]


def static_choice(model: ValueModel, features: np.ndarray, truth: np.ndarray) -> list[int]:
    """The shipped way: -Oz and the model's first 4 other sequences, fixed before any compilation."""
    return [0, *[i for i in model.rank(features) if i != 0][: COMPILATIONS - 1]]


@dataclass(frozen=True)
class Adaptive:
    """Sequential selection: each of the 4 compilations after -Oz is chosen knowing the outcomes so far.

    The model's neighbour weights are a prior over the training programs; each observed outcome (the
    sequence's clipped log value on this program) multiplies a training program's weight by a kernel of
    the gap to its own stored value for that sequence (collaborative filtering over the programs x sequences
    matrix the model stores): ``gauss`` exp(-gap^2 / 2 sigma^2) or ``cauchy`` 1 / (1 + (gap / sigma)^2), which
    keeps the nearest of distant matches. The posterior is mixed with ``eps`` of the prior. ``schedule`` says
    how each step picks (one letter per compilation):

    - ``S``: the next sequence of the static order (the model's greedy cover, as shipped);
    - ``A``: the largest expected best-so-far under the posterior, sum_p w_p max(best observed, v[p, s]);
    - ``C``: greedy cover of the *prior* weights given the sequences chosen so far (a hedge that ignores the
      outcomes);
    - ``P``: greedy cover of the posterior weights given the sequences chosen so far.
    """

    schedule: str = "SAAC"
    kernel: str = "cauchy"
    sigma: float = 0.02
    eps: float = 0.02

    @classmethod
    def parse(cls, text: str) -> Adaptive:
        """``SCHEDULE:KERNEL:SIGMA:EPS``, e.g. ``SAAC:cauchy:0.02:0.02``."""
        try:
            schedule, kernel, sigma, eps = text.split(":")
            result = cls(schedule.upper(), kernel, float(sigma), float(eps))
        except ValueError:
            raise SystemExit(
                f"--adaptive {text!r}: expected SCHEDULE:KERNEL:SIGMA:EPS, e.g. SAAC:cauchy:0.02:0.02"
            ) from None
        if len(schedule) != COMPILATIONS - 1 or set(result.schedule) - set("SACP") or kernel not in ("gauss", "cauchy"):
            raise SystemExit(f"--adaptive {text!r}: {COMPILATIONS - 1} letters of S, A, C, P; kernel gauss or cauchy")
        return result

    def __str__(self) -> str:
        return f"adaptive {self.schedule} {self.kernel} sigma={self.sigma:g} eps={self.eps:g}"

    def __call__(self, model: ValueModel, features: np.ndarray, truth: np.ndarray) -> list[int]:
        logs = model.logs
        prior = model.weights(features)
        prior = prior / prior.sum()
        static = greedy_cover_order(logs, prior)
        log_likelihood = np.zeros(len(logs))
        chosen, best = [0], 0.0
        for step in self.schedule:
            posterior = prior * np.exp(log_likelihood - log_likelihood.max())
            weights = (1 - self.eps) * posterior / posterior.sum() + self.eps * prior
            covered = np.maximum(0.0, logs[:, chosen].max(axis=1))
            if step == "S":
                gains = -np.array([static.index(s) for s in range(logs.shape[1])], float)
            elif step == "A":
                gains = np.maximum(best, logs).T @ weights
            else:
                cover_weights = prior if step == "C" else weights
                gains = np.maximum(covered[:, None], logs).T @ cover_weights + 1e-9 * (logs.T @ cover_weights)
            gains[chosen] = -np.inf
            column = int(np.argmax(gains))
            chosen.append(column)
            observed = truth[column]
            best = max(best, observed)
            gap = logs[:, column] - observed
            if self.kernel == "gauss":
                log_likelihood -= gap**2 / (2 * self.sigma**2)
            else:
                log_likelihood -= np.log1p((gap / self.sigma) ** 2)
        return chosen


#: The adaptive candidates of docs/coreset.md (``--adaptive`` without values).
ADAPTIVE = (
    "AAAA:gauss:0.02:0.05",
    "SAAA:cauchy:0.02:0.05",
    "SAAA:gauss:0.02:0.5",
    "SPPP:cauchy:0.02:0.05",
    "SPPP:gauss:0.02:0.5",
    "SSSA:gauss:0.02:0.05",
    "SSAS:cauchy:0.02:0.05",
    "SASA:cauchy:0.03:0.02",
    "SAAS:cauchy:0.02:0.02",
    "SAAS:cauchy:0.02:0.05",
    "SACS:cauchy:0.02:0.02",
    "SAAC:cauchy:0.02:0.02",
)


def cross_validate(features, values, coreset, groups, folds: int, seed: int, extra=None, **settings) -> list[list[int]]:
    """The shipped (static) choice of each program by the model of the folds that hold it out."""
    return choose_all(
        fold_models(features, values, coreset, groups, folds, seed, extra, **settings), features, None, static_choice
    )


def choose_all(models: list[tuple[ValueModel, np.ndarray]], features, truth, chooser: Chooser) -> list[list[int]]:
    """Each program's chosen columns by ``chooser`` with the model of its fold."""
    chosen: list[list[int]] = [[] for _ in features]
    for model, test in models:
        for p in test:
            chosen[p] = chooser(model, features[p], None if truth is None else truth[p])
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", action="append", required=True, help="training programs; NAME:N keeps N")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3, help="fold assignments to average over")
    parser.add_argument("--first-seed", type=int, default=0, help="the first fold assignment (default 0)")
    parser.add_argument("--max-instructions", type=int, default=10_000)
    parser.add_argument("--grid", action="store_true", help="also try other k, oz-weight and alpha")
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10, 20, 40], help="the grid's k values")
    parser.add_argument("--oz-weight", type=float, nargs="+", default=[0, 1, 3, 5, 10], help="the grid's oz weights")
    parser.add_argument("--alpha", type=float, nargs="+", default=[0, 0.05, 0.2], help="the grid's alphas")
    parser.add_argument("--networks", type=int, nargs="+", default=[0, 2], help="the grid's network counts")
    parser.add_argument("--hedge", type=int, nargs="+", default=[0, 2], help="the grid's hedges")
    parser.add_argument("--wide", type=float, nargs="+", default=[0, 0.6], help="the grid's wide fractions")
    parser.add_argument(
        "--extra", action="append", default=[], metavar="D",
        help="training programs in every fold, never held out nor reported (repeat; NAME:N keeps N)",
    )  # fmt: skip
    parser.add_argument(
        "--by-program", action="store_true", help="hold out programs one by one (default: real-C libraries whole)"
    )
    parser.add_argument(
        "--adaptive", nargs="*", metavar="SCHEDULE:KERNEL:SIGMA:EPS",
        help="also simulate adaptive selection on the shipped settings' fold models (no values: docs' candidates)",
    )  # fmt: skip
    parser.add_argument(
        "--without", metavar="LIBRARY", help="also report real C without this library's units (e.g. lz4)"
    )
    parser.add_argument(
        "--graph", action="store_true",
        help="also cross-validate program-graph networks (coreset_graph.py; PyTorch) next to the shipped model",
    )  # fmt: skip
    parser.add_argument("--graph-epochs", type=int, default=30, help="the graph network's epochs (default 30)")
    parser.add_argument(
        "--graph-cache", type=Path, default=None,
        help="where graphs and fold predictions are cached (default: the rl-compiler cache)",
    )  # fmt: skip
    args = parser.parse_args()
    adaptive = None if args.adaptive is None else [Adaptive.parse(text) for text in args.adaptive or ADAPTIVE]
    coreset = load_coreset()

    def load(selectors: list[str]):
        uris: list[str] = []
        for selector in selectors:
            head, colon, tail = selector.rpartition(":")
            limit = int(tail) if colon and tail.isdigit() else None
            uris += dataset_uris(head if limit is not None else selector, limit, 0)
        with Scorer() as scorer:
            programs = load_programs(scorer, list(dict.fromkeys(uris)), None, args.max_instructions)
            table = score_table(scorer, programs, coreset.sequences)
        rows = [feature_vector(p.autophase, p.inst_count, p.ic_start, p.ic_oz, p.text_oz) for p in programs]
        return programs, np.stack(rows), table.values("text")

    programs, features, values = load(args.dataset)
    seeds = range(args.first_seed, args.first_seed + args.seeds)  # the fold assignments
    extra_programs, extra = None, None
    if args.extra:
        extra_programs, *rest = load(args.extra)
        extra = tuple(rest)
    if extra is not None:
        print(f"{len(extra[0])} extra training programs in every fold ({', '.join(args.extra)})")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.isfinite(np.log(values)), np.log(values), -np.inf)
    groups = [p.uri if args.by_program else group(p.uri) for p in programs]
    sources = np.array([source(p.uri) for p in programs])
    print(f"{len(programs)} programs: " + ", ".join(f"{s} {np.sum(sources == s)}" for s in sorted(set(sources))))
    static = [0, *[int(i) for i in np.argsort(-targets(values).mean(axis=0)) if i != 0][: COMPILATIONS - 1]]
    baselines = {"static order": [static] * len(programs), "coreset order": [list(range(COMPILATIONS))] * len(programs)}
    for name, chosen in baselines.items():  # (static: best mean on all programs, so slightly optimistic)
        print(f"{name:32s}", "  ".join(f"{k} {100 * v:.0f}%" for k, v in shares(logs, chosen, sources).items()))
    relabelled = sources.copy()
    if args.without:
        relabelled[[source(p.uri) == "real C" and group(p.uri) == args.without for p in programs]] = "left out"

    def scored(chosen: list[list[int]]) -> dict[str, float]:
        result = shares(logs, chosen, sources)
        if args.without:
            result[f"real C w/o {args.without}"] = shares(logs, chosen, relabelled)["real C"]
        return result

    def summary(runs: list[dict[str, float]]) -> str:
        return "  ".join(
            f"{key} {100 * np.mean([run[key] for run in runs]):.0f}% (min {100 * min(run[key] for run in runs):.0f}%)"
            for key in runs[0]
        )

    if args.graph:  # the graph designs and the shipped model on the same fold models
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from coreset_graph import GraphSettings, cross_validate_graph  # PyTorch: only with --graph

        graph_extra = None if extra is None else (*extra, [p.bitcode for p in extra_programs])
        cache = args.graph_cache or cache_dir("coreset-graphs", get_toolchain().id)
        settings = GraphSettings(epochs=args.graph_epochs)
        graph_runs: dict[str, list[dict[str, float]]] = {}
        for seed in seeds:
            chosen, seconds = cross_validate_graph(
                features, values, [p.bitcode for p in programs], coreset, groups, args.folds, seed, graph_extra,
                settings, cache, SHIPPED, fold_of, lambda model, row: static_choice(model, row, None),
            )  # fmt: skip
            for name, choice in chosen.items():
                graph_runs.setdefault(name, []).append(scored(choice))
            print(f"fold assignment {seed}: graph networks trained in {seconds:.0f} s", flush=True)
            for name, name_runs in graph_runs.items():
                print(f"  {name:34s}", summary(name_runs), flush=True)
        return 0
    if adaptive is not None:  # every chooser on the same fold models of the shipped settings
        choosers: list[Chooser] = [static_choice, *adaptive]
        truth = targets(values)
        runs: list[list[dict[str, float]]] = [[] for _ in choosers]
        for seed in seeds:
            models = fold_models(features, values, coreset, groups, args.folds, seed, extra, **SHIPPED)
            for chooser, chooser_runs in zip(choosers, runs, strict=True):
                chooser_runs.append(scored(choose_all(models, features, truth, chooser)))
        for chooser, chooser_runs in zip(choosers, runs, strict=True):
            name = "static (shipped)" if chooser is static_choice else str(chooser)
            print(f"{name:45s}", summary(chooser_runs), flush=True)
        return 0
    shipped = tuple(SHIPPED.values())
    # the shipped model (v4), v3 (the hedge instead of the wide neighbourhood), v2 (neither) and v1 (no networks)
    grid = [shipped, (*shipped[:4], 2, 0), (*shipped[:4], 0, 0), (*shipped[:3], 0, 0, 0)]
    if args.grid:
        product = itertools.product(args.k, args.oz_weight, args.alpha, args.networks, args.hedge, args.wide)
        grid = list(dict.fromkeys([*grid, *(row for row in product if not (row[4] > 0 and row[5] > 0))]))
    for setting in grid:
        settings = dict(zip(SHIPPED, setting, strict=True))
        grid_runs = [
            scored(cross_validate(features, values, coreset, groups, args.folds, seed, extra, **settings))
            for seed in seeds
        ]  # fmt: skip
        k, oz_weight, alpha, networks, hedge, wide = setting
        print(
            f"k={k:<3d} oz-weight={oz_weight:<4g} alpha={alpha:<4g} networks={networks} hedge={hedge} wide={wide:g}  ",
            summary(grid_runs),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``rl-compiler coreset build|train-value|rank``: the pass-sequence coreset and its value model."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import numpy as np

from rl_compiler.agents.coreset import load_coreset, load_value_model, rank_sequences, value_model_path
from rl_compiler.agents.coreset.build import build_coreset, dataset_uris, load_programs
from rl_compiler.agents.coreset.candidates import SearchSpec
from rl_compiler.agents.coreset.scoring import Scorer, score_table
from rl_compiler.agents.coreset.value import feature_vector, train_value_model
from rl_compiler.cli import CLIError, verbosity
from rl_compiler.cli.tables import Column, Table
from rl_compiler.datasets import DatasetError, get_benchmark
from rl_compiler.envs.coreset_data import coreset_path
from rl_compiler.llvm.cache import atomic_write_text

METRICS = ("text", "ir")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("coreset", help="build the pass-sequence coreset and its value model")
    commands = parser.add_subparsers(dest="coreset_command", metavar="{build,train-value,rank}", required=True)

    build = commands.add_parser(
        "build",
        help="search, score and pick a coreset of pass sequences on training programs",
        description=(
            "Search each training program briefly for good pass sequences, score every candidate on every "
            "program (object .text and IR instruction count, normalized to -Oz) and keep the SIZE that "
            "together cover the programs best (greedy submodular). Never give evaluation suites."
        ),
    )
    _programs_arguments(build)
    build.add_argument("--size", type=int, default=32, help="sequences besides -Oz (default 32)")
    build.add_argument("--metric", choices=METRICS, default="text", help="what the cover maximizes (default text)")
    build.add_argument(
        "--search-steps", type=int, default=300, help="pass applications per search and program (default 300)"
    )
    build.add_argument("--search-programs", type=int, help="search on this many of the programs only (all are scored)")
    build.add_argument("--name", default="coreset-v0", help="the coreset's name")
    build.add_argument("-o", "--output", type=Path, help="coreset file to write (default: the shipped one)")
    build.set_defaults(func=run_build)

    train = commands.add_parser(
        "train-value",
        help="train the model that predicts each coreset sequence's value for a program",
        description=(
            "Score the coreset on training programs (cached; by default the programs the coreset was built "
            "on) and write the value model: a nearest-neighbour model over the programs' features (start "
            "module Autophase/InstCount and -Oz's outcome; with --networks, the values small MLPs predict from "
            "them take the start features' place: trained with PyTorch here, shipped as NumPy arrays) that "
            "orders the sequences by greedy cover of the neighbours' values (ranking needs NumPy only)."
        ),
    )
    _programs_arguments(train, required=False)
    train.add_argument("--coreset", default="coreset-v0", help="coreset name or file")
    train.add_argument("--metric", choices=METRICS, default="text", help="which value to predict (default text)")
    train.add_argument("--k", type=int, default=20, help="neighbours per program (default 20)")
    train.add_argument(
        "--oz-weight", type=float, default=20.0, help="scale of the -Oz outcome features in the distance (default 20)"
    )
    train.add_argument(
        "--alpha", type=float, default=0.05, help="weight of every training program besides the neighbours' (0.05)"
    )
    train.add_argument(
        "--networks", type=int, default=2,
        help="MLPs whose predicted values measure the distance between programs (default 2; 0: start features)",
    )  # fmt: skip
    train.add_argument(
        "--wide", type=float, default=0.6,
        help="order by the cover of the nearest WIDE fraction of the training programs (default 0.6; 0: the K "
        "nearest); not for programs whose IR -Oz grows, where the K nearest decide",
    )  # fmt: skip
    train.add_argument(
        "--hedge", type=int, default=0,
        help="with --wide 0: after the neighbours' first HEDGE sequences, the training corpus's greedy cover "
        "(v3: 2; default 0: the neighbours' order throughout); not for programs whose IR -Oz grows",
    )  # fmt: skip
    train.add_argument("-o", "--output", type=Path, help="model file (default: the shipped one)")
    train.set_defaults(func=run_train)

    rank = commands.add_parser("rank", help="print the coreset's sequences in predicted order for a program")
    rank.add_argument("program", help="a benchmark URI or a C/.ll/.bc file")
    rank.add_argument("-n", type=int, default=5, help="how many to print (default 5)")
    rank.set_defaults(func=run_rank)


def _programs_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--dataset", action="append", required=required, metavar="D",
        help="training programs: NAME, NAME/SPLIT or dataset://NAME/SPLIT (repeat); NAME:N keeps N of them",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of subsets and searches (default 0)")
    parser.add_argument(
        "--max-instructions", type=int, default=10_000,
        help="leave out programs whose start module is larger (default 10000: scoring cost grows with size)",
    )  # fmt: skip


def _uris(args: argparse.Namespace) -> list[str]:
    uris: list[str] = []
    for selector in args.dataset:
        head, colon, tail = selector.rpartition(":")
        limit = int(tail) if colon and tail.isdigit() else None
        selector = head if limit is not None else selector
        try:
            uris += dataset_uris(selector, limit, args.seed)
        except (DatasetError, ValueError) as error:
            raise CLIError(f"--dataset {selector}: {error}") from error
    return list(dict.fromkeys(uris))


def _progress(args: argparse.Namespace):
    return None if verbosity(args) < 0 else lambda line: print(line, file=sys.stderr, flush=True)


def run_build(args: argparse.Namespace) -> int:
    uris = _uris(args)
    output = args.output or coreset_path(args.name)
    parts = [f"--dataset {shlex.quote(d)}" for d in args.dataset]
    parts += [f"--size {args.size}", f"--metric {args.metric}", f"--search-steps {args.search_steps}"]
    parts += [f"--search-programs {args.search_programs}"] if args.search_programs is not None else []
    parts += [f"--seed {args.seed}", f"--max-instructions {args.max_instructions}", f"--name {args.name}"]
    recipe = "rl-compiler coreset build " + " ".join(parts)
    searches = (SearchSpec("local-search", "oz", args.search_steps), SearchSpec("random", None, args.search_steps))
    with Scorer() as scorer:
        programs = load_programs(scorer, uris, _progress(args), args.max_instructions)
        if not programs:
            raise CLIError("no program could be loaded")
        coreset, table = build_coreset(
            programs, args.size, scorer, metric=args.metric, searches=searches,
            search_programs=args.search_programs, seed=args.seed, name=args.name, recipe=recipe,
            progress=_progress(args),
        )  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, coreset.to_yaml())
    cover = coreset.metadata["training_coverage"]
    print(
        f"{coreset.name}: {len(coreset) - 1} sequences + -Oz from {coreset.metadata['candidates']} candidates "
        f"on {len(programs)} programs ({table.compilations} compilations, {table.seconds:.0f} s scoring); "
        f"training cover: .text {cover['text']:.4f}x, IR {cover['ir']:.4f}x -Oz (all candidates: "
        f"{cover['oracle_all_candidates_text']:.4f}x .text)"
    )
    print(f"wrote {output}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    try:
        coreset = load_coreset(args.coreset)
    except ValueError as error:
        raise CLIError(str(error)) from error
    uris = _uris(args) if args.dataset else list(coreset.metadata.get("training_uris", []))
    if not uris:
        raise CLIError(f"{coreset.name} records no training programs: give --dataset")
    with Scorer() as scorer:
        programs = load_programs(scorer, uris, _progress(args), args.max_instructions)
        table = score_table(scorer, programs, coreset.sequences, progress=_progress(args))
    features = np.stack([feature_vector(p.autophase, p.inst_count, p.ic_start, p.ic_oz, p.text_oz) for p in programs])
    try:
        model = train_value_model(
            features, table.values(args.metric), coreset, metric=args.metric, k=args.k, oz_weight=args.oz_weight,
            alpha=args.alpha, networks=args.networks, seed=args.seed, hedge=args.hedge,
            wide=args.wide,
        )  # fmt: skip
    except (ValueError, ImportError) as error:
        raise CLIError(str(error)) from error
    model.info["datasets"] = list(args.dataset or [f"the {len(uris)} training programs of {coreset.name}"])
    parts = [f"--dataset {shlex.quote(d)}" for d in args.dataset or []]
    parts += [f"--coreset {shlex.quote(args.coreset)}", f"--metric {args.metric}", f"--k {args.k}"]
    parts += [f"--oz-weight {args.oz_weight:g}", f"--alpha {args.alpha:g}", f"--networks {args.networks}"]
    parts += [f"--wide {args.wide:g}", f"--hedge {args.hedge}", f"--seed {args.seed}"]
    parts += [f"--max-instructions {args.max_instructions}"]
    model.info["recipe"] = "rl-compiler coreset train-value " + " ".join(parts)
    output = args.output or value_model_path()
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output)
    print(
        f"value model for {coreset.name}: {len(programs)} programs, {table.compilations} new compilations; "
        f"wrote {output}"
    )
    return 0


def run_rank(args: argparse.Namespace) -> int:
    try:
        bitcode = get_benchmark(args.program).bitcode("size")
        coreset, order = load_coreset(), rank_sequences(bitcode)
        load_value_model()
    except (DatasetError, ValueError) as error:
        raise CLIError(str(error)) from error
    table = Table(Column("index", right=True), Column("sequence"))
    table.print_header()
    for index in order[: args.n]:
        table.print_row(index, coreset.sequences[index])
    return 0

"""``rl-compiler datasets`` (list datasets), ``rl-compiler datasets import DIR`` (a corpus of C code as a
dataset) and ``rl-compiler benchmarks DATASET`` (list its benchmarks)."""

from __future__ import annotations

import argparse
import json
import random

from rl_compiler.cli import CLIError, verbosity
from rl_compiler.cli.tables import Column, Table
from rl_compiler.datasets import Benchmark, DatasetError, get_dataset, list_datasets
from rl_compiler.datasets.dataset import ManifestDataset
from rl_compiler.datasets.importer import import_dataset
from rl_compiler.datasets.manifest import SPLITS
from rl_compiler.datasets.suites import SUITES, import_suite


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("datasets", help="list the benchmark datasets and their sizes")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run_datasets)
    commands = parser.add_subparsers(dest="datasets_command", metavar="{import,extract-corpus}")
    importer = commands.add_parser(
        "import",
        help="build a directory of C files, a compile_commands.json, a standard suite or an MLGO corpus into a dataset",
        description=(
            "Build every C translation unit of SOURCE (a directory, recursively, or a compile_commands.json) "
            "with the project's clang and write a manifest dataset NAME: benchmark://NAME/<unit> and "
            "dataset://NAME/<split> then work everywhere. Units that do not compile are reported and left out. "
            "'import SUITE PATH' builds a standard suite (cbench, mibench, polybench, chstone, npb) from your "
            "checkout at PATH as CompilerGym's dataset; 'import mlgo CORPUS --name NAME' reads an MLGO corpus."
        ),
    )
    importer.add_argument(
        "source",
        metavar="SOURCE",
        nargs="+",
        help="a directory of C files or a compile_commands.json (with --name); or SUITE PATH: a standard suite "
        f"({', '.join(SUITES)}) from a checkout at PATH, as CompilerGym's dataset (benchmark://cbench-v1/...); "
        "or mlgo CORPUS (with --name): an MLGO corpus (corpus_description.json) for the regalloc/inlining envs",
    )
    importer.add_argument("--name", help="the dataset name (letters, digits, '.', '_', '-'); not for a SUITE")
    importer.add_argument(
        "-o", "--output", metavar="MANIFEST", help="manifest file to write (default: in the cache, found by name)"
    )
    importer.add_argument("--description", default="", help="the dataset's description")
    importer.add_argument(
        "--cflag", action="append", default=[], metavar="FLAG", help="extra clang flag for every unit (repeat)"
    )
    importer.add_argument("--split", choices=SPLITS, help="put every program in this split")
    importer.add_argument("--min-instructions", type=int, default=1, help="leave out smaller start modules")
    importer.add_argument("--max-instructions", type=int, help="leave out larger start modules")
    importer.add_argument(
        "--not-runnable", action="store_true", help="never run the programs (default: those defining main run)"
    )
    importer.set_defaults(func=run_import)
    extractor = commands.add_parser(
        "extract-corpus",
        help="build a compile_commands.json (or a folder of C files) into an MLGO corpus",
        description="Write an MLGO corpus (corpus_description.json, <module>.bc, <module>.cmd) of every C "
        "translation unit of SOURCE, built with the project's clang; import it with 'datasets import mlgo'.",
    )
    extractor.add_argument("source", metavar="SOURCE", help="a compile_commands.json or a directory of C files")
    extractor.add_argument("output", metavar="OUTPUT", help="the corpus folder to write")
    extractor.set_defaults(func=run_extract_corpus)

    parser = subparsers.add_parser(
        "benchmarks",
        help="list the benchmarks of a dataset",
        description="Print the benchmark URIs of DATASET (a dataset name or a manifest path), one per line.",
    )
    parser.add_argument("dataset", metavar="DATASET", help="e.g. builtin-v0, csmith-v0, or path/to/manifest.yaml")
    parser.add_argument("--split", choices=SPLITS, help="only this split (deterministic; see docs/datasets.md)")
    parser.add_argument("--sample", type=int, metavar="N", help="N benchmarks drawn at random (with replacement)")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    parser.add_argument(
        "-l",
        "--long",
        action="store_true",
        help="a table with split, IR instructions (at -O0 and at an episode's start), tags and description",
    )
    parser.set_defaults(func=run_benchmarks)


def _size(dataset) -> str:
    if dataset.is_generator:
        return "unbounded" if getattr(dataset, "available", True) else "unavailable"
    return str(len(dataset))


def run_datasets(args: argparse.Namespace) -> int:
    try:
        datasets = list_datasets()
    except DatasetError as error:
        raise CLIError(str(error)) from error
    if args.json:
        print(
            json.dumps([{"name": d.name, "size": _size(d), "description": d.description} for d in datasets], indent=2)
        )
        return 0
    table = Table(
        Column("dataset", max(len(d.name) for d in datasets)), Column("size", 11, right=True), Column("description")
    )
    table.print_header()
    for dataset in datasets:
        table.print_row(dataset.name, _size(dataset), dataset.description)
    return 0


def run_import(args: argparse.Namespace) -> int:
    if len(args.source) == 2 and args.source[0] == "mlgo":
        return run_import_corpus(args)
    if len(args.source) == 2:
        return run_import_suite(args)
    if len(args.source) > 2 or args.name is None:
        raise CLIError(
            f"give SOURCE --name NAME, or SUITE PATH for a standard suite ({', '.join(SUITES)}); got {args.source}"
        )
    try:
        report = import_dataset(
            args.source[0],
            args.name,
            output=args.output,
            description=args.description,
            cflags=args.cflag,
            split=args.split,
            min_instructions=args.min_instructions,
            max_instructions=args.max_instructions,
            runnable=False if args.not_runnable else None,
            progress=None if verbosity(args) < 0 else print,
        )
    except DatasetError as error:
        raise CLIError(str(error)) from error
    sizes = sorted(report.instructions.values())
    print(
        f"{report.dataset}: {len(report.kept)} programs ({len(report.failed)} failed to build, "
        f"{len(report.filtered)} left out by size); start-module IR instructions "
        f"{sizes[0]}..{sizes[-1]}, median {sizes[len(sizes) // 2]}"
    )
    print(f"manifest: {report.manifest}")
    return 0


def run_import_corpus(args: argparse.Namespace) -> int:
    from rl_compiler.datasets.mlgo_corpus import read_corpus

    if not args.name:
        raise CLIError("an MLGO corpus needs a dataset name: add --name NAME")
    try:
        report = read_corpus(args.source[1], args.name, output=args.output, split=args.split)
    except DatasetError as error:
        raise CLIError(str(error)) from error
    print(f"{args.name}: {len(report.modules)} modules (benchmark://{args.name}/<module>)")
    print(f"manifest: {report.path}")
    return 0


def run_extract_corpus(args: argparse.Namespace) -> int:
    from rl_compiler.datasets.mlgo_corpus import extract_corpus

    try:
        report = extract_corpus(args.source, args.output)
    except DatasetError as error:
        raise CLIError(str(error)) from error
    for module, reason in report.failed:
        print(f"failed  {module}: {reason}")
    print(f"{report.path}: MLGO corpus of {len(report.modules)} modules ({len(report.failed)} failed to build)")
    return 0


def run_import_suite(args: argparse.Namespace) -> int:
    suite, path = args.source
    if args.name:
        raise CLIError(f"a standard suite keeps CompilerGym's dataset name: drop --name {args.name}")
    try:
        report = import_suite(suite, path, output=args.output, progress=None if verbosity(args) < 0 else print)
    except DatasetError as error:
        raise CLIError(str(error)) from error
    print(
        f"{report.dataset}: {len(report.built)} programs built ({len(report.runnable)} runnable with the "
        f"checkout's inputs, {len(report.failed)} failed to build); benchmark://{report.dataset}/<name>, "
        "split test (evaluation only)"
    )
    print(f"manifest: {report.manifest}")
    return 0


def run_benchmarks(args: argparse.Namespace) -> int:
    try:
        dataset = get_dataset(args.dataset)
        if args.sample is not None:
            rng = random.Random(args.seed)
            benchmarks = [dataset.sample(rng, split=args.split) for _ in range(args.sample)]
        elif dataset.is_generator:
            raise CLIError(f"{dataset.name} is an unbounded generator: use --sample N [--seed S]")
        else:
            uris = dataset.split(args.split) if args.split else dataset.benchmark_uris()
            benchmarks = [dataset.benchmark(uri.rsplit("/", 1)[1]) for uri in uris]
    except DatasetError as error:
        raise CLIError(str(error)) from error
    if not args.long:
        for benchmark in benchmarks:
            print(benchmark.uri)
        return 0
    split_of = {}
    if isinstance(dataset, ManifestDataset):
        split_of = {uri: split for split in SPLITS for uri in dataset.split(split)}
    # Measured, not the manifest's note: "IR -O0" is CompilerGym's -O0 build (the README's column) and
    # "IR start" the module an episode starts from (the envs' IrInstructionCountO0). Builds are cached.
    table = Table(
        Column("uri", max((len(b.uri) for b in benchmarks), default=10)),
        Column("split", 10),
        Column("IR -O0", 7, right=True),
        Column("IR start", 8, right=True),
        Column("tags", 22),
        Column("description"),
    )
    table.print_header()
    for b in benchmarks:
        try:
            o0, start = instruction_count(b, "O0"), instruction_count(b, "size")
        except DatasetError as error:
            raise CLIError(f"{b.uri}: {error}") from error
        table.print_row(b.uri, split_of.get(b.uri, "-"), o0, start, ",".join(b.tags), b.description)
    return 0


def instruction_count(benchmark: Benchmark, variant: str) -> int:
    """The IR instruction count of one build variant of ``benchmark``."""
    with benchmark.module(variant) as module:
        return module.instruction_count()

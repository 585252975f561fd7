"""One function from any benchmark argument to benchmarks: what every environment's ``benchmark=`` accepts.

:func:`resolve_benchmarks` takes, alone or in a list (flattened, order kept):

- a :class:`Benchmark` (kept as is);
- a URI: ``benchmark://<dataset>/<name>``, ``generator://<generator>/<seed>``, ``file:///abs/path``, or a
  CompilerGym-style ``<dataset>/<name>`` (see :func:`~rl_compiler.datasets.get_benchmark`);
- ``dataset://<name>`` (every benchmark of a dataset) or ``dataset://<name>/<split>`` (one split);
- a path to a ``.c .cc .cpp .cxx .ll .bc`` file, or to a directory of them (one program built from all of
  its sources, as :func:`~rl_compiler.datasets.benchmark_from_files` does);
- a path to a manifest (``*.yaml``/``*.yml``) or to a directory holding ``manifest.yaml``: every program
  of that dataset (which is registered, so its ``benchmark://`` URIs resolve afterwards).

Every problem raises a :class:`~rl_compiler.datasets.errors.DatasetError` naming the argument: an
unknown dataset, benchmark or split, a missing file, an unsupported file type, a wrong type, nothing at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TypeAlias

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.dataset import dataset_from_manifest
from rl_compiler.datasets.errors import BenchmarkArgumentError, DatasetError
from rl_compiler.datasets.registry import get_benchmark, get_dataset, register_dataset

#: The scheme of a whole dataset or one of its splits: ``dataset://<name>[/<split>]``.
DATASET_SCHEME = "dataset://"
MANIFEST_SUFFIXES = (".yaml", ".yml")

BenchmarkArg: TypeAlias = "str | os.PathLike | Benchmark | Sequence[BenchmarkArg]"


def resolve_benchmarks(arg: BenchmarkArg) -> list[Benchmark]:
    """The benchmarks ``arg`` names (see the module docstring for what it may be), in order.

    :raises BenchmarkArgumentError: for an argument of the wrong type or one that names no benchmark.
    :raises DatasetError: (or a subclass: ``UnknownBenchmarkError``, ``UnknownDatasetError``,
        ``MissingFileError``) naming the URI, dataset or path that does not resolve.
    """
    benchmarks = list(_resolve(arg))
    if not benchmarks:
        raise BenchmarkArgumentError(f"benchmark argument {arg!r} names no benchmark: give at least one")
    return benchmarks


def resolve_benchmark(arg: str | os.PathLike | Benchmark) -> Benchmark:
    """The one benchmark ``arg`` names (e.g. ``reset(options={"benchmark": arg})``).

    :raises BenchmarkArgumentError: if ``arg`` names several benchmarks (a dataset, a list) or none.
    """
    benchmarks = resolve_benchmarks(arg)
    if len(benchmarks) != 1:
        raise BenchmarkArgumentError(
            f"benchmark argument {arg!r} names {len(benchmarks)} benchmarks; expected exactly one"
        )
    return benchmarks[0]


def _resolve(arg: object) -> list[Benchmark]:
    if isinstance(arg, Benchmark):
        return [arg]
    if isinstance(arg, os.PathLike):
        return _from_path(Path(arg))
    if isinstance(arg, str):
        if arg.startswith(DATASET_SCHEME):
            return _from_dataset(arg)
        if "://" not in arg and arg:
            path = Path(arg).expanduser()
            if path.suffix in MANIFEST_SUFFIXES or (path.is_dir() and (path / "manifest.yaml").is_file()):
                return _from_path(path)
        return [get_benchmark(arg)]
    if isinstance(arg, Sequence) and not isinstance(arg, (bytes, bytearray)):
        return [benchmark for item in arg for benchmark in _resolve(item)]
    raise BenchmarkArgumentError(
        f"benchmark must be a URI, a path, a Benchmark or a list of them, got {type(arg).__name__} {arg!r}"
    )


def _from_path(path: Path) -> list[Benchmark]:
    if path.suffix in MANIFEST_SUFFIXES or (path.is_dir() and (path / "manifest.yaml").is_file()):
        dataset = register_dataset(dataset_from_manifest(path), replace=True)
        return dataset.benchmarks()
    return [get_benchmark(path)]


def _from_dataset(arg: str) -> list[Benchmark]:
    name, _, split = arg[len(DATASET_SCHEME) :].strip("/").partition("/")
    if not name:
        raise BenchmarkArgumentError(
            f"{arg!r}: expected {DATASET_SCHEME}<dataset> or {DATASET_SCHEME}<dataset>/<split>"
        )
    dataset = get_dataset(name)
    if dataset.is_generator:
        raise DatasetError(
            f"{arg!r}: {name!r} is a generator with no fixed list of benchmarks; "
            f"name programs as generator://{name}/<seed>"
        )
    uris = dataset.split(split) if split else dataset.benchmark_uris()
    return [dataset.benchmark(uri.rsplit("/", 1)[1]) for uri in uris]

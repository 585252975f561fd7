"""The registry of datasets by name, and ``get_benchmark``: from any URI or path to a ``Benchmark``.

Always registered: ``builtin-v0`` and ``csmith-v0``. User datasets join with :func:`register_dataset`,
by passing a manifest path to :func:`get_dataset`, through ``$RL_COMPILER_DATASETS`` (manifest files or
folders separated by ``os.pathsep``), or by ``rl-compiler datasets import`` (which writes the manifest to
``<cache>/datasets/<name>/``); the last two make their ``benchmark://`` URIs resolvable in every process,
including environment workers and the CLI.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.builtin import BUILTIN_DATASET, builtin_dataset
from rl_compiler.datasets.csmith import CSMITH_DATASET, CsmithDataset
from rl_compiler.datasets.dataset import Dataset, dataset_from_manifest
from rl_compiler.datasets.errors import DatasetError, UnknownDatasetError, suggest
from rl_compiler.datasets.importer import imported_manifest_path
from rl_compiler.datasets.manifest import NAME_PATTERN
from rl_compiler.datasets.uri import BENCHMARK, FILE, GENERATOR, parse_uri
from rl_compiler.datasets.user import benchmark_from_files

DATASETS_ENV = "RL_COMPILER_DATASETS"

_lock = threading.Lock()
_factories: dict[str, Callable[[], Dataset]] = {
    BUILTIN_DATASET: builtin_dataset,
    CSMITH_DATASET: CsmithDataset,
}
_datasets: dict[str, Dataset] = {}
_env_loaded: str | None = None


def _load_env_datasets() -> None:
    global _env_loaded
    value = os.environ.get(DATASETS_ENV, "")
    if value == _env_loaded:
        return
    _env_loaded = value
    for entry in filter(None, value.split(os.pathsep)):
        register_dataset(dataset_from_manifest(entry), replace=True)


def register_dataset(dataset: Dataset, *, replace: bool = False) -> Dataset:
    """Make ``dataset`` available by name (and its ``benchmark://<name>/...`` URIs resolvable)."""
    with _lock:
        if not replace and (dataset.name in _factories or dataset.name in _datasets):
            existing = _datasets.get(dataset.name)
            if existing is not dataset:
                raise DatasetError(f"a dataset named {dataset.name!r} is already registered (pass replace=True)")
        _datasets[dataset.name] = dataset
    return dataset


def dataset_names() -> list[str]:
    """Names of every registered dataset, built-in first."""
    _load_env_datasets()
    return list(dict.fromkeys([*_factories, *_datasets]))


def get_dataset(name: str) -> Dataset:
    """The dataset called ``name``, or the user dataset of a manifest path (which is then registered)."""
    _load_env_datasets()
    with _lock:
        if name in _datasets:
            return _datasets[name]
        if name in _factories:
            _datasets[name] = _factories[name]()
            return _datasets[name]
    if NAME_PATTERN.match(name) and imported_manifest_path(name).is_file():
        return register_dataset(dataset_from_manifest(imported_manifest_path(name)), replace=True)
    path = Path(name).expanduser()
    if path.is_file() or (path / "manifest.yaml").is_file():
        dataset = dataset_from_manifest(path)
        return register_dataset(dataset, replace=True)
    raise UnknownDatasetError(
        f"unknown dataset {name!r}; known datasets: {', '.join(dataset_names())}." + suggest(name, dataset_names())
    )


def list_datasets() -> list[Dataset]:
    """Every registered dataset (generator datasets included, whether or not their generator is installed)."""
    return [get_dataset(name) for name in dataset_names()]


def get_benchmark(uri: str | Path | Benchmark, **options: Any) -> Benchmark:
    """The benchmark of a URI or path.

    Accepts ``benchmark://<dataset>/<name>``, ``generator://csmith-v0/<seed>``, ``file:///abs/path``, a plain
    path to a ``.c .cc .cpp .ll .bc`` file or a directory of them, ``<dataset>/<name>``, or a Benchmark
    (returned as is). ``options`` (``cflags``, ``ldflags``, ``stdin``, ``args``, ``files``,
    ``expected_stdout``, ``name``, ``runnable``) apply to file benchmarks only; see ``benchmark_from_files``.
    """
    if isinstance(uri, Benchmark):
        return uri
    if isinstance(uri, Path):
        return benchmark_from_files(uri, **options)
    parsed = parse_uri(uri)
    if parsed.scheme == FILE:
        assert parsed.path is not None
        return benchmark_from_files(parsed.path, **options)
    if options:
        raise DatasetError(f"{uri}: options {sorted(options)} apply to file benchmarks only")
    dataset = get_dataset(parsed.dataset)
    if parsed.scheme == GENERATOR and not dataset.is_generator:
        raise DatasetError(f"{uri}: {parsed.dataset!r} is not a generator; use benchmark://{parsed.dataset}/...")
    if parsed.scheme == BENCHMARK and dataset.is_generator:
        raise DatasetError(f"{uri}: {parsed.dataset!r} is a generator; use generator://{parsed.dataset}/<seed>")
    return dataset.benchmark(parsed.name)

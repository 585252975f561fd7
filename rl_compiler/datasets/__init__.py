"""Programs to compile: the built-in suite, user programs, generators, and running them under limits.

>>> from rl_compiler.datasets import get_benchmark, get_dataset
>>> b = get_benchmark("benchmark://builtin-v0/crc32")   # or "file:///abs/x.c", "x.c", "generator://csmith-v0/42"
>>> b.bitcode("size")          # linked, unoptimised module (clang -Oz -Xclang -disable-llvm-passes); cached
>>> b.check_output(b.bitcode())
>>> get_dataset("builtin-v0").split("test")
>>> resolve_benchmarks(["dataset://builtin-v0/train", "prog.c"])   # what every env's benchmark= accepts

See docs/datasets.md for URIs, the manifest format, user programs, csmith, running limits and the cache.
"""

from __future__ import annotations

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.build import VARIANT_FLAGS, build_bitcode
from rl_compiler.datasets.builtin import BUILTIN_DATASET, builtin_dataset
from rl_compiler.datasets.csmith import CSMITH_DATASET, CsmithDataset, csmith_available
from rl_compiler.datasets.dataset import Dataset, ManifestDataset, dataset_from_manifest
from rl_compiler.datasets.errors import (
    BenchmarkArgumentError,
    BenchmarkRunError,
    BenchmarkTimeoutError,
    BuildError,
    DatasetError,
    EmptyBenchmarkError,
    GeneratorUnavailableError,
    ManifestError,
    MissingFileError,
    OutputMismatchError,
    UnknownBenchmarkError,
    UnknownDatasetError,
)
from rl_compiler.datasets.manifest import Manifest, ProgramSpec, load_manifest
from rl_compiler.datasets.registry import get_benchmark, get_dataset, list_datasets, register_dataset
from rl_compiler.datasets.resolve import resolve_benchmark, resolve_benchmarks
from rl_compiler.datasets.runner import Limits, RunResult, RunSpec, run_bitcode
from rl_compiler.datasets.user import benchmark_from_files

__all__ = [
    "BUILTIN_DATASET", "CSMITH_DATASET", "VARIANT_FLAGS", "Benchmark", "BenchmarkArgumentError", "BenchmarkRunError",
    "BenchmarkTimeoutError", "BuildError", "CsmithDataset", "Dataset", "DatasetError", "EmptyBenchmarkError",
    "GeneratorUnavailableError", "Limits", "Manifest", "ManifestDataset", "ManifestError",
    "MissingFileError", "OutputMismatchError", "ProgramSpec", "RunResult", "RunSpec",
    "UnknownBenchmarkError", "UnknownDatasetError", "benchmark_from_files", "build_bitcode",
    "builtin_dataset", "csmith_available", "dataset_from_manifest", "get_benchmark", "get_dataset",
    "list_datasets", "load_manifest", "register_dataset", "resolve_benchmark", "resolve_benchmarks", "run_bitcode",
]  # fmt: skip

"""The built-in suite ``benchmark://builtin-v0/<name>``: C programs shipped in ``benchmarks/builtin-v0``."""

from __future__ import annotations

import functools

from rl_compiler.data import data_path
from rl_compiler.datasets.dataset import ManifestDataset, dataset_from_manifest

BUILTIN_DATASET = "builtin-v0"


@functools.lru_cache(maxsize=1)
def builtin_dataset() -> ManifestDataset:
    """The built-in suite, read from its shipped manifest."""
    return dataset_from_manifest(data_path("benchmarks", BUILTIN_DATASET, "manifest.yaml"))

"""``Dataset``: a named set of benchmarks, with sampling and deterministic train/validation/test splits.

Splits: programs whose manifest entry names a ``split`` keep it; the others are shuffled by a fixed
permutation (a ``random.Random`` seeded from the SHA-1 of ``"<dataset>:split"``) of their sorted names,
and the first 20% (rounded) become ``test``, the next 20% ``validation``, the rest ``train``.
The splits therefore never change unless the dataset's programs change.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.errors import DatasetError, UnknownBenchmarkError, suggest
from rl_compiler.datasets.manifest import SPLITS, Manifest, load_manifest
from rl_compiler.datasets.uri import benchmark_uri

#: Fractions of the programs without an explicit split that go to test and validation (the rest: train).
SPLIT_FRACTIONS = {"test": 0.2, "validation": 0.2}


def pick_index(rng: int | random.Random | Any | None, size: int) -> int:
    """A random index below ``size`` from a seed, a ``random.Random`` or a ``numpy.random.Generator``."""
    if size <= 0:
        raise DatasetError("cannot sample from an empty dataset")
    if rng is None or isinstance(rng, int):
        return random.Random(rng).randrange(size)
    if isinstance(rng, random.Random):
        return rng.randrange(size)
    if hasattr(rng, "integers"):  # numpy.random.Generator
        return int(rng.integers(size))
    raise DatasetError(f"expected a seed (int), random.Random or numpy Generator, got {type(rng).__name__}")


class Dataset:
    """A named set of benchmarks. Subclasses: :class:`ManifestDataset` and generator datasets (csmith)."""

    name: str
    description: str
    #: Generator datasets are unbounded: no ``len()``, no listing, no splits; ``sample`` picks a seed.
    is_generator = False

    def benchmark(self, name: str) -> Benchmark:
        """The benchmark called ``name`` (the last part of its URI); :class:`UnknownBenchmarkError` if none."""
        raise NotImplementedError

    def benchmark_uris(self) -> list[str]:
        """The URI of every benchmark, sorted by name."""
        raise NotImplementedError

    def benchmarks(self) -> list[Benchmark]:
        """Every benchmark, sorted by name."""
        return [self.benchmark(uri.rsplit("/", 1)[1]) for uri in self.benchmark_uris()]

    def sample(self, rng: int | random.Random | Any | None = None, split: str | None = None) -> Benchmark:
        """A benchmark chosen at random (reproducibly for a given seed), optionally from one split."""
        uris = self.split(split) if split else self.benchmark_uris()
        return self.benchmark(uris[pick_index(rng, len(uris))].rsplit("/", 1)[1])

    def random_benchmark(self, random_state: int | random.Random | Any | None = None) -> Benchmark:
        """CompilerGym's name for :meth:`sample` (any split)."""
        return self.sample(random_state)

    def split(self, name: str) -> list[str]:
        """The URIs of split ``name`` (``train``, ``validation`` or ``test``), sorted."""
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.benchmark_uris())

    def __iter__(self) -> Iterator[Benchmark]:
        return iter(self.benchmarks())

    def __contains__(self, name: object) -> bool:
        try:
            self.benchmark(str(name).rsplit("/", 1)[-1])
        except DatasetError:
            return False
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ManifestDataset(Dataset):
    """A dataset described by a manifest file (the built-in suite and user datasets)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.name = manifest.dataset
        self.description = manifest.description
        self._benchmarks = {
            spec.name: Benchmark(benchmark_uri(self.name, spec.name), spec, self.name)
            for spec in sorted(manifest.programs, key=lambda spec: spec.name)
        }
        self._splits: dict[str, list[str]] | None = None

    def benchmark(self, name: str) -> Benchmark:
        """The benchmark called ``name`` (raises UnknownBenchmarkError with a close-match suggestion)."""
        try:
            return self._benchmarks[name]
        except KeyError:
            raise UnknownBenchmarkError(
                f"no benchmark {name!r} in dataset {self.name!r} ({len(self)} programs)."
                + suggest(name, self._benchmarks)
            ) from None

    def benchmark_uris(self) -> list[str]:
        return [benchmark.uri for benchmark in self._benchmarks.values()]

    def benchmarks(self) -> list[Benchmark]:
        return list(self._benchmarks.values())

    def __len__(self) -> int:
        return len(self._benchmarks)

    def split(self, name: str) -> list[str]:
        """The URIs of split ``name`` (train, validation or test), sorted; deterministic (see module doc)."""
        if name not in SPLITS:
            raise DatasetError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
        if self._splits is None:
            self._splits = self._compute_splits()
        return list(self._splits[name])

    def _compute_splits(self) -> dict[str, list[str]]:
        splits: dict[str, list[str]] = {split: [] for split in SPLITS}
        free = []
        for benchmark in self._benchmarks.values():
            if benchmark.spec.split:
                splits[benchmark.spec.split].append(benchmark.name)
            else:
                free.append(benchmark.name)
        seed = int(hashlib.sha1(f"{self.name}:split".encode()).hexdigest()[:16], 16)
        random.Random(seed).shuffle(free)
        n_test = round(len(free) * SPLIT_FRACTIONS["test"])
        n_validation = round(len(free) * SPLIT_FRACTIONS["validation"])
        splits["test"] += free[:n_test]
        splits["validation"] += free[n_test : n_test + n_validation]
        splits["train"] += free[n_test + n_validation :]
        return {split: [benchmark_uri(self.name, n) for n in sorted(names)] for split, names in splits.items()}


def dataset_from_manifest(path: str | Path) -> ManifestDataset:
    """Load a user dataset from a manifest file (or a folder holding ``manifest.yaml``)."""
    return ManifestDataset(load_manifest(path))

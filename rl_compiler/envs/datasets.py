"""CompilerGym's datasets API for the environments: ``env.unwrapped.datasets`` and ``make_benchmark``.

``env.unwrapped.datasets`` is a :class:`Datasets` view of every registered dataset (built-in, user
manifests, imported corpora, generators), like CompilerGym's ``env.datasets``::

    for dataset in env.unwrapped.datasets:                 # Dataset objects, by name
        print(dataset.name, len(dataset) if not dataset.is_generator else "unbounded")
    cbench = env.unwrapped.datasets["cbench-v1"]             # or "benchmark://cbench-v1"
    benchmark = env.unwrapped.datasets.benchmark("benchmark://builtin-v0/crc32")
    benchmark = env.unwrapped.datasets.random_benchmark(np.random.default_rng(0))

:func:`make_benchmark` builds a benchmark from files (C/C++ sources compiled with ``copt``, ``.ll``/``.bc``
taken as they are, linked into one module) and :func:`make_benchmark_from_source` from C source text, as
CompilerGym's ``compiler_gym.envs.llvm.make_benchmark`` does. Their URIs (``benchmark://user-v0/<name>``)
resolve in this process, so ``env.reset(options={"benchmark": benchmark})`` keeps the flags it was built with.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rl_compiler.datasets import (
    Benchmark,
    Dataset,
    DatasetError,
    UnknownBenchmarkError,
    benchmark_from_files,
    get_benchmark,
    get_dataset,
    list_datasets,
    register_dataset,
)
from rl_compiler.datasets.dataset import pick_index
from rl_compiler.llvm.cache import atomic_write_text, cache_dir

USER_DATASET = "user-v0"
SCHEMES = ("benchmark://", "generator://")
_SOURCE_SUFFIXES = {"c": ".c", "c++": ".cpp", "cxx": ".cpp", "cpp": ".cpp", "ir": ".ll", "llvm": ".ll"}


class Datasets:
    """Every registered dataset, as CompilerGym's ``env.datasets``: iterate, ``len``, ``in``, index by name,
    and find or draw benchmarks across them."""

    def __iter__(self) -> Iterator[Dataset]:
        return iter(list_datasets())

    def __len__(self) -> int:
        return len(list_datasets())

    def __getitem__(self, name: str) -> Dataset:
        return self.dataset(name)

    def __contains__(self, name: object) -> bool:
        try:
            self.dataset(str(name))
        except DatasetError:
            return False
        return True

    def dataset(self, name: str) -> Dataset:
        """The dataset ``name`` (``cbench-v1``, ``benchmark://cbench-v1`` or ``generator://csmith-v0``)."""
        for scheme in SCHEMES:
            if name.startswith(scheme):
                name = name[len(scheme) :].rstrip("/")
        return get_dataset(name)

    def benchmark(self, uri: str) -> Benchmark:
        """The benchmark of ``uri`` (any form :func:`rl_compiler.datasets.get_benchmark` takes)."""
        return get_benchmark(uri)

    def benchmark_uris(self) -> Iterator[str]:
        """The URIs of every benchmark of every finite dataset, dataset by dataset."""
        for dataset in self:
            if not dataset.is_generator:
                yield from dataset.benchmark_uris()

    def benchmarks(self) -> Iterator[Benchmark]:
        """Every benchmark of every finite dataset, dataset by dataset."""
        for dataset in self:
            if not dataset.is_generator:
                yield from dataset.benchmarks()

    def random_benchmark(self, random_state: Any = None, weighted: bool = False) -> Benchmark:
        """A benchmark drawn from a dataset drawn uniformly (CompilerGym's default), or with ``weighted`` from
        all benchmarks of the finite datasets uniformly. Generators take part unweighted, when installed.

        :param random_state: a NumPy ``Generator``, a ``random.Random``, a seed, or None.
        """
        rng = random_state if random_state is not None else random.Random()
        usable = [d for d in self if (d.is_generator and getattr(d, "available", True) and not weighted) or _sized(d)]
        if not usable:
            raise DatasetError("no dataset has a benchmark to draw")
        if weighted:
            sizes = [len(d) for d in usable]
            index = pick_index(rng, sum(sizes))
            for dataset, size in zip(usable, sizes, strict=True):
                if index < size:
                    return dataset.benchmark(dataset.benchmark_uris()[index].rsplit("/", 1)[1])
                index -= size
        return usable[pick_index(rng, len(usable))].sample(rng)

    def __repr__(self) -> str:
        return f"Datasets({', '.join(d.name for d in self)})"


def _sized(dataset: Dataset) -> bool:
    return not dataset.is_generator and len(dataset) > 0


class UserDataset(Dataset):
    """The benchmarks :func:`make_benchmark` made in this process (CompilerGym's ``user-v0``)."""

    name = USER_DATASET
    description = "benchmarks made with make_benchmark() in this process"

    def __init__(self) -> None:
        self._benchmarks: dict[str, Benchmark] = {}
        self._lock = threading.Lock()

    def add(self, benchmark: Benchmark) -> Benchmark:
        with self._lock:
            self._benchmarks.setdefault(benchmark.spec.name, benchmark)
            return self._benchmarks[benchmark.spec.name]

    def benchmark(self, name: str) -> Benchmark:
        try:
            return self._benchmarks[name.rsplit("/", 1)[-1]]
        except KeyError:
            raise UnknownBenchmarkError(
                f"no benchmark://{USER_DATASET}/{name}: make_benchmark() made it in another process, or never"
            ) from None

    def benchmark_uris(self) -> list[str]:
        return sorted(b.uri for b in self._benchmarks.values())

    def split(self, name: str) -> list[str]:
        return []


def user_dataset() -> UserDataset:
    """This process's ``user-v0`` dataset (registered on first use)."""
    try:
        dataset = get_dataset(USER_DATASET)
    except DatasetError:
        dataset = register_dataset(UserDataset())
    if not isinstance(dataset, UserDataset):
        raise DatasetError(f"a dataset called {USER_DATASET!r} is registered already and is not make_benchmark's")
    return dataset


def make_benchmark(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    copt: Sequence[str] = (),
    *,
    name: str | None = None,
    **options: Any,
) -> Benchmark:
    """A benchmark built from ``inputs``: C/C++ files compiled with ``copt``, ``.ll``/``.bc`` files as they are,
    all linked into one module (CompilerGym's ``make_benchmark``). Its URI is ``benchmark://user-v0/<name>``.

    :param name: the benchmark's name (default: the first input's stem and a hash of the inputs and flags).
    :param options: ``ldflags``, ``stdin``, ``args``, ``files``, ``expected_stdout``, ``runnable`` for runs (see
        :func:`rl_compiler.datasets.benchmark_from_files`).
    :raises DatasetError: a missing input, an unsupported file type, or sources that do not compile (when built).
    """
    paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    built = benchmark_from_files([Path(p) for p in paths], cflags=list(copt), **options)
    digest = hashlib.sha1()
    for source in built.spec.sources:
        digest.update(str(source).encode() + b"\0" + source.read_bytes())
    digest.update("\0".join([*built.spec.cflags, *built.spec.ldflags]).encode())
    stem = name or re.sub(r"[^A-Za-z0-9._-]", "_", f"{Path(paths[0]).stem}-{digest.hexdigest()[:10]}")
    benchmark = Benchmark(f"benchmark://{USER_DATASET}/{stem}", replace(built.spec, name=stem), USER_DATASET)
    return user_dataset().add(benchmark)


def make_benchmark_from_source(source: str, copt: Sequence[str] = (), lang: str = "c", **options: Any) -> Benchmark:
    """A benchmark from program text (CompilerGym's ``make_benchmark_from_source``).

    :param lang: ``"c"``, ``"c++"`` or ``"ir"`` (textual LLVM IR).
    """
    if lang.lower() not in _SOURCE_SUFFIXES:
        raise DatasetError(f"unknown source language {lang!r}; expected one of {', '.join(_SOURCE_SUFFIXES)}")
    digest = hashlib.sha1(source.encode()).hexdigest()
    path = cache_dir("user-sources") / f"{digest}{_SOURCE_SUFFIXES[lang.lower()]}"
    if not path.is_file():
        atomic_write_text(path, source)
    options.setdefault("name", None)
    if options["name"] is None:
        flags = hashlib.sha1("\0".join(copt).encode()).hexdigest()
        options["name"] = f"source-{digest[:10]}-{flags[:6]}"
    return make_benchmark(path, copt, **options)

"""The dataset API: listing, sampling, splits, user datasets and registration."""

import random
from pathlib import Path

import numpy as np
import pytest

from rl_compiler.datasets import (
    Benchmark,
    DatasetError,
    dataset_from_manifest,
    get_benchmark,
    get_dataset,
    list_datasets,
    register_dataset,
)
from rl_compiler.datasets.registry import DATASETS_ENV


@pytest.fixture(scope="module")
def builtin():
    return get_dataset("builtin-v0")


def test_builtin_listing(builtin):
    assert builtin.name == "builtin-v0" and builtin.description
    uris = builtin.benchmark_uris()
    assert len(builtin) == len(uris) > 0
    assert uris == sorted(uris) and all(uri.startswith("benchmark://builtin-v0/") for uri in uris)
    benchmarks = builtin.benchmarks()
    assert [b.uri for b in benchmarks] == uris and all(isinstance(b, Benchmark) for b in benchmarks)
    assert builtin.benchmark("crc32") is get_benchmark("benchmark://builtin-v0/crc32")
    assert get_benchmark("builtin-v0/crc32").uri == "benchmark://builtin-v0/crc32"
    assert "crc32" in builtin and "nope" not in builtin
    assert {d.name for d in list_datasets()} >= {"builtin-v0", "csmith-v0"}


def test_splits_are_deterministic_disjoint_and_complete(builtin):
    splits = {name: builtin.split(name) for name in ("train", "validation", "test")}
    assert sorted(sum(splits.values(), [])) == builtin.benchmark_uris()
    n = len(builtin)
    assert len(splits["test"]) == round(0.2 * n) and len(splits["validation"]) == round(0.2 * n)
    assert splits == {name: dataset_from_manifest(builtin.manifest.path).split(name) for name in splits}
    with pytest.raises(DatasetError, match="unknown split"):
        builtin.split("dev")


def test_sampling_is_reproducible(builtin):
    assert builtin.sample(7).uri == builtin.sample(7).uri
    assert builtin.sample(random.Random(3)).uri == builtin.sample(random.Random(3)).uri
    assert builtin.sample(np.random.default_rng(5)).uri == builtin.sample(np.random.default_rng(5)).uri
    rng = random.Random(0)
    assert len({builtin.sample(rng).uri for _ in range(200)}) > 1
    assert all(builtin.sample(seed, split="test").uri in builtin.split("test") for seed in range(20))


def _user_manifest(folder: Path, dataset: str = "user-v0", split: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(5):
        (folder / f"p{index}.c").write_text(f'#include <stdio.h>\nint main(void){{puts("{index}");return 0;}}\n')
    programs = "".join(f"  - {{name: p{index}, sources: [p{index}.c]{split}}}\n" for index in range(5))
    (folder / "manifest.yaml").write_text(f"dataset: {dataset}\ndescription: five\nprograms:\n{programs}")
    return folder / "manifest.yaml"


def test_user_dataset_by_path_registers_its_uris(tmp_path: Path):
    path = _user_manifest(tmp_path / "suite", "user-path-v0")
    dataset = get_dataset(str(path.parent))
    assert dataset.name == "user-path-v0" and len(dataset) == 5
    benchmark = get_benchmark("benchmark://user-path-v0/p3")
    assert benchmark.run(benchmark.bitcode()).stdout == b"3\n"


def test_explicit_splits_are_kept(tmp_path: Path):
    dataset = dataset_from_manifest(_user_manifest(tmp_path, "split-v0", ", split: test"))
    assert len(dataset.split("test")) == 5 and dataset.split("train") == []


def test_register_dataset_and_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    dataset = dataset_from_manifest(_user_manifest(tmp_path / "a", "registered-v0"))
    assert register_dataset(dataset) is dataset
    assert get_dataset("registered-v0") is dataset
    with pytest.raises(DatasetError, match="already registered"):
        register_dataset(dataset_from_manifest(dataset.manifest.path))
    with pytest.raises(DatasetError, match="already registered"):
        register_dataset(dataset_from_manifest(_user_manifest(tmp_path / "b", "builtin-v0")))
    monkeypatch.setenv(DATASETS_ENV, str(_user_manifest(tmp_path / "c", "from-env-v0")))
    assert get_benchmark("benchmark://from-env-v0/p1").name == "p1"


def test_benchmarks_pickle(builtin):
    import pickle

    benchmark = builtin.benchmark("crc32")
    clone = pickle.loads(pickle.dumps(benchmark))
    assert clone == benchmark and clone.bitcode() == benchmark.bitcode()

"""generator://csmith-v0/<seed>: runs when csmith is installed, a clear error when it is not."""

import pytest

from rl_compiler.datasets import (
    DatasetError,
    GeneratorUnavailableError,
    csmith_available,
    get_benchmark,
    get_dataset,
)
from rl_compiler.datasets.csmith import csmith_install

needs_csmith = pytest.mark.skipif(not csmith_available(), reason="csmith is not installed")


@needs_csmith
def test_csmith_program_builds_runs_and_checks():
    benchmark = get_benchmark("generator://csmith-v0/42")
    assert benchmark.uri == "generator://csmith-v0/42" and benchmark.dataset == "csmith-v0"
    assert benchmark.runnable
    reference = benchmark.reference_output()
    assert reference.stdout.startswith(b"checksum = ") and reference.returncode == 0
    benchmark.check_output(benchmark.bitcode("runtime"))
    assert get_benchmark("generator://csmith-v0/42").bitcode() == benchmark.bitcode()  # same seed, same program


@needs_csmith
def test_csmith_dataset_is_an_unbounded_generator():
    dataset = get_dataset("csmith-v0")
    assert dataset.is_generator
    assert dataset.sample(1).uri == dataset.sample(1).uri
    with pytest.raises(TypeError):
        len(dataset)
    with pytest.raises(DatasetError, match="unbounded"):
        dataset.split("train")
    with pytest.raises(DatasetError):
        get_benchmark("generator://csmith-v0/not-a-seed")
    with pytest.raises(DatasetError, match="is a generator"):
        get_benchmark("benchmark://csmith-v0/1")
    with pytest.raises(DatasetError, match="is not a generator"):
        get_benchmark("generator://builtin-v0/crc32")


def test_missing_csmith_is_a_clear_error(monkeypatch: pytest.MonkeyPatch):
    csmith_install.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        with pytest.raises(GeneratorUnavailableError, match="csmith is not installed: apt-get install csmith"):
            get_benchmark("generator://csmith-v0/1")
        assert not csmith_available()
    finally:
        csmith_install.cache_clear()


@needs_csmith
def test_csmith_leaves_nothing_in_the_working_directory(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # csmith writes platform.info to its cwd
    csmith_install.cache_clear()
    get_benchmark("generator://csmith-v0/5").bitcode()
    assert list(tmp_path.iterdir()) == []

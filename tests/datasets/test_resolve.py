"""resolve_benchmarks: every form of benchmark argument, and a specific error for each bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl_compiler.datasets import (
    Benchmark,
    BenchmarkArgumentError,
    DatasetError,
    MissingFileError,
    UnknownBenchmarkError,
    UnknownDatasetError,
    get_benchmark,
    get_dataset,
    resolve_benchmark,
    resolve_benchmarks,
)

CRC32 = "benchmark://builtin-v0/crc32"
ADD_C = "int add(int a, int b) { return a + b; }\n"


def _uris(arg: object) -> list[str]:
    return [benchmark.uri for benchmark in resolve_benchmarks(arg)]


def test_uris_benchmarks_and_lists_keep_their_order() -> None:
    benchmark = get_benchmark("benchmark://builtin-v0/sha256")
    assert _uris(CRC32) == [CRC32]
    assert _uris("builtin-v0/crc32") == [CRC32]
    assert resolve_benchmarks(benchmark) == [benchmark]
    assert _uris([benchmark, CRC32]) == [benchmark.uri, CRC32]
    assert resolve_benchmark(CRC32).uri == CRC32


def test_datasets_and_splits() -> None:
    dataset = get_dataset("builtin-v0")
    assert _uris("dataset://builtin-v0/train") == dataset.split("train")
    assert _uris("dataset://builtin-v0") == dataset.benchmark_uris()
    nested = _uris(["dataset://builtin-v0/test", CRC32])
    assert nested == [*dataset.split("test"), CRC32]


def test_files_directories_and_manifests(tmp_path: Path) -> None:
    source = tmp_path / "add.c"
    source.write_text(ADD_C)
    assert _uris(source) == _uris(str(source)) == _uris(source.as_uri()) == [source.as_uri()]
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "a.c").write_text(ADD_C)
    (folder / "b.c").write_text("int sub(int a, int b) { return a - b; }\n")
    (program,) = resolve_benchmarks(folder)  # a directory of sources is one program
    assert len(program.spec.sources) == 2
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "x.c").write_text(ADD_C)
    (suite / "y.c").write_text(ADD_C)
    (suite / "manifest.yaml").write_text(
        "dataset: resolve-test-v0\nprograms:\n  - {name: x, sources: [x.c]}\n  - {name: y, sources: [y.c]}\n"
    )
    expected = ["benchmark://resolve-test-v0/x", "benchmark://resolve-test-v0/y"]
    assert _uris(suite) == _uris(suite / "manifest.yaml") == _uris(str(suite)) == expected
    assert get_benchmark(expected[0]).name == "x"  # the manifest's dataset is registered


@pytest.mark.parametrize(
    ("arg", "error", "words"),
    [
        ("benchmark://builtin-v0/nope", UnknownBenchmarkError, "nope"),
        ("benchmark://no-such-set-v0/x", UnknownDatasetError, "no-such-set-v0"),
        ("dataset://no-such-set-v0/train", UnknownDatasetError, "no-such-set-v0"),
        ("dataset://builtin-v0/holdout", DatasetError, "unknown split 'holdout'"),
        ("dataset://csmith-v0", DatasetError, "generator"),
        ("dataset://", BenchmarkArgumentError, "dataset://<dataset>"),
        ("/no/such/file.c", MissingFileError, "/no/such/file.c"),
        ("ftp://x/y", DatasetError, "unknown URI scheme 'ftp'"),
        (42, BenchmarkArgumentError, "got int 42"),
        (None, BenchmarkArgumentError, "got NoneType"),
        ([], BenchmarkArgumentError, "names no benchmark"),
        ([CRC32, 3.5], BenchmarkArgumentError, "got float 3.5"),
    ],
)
def test_bad_arguments_name_the_problem(arg: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words.replace("(", r"\(").replace("[", r"\[")):
        resolve_benchmarks(arg)


def test_unsupported_file_type(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(DatasetError, match="unsupported file type '.txt'"):
        resolve_benchmarks(notes)


def test_one_benchmark_where_one_is_due() -> None:
    with pytest.raises(BenchmarkArgumentError, match="names .* benchmarks; expected exactly one"):
        resolve_benchmark("dataset://builtin-v0/train")
    assert isinstance(resolve_benchmark(CRC32), Benchmark)

from pathlib import Path

import pytest

from rl_compiler.datasets import DatasetError
from rl_compiler.datasets.uri import parse_uri


def test_benchmark_uri():
    uri = parse_uri("benchmark://builtin-v0/crc32")
    assert (uri.scheme, uri.dataset, uri.name) == ("benchmark", "builtin-v0", "crc32")
    assert str(uri) == "benchmark://builtin-v0/crc32"


def test_generator_uri():
    uri = parse_uri("generator://csmith-v0/42")
    assert (uri.scheme, uri.dataset, uri.name) == ("generator", "csmith-v0", "42")


def test_file_uri_and_paths(tmp_path: Path):
    source = tmp_path / "x y.c"
    source.write_text("int main(void){return 0;}")
    assert parse_uri(source.as_uri()).path == source
    assert parse_uri(str(source)).path == source
    assert parse_uri(str(source)).scheme == "file"


def test_bare_dataset_name_is_compilergym_style():
    uri = parse_uri("builtin-v0/crc32")
    assert (uri.scheme, uri.dataset, uri.name) == ("benchmark", "builtin-v0", "crc32")


@pytest.mark.parametrize("bad", ["", "http://x/y", "benchmark://builtin-v0", "benchmark:///crc32"])
def test_malformed(bad):
    with pytest.raises(DatasetError):
        parse_uri(bad)

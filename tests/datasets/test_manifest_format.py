from pathlib import Path

import pytest

from rl_compiler.datasets import ManifestError, dataset_from_manifest, load_manifest

PROGRAM = '#include <stdio.h>\nint main(void){int c,n=0;while((c=getchar())!=EOF)n+=c;printf("%d\\n",n);return 0;}\n'


def make_suite(tmp_path: Path, entries: str) -> Path:
    (tmp_path / "sum").mkdir()
    (tmp_path / "sum" / "sum.c").write_text(PROGRAM)
    (tmp_path / "sum" / "input.txt").write_text("abc")
    (tmp_path / "sum" / "expected.txt").write_text("294\n")
    path = tmp_path / "manifest.yaml"
    path.write_text(entries)
    return path


GOOD = """\
dataset: mine-v0
description: my programs
programs:
  - name: sum
    sources: [sum/sum.c]
    stdin: sum/input.txt
    expected_stdout: sum/expected.txt
    tags: [checksum]
"""


def test_valid_manifest(tmp_path: Path):
    manifest = load_manifest(make_suite(tmp_path, GOOD))
    assert manifest.dataset == "mine-v0"
    (program,) = manifest.programs
    assert program.sources == ((tmp_path / "sum" / "sum.c").resolve(),)
    assert program.stdin == (tmp_path / "sum" / "input.txt").resolve()
    assert program.runnable and program.cflags == () and program.tags == ("checksum",)
    assert load_manifest(tmp_path).programs == manifest.programs  # a folder with manifest.yaml works too


@pytest.mark.parametrize(
    "text, field",
    [
        ("dataset: x\n", "programs"),
        ("programs: []\n", "dataset"),
        ("dataset: x\nprograms:\n  - sources: [sum/sum.c]\n", "name"),
        ("dataset: x\nprograms:\n  - name: sum\n", "sources"),
        ("dataset: x\nprograms:\n  - name: sum\n    sources: [sum/nope.c]\n", "sources"),
        ("dataset: x\nprograms:\n  - name: sum\n    sources: [sum/sum.c]\n    stdin: nope.txt\n", "stdin"),
        ("dataset: x\nprograms:\n  - name: sum\n    sources: [sum/sum.c]\n    cflags: -O2\n", "cflags"),
        ("dataset: x\nprograms:\n  - name: sum\n    sources: [sum/sum.c]\n    split: dev\n", "split"),
        ("dataset: x\nprograms:\n  - name: sum\n    sources: [sum/sum.c]\n    sorces: []\n", "sorces"),
        ("dataset: x\nprograms:\n  - name: bad/name\n    sources: [sum/sum.c]\n", "bad/name"),
        (
            "dataset: x\nprograms:\n  - {name: sum, sources: [sum/sum.c]}\n  - {name: sum, sources: [sum/sum.c]}\n",
            "duplicate",
        ),
        ("dataset: x\nprograms: [\n", "YAML"),
    ],
)
def test_invalid_manifest_names_file_and_field(tmp_path: Path, text: str, field: str):
    path = make_suite(tmp_path, text)
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(path) in str(error.value)
    assert field in str(error.value)


def test_missing_manifest(tmp_path: Path):
    with pytest.raises(ManifestError, match="does not exist"):
        load_manifest(tmp_path / "manifest.yaml")


def test_user_dataset_runs(tmp_path: Path, private_tmp: Path):
    dataset = dataset_from_manifest(make_suite(tmp_path, GOOD))
    benchmark = dataset.benchmark("sum")
    assert benchmark.uri == "benchmark://mine-v0/sum"
    benchmark.check_output(benchmark.bitcode())
    assert list(private_tmp.iterdir()) == []

"""``rl-compiler datasets import``: a directory of C files and a compile_commands.json become a dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rl_compiler.cli import main
from rl_compiler.datasets import DatasetError, MissingFileError, get_benchmark, get_dataset
from rl_compiler.datasets.importer import import_dataset, units_from_compile_commands
from rl_compiler.envs.passes import PassOrderingEnv

LIBRARY = """#include "shared.h"
int helper_offset = 3;
int scale(int x) { return x * FACTOR + helper_offset; }
"""
PROGRAM = """#include <stdio.h>
#include "shared.h"
int main(void) { int s = 0; for (int i = 0; i < 10; i++) s += i * FACTOR; printf("%d\\n", s); return 0; }
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "include").mkdir(parents=True)
    (root / "src" / "app").mkdir(parents=True)
    (root / "include" / "shared.h").write_text("#define FACTOR 7\n")
    (root / "src" / "lib.c").write_text(LIBRARY)
    (root / "src" / "app" / "main.c").write_text(PROGRAM)
    (root / "src" / "broken.c").write_text("int broken( {\n")
    return root


def test_import_directory(corpus: Path):
    report = import_dataset(corpus, "imported-dir-v0")
    assert sorted(report.kept) == ["src.app.main", "src.lib"]
    assert [name for name, _ in report.failed] == ["src.broken"]
    assert "broken.c" in report.failed[0][1]
    dataset = get_dataset("imported-dir-v0")  # found by name in the cache, as in any other process
    assert len(dataset) == 2
    program = dataset.benchmark("src.app.main")
    assert program.runnable and not dataset.benchmark("src.lib").runnable
    program.check_output(program.bitcode())
    assert report.instructions["src.lib"] > 0


def test_imported_dataset_drives_an_env(corpus: Path):
    import_dataset(corpus, "imported-env-v0", split="train")
    assert get_dataset("imported-env-v0").split("train") == [
        "benchmark://imported-env-v0/src.app.main",
        "benchmark://imported-env-v0/src.lib",
    ]
    env = PassOrderingEnv(benchmark="dataset://imported-env-v0/train", isolated=False)
    try:
        env.reset(seed=0)
        assert env.benchmark.startswith("benchmark://imported-env-v0/")
    finally:
        env.close()


def test_import_compile_commands(corpus: Path, tmp_path: Path):
    build = tmp_path / "build"
    build.mkdir()
    database = [
        {  # the flags a CMake build would record: relative -I, -D, and flags to drop
            "directory": str(build),
            "command": f"/usr/bin/cc -I../corpus/include -DEXTRA=1 -O2 -g -Wall -MD -MF x.d -c -o lib.o "
            f"{corpus / 'src' / 'lib.c'}",
            "file": str(corpus / "src" / "lib.c"),
        },
        {
            "directory": str(corpus / "src"),
            "arguments": ["cc", "-isystem", str(corpus / "include"), "-std=c11", "-c", "app/main.c"],
            "file": "app/main.c",
        },
        {"directory": str(build), "command": "c++ -c x.cc", "file": "x.cc"},  # not C: skipped
    ]
    path = build / "compile_commands.json"
    path.write_text(json.dumps(database))
    units = {unit.source.name: unit.cflags for unit in units_from_compile_commands(path)}
    assert units == {
        "lib.c": ("-I", str(corpus / "include"), "-D", "EXTRA=1"),
        "main.c": ("-isystem", str(corpus / "include"), "-std=c11"),
    }
    manifest = tmp_path / "out" / "manifest.yaml"
    assert main(["datasets", "import", str(build), "--name", "imported-db-v0", "-o", str(manifest), "-q"]) == 0
    dataset = get_dataset(str(manifest))
    assert len(dataset) == 2
    get_benchmark("benchmark://imported-db-v0/app.main").bitcode()


def test_import_bad_input(tmp_path: Path, capsys):
    with pytest.raises(MissingFileError):
        import_dataset(tmp_path / "nowhere", "x-v0")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no C translation units"):
        import_dataset(tmp_path / "empty", "x-v0")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.c").write_text("syntax error here\n")
    with pytest.raises(DatasetError, match="none of the 1 translation units"):
        import_dataset(tmp_path / "bad", "x-v0")
    (tmp_path / "compile_commands.json").write_text("{not json")
    assert main(["datasets", "import", str(tmp_path / "compile_commands.json"), "--name", "x-v0"]) == 2
    assert "not a readable compilation database" in capsys.readouterr().err
    with pytest.raises(Exception, match="invalid dataset name"):
        import_dataset(tmp_path / "bad", "no spaces")

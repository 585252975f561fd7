"""The standard-suite importers on tiny fake checkouts in each suite's real layout: the dataset lists the expected
URIs, its programs build and verify, run where the checkout has inputs, and a broken checkout is refused with an
error naming what is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rl_compiler.datasets import MissingFileError, get_dataset
from rl_compiler.datasets.suites import SUITES, import_suite, load_recipe
from rl_compiler.llvm.module import Module

#: The main file of every fake program: reads the first argument's file (when given) and cBench's
#: repetition file (when present), so a run checks that its inputs were copied in.
MAIN = r"""#include <stdio.h>
int helper(int);
int main(int argc, char **argv) {
  long sum = 0; int c, reps = 0;
  FILE *f = argc > 1 ? fopen(argv[argc > 2 && argv[1][0] == '-' ? argc - 1 : 1], "rb") : 0;
  if (f) { while ((c = fgetc(f)) != EOF) sum += c; fclose(f); }
  FILE *r = fopen("_finfo_dataset", "r");
  if (r) { if (fscanf(r, "%d", &reps) != 1) reps = -1; fclose(r); }
  printf("%s %d %ld %d %d\n", PROGRAM, argc, sum, reps, helper(3));
  return 0;
}
"""
HELPER = "int helper(int x) { return x * 2; }\n"

#: Per suite: a program whose files are written by hand at their real place in the suite's layout (its
#: sources and its run input), and a program left without its inputs.
ANCHORS = {
    "cbench": ("qsort", ["automotive_qsort1/src/qsort_large.c"], "automotive_qsort_data/1.dat", "ghostscript"),
    "mibench": ("qsort", ["automotive/qsort/qsort_small.c"], "automotive/qsort/input_small.dat", "susan"),
    "polybench": ("jacobi-2d", ["stencils/jacobi-2d/jacobi-2d.c"], None, None),
    "chstone": ("aes", ["aes/aes.c"], None, None),
    "npb": ("ep", ["EP/ep.c"], None, None),
}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


#: Files shared by every program of a suite, which define ``helper`` there.
SHARED_HELPER = {"polybench": "utilities/polybench.c", "npb": "common/c_timers.c"}


def fake_checkout(suite: str, root: Path) -> None:
    """A checkout of ``suite`` with every file its recipe names, in its layout: each program's first source holds
    ``main``, ``helper`` is in its last source (or in the suite's shared file), inputs are small text files."""
    recipe = load_recipe(suite)
    anchor, anchor_sources, anchor_input, without_inputs = ANCHORS[suite]
    for number, relative in enumerate(recipe.get("requires", [])):
        write(root / relative, HELPER if relative == SHARED_HELPER.get(suite) else f"int shared_{number};\n")
    if suite == "polybench":
        write(root / "utilities/polybench.h", "int helper(int);\n")
    if suite == "npb":
        write(
            root / "sys/setparams.c",
            '#include <stdio.h>\nint main(int c, char **v) { FILE *f = fopen("npbparams.h", "w");\n'
            "fprintf(f, \"#define CLASS '%s'\\n\", v[2]); fclose(f); return 0; }\n",
        )
    for program in recipe["programs"]:
        name, folder = program["name"], program.get("dir", "")
        sources = []
        for pattern in program["sources"]:
            source = pattern.format(name=name, dir=folder, root=str(root))
            if "*" in source:  # a glob: the program's folder, with a main file and a helper file
                main = anchor_sources[0].rsplit("/", 1)[1] if name == anchor else "main.c"
                sources += [source.replace("*.c", main), source.replace("*.c", "helper.c")]
            else:
                sources.append(source)
        own = [s for s in sources if s not in recipe.get("requires", [])]
        header = ""
        if suite == "polybench":
            header = f'#include <polybench.h>\n#include "{name}.h"\n'
            write(root / folder / f"{name}.h", "#define KERNEL 1\n")
        elif suite == "npb":
            header = '#include "npbparams.h"\n'
        main_text = f'{header}#define PROGRAM "{suite}-{name}"\n{MAIN}'
        if suite in SHARED_HELPER:
            write(root / own[0], main_text)
        elif len(own) == 1:
            write(root / own[0], main_text + HELPER)
        else:
            write(root / own[0], main_text)
            for index, extra in enumerate(own[1:-1]):
                write(root / extra, f"int unused_{index};\n")
            write(root / own[-1], HELPER)
        if name == without_inputs:
            continue
        for relative in program.get("files", []):
            write(root / relative, f"input of {name}\n")
        if program.get("stdin"):
            write(root / program["stdin"], "stdin\n")


@pytest.mark.parametrize("suite", SUITES)
def test_suite_imports_builds_verifies_and_runs(suite, tmp_path):
    recipe = load_recipe(suite)
    dataset_name = recipe["dataset"]
    root = tmp_path / "checkout"
    fake_checkout(suite, root)
    report = import_suite(suite, root, output=tmp_path / "manifest" / "manifest.yaml")
    assert not report.failed, report.failed
    dataset = get_dataset(dataset_name)
    expected = sorted(f"benchmark://{dataset_name}/{p['name']}" for p in recipe["programs"])
    assert sorted(dataset.benchmark_uris()) == expected
    assert dataset.split("test") == sorted(expected) and dataset.split("train") == []  # evaluation only
    anchor, anchor_sources, anchor_input, without_inputs = ANCHORS[suite]
    benchmark = dataset.benchmark(anchor)
    assert {str(root / s) for s in anchor_sources} <= {str(s) for s in benchmark.spec.sources}
    for variant in ("size", "O0"):  # the episode's start module, and CompilerGym's -O0 build
        with Module.from_bitcode(benchmark.bitcode(variant)) as module:
            module.verify()
            assert module.instruction_count() > 0
    assert benchmark.runnable
    output = benchmark.reference_output().stdout.decode()
    assert output.startswith(f"{suite}-{anchor} ")
    if anchor_input is not None:
        checksum = sum(f"input of {anchor}\n".encode())
        assert f" {checksum} " in output  # the input file reached the run
    if suite == "cbench":
        assert output.split()[3] == "1"  # cBench's _finfo_dataset was copied into the run
    benchmark.check_output(benchmark.bitcode())
    if without_inputs is not None:
        assert without_inputs in report.built and without_inputs not in report.runnable
        assert not dataset.benchmark(without_inputs).runnable


@pytest.mark.parametrize("suite", SUITES)
def test_a_broken_checkout_names_what_is_missing(suite, tmp_path):
    root = tmp_path / "checkout"
    fake_checkout(suite, root)
    shutil.rmtree((root / ANCHORS[suite][1][0]).parent)  # one program's folder is missing
    manifest = tmp_path / "manifest" / "manifest.yaml"
    with pytest.raises(MissingFileError, match=ANCHORS[suite][1][0].rsplit("/", 1)[0]):
        import_suite(suite, root, output=manifest)
    assert not manifest.exists()
    with pytest.raises(MissingFileError, match="no checkout at"):
        import_suite(suite, tmp_path / "nowhere")


def test_the_cli_imports_a_suite_found_by_name_in_another_process(tmp_path, capsys):
    import subprocess
    import sys

    from rl_compiler.cli import main

    fake_checkout("chstone", tmp_path / "CHStone_v1.11_150204")
    assert main(["datasets", "import", "chstone", str(tmp_path / "CHStone_v1.11_150204")]) == 0
    assert "chstone-v0: 12 programs built (12 runnable" in capsys.readouterr().out
    listed = subprocess.run(
        [sys.executable, "-m", "rl_compiler.cli", "benchmarks", "chstone-v0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0 and "benchmark://chstone-v0/aes\n" in listed.stdout
    assert main(["datasets", "import", "chstone", str(tmp_path), "--name", "mine"]) == 2
    assert "keeps CompilerGym's dataset name" in capsys.readouterr().err
    assert main(["datasets", "import", "specint", str(tmp_path)]) == 2
    assert "unknown suite 'specint'" in capsys.readouterr().err

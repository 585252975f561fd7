"""The whole built-in suite: every program builds, verifies, and matches its expected output at -O0, -O3, -Oz.

Parametrized over the shipped manifest, so a new program is picked up without touching this file.
"""

from __future__ import annotations

import pytest

from rl_compiler.data import data_path
from rl_compiler.datasets import builtin_dataset, load_manifest

MANIFEST = data_path("benchmarks", "builtin-v0", "manifest.yaml")
PROGRAMS = [program.name for program in load_manifest(MANIFEST).programs]


def test_manifest_describes_the_folders():
    manifest = load_manifest(MANIFEST)
    assert manifest.dataset == "builtin-v0"
    folders = {path.name for path in MANIFEST.parent.iterdir() if path.is_dir()}
    for program in manifest.programs:
        assert program.name in folders, f"{program.name}: no folder benchmarks/builtin-v0/{program.name}"
        assert program.runnable and program.stdin and program.expected_stdout, program.name
        assert program.description and program.tags, program.name
        assert all(source.parent.name == program.name for source in program.sources), program.name


def test_suite_size_meets_the_issue():
    """At least 40 programs, several multi-file, at least 8 above 5,000 IR instructions at -O0."""
    programs = load_manifest(MANIFEST).programs
    assert len(programs) >= 40
    assert sum(len(program.sources) > 1 for program in programs) >= 3
    assert sum((program.ir_instructions_O0 or 0) > 5000 for program in programs) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("name", PROGRAMS)
def test_program_builds_verifies_and_runs_at_every_level(name: str):
    from rl_compiler.llvm.baselines import optimize_o3, optimize_oz

    benchmark = builtin_dataset().benchmark(name)
    with benchmark.module("size") as size, benchmark.module("runtime") as runtime:
        size.verify()
        runtime.verify()
        benchmark.check_output(benchmark.bitcode("size"))  # -O0: the prepared module as it is
        with optimize_o3(runtime) as o3:
            o3.verify()
            benchmark.check_output(o3.bitcode())
        with optimize_oz(size) as oz:
            oz.verify()
            assert oz.instruction_count() < size.instruction_count()
            benchmark.check_output(oz.bitcode())


@pytest.mark.slow
def test_measured_ir_sizes():
    """The O0 sizes recorded in the manifest are what the CompilerGym-style -O0 build measures (within 5%)."""
    for benchmark in builtin_dataset().benchmarks():
        with benchmark.module("O0") as module:
            recorded = benchmark.spec.ir_instructions_O0
            if recorded:
                assert abs(module.instruction_count() - recorded) <= 0.05 * recorded, benchmark.name

"""The benchmark scripts of `benchmarks/perf/` run end to end (tiny settings) and print their tables.

Not timed: the numbers themselves are only meaningful in full runs; this keeps the scripts working.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PERF = Path(__file__).resolve().parents[2] / "benchmarks" / "perf"


def run_script(name: str, *args: str, tmp_path: Path) -> str:
    out = tmp_path / "table.md"
    result = subprocess.run(
        [sys.executable, str(PERF / name), *args, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = out.read_text()
    assert table.strip() and table in result.stdout + "\n"
    return table


@pytest.mark.slow
def test_env_bench_prints_both_tables(tmp_path):
    table = run_script("env_bench.py", "--steps", "20", "--rounds", "1", "--programs", "crcfile", tmp_path=tmp_path)
    assert "| crcfile |" in table
    assert " | compiler_gym |" in table and " | default |" in table


@pytest.mark.slow
def test_spin_bench_prints_both_settings(tmp_path):
    table = run_script(
        "spin_bench.py", "--rounds", "1", "--steps", "40", "--seconds", "0.2", "--think", "0.1", tmp_path=tmp_path
    )
    assert "| spin 250 µs (default) |" in table and "| no spin |" in table
    assert "In-process env" in table


@pytest.mark.slow
def test_vector_bench_prints_every_setup(tmp_path):
    table = run_script("vector_bench.py", "--rounds", "1", "--seconds", "0.2", "--envs", "1", "2", tmp_path=tmp_path)
    for mode in ("sync", "async", "pipelined"):
        for where in ("isolated", "in-process"):
            assert f"| {mode}, {where} |" in table
    assert "| 1 env | 2 envs |" in table


@pytest.mark.slow
def test_runtime_bench_prints_correlations_and_costs(tmp_path):
    table = run_script("runtime_bench.py", "--programs", "kmp,crc32", "--rounds", "1", "--runs", "1", tmp_path=tmp_path)
    for proxy in ("IrInstructionCount (static)", "DynamicInstructionCount", "EstimatedCycles"):
        assert f"| {proxy} |" in table
    assert "| kmp |" in table and "| crc32 |" in table


@pytest.mark.slow
def test_instrumentation_bench_compares_both_instrumentations(tmp_path):
    table = run_script("instrumentation_bench.py", "--programs", "kmp", "--rounds", "1", tmp_path=tmp_path)
    assert "| kmp |" in table and "PGO + llvm-profdata" in table


@pytest.mark.slow
def test_programl_bench_prints_construction_and_step_tables(tmp_path):
    table = run_script("programl_bench.py", "--rounds", "1", "--steps", "4", "--programs", "crc32", tmp_path=tmp_path)
    assert "| crc32 |" in table and "| Programl |" in table and "Median ratio" in table


@pytest.mark.slow
def test_graph_value_bench_trains_both_models(tmp_path):
    table = run_script(
        "graph_value_bench.py", "--csmith", "0", "--random-states", "0", "--epochs", "1", "--seeds", "1",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert "| Autophase MLP |" in table and "| Graph network |" in table


@pytest.mark.slow
def test_coreset_costs_measures_fits_and_simulates(tmp_path):
    script, times, costs = str(PERF / "coreset_costs.py"), tmp_path / "times.jsonl", tmp_path / "costs.json"

    def run(*args: str) -> str:
        result = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run("measure", "--set", "builtin-v0/train", "--limit", "2", "-o", str(times))
    rows = [line for line in times.read_text().splitlines() if line.strip()]
    assert len(rows) == 2
    run("measure", "--set", "builtin-v0/train", "--limit", "2", "-o", str(times))  # resumed: nothing new
    assert len([line for line in times.read_text().splitlines() if line.strip()]) == 2
    assert '"ratios"' in run("fit", str(times), "-o", str(costs)) and costs.is_file()
    table = run("simulate", str(times), "--folds", "2")
    assert "| builtin-v0/train | no budget | 2 |" in table and "(b+c) speculate 2" in table
    assert "(d) guess 2 from the start" in table

"""Run + verify + report end to end on a tiny task; tampering, resuming, and concurrent writers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rl_compiler.leaderboard import harness
from rl_compiler.leaderboard.report import markdown_table, plot, summarize
from rl_compiler.leaderboard.results import ResultsDir
from rl_compiler.leaderboard.tasks import load_task
from rl_compiler.leaderboard.verify import verify


def _run(tiny_task, output, agent="random", **config):
    task = load_task(str(tiny_task))
    run_config = harness.RunConfig(agent=agent, agent_config=config or {"max_steps": 6}, seed=1, author="tests")
    return harness.run(task, run_config, output)


def test_run_verify_report(tiny_task, tmp_path):
    results = _run(tiny_task, tmp_path / "random")
    rows = results.rows()
    assert len(rows) == 4  # two programs x two repetitions
    assert all(row.actions and row.details["ic_final"] > 0 for row in rows)
    manifest = results.manifest()
    assert manifest["llvm"] and manifest["dataset_hash"] and manifest["cpu"]
    assert verify(results.path).ok
    oz = _run(tiny_task, tmp_path / "oz", agent="oz", max_steps=1)
    entries = [summarize(results.path), summarize(oz.path)]
    table = markdown_table(entries)
    assert "Codesize Reduction (geomean)" in table and "| oz |" in table
    assert abs(summarize(oz.path).score - 1.0) < 1e-9  # -Oz matches itself exactly
    assert plot(entries, tmp_path / "plot.png").stat().st_size > 1000
    csv_text = (results.path / "results.csv").read_text()
    assert csv_text.count("\n") == 5


@pytest.mark.slow
def test_parallel_jobs_resolve_a_user_dataset(tiny_task, tmp_path):
    """-j 2 runs jobs in fresh processes: the task's manifest dataset must resolve there too."""
    task = load_task(str(tiny_task))
    config = harness.RunConfig(agent="oz", agent_config={"max_steps": 1}, seed=1, author="tests", jobs=2)
    results = harness.run(task, config, tmp_path / "parallel")
    assert len(results.rows()) == 4 and verify(results.path).ok


def test_tampered_results_fail_verification(tiny_task, tmp_path):
    results = _run(tiny_task, tmp_path / "entry")
    row_file = sorted(results.rows_dir.glob("*.json"))[0]
    data = json.loads(row_file.read_text())
    data["reward"] += 0.01
    row_file.write_text(json.dumps(data))
    report = verify(results.path)
    assert not report.ok
    assert any("recorded reward" in problem for problem in report.problems)
    # Dropping a row fails too: an entry must cover every benchmark and repetition.
    row_file.unlink()
    assert any("no result row" in problem for problem in verify(results.path).problems)


def test_interrupted_run_resumes_without_recomputing(tiny_task, tmp_path):
    results = _run(tiny_task, tmp_path / "entry")
    files = sorted(results.rows_dir.glob("*.json"))
    stamps = {path: path.stat().st_mtime_ns for path in files}
    files[0].unlink()  # as if the run was interrupted before this row was written
    _run(tiny_task, tmp_path / "entry")
    assert files[0].exists()
    assert all(path.stat().st_mtime_ns == stamps[path] for path in files[1:])
    assert verify(results.path).ok


def test_two_processes_writing_at_once(tiny_task, tmp_path):
    output = tmp_path / "shared"
    command = [
        sys.executable,
        "-m",
        "rl_compiler.cli",
        "leaderboard",
        "run",
        "--task",
        str(tiny_task),
        "--agent",
        "random",
        "--budget",
        "6",
        "--seed",
        "1",
        "-j",
        "1",
        "-o",
        str(output),
    ]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr.decode()
    results = ResultsDir(output)
    assert len(results.rows()) == 4 and not list(results.rows_dir.glob(".*.tmp"))
    assert verify(output).ok


@pytest.mark.slow
def test_regalloc_task_runs_and_verifies_from_recorded_decisions(tmp_path):
    task = load_task("llvm-regalloc")
    results = harness.run(task, harness.RunConfig(agent="first-legal", jobs=2), tmp_path / "ra")
    rows = results.rows()
    assert len(rows) == len(harness.benchmark_uris(task)) and all(row.actions for row in rows)
    assert verify(results.path).ok
    data = json.loads(next(results.rows_dir.glob("*.json")).read_text())
    data["actions"] = data["actions"][:-1]  # a decision list that does not match the compilation
    next(results.rows_dir.glob("*.json")).write_text(json.dumps(data))
    assert not verify(results.path).ok


def test_o3_baseline_reference_row_verifies(tiny_task, tmp_path):
    results = _run(tiny_task, tmp_path / "o3", agent="o3-baseline")
    from rl_compiler.datasets import get_benchmark
    from rl_compiler.llvm.baselines import compute_baselines
    from rl_compiler.llvm.module import Module

    for row in results.rows():
        with Module.from_bitcode(get_benchmark(row.benchmark).bitcode()) as module:
            assert row.details["ic_final"] == compute_baselines(module).ic_O3
    assert verify(results.path).ok


def test_runtime_task_on_executed_instructions_runs_and_verifies(tiny_task, tmp_path):
    import yaml

    spec = yaml.safe_load(tiny_task.read_text())
    spec.update(name="llvm-runtime", env="rl_compiler/llvm-dyninst-v0", metric="DynamicInstructionCountO3")
    spec["repetitions"] = 1
    task_file = tmp_path / "tiny-runtime.yaml"
    task_file.write_text(yaml.safe_dump(spec))
    results = _run(task_file, tmp_path / "random")
    rows = results.rows()
    assert len(rows) == 2 and all(row.details["dyn_final"] > 0 for row in rows)
    assert all(row.details["dyn_O3"] < row.details["dyn_O0"] for row in rows)
    assert verify(results.path).ok
    o3 = _run(task_file, tmp_path / "o3", agent="o3-baseline")
    assert all(row.reward == 1.0 for row in o3.rows())
    assert verify(o3.path).ok
    table = markdown_table([summarize(results.path), summarize(o3.path)])
    assert "Executed-instruction reduction vs -O3 (geomean)" in table and "| **1.000x** |" in table
    data = json.loads(next(results.rows_dir.glob("*.json")).read_text())
    data["reward"] += 1e-6
    next(results.rows_dir.glob("*.json")).write_text(json.dumps(data))
    assert not verify(results.path).ok


def test_the_shipped_runtime_task():
    task = load_task("llvm-runtime")
    assert task.metric == "DynamicInstructionCountO3" and task.env == "rl_compiler/llvm-dyninst-v0"

"""Evaluating a policy over benchmarks: the geomean and the result files."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl_compiler.agents.evaluation import evaluate, format_table, summarize, write_results
from rl_compiler.agents.registry import make_agent
from rl_compiler.stats import GEOMEAN_FLOOR, geomean


def test_geomean_and_result_files(env, small_split, tmp_path):
    assert geomean([1.0, 4.0]) == pytest.approx(2.0)
    assert geomean([-1.0, 1.0]) == pytest.approx(GEOMEAN_FLOOR**0.5)  # returns <= 0 count as the floor
    results = evaluate(make_agent("oz"), env, small_split, progress=False, run_programs=False)
    summary = summarize(results)
    assert "geomean IrInstructionCountOz 1.0000x" in format_table(results, summary)
    write_results(tmp_path / "r.csv", results, summary)
    write_results(tmp_path / "r.json", results, summary, {"agent": "oz"})
    assert Path(tmp_path / "r.csv").read_text().count("\n") == 1 + len(small_split)
    assert '"geomean_ir_instruction_count_oz": 1.0' in (tmp_path / "r.json").read_text()


def test_the_table_shows_whole_uris():
    from rl_compiler.agents.base import EpisodeResult

    uri = "benchmark://builtin-v0/bytecodevm"  # 33 characters: the first was cut before
    result = EpisodeResult(uri, "oz", [], ["default<O2>"], ic_o0=6580, ic_oz=2746, ic_final=2746)
    assert f"\n{uri} " in format_table([result])


def test_the_one_loop_keeps_the_order_and_leaves_out_benchmarks_without_a_result():
    from rl_compiler.agents.evaluation import evaluate_each

    seen = []

    def episode(uri):
        seen.append(uri)
        return None if uri.endswith("b") else uri.upper()

    assert evaluate_each(["x/a", "x/b", "x/c"], episode, name="t", progress=False) == ["X/A", "X/C"]
    assert seen == ["x/a", "x/b", "x/c"]

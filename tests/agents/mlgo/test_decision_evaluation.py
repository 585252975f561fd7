"""``rl-compiler eval``'s library on an MLGO env: one real compilation per benchmark, scored against LLVM's
heuristic; a program that asks no decision is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl_compiler.agents.mlgo.evaluation import evaluate_decisions, format_decision_table, summarize_decisions
from rl_compiler.agents.registry import make_agent
from rl_compiler.envs.regalloc import RegallocEnv

BENCHMARK = "benchmark://builtin-v0/crc32"


def test_decisions_are_scored_and_programs_without_decisions_left_out(tmp_path: Path, caplog):
    trivial = tmp_path / "trivial.c"
    trivial.write_text("int main(void) { return 0; }\n")  # nothing live across a call: llc evicts nothing
    env = RegallocEnv(BENCHMARK)
    try:
        results = evaluate_decisions(make_agent("first-legal", family="mlgo"), env, [BENCHMARK, str(trivial)])
    finally:
        env.close()
    assert [r.benchmark for r in results] == [BENCHMARK]
    assert "skipping" in caplog.text and "trivial.c" in caplog.text
    (result,) = results
    assert result.decisions == len(result.actions) > 0 and result.score > 0 and result.default_score > 0
    assert result.score_vs_default == pytest.approx(1 / (1 - result.reward))
    summary = summarize_decisions(results)
    assert summary["geomean_score_vs_default"] == pytest.approx(result.score_vs_default)
    assert "geomean score vs LLVM's heuristic" in format_decision_table(results, summary)

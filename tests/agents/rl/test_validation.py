"""The final validation's object-size summary."""

from __future__ import annotations

import pytest

from rl_compiler.agents.base import EpisodeResult
from rl_compiler.agents.rl.validation import text_summary


def result(name: str, text_oz: int | None, text_final: int | None) -> EpisodeResult:
    return EpisodeResult(name, "ppo", [], [], 100, 50, 50, text_oz=text_oz, text_final=text_final)


def test_a_program_without_object_sizes_is_left_out_of_the_text_geomean():
    summary = text_summary([result("a", 100, 80), result("b", 100, 125), result("c", None, 90)])
    assert summary["programs"] == 3
    assert summary["programs_with_text"] == 2
    assert summary["geomean_text_oz_over_final"] == pytest.approx((100 / 80 * 100 / 125) ** 0.5)
    assert summary["larger_text_than_oz"] == ["b"]

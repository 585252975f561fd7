"""The example scripts run as a user would run them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_compilergym_style_random_search_runs():
    """Random search with CompilerGym's wrappers over a dataset: every best state validates."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "random_search.py"), "--benchmarks", "2", "--episodes", "2", "--steps", "4"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    header, first, second, summary = result.stdout.strip().splitlines()
    assert header.split()[:2] == ["benchmark", "best"]
    for row in (first, second):
        uri, best, valid = row.split()[:3]
        assert uri.startswith("benchmark://builtin-v0/") and valid == "yes"
        float(best)  # the best episode's IrInstructionCountOz return
    assert summary == "4 episodes, " + summary.split(", ")[1] and summary.endswith(" steps")

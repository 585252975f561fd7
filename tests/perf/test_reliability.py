"""benchmarks/reliability.py in its short mode: faults injected, hostile inputs, and nothing leaks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "reliability.py"


@pytest.mark.slow
def test_short_campaign_recovers_from_every_fault_and_leaks_nothing(tmp_path: Path) -> None:
    out, report = tmp_path / "table.md", tmp_path / "counts.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--short", "--faults", "0.02", "--out", str(out), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    counts = json.loads(report.read_text())
    assert counts["steps"] == 300 and counts["worker kills between requests"] > 0
    for failure in ("caller exceptions", "unreported recoveries", "child processes left"):
        assert counts[failure] == 0, (failure, counts["errors"])
    assert counts["temp directories left"] == 0 and counts["file descriptors left"] <= 0
    assert counts["files written outside the run directory"] == 0 and counts["processes left by hostile runs"] == 0
    assert counts["unroll resets stopped by the timeout"] == 1
    assert "| caller exceptions | 0 |" in out.read_text()

"""The committed leaderboard must stay reproducible: every entry replays to exactly its recorded metric."""

from __future__ import annotations

import pytest

from rl_compiler.data import data_path
from rl_compiler.leaderboard.verify import verify

ENTRIES = sorted(path for path in data_path("benchmarks", "leaderboard", "results").glob("*/*") if path.is_dir())


def test_there_are_committed_entries_for_every_task():
    assert {path.parent.name for path in ENTRIES} == {
        "llvm-ic",
        "llvm-codesize",
        "llvm-runtime",
        "llvm-regalloc",
        "llvm-inline",
    }


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_committed_entry_verifies(entry):
    result = verify(entry)
    assert result.ok, "\n".join(result.problems)

"""The policy interface's budget."""

from __future__ import annotations

import pytest

from rl_compiler.agents.base import Budget


def test_budget_parsing():
    assert Budget.parse("500") == Budget(max_steps=500)
    assert Budget.parse("10s") == Budget(time_limit=10.0)
    assert Budget.parse("2m") == Budget(time_limit=120.0)
    assert Budget.parse("500,10s") == Budget(max_steps=500, time_limit=10.0)
    with pytest.raises(ValueError, match="invalid budget"):
        Budget.parse("ten seconds")

"""The header a toolchain sends, probed once (rl_compiler.llvm.mlgo.probe)."""

from __future__ import annotations

import pytest

from rl_compiler.llvm import mlgo


def test_probe_specs_come_from_the_header() -> None:
    regalloc = mlgo.probe_spec("regalloc")
    assert regalloc.feature_names[0] == "mask" and regalloc.feature("mask").shape[-1] == 33
    assert regalloc.advice.name == "index_to_evict" and regalloc.advice.nbytes == 8
    inliner = mlgo.probe_spec("inliner")
    assert inliner.feature_names[-1] == "inlining_default" and inliner.advice.name == "inlining_decision"
    with pytest.raises(ValueError, match="unknown MLGO channel kind"):
        mlgo.probe_spec("scheduler")

"""The value model in NumPy ranks the coreset exactly as the PyTorch model does."""

from __future__ import annotations

import pytest

from rl_compiler.agents.optimize.ranking import export_numpy_model, load_numpy_model, shipped_model_path
from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm.module import Module


@pytest.mark.slow  # imports PyTorch once to export the model
def test_numpy_ranking_matches_the_pytorch_model():
    if not shipped_model_path().is_file():
        pytest.skip("no value model shipped")
    from rl_compiler.agents.coreset import load_coreset, rank_sequences

    export_numpy_model()
    model = load_numpy_model()
    assert model is not None
    coreset = load_coreset()
    for name in ("crc32", "bigint", "sha256"):
        with Module.from_bitcode(get_benchmark(f"benchmark://builtin-v0/{name}").bitcode()) as module:
            features = module.autophase(), module.inst_count()
            assert model.rank(coreset.sequences, *features) == rank_sequences(module, coreset=coreset)
    with pytest.raises(ValueError, match="another coreset"):
        model.rank(coreset.sequences[:-1], *features)

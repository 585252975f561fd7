"""``optimize``'s candidate order: the shipped value model from the start module and -Oz's outcome."""

from __future__ import annotations

from rl_compiler.agents.coreset import load_coreset, rank_sequences, value_model_path
from rl_compiler.agents.optimize.optimizer import (
    EXTRA_SEQUENCES,
    FIRST_PREDICTED,
    CandidateSequences,
    shipped_value_model,
)
from rl_compiler.agents.optimize.size_search import Candidate
from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.pipelines import OZ
from rl_compiler.llvm.session import Session


def test_candidate_sequences_follow_the_value_model():
    assert value_model_path().is_file() and shipped_value_model() is not None
    coreset = load_coreset()
    bitcode = get_benchmark("benchmark://builtin-v0/crc32").bitcode("size")
    with Session(bitcode) as root, Session(bitcode) as oz_session:
        oz_session.run_passes(OZ)
        oz = Candidate((OZ,), oz_session.instruction_count(), oz_session.object_text_size(), "oz")
        ranking = CandidateSequences()
        sequences = ranking(root, oz)
        assert ranking.order == "value model"
        order = rank_sequences(bitcode, oz=(oz.ic, oz.text))
        expected = [(coreset.sequences[i],) for i in order]
        assert sequences == [*expected[:FIRST_PREDICTED], *EXTRA_SEQUENCES, *expected[FIRST_PREDICTED:]]
        assert sequences[0] == (OZ,)

        without = CandidateSequences()
        fallback = without(root)  # no -Oz outcome: the coreset's own order, -Oz and the extras first
        assert without.order.startswith("coreset order (value model: no -Oz result")
        assert fallback[: 1 + len(EXTRA_SEQUENCES)] == [(OZ,), *EXTRA_SEQUENCES]

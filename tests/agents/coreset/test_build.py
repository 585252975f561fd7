"""``rl-compiler coreset build`` and ``train-value`` end to end on a tiny dataset, with real LLVM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rl_compiler.agents.coreset import load_coreset, load_value_model, rank_sequences
from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.value import FEATURES, feature_vector
from rl_compiler.cli import main
from rl_compiler.datasets import get_benchmark
from rl_compiler.envs.coreset import OZ, CoresetEnv
from rl_compiler.llvm.module import Module

TINY = ["kmp", "crc32", "search"]  # builtin-v0 programs of the train split, 700-1,600 instructions


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    lines = ["dataset: tiny-coreset-v0", "programs:"]
    for name in TINY:
        source = get_benchmark(f"benchmark://builtin-v0/{name}").spec.sources[0]
        lines += [f"  - name: {name}", f"    sources: [{source}]", "    split: train"]
    (folder / "manifest.yaml").write_text("\n".join(lines) + "\n")
    return folder / "manifest.yaml"


@pytest.mark.slow
def test_build_train_rank_end_to_end(tiny_dataset: Path, tmp_path: Path, capsys):
    coreset_file, model_file = tmp_path / "tiny.yml", tmp_path / "tiny.npz"
    dataset = f"{tiny_dataset}"
    argv = ["coreset", "build", "--dataset", dataset, "--size", "3", "--search-steps", "40"]
    assert main([*argv, "--name", "tiny", "-o", str(coreset_file)]) == 0
    assert "wrote" in capsys.readouterr().out
    coreset = load_coreset(coreset_file)
    assert coreset.sequences[0] == OZ and 1 <= len(coreset) <= 4
    assert coreset.recipe.startswith("rl-compiler coreset build --dataset")
    assert coreset.metadata["training_programs"] == len(TINY)
    assert coreset.metadata["training_coverage"]["text"] >= 1.0
    for stats in coreset.stats[1:]:
        assert stats["marginal_gain"] > 0 and stats["programs_improved"] >= 1

    # The recorded scores are what the sequence really does to the start module (opt semantics).
    best = coreset.sequences[1]
    bitcode = get_benchmark("benchmark://tiny-coreset-v0/kmp").bitcode("size")
    with Scorer() as scorer:
        ic, text = scorer.score(scorer.program("benchmark://tiny-coreset-v0/kmp"), [best])[0]
    with Module.from_bitcode(bitcode) as module:
        module.run_passes(best)
        assert (module.instruction_count(), module.object_text_size()) == (ic, text)

    assert main(["coreset", "train-value", "--dataset", dataset, "--coreset", str(coreset_file),
                 "--k", "2", "-q", "-o", str(model_file)]) == 0  # fmt: skip
    model = load_value_model(model_file)
    assert model.k == 2 and model.features.shape == (len(TINY), FEATURES)
    assert model.info["recipe"].startswith("rl-compiler coreset train-value --dataset")
    assert len(model.networks) == 2 and "--networks 2 --wide 0.6 --hedge 0 --seed 0" in model.info["recipe"]
    assert (model.wide, model.hedge) == (0.6, 0)
    order = rank_sequences(bitcode, coreset=coreset, model=model)
    assert sorted(order) == list(range(len(coreset))) and order[0] == 0
    with Module.from_bitcode(bitcode) as module:  # every accepted input form gives the same order
        assert rank_sequences(module, coreset=coreset, model=model) == order
        ic_start = module.instruction_count()
        features = module.features()
        module.run_passes(OZ)
        oz = (module.instruction_count(), module.object_text_size())
    assert rank_sequences(bitcode, oz=oz, coreset=coreset, model=model) == order
    raw = feature_vector(*features, ic_start, *oz)
    assert rank_sequences(raw, coreset=coreset, model=model) == order
    with pytest.raises(ValueError, match="raw features"):
        rank_sequences(np.concatenate(features), coreset=coreset, model=model)


def test_build_bad_input(capsys):
    assert main(["coreset", "build", "--dataset", "no-such-dataset", "--size", "2"]) == 2
    assert "unknown dataset" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown coreset"):
        load_coreset("no-such-coreset")


def test_a_model_only_ranks_its_own_coreset(tmp_path: Path):
    other = load_coreset()
    shuffled = type(other)(name="other", sequences=(OZ, *reversed(other.sequences[1:])))
    if len(other) > 2:
        with pytest.raises(ValueError, match="trained for another coreset"):
            rank_sequences(get_benchmark("benchmark://builtin-v0/crc32").bitcode("size"), coreset=shuffled)


def test_coreset_env_applies_whole_sequences_to_the_start_module():
    env = CoresetEnv(
        benchmark="benchmark://builtin-v0/crc32", observation_space="Autophase", reward_space="IrInstructionCountOz"
    )
    try:
        env.reset(seed=0)
        _, reward_oz, *_ = env.step(0)
        assert reward_oz == pytest.approx(1.0)  # -Oz from the start module: CompilerGym's return of 1.0
        assert "-passes='default<O2>' input.bc" in env.unwrapped.commandline()
        last = len(env.coreset) - 1
        _, reward, _, _, info = env.step(last)
        assert info["action"] == env.coreset.sequences[last]
        assert env.session.history == [env.coreset.sequences[last]]  # replaced, not appended
        with Module.from_bitcode(env.start_bitcode) as module:
            module.run_passes(env.coreset.sequences[last])
            assert env.observation["IrInstructionCount"] == module.instruction_count()
        assert env.episode_reward == pytest.approx(
            (env.baselines.ic_O0 - env.observation["IrInstructionCount"]) / (env.baselines.ic_O0 - env.baselines.ic_Oz)
        )
        twin = env.fork()
        try:
            assert isinstance(twin, CoresetEnv) and twin.session.ir_sha1() == env.session.ir_sha1()
        finally:
            twin.close()
        assert env.validate().okay()
        with pytest.raises(ValueError, match="not an argument of CoresetEnv"):
            CoresetEnv(action_set="default")
    finally:
        env.close()

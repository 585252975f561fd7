"""Which saved model a path names, and the run config that goes with it."""

from __future__ import annotations

import pytest
import yaml

from rl_compiler.agents.rl.checkpoints import checkpoint_at, find_model, latest_checkpoint, replay_buffer_of


@pytest.fixture
def run_dir(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.yml").write_text(yaml.safe_dump({"algo": "ppo", "env": "rl_compiler/llvm-ic-v0"}))
    for steps in (16, 32, 128):
        (run / "checkpoints" / f"model_{steps}_steps.zip").write_bytes(b"zip")
    (run / "final_model.zip").write_bytes(b"zip")
    return run


def test_checkpoints_by_step_count_and_last(run_dir):
    assert latest_checkpoint(run_dir).name == "model_128_steps.zip"  # numeric order, not text order
    assert find_model(run_dir, 32)[0].name == "model_32_steps.zip"
    assert find_model(run_dir, "last")[0].name == "model_128_steps.zip"
    assert find_model(run_dir)[0].name == "final_model.zip"
    (run_dir / "best_model.zip").write_bytes(b"zip")
    assert find_model(run_dir)[0].name == "best_model.zip"
    with pytest.raises(FileNotFoundError, match="no checkpoint at 20 steps.*16, 32, 128"):
        checkpoint_at(run_dir, 20)
    assert replay_buffer_of(run_dir / "checkpoints" / "model_16_steps.zip").name == "model_replay_buffer_16_steps.pkl"


def test_any_zip_of_a_run_uses_the_run_config(run_dir, tmp_path):
    model, config = find_model(run_dir / "checkpoints" / "model_16_steps.zip")
    assert model.name == "model_16_steps.zip" and config["algo"] == "ppo"
    assert find_model(run_dir / "final_model.zip")[1]["env"] == "rl_compiler/llvm-ic-v0"
    loose = tmp_path / "loose.zip"
    loose.write_bytes(b"zip")
    with pytest.raises(FileNotFoundError, match="has no config"):
        find_model(loose)
    with pytest.raises(ValueError, match="only be chosen in a run directory"):
        find_model(run_dir / "final_model.zip", 16)
    (tmp_path / "loose.yml").write_text("hyperparams: {}\n")
    with pytest.raises(ValueError, match="names no 'algo'"):
        find_model(loose)

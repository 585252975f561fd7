"""`train --backend rllib`: tiny RLlib PPO runs end to end through the CLI, with the SB3 path's run directory."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from ray_checks import processes_mentioning

pytestmark = pytest.mark.slow

# Like the cluster tests (conftest.ray_cluster): without the [ray] extra these skip rather than fail.
pytest.importorskip("ray")

# One env: the pass-ordering recipe steps two (its n_envs), which would double the train batch.
TINY = ["--hyperparams", "n_envs=1", "n_steps=32", "batch_size=32", "n_epochs=1"]


def _train(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI; afterwards no Ray process or session directory of a Ray it started may be left."""
    command = [sys.executable, "-m", "rl_compiler.cli", "train", "--backend", "rllib", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    stdout, stderr = process.communicate(timeout=900)
    own = f"rl-compiler-ray-{process.pid}-"
    assert list(Path(tempfile.gettempdir()).glob(own + "*")) == [], "the local Ray's session files were left"
    assert processes_mentioning(own) == [], "a process of the local Ray was left running"
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _scalar_tags(run_dir: Path) -> set[str]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(run_dir / "tb" / "run_1"))
    accumulator.Reload()
    return set(accumulator.Tags()["scalars"])


def test_pass_ordering_on_a_local_ray(tiny_dataset, tmp_path):
    """No --ray-address: a local Ray starts and stops with the command and leaves nothing behind."""
    run_dir = tmp_path / "po"
    result = _train(
        "--env", "rl_compiler/llvm-autophase-ic-v0", "-n", "64", "--dataset", str(tiny_dataset),
        "--save-freq", "32", "--env-runners", "1", "--run-dir", str(run_dir), *TINY,
        "episode_length=4", "wrappers=[start-oz, autophase-norm, action-histogram]",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert config["backend"] == "rllib" and config["algo"] == "ppo" and config["versions"]["ray"]
    assert len(config["benchmarks"]) == 2 and len(config["eval_benchmarks"]) == 1
    assert config["rllib"]["training"]["train_batch_size_per_learner"] == 32
    assert (run_dir / "final_model" / "rllib_checkpoint.json").is_file()
    assert (run_dir / "best_model" / "rllib_checkpoint.json").is_file()
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["model_32_steps", "model_64_steps"]
    rows = list(csv.reader((run_dir / "evaluations.csv").open()))
    assert rows[0] == ["timesteps", "geomean_ir_instruction_count_oz", "seconds"] and rows[-1][0] == "64"
    assert 0.0 < float(rows[-1][1]) < 2.0
    assert {"rollout/ep_rew_mean", "time/fps", "eval/geomean_ir_instruction_count_oz"} <= _scalar_tags(run_dir)
    assert "validation geomean_ir_instruction_count_oz" in result.stdout + result.stderr


def test_register_allocation_with_action_masks_on_the_cluster(ray_cluster, tmp_path):
    """--ray-address joins the two-node cluster; the masked env trains under RLlib's masking convention."""
    run_dir = tmp_path / "ra"
    result = _train(
        "--env", "rl_compiler/llvm-regalloc-v0", "-n", "64", "--ray-address", ray_cluster.address,
        "--env-runners", "1", "--eval-split", "none", "--run-dir", str(run_dir), *TINY,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert config["algo"] == "maskable-ppo" and config["backend"] == "rllib"
    assert (run_dir / "final_model" / "rllib_checkpoint.json").is_file()


def test_tune_two_trials_on_the_cluster(ray_cluster, tiny_dataset, tmp_path):
    """Ray Tune runs the trials (Optuna choosing) on the cluster and writes a usable best file."""
    space = tmp_path / "ppo.yml"
    space.write_text(
        "default:\n  policy: MlpPolicy\n  episode_length: 4\n  wrappers: [start-oz, autophase-norm, action-histogram]\n"
        "  n_steps: 16\n  batch_size: 16\n  n_epochs: 1\n"
        "  search_space:\n    learning_rate: {low: 1.0e-4, high: 1.0e-2, log: true}\n"
        "    policy_kwargs.net_arch: {choices: [[16], [32, 32]]}\n"
    )
    run_dir = tmp_path / "tune"
    command = [sys.executable, "-m", "rl_compiler.cli", "tune", "--env", "rl_compiler/llvm-autophase-ic-v0",
               "-n", "32", "--trials", "2", "--dataset", str(tiny_dataset), "--hyperparams-file", str(space),
               "--ray", ray_cluster.address, "--run-dir", str(run_dir)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    trials = list(csv.DictReader((run_dir / "trials.csv").open()))
    assert len(trials) == 2 and all(t["state"] == "complete" and 0.0 < float(t["value"]) < 2.0 for t in trials)
    assert len([p for p in (run_dir / "trials").iterdir() if (p / "evaluations.csv").is_file()]) == 2
    best = yaml.safe_load((run_dir / "best_hyperparams.yml").read_text())["rl_compiler/llvm-autophase-ic-v0"]
    assert 1e-4 <= best["learning_rate"] <= 1e-2 and best["policy_kwargs"]["net_arch"] in ([16], [32, 32])
    assert "search_space" not in best and best["n_steps"] == 16

"""`rl-compiler train`/`eval`: a tiny PPO run trains, saves, resumes on one continuous curve, evaluates."""

from __future__ import annotations

import json

import pytest
import yaml

from rl_compiler.cli import main

ENV = "rl_compiler/llvm-autophase-ic-v0"
SMALL = ["benchmark://builtin-v0/crc32", "benchmark://builtin-v0/kmp"]


def _tb_steps(run_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    dirs = sorted(p for p in (run_dir / "tb").iterdir() if p.is_dir())
    steps = []
    for directory in dirs:
        accumulator = EventAccumulator(str(directory))
        accumulator.Reload()
        for tag in accumulator.Tags()["scalars"]:
            if tag == "time/fps":
                steps += [event.step for event in accumulator.Scalars(tag)]
    return dirs, sorted(steps)


def test_tiny_ppo_trains_saves_resumes_and_evaluates(tmp_path, capsys):
    run_dir = tmp_path / "run"
    # Plain actions (not the shipped recipe's macro actions, which run -Oz every step) keep this test fast.
    common = [
        "--hyperparams",
        "n_steps=16",
        "batch_size=16",
        "n_epochs=1",
        "episode_length=4",
        "wrappers=[start-oz, autophase-norm, action-histogram]",
    ]
    code = main(
        [
            "train",
            "--algo",
            "ppo",
            "--env",
            ENV,
            "-n",
            "32",
            "--seed",
            "0",
            "--dataset",
            "builtin-v0",
            "--split",
            "train",
            "--eval-freq",
            "16",
            "--save-freq",
            "16",
            "--run-dir",
            str(run_dir),
            "--eval-split",
            "validation",
            *common,
        ]
    )
    assert code == 0
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert config["algo"] == "ppo" and config["n_timesteps"] == 32 and config["hyperparams"]["n_steps"] == 16
    assert config["benchmarks"] and config["eval_benchmarks"]
    assert {p.name for p in (run_dir / "checkpoints").iterdir()} >= {
        "model_16_steps.zip",
        "model_32_steps.zip",
    }
    assert (run_dir / "final_model.zip").is_file() and (run_dir / "best_model.zip").is_file()
    assert (run_dir / "evaluations.csv").read_text().count("\n") >= 2
    final = json.loads((run_dir / "final_validation.json").read_text())
    assert final["timesteps"] == 32 and final["programs"] == len(config["eval_benchmarks"]) == len(final["results"])
    assert all(r["text_oz"] > 0 and r["text_final"] > 0 for r in final["results"])
    assert f"geomean IrInstructionCountOz {final['geomean_ir_instruction_count_oz']:.4f}" in capsys.readouterr().out

    assert main(["train", "--resume", str(run_dir), "-n", "64"]) == 0
    assert (run_dir / "checkpoints" / "model_64_steps.zip").is_file()
    dirs, steps = _tb_steps(run_dir)
    assert len(dirs) == 1, "resume must continue the same TensorBoard run"
    assert steps == sorted(set(steps)) and steps[-1] == 64 and steps[0] <= 32  # one continuous curve

    output = tmp_path / "eval.json"
    capsys.readouterr()
    assert main(["eval", "--agent", str(run_dir), "--benchmark", *SMALL, "-o", str(output), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "geomean IrInstructionCountOz" in printed and "crc32" in printed
    data = json.loads(output.read_text())
    assert len(data["results"]) == 2 and data["summary"]["geomean_ir_instruction_count_oz"] >= 1.0


def test_search_cli_writes_csv(tmp_path, capsys):
    output = tmp_path / "greedy.csv"
    assert (
        main(
            [
                "search",
                "--agent",
                "greedy",
                "--budget",
                "40",
                "--agent-kwargs",
                "start=oz",
                "--benchmark",
                SMALL[0],
                "-o",
                str(output),
                "--no-progress",
            ]
        )
        == 0
    )
    assert "IR size Oz/final" in capsys.readouterr().out
    header, row = output.read_text().strip().splitlines()
    assert header.startswith("benchmark,ic_o0,ic_oz,ic_final,ir_instruction_count_oz")
    assert row.startswith(SMALL[0])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--algo", "trpo", "-n", "10"], "unknown algorithm 'trpo'"),
        (["train", "--env", "rl_compiler/nope-v0", "-n", "10"], "unknown env 'rl_compiler/nope-v0'"),
        (["train", "-n", "10", "--hyperparams", "n_steps"], "expected key:value or key=value"),
        (["train", "--resume", "/nonexistent/run"], "no config.yml"),
        (["eval", "--agent", "simulated-annealing"], "unknown agent 'simulated-annealing'"),
        (["eval", "--agent", "/nonexistent/run.zip"], "does not exist"),
        (["search", "--agent", "greedy", "--budget", "ten"], "invalid budget"),
        (["eval", "--agent", "oz", "--env", "rl_compiler/nope-v0", "--benchmark", SMALL[0]], "unknown env"),
        (
            ["eval", "--agent", "oz", "--benchmark", SMALL[0], "-o", "/nonexistent/dir/x.csv"],
            "does not exist",
        ),
        (["eval", "--agent", "oz", "--benchmark", SMALL[0], "-o", "results.txt"], ".csv or .json"),
        (["eval", "--agent", "oz", "--dataset", "no-such-dataset"], "no-such-dataset"),
    ],
)
def test_bad_input_gives_a_clear_message(argv, message, capsys):
    assert main(argv) != 0
    assert message in capsys.readouterr().err


def test_malformed_hyperparameter_file(tmp_path, capsys):
    bad = tmp_path / "ppo.yml"
    bad.write_text("default:\n  n_steps: [16\n")
    assert main(["train", "-n", "10", "--hyperparams-file", str(bad), "--run-dir", str(tmp_path / "r")]) != 0
    assert "not valid YAML" in capsys.readouterr().err
    bad.write_text("default:\n  n_stepz: 16\n")
    assert (
        main(
            [
                "train",
                "-n",
                "16",
                "--hyperparams-file",
                str(bad),
                "--run-dir",
                str(tmp_path / "r2"),
                "--eval-split",
                "none",
            ]
        )
        != 0
    )
    assert "n_stepz" in capsys.readouterr().err


def test_ctrl_c_saves_a_checkpoint_and_resume_continues(tmp_path):
    """SIGINT during training: a checkpoint at the current step, exit code 130, and --resume goes on from it."""
    import signal
    import subprocess
    import sys
    import time

    run_dir = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "rl_compiler.cli",
        "train",
        "-n",
        "100000",
        "--run-dir",
        str(run_dir),
        "--eval-split",
        "none",
        "--hyperparams",
        "n_steps=16",
        "batch_size=16",
        "n_epochs=1",
    ]
    # A shell's background job inherits SIGINT ignored; Ctrl-C must reach the command as it does a user's.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not (run_dir / "tb").exists():
            time.sleep(0.5)
        time.sleep(3)  # some training steps
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # never leave the training process behind
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "--resume" in out
    checkpoints = list((run_dir / "checkpoints").glob("model_*_steps.zip"))
    assert len(checkpoints) == 1
    steps = int(checkpoints[0].stem.split("_")[1])
    assert steps > 0
    assert main(["train", "--resume", str(run_dir), "-n", str(steps + 16)]) == 0
    assert (run_dir / "final_model.zip").is_file()

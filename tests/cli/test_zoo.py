"""The RL Zoo training loop end to end through the CLI, with tiny budgets: fine-tuning the shipped policy on a
user dataset, evaluating checkpoints and any .zip of a run, plotting, a resumable Optuna study, register
allocation with MaskablePPO, and -q."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
import yaml
from tiny_datasets import write_manifest

from rl_compiler.agents.rl.plots import png_size
from rl_compiler.cli import main
from rl_compiler.data import data_path

#: Five small C programs of "a user": three to train on, one to validate, one held out.
PROGRAMS = {
    "gcd": (
        "train",
        """
int gcd(int a, int b) { while (b) { int t = a % b; a = b; b = t; } return a; }
int main(void) {
    int s = 0;
    for (int i = 1; i < 200; i++) s += gcd(i * 7, 91);
    printf("%d\\n", s);
    return 0;
}""",
    ),
    "fib": (
        "train",
        """
static long fib(int n) { long a = 0, b = 1; for (int i = 0; i < n; i++) { long t = a + b; a = b; b = t; } return a; }
int main(void) {
    long s = 0;
    for (int i = 0; i < 40; i++) s ^= fib(i);
    printf("%ld\\n", s);
    return 0;
}""",
    ),
    "bubble": (
        "train",
        """
static void sort(int *v, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j + 1 < n - i; j++)
            if (v[j] > v[j + 1]) { int t = v[j]; v[j] = v[j + 1]; v[j + 1] = t; }
}
int main(void) {
    int v[64];
    for (int i = 0; i < 64; i++) v[i] = (i * 37) % 64;
    sort(v, 64);
    for (int i = 0; i < 64; i += 8) printf("%d ", v[i]);
    printf("\\n");
    return 0;
}""",
    ),
    "strrev": (
        "validation",
        """
#include <string.h>
static void rev(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) { char t = s[i]; s[i] = s[n - 1 - i]; s[n - 1 - i] = t; }
}
int main(void) { char s[] = "reinforcement learning"; rev(s); printf("%s\\n", s); return 0; }""",
    ),
    "collatz": (
        "test",
        """
static int steps(long n) { int k = 0; while (n != 1) { n = n % 2 ? 3 * n + 1 : n / 2; k++; } return k; }
int main(void) {
    int best = 0;
    for (long i = 1; i < 300; i++) if (steps(i) > best) best = steps(i);
    printf("%d\\n", best);
    return 0;
}""",
    ),
}


@pytest.fixture(scope="module")
def user_dataset(tmp_path_factory):
    """A manifest of the user's programs (``benchmark://mine-v0/<name>``)."""
    programs = {name: (split, "#include <stdio.h>\n" + body) for name, (split, body) in PROGRAMS.items()}
    return str(write_manifest(tmp_path_factory.mktemp("mine"), "mine-v0", programs))


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.slow
def test_finetune_the_shipped_policy_on_a_user_dataset_then_eval_checkpoints_and_plot(user_dataset, tmp_path, capsys):
    run_dir = tmp_path / "ft"
    shipped = data_path("agents", "policies", "default-ic.zip")
    argv = [
        "train",
        "-i",
        str(shipped),
        "--dataset",
        user_dataset,
        "-n",
        "200",
        "--save-freq",
        "100",
        "--eval-freq",
        "80",
    ]
    argv += ["-params", "n_steps:50", "batch_size:50", "n_epochs:2", "--run-dir", str(run_dir), "--seed", "3"]
    out = _run(argv, capsys)
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert config["trained_agent"] == str(shipped) and config["n_timesteps"] == 200
    assert config["hyperparams"]["n_steps"] == 50 and config["hyperparams"]["learning_rate"] == 0.0003
    assert config["benchmarks"] == [f"benchmark://mine-v0/{n}" for n in ("bubble", "fib", "gcd")]
    assert config["eval_benchmarks"] == ["benchmark://mine-v0/strrev"]
    shipped_config = yaml.safe_load(shipped.with_suffix(".yml").read_text())
    assert config["action_names"] == shipped_config["action_names"] and config["wrappers"] == shipped_config["wrappers"]
    # Fine-tuning changed the shipped network's weights.
    with zipfile.ZipFile(shipped) as before, zipfile.ZipFile(run_dir / "final_model.zip") as after:
        assert before.read("policy.pth") != after.read("policy.pth")
    # Periodic validation, and one more at the end; it is printed and recorded.
    rows = (run_dir / "evaluations.csv").read_text().splitlines()
    assert rows[0] == "timesteps,geomean_ir_instruction_count_oz,seconds"
    assert [int(row.split(",")[0]) for row in rows[1:]] == [80, 160, 200]
    assert f"at 200 steps: geomean IrInstructionCountOz {float(rows[-1].split(',')[1]):.4f}" in out
    monitor = (run_dir / "0.monitor.csv").read_text().splitlines()
    assert monitor[1] == "r,l,t" and sum(int(line.split(",")[1]) for line in monitor[2:]) <= 200
    assert "validation at 200 steps" in (run_dir / "train.log").read_text()

    # eval --load-checkpoint N: that checkpoint, on the run's own env.
    result = tmp_path / "ckpt.json"
    held_out = "benchmark://mine-v0/collatz"
    _run(
        ["eval", "--agent", str(run_dir), "--load-checkpoint", "100", "--benchmark", held_out, "-o", str(result)],
        capsys,
    )
    data = json.loads(result.read_text())
    assert data["meta"]["checkpoint"] == 100 and data["meta"]["env"] == config["env"]
    assert data["results"][0]["valid"] and data["results"][0]["passes"][0] == "default<O2>"
    # Any .zip of the run is evaluated with the run's config.
    out = _run(
        ["eval", "--agent", str(run_dir / "checkpoints" / "model_200_steps.zip"), "--benchmark", held_out], capsys
    )
    assert "geomean IrInstructionCountOz" in out and "95% CI" in out
    assert main(["eval", "--agent", str(run_dir), "--load-checkpoint", "150", "--benchmark", held_out]) == 2
    assert "no checkpoint at 150 steps (checkpoints at: 100, 200)" in capsys.readouterr().err

    # plot: one PNG for several runs, of the size asked for.
    other = tmp_path / "ft2"
    _run(["train", "--resume", str(run_dir), "-n", "250"], capsys)  # a second Monitor file, appended curve
    assert (run_dir / "0_1.monitor.csv").is_file()
    other.mkdir()
    (other / "evaluations.csv").write_text((run_dir / "evaluations.csv").read_text())
    png = tmp_path / "curves.png"
    _run(["plot", str(run_dir), str(other), "-o", str(png), "--size", "8", "3", "--dpi", "50"], capsys)
    assert png_size(png) == (400, 150)


@pytest.mark.slow
def test_optimize_two_trials_then_a_second_invocation_resumes_the_study(user_dataset, tmp_path, capsys):
    conf = tmp_path / "ppo.yml"
    conf.write_text(
        yaml.safe_dump(
            {
                "default": {
                    "episode_length": 4,
                    "wrappers": ["start-oz", "autophase-norm", "action-histogram"],
                    "n_steps": 16,
                    "batch_size": 16,
                    "policy_kwargs": {"net_arch": [16]},
                    "search_space": {
                        "learning_rate": {"low": 1.0e-4, "high": 1.0e-2, "log": True},
                        "n_epochs": {"choices": [1, 2]},
                        "policy_kwargs.net_arch": {"choices": [[8], [16, 16]]},
                    },
                }
            }
        )
    )
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    common = ["train", "--optimize", "--conf-file", str(conf), "--dataset", user_dataset, "-n", "32"]
    common += ["--storage", storage, "--study-name", "tiny", "-f", str(tmp_path / "runs"), "--n-evaluations", "2"]
    _run([*common, "--n-trials", "2"], capsys)
    study_dir = tmp_path / "runs" / "tiny"
    assert sorted(p.name for p in study_dir.glob("trial_*")) == ["trial_0", "trial_1"]
    assert (study_dir / "trial_0" / "evaluations.csv").read_text().count("\n") == 3  # 2 evaluations + header
    _run([*common, "--n-trials", "1"], capsys)
    import optuna

    study = optuna.load_study(study_name="tiny", storage=storage)
    assert [t.number for t in study.trials] == [0, 1, 2]
    assert all(t.state.name == "COMPLETE" for t in study.trials)
    assert (study_dir / "trials.csv").read_text().count("\n") == 4
    best = yaml.safe_load((study_dir / "best_hyperparams.yml").read_text())
    entry = best["rl_compiler/llvm-autophase-ic-v0"]
    assert entry["learning_rate"] == study.best_params["learning_rate"] and "search_space" not in entry
    # The best file is ready to use.
    _run(["train", "--conf-file", str(study_dir / "best_hyperparams.yml"), "--dataset", user_dataset, "-n", "16",
          "--run-dir", str(tmp_path / "best"), "--eval-split", "none"], capsys)  # fmt: skip
    config = yaml.safe_load((tmp_path / "best" / "config.yml").read_text())
    assert config["hyperparams"]["n_epochs"] == study.best_params["n_epochs"]


@pytest.mark.slow
def test_regalloc_maskable_ppo_trains_and_evaluates_through_the_cli(tmp_path, capsys):
    # Built-in programs: the small programs above leave llc no eviction to decide.
    run_dir = tmp_path / "runs" / "maskable-ppo_llvm-regalloc-v0_1"
    argv = ["train", "--algo", "maskable-ppo", "--env", "rl_compiler/llvm-regalloc-v0", "-n", "64", "--save-freq", "32"]
    argv += ["-params", "n_steps:32", "batch_size:32", "n_epochs:1", "--eval-freq", "0", "--run-dir", str(run_dir)]
    out = _run(argv, capsys)
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert config["hyperparams"]["gamma"] == 1.0  # the regalloc entry of maskable_ppo.yml
    assert len(config["eval_benchmarks"]) == 9 and "validation geomean_score_vs_default" in out
    result = tmp_path / "ra.json"
    held_out = ["benchmark://builtin-v0/kmp", "benchmark://builtin-v0/crc32"]
    # The run by the Zoo's coordinates (--exp-id 0: the latest), its last checkpoint.
    argv = ["eval", "--algo", "maskable-ppo", "--env", "rl_compiler/llvm-regalloc-v0", "-f", str(tmp_path / "runs")]
    argv += ["--exp-id", "0", "--load-last-checkpoint", "--benchmark", *held_out, "-o", str(result)]
    _run(argv, capsys)
    data = json.loads(result.read_text())
    assert data["meta"]["env"] == "rl_compiler/llvm-regalloc-v0" and data["meta"]["checkpoint"] == "last"
    assert [row["benchmark"] for row in data["results"]] == held_out
    for row in data["results"]:
        assert row["decisions"] == len(row["actions"]) > 0
        assert row["score_vs_default"] == pytest.approx(1 / (1 - row["reward"]))
    assert data["summary"]["ci_low"] <= data["summary"]["geomean_score_vs_default"] <= data["summary"]["ci_high"]
    argv = ["eval", "--agent", "first-legal", "--env", "rl_compiler/llvm-regalloc-v0", "--benchmark", held_out[0]]
    assert "geomean score vs LLVM's heuristic" in _run([*argv, "--no-progress"], capsys)


@pytest.mark.slow
def test_quiet_prints_errors_only(user_dataset, tmp_path):
    def cli(*argv):
        env = {**os.environ, "PYTHONWARNINGS": "default"}  # warnings on, so -q must be what hides them
        return subprocess.run([sys.executable, "-m", "rl_compiler.cli", *argv], capture_output=True, text=True, env=env)

    train = ["train", "--algo", "maskable-ppo", "--env", "rl_compiler/llvm-inline-v0", "--dataset", user_dataset]
    train += ["-n", "16", "-params", "n_steps:16", "batch_size:16", "n_epochs:1", "--run-dir", str(tmp_path / "r")]
    done = cli("-q", *train, "--progress")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert "validation at 16 steps" in (tmp_path / "r" / "train.log").read_text()  # the log file keeps everything
    done = cli("eval", "-q", "--agent", str(tmp_path / "r"), "--benchmark", "benchmark://mine-v0/gcd")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    done = cli("-q", "eval", "--agent", "simulated-annealing")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("rl-compiler eval: error: unknown agent 'simulated-annealing'")


def test_version(capsys):
    from rl_compiler import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out == f"rl-compiler {__version__}\n"


@pytest.mark.slow
def test_subproc_envs_env_kwargs_and_threads(user_dataset, tmp_path, capsys):
    run_dir = tmp_path / "sp"
    argv = [
        "train",
        "-n",
        "32",
        "--n-envs",
        "2",
        "--vec-env",
        "subproc",
        "--num-threads",
        "1",
        "--dataset",
        user_dataset,
    ]
    argv += ["--env-kwargs", "isolated:false", "--eval-split", "none", "--run-dir", str(run_dir)]
    argv += ["-params", "n_steps:8", "batch_size:16", "n_epochs:1", "episode_length:4"]
    argv += ["wrappers:[start-oz, autophase-norm, action-histogram]"]
    _run(argv, capsys)
    config = yaml.safe_load((run_dir / "config.yml").read_text())
    assert (config["n_envs"], config["vec_env"], config["num_threads"]) == (2, "subproc", 1)
    assert config["env_kwargs"] == {"isolated": False}
    for rank in (0, 1):  # one Monitor file per env process, each with its episodes of 4 steps
        lines = (run_dir / f"{rank}.monitor.csv").read_text().splitlines()[2:]
        assert lines and all(line.split(",")[1] == "4" for line in lines)


def test_mlgo_eval_skips_programs_that_ask_no_decision(user_dataset, capsys):
    argv = ["eval", "--agent", "first-legal", "--env", "rl_compiler/llvm-regalloc-v0", "--dataset", user_dataset]
    assert main([*argv, "--split", "all", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "warning: skipping benchmark://mine-v0/gcd" in err
    assert "error: no benchmark asked rl_compiler/llvm-regalloc-v0 for a decision" in err

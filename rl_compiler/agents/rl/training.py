"""Training runs of SB3 agents, RL Baselines3 Zoo style.

A run directory (``runs/<algo>_<env>_<k>/``) holds:

- ``config.yml``: the exact configuration (algorithm, env id, resolved hyperparameters, seed, dataset and
  splits, evaluation and checkpoint frequencies, versions, the command line);
- ``tb/``: TensorBoard logs (one continuous curve across ``--resume``);
- ``checkpoints/model_<steps>_steps.zip`` (and the replay buffer for DQN), written every ``save_freq`` steps
  and on Ctrl-C;
- ``evaluations.csv`` and ``best_model.zip``: the policy evaluated on the validation split every
  ``eval_freq`` steps (geomean ``IrInstructionCountOz``), and the best so far;
- ``final_model.zip`` at the end.
"""

from __future__ import annotations

import csv
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import yaml
from tqdm.auto import tqdm

from rl_compiler.agents.base import geomean
from rl_compiler.agents.rl.hyperparams import load_hyperparams, resolve_policy_kwargs, split_hyperparams
from rl_compiler.agents.rl.sb3 import SB3Policy, algo_class, algo_name, checkpoint_steps
from rl_compiler.agents.rl.wrappers import apply_wrappers
from rl_compiler.wrappers.benchmarks import BenchmarkSampler
from rl_compiler.wrappers.observations import policy_action_names

CHECKPOINT_PREFIX = "model"


@dataclass
class TrainConfig:
    """Everything that defines a training run (saved as the run's ``config.yml``)."""

    algo: str
    env: str
    n_timesteps: int
    seed: int = 0
    dataset: str = "builtin-v0"
    split: str = "train"
    eval_split: str | None = "validation"
    eval_freq: int = 0
    save_freq: int = 0
    hyperparams: dict[str, Any] = field(default_factory=dict)
    episode_length: int | None = 20
    wrappers: list[Any] = field(default_factory=list)
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    benchmarks: list[str] = field(default_factory=list)
    action_names: list[str] = field(default_factory=list)
    eval_benchmarks: list[str] = field(default_factory=list)
    policy: str = "MlpPolicy"
    n_envs: int = 1
    command: str = ""
    versions: dict[str, str] = field(default_factory=dict)

    def to_yaml(self) -> str:
        return yaml.safe_dump(asdict(self), sort_keys=False)

    @classmethod
    def from_yaml(cls, text: str) -> TrainConfig:
        data = yaml.safe_load(text) or {}
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def resolve_config(
    algo: str,
    env_id: str,
    *,
    n_timesteps: int | None = None,
    seed: int = 0,
    dataset: str = "builtin-v0",
    split: str = "train",
    eval_split: str | None = "validation",
    eval_freq: int = 0,
    save_freq: int = 0,
    overrides: list[str] | None = None,
    hyperparams_file: str | None = None,
    benchmarks: list[str] | None = None,
    eval_benchmarks: list[str] | None = None,
) -> TrainConfig:
    """Resolve the hyperparameter files, overrides and dataset splits into a :class:`TrainConfig`."""
    algo = algo_name(algo)
    if env_id not in gym.registry:
        known = sorted(i for i in gym.registry if i.startswith("rl_compiler/"))
        raise ValueError(f"unknown env {env_id!r}; rl-compiler registers {', '.join(known)}")
    params = load_hyperparams(algo, env_id, overrides, hyperparams_file)
    run, algo_kwargs = split_hyperparams(params)
    if benchmarks is None or (eval_split and eval_benchmarks is None):
        from rl_compiler.datasets import get_dataset

        data = get_dataset(dataset)
        benchmarks = benchmarks if benchmarks is not None else data.split(split)
        if eval_split and eval_benchmarks is None:
            eval_benchmarks = data.split(eval_split)
    if not benchmarks:
        raise ValueError(f"dataset {dataset!r} has no benchmarks in split {split!r}")
    import sb3_contrib
    import stable_baselines3
    import torch

    action_names = probe_action_names(env_id, dict(run.get("env_kwargs") or {}), list(run.get("wrappers") or []))

    return TrainConfig(
        algo=algo,
        env=env_id,
        n_timesteps=int(n_timesteps or run.get("n_timesteps", 10000)),
        seed=seed,
        dataset=dataset,
        split=split,
        eval_split=eval_split,
        eval_freq=eval_freq,
        save_freq=save_freq,
        hyperparams=algo_kwargs,
        episode_length=None if run.get("episode_length", 20) is None else int(run.get("episode_length", 20)),
        wrappers=list(run.get("wrappers") or []),
        env_kwargs=dict(run.get("env_kwargs") or {}),
        benchmarks=list(benchmarks),
        action_names=action_names,
        eval_benchmarks=list(eval_benchmarks or []),
        policy=run.get("policy", "MlpPolicy"),
        n_envs=int(run.get("n_envs", 1)),
        command=" ".join(sys.argv),
        versions={
            "python": platform.python_version(),
            "stable_baselines3": stable_baselines3.__version__,
            "sb3_contrib": sb3_contrib.__version__,
            "torch": str(torch.__version__),
        },
    )


def probe_action_names(env_id: str, env_kwargs: dict[str, Any], wrappers: list[Any]) -> list[str]:
    """The names of the actions a policy chooses from on ``env_id`` under ``wrappers`` ([] if unnamed)."""
    probe = apply_wrappers(gym.make(env_id, **env_kwargs), wrappers)
    try:
        if not hasattr(probe.unwrapped, "action_names"):
            return []
        return [str(a) for a in policy_action_names(probe)]
    finally:
        probe.close()


def new_run_dir(log_folder: str | Path, config: TrainConfig) -> Path:
    """``<log_folder>/<algo>_<env name>_<k>`` with the next free ``k`` (the Zoo's numbering)."""
    base = Path(log_folder)
    stem = f"{config.algo}_{config.env.rsplit('/', 1)[-1]}"
    k = 1
    while (base / f"{stem}_{k}").exists():
        k += 1
    return base / f"{stem}_{k}"


def make_env(config: TrainConfig, benchmarks: list[str], seed: int | None) -> gym.Env:
    """The training/evaluation env: the registered id, episode length, benchmark sampling and wrappers."""
    from stable_baselines3.common.monitor import Monitor

    env = gym.make(config.env, max_episode_steps=config.episode_length, **config.env_kwargs)
    env = BenchmarkSampler(env, benchmarks, seed=seed)
    env = apply_wrappers(env, config.wrappers)
    return Monitor(env)


def _callbacks(config: TrainConfig, run_dir: Path, progress: bool, total: int):
    from stable_baselines3.common.callbacks import BaseCallback, CheckpointCallback

    class ProgressBar(BaseCallback):
        """tqdm progress over the run's total steps (SB3's own bar needs ``rich``)."""

        def _on_training_start(self) -> None:
            self.bar = tqdm(
                total=total,
                initial=self.model.num_timesteps,
                unit="step",
                desc=f"train {config.algo}",
                disable=not progress,
            )

        def _on_step(self) -> bool:
            self.bar.update(self.model.num_timesteps - self.bar.n)
            return True

        def _on_training_end(self) -> None:
            self.bar.close()

    class ValidationCallback(BaseCallback):
        """Every ``eval_freq`` steps: the deterministic policy on each validation benchmark; keep the best."""

        def __init__(self) -> None:
            super().__init__()
            self.best = -float("inf")
            self.last = 0

        def _on_step(self) -> bool:
            if config.eval_freq and self.model.num_timesteps - self.last >= config.eval_freq:
                self.last = self.model.num_timesteps
                self.evaluate()
            return True

        def evaluate(self) -> float:
            score, seconds = evaluate_model(self.model, config)
            self.logger.record(f"eval/{evaluation_metric(config)}", score)
            self.logger.record("eval/seconds", seconds)
            path = run_dir / "evaluations.csv"
            new = not path.exists()
            with path.open("a", newline="") as stream:
                writer = csv.writer(stream)
                if new:
                    writer.writerow(["timesteps", evaluation_metric(config), "seconds"])
                writer.writerow([self.model.num_timesteps, f"{score:.6f}", f"{seconds:.2f}"])
            if score > self.best:
                self.best = score
                self.model.save(run_dir / "best_model.zip")
            return score

    callbacks = [ProgressBar()]
    if config.save_freq:
        callbacks.append(
            CheckpointCallback(
                save_freq=max(config.save_freq // config.n_envs, 1),
                save_path=str(run_dir / "checkpoints"),
                name_prefix=CHECKPOINT_PREFIX,
                save_replay_buffer=config.algo == "dqn",
                verbose=0,
            )
        )
    if config.eval_freq and config.eval_benchmarks:
        callbacks.append(ValidationCallback())
    return callbacks


def evaluation_metric(config: TrainConfig) -> str:
    """What validation reports: the geomean IrInstructionCountOz return on pass-ordering envs (they have
    action names), else the mean episode return (register allocation, inlining)."""
    return "geomean_ir_instruction_count_oz" if config.action_names else "mean_return"


def evaluate_model(model: Any, config: TrainConfig) -> tuple[float, float]:
    """The deterministic ``model`` on every validation benchmark: (:func:`evaluation_metric`, seconds)."""
    start = time.perf_counter()
    env = gym.make(config.env, max_episode_steps=config.episode_length, **config.env_kwargs)
    try:
        if config.action_names:
            policy = SB3Policy(model=model, config=asdict(config), keep_best=False)
            scores = [
                policy.run(env, benchmark=uri, object_size=False).ir_instruction_count_oz
                for uri in config.eval_benchmarks
            ]
            return geomean(scores), time.perf_counter() - start
        env = apply_wrappers(env, config.wrappers)
        returns = []
        for uri in config.eval_benchmarks:
            observation, _ = env.reset(options={"benchmark": uri})
            total, done = 0.0, False
            while not done:
                kwargs = {}
                if config.algo == "maskable-ppo":
                    kwargs["action_masks"] = env.get_wrapper_attr("action_masks")()
                action, _ = model.predict(observation, deterministic=True, **kwargs)
                observation, reward, terminated, truncated, _ = env.step(int(action))
                total += float(reward)
                done = terminated or truncated
            returns.append(total)
        return float(sum(returns) / max(len(returns), 1)), time.perf_counter() - start
    finally:
        env.close()


def latest_checkpoint(run_dir: Path) -> Path | None:
    checkpoints = sorted((run_dir / "checkpoints").glob(f"{CHECKPOINT_PREFIX}_*_steps.zip"), key=checkpoint_steps)
    return checkpoints[-1] if checkpoints else None


def train(
    config: TrainConfig, run_dir: Path, *, resume: bool = False, progress: bool = False, verbose: int = 0
) -> Path:
    """Train (or, with ``resume``, continue) the run in ``run_dir``; return the final model's path.

    Ctrl-C saves a checkpoint at the current step and re-raises KeyboardInterrupt.
    """
    from stable_baselines3.common.vec_env import DummyVecEnv

    from rl_compiler.llvm.cache import atomic_write_text

    cls = algo_class(config.algo)
    run_dir.mkdir(parents=True, exist_ok=True)
    current = probe_action_names(config.env, config.env_kwargs, config.wrappers)
    if config.action_names and current != config.action_names:
        raise ValueError(
            f"the action set of {config.env} changed since this run started "
            f"({len(config.action_names)} actions then, {len(current)} now); start a new run"
        )
    vec_env = DummyVecEnv(
        [(lambda i=i: make_env(config, config.benchmarks, seed=config.seed + i)) for i in range(config.n_envs)]
    )
    vec_env.seed(config.seed)
    try:
        if resume:
            checkpoint = latest_checkpoint(run_dir)
            if checkpoint is None and (run_dir / "final_model.zip").is_file():
                checkpoint = run_dir / "final_model.zip"
            if checkpoint is None:
                raise FileNotFoundError(f"{run_dir} has no checkpoint to resume from (checkpoints/ is empty)")
            model = cls.load(str(checkpoint), env=vec_env, device="cpu", tensorboard_log=str(run_dir / "tb"))
            buffer = checkpoint.with_name(
                checkpoint.name.replace("_steps.zip", "_steps.pkl").replace(
                    f"{CHECKPOINT_PREFIX}_", f"{CHECKPOINT_PREFIX}_replay_buffer_"
                )
            )
            if hasattr(model, "load_replay_buffer") and buffer.is_file():
                model.load_replay_buffer(str(buffer))
        else:
            atomic_write_text(run_dir / "config.yml", config.to_yaml())
            model = cls(
                config.policy,
                vec_env,
                seed=config.seed,
                verbose=verbose,
                device="cpu",
                tensorboard_log=str(run_dir / "tb"),
                **resolve_policy_kwargs(config.hyperparams),
            )
        remaining = config.n_timesteps - model.num_timesteps
        try:
            if remaining > 0:
                model.learn(
                    total_timesteps=remaining,
                    callback=_callbacks(config, run_dir, progress, config.n_timesteps),
                    reset_num_timesteps=not resume,
                    tb_log_name="run",
                )
        except KeyboardInterrupt:
            path = run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{model.num_timesteps}_steps.zip"
            model.save(path)
            if hasattr(model, "save_replay_buffer"):
                model.save_replay_buffer(
                    str(path)
                    .replace(f"{CHECKPOINT_PREFIX}_", f"{CHECKPOINT_PREFIX}_replay_buffer_")
                    .replace(".zip", ".pkl")
                )
            raise
        final = run_dir / "final_model.zip"
        model.save(final)
        if config.save_freq:  # the last state is also the checkpoint to resume from
            model.save(run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{model.num_timesteps}_steps.zip")
        return final
    finally:
        vec_env.close()

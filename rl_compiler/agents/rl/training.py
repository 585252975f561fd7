"""Training runs of SB3 agents, RL Baselines3 Zoo style.

A run directory (``runs/<algo>_<env>_<k>/``) holds:

- ``config.yml``: the exact configuration (algorithm, env id, resolved hyperparameters, seed, dataset and
  splits, evaluation and checkpoint frequencies, versions, the command line);
- ``tb/``: TensorBoard logs (one continuous curve across ``--resume``);
- ``checkpoints/model_<steps>_steps.zip`` (and the replay buffer for DQN), written every ``save_freq`` steps
  and on Ctrl-C;
- ``evaluations.csv`` and ``best_model.zip``: the policy evaluated on the validation split every
  ``eval_freq`` steps and at the end (:mod:`rl_compiler.agents.rl.validation`), and the best so far;
- ``<rank>.monitor.csv``: every training episode of env ``rank`` (SB3's Monitor format, as in the RL Zoo);
- ``train.log``: the run's log (DEBUG and up, whatever the console shows);
- ``final_model.zip`` at the end.

A run can start from a saved model (``trained_agent``: fine-tuning, the shipped policy included): it keeps the
model's env, wrappers, episode length, network and action names, and its hyperparameters unless overridden.
"""

from __future__ import annotations

import logging
import platform
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import yaml
from tqdm.auto import tqdm

from rl_compiler.agents.rl import checkpoints
from rl_compiler.agents.rl.checkpoints import CHECKPOINT_PREFIX
from rl_compiler.agents.rl.hyperparams import (
    HyperparameterError,
    load_hyperparams,
    parse_overrides,
    resolve_policy_kwargs,
    split_hyperparams,
)
from rl_compiler.agents.rl.sb3 import algo_class, algo_name
from rl_compiler.agents.rl.validation import OnEvaluation, make_validation_callback
from rl_compiler.agents.rl.vec_envs import VEC_ENVS, make_vec_env
from rl_compiler.agents.rl.wrappers import apply_wrappers
from rl_compiler.log import run_log
from rl_compiler.wrappers.observations import policy_action_names

logger = logging.getLogger(__name__)
#: Steps between validations when ``eval_freq`` is not given (the RL Zoo's default is 25,000). One validation
#: of the shipped recipe on the 9 validation programs took about 60 s on 2 cores: often enough for a curve,
#: rarely enough not to double a run's time.
DEFAULT_EVAL_FREQ = 10_000
#: Torch threads when none are given: the policies are small MLPs, whose updates on a shared 2-core machine
#: took 21 ms per minibatch on torch's default of 2 threads and 1.2 ms on one (the env's worker needs a core).
DEFAULT_NUM_THREADS = 1


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
    vec_env: str = "dummy"
    device: str = "cpu"
    num_threads: int | None = None
    trained_agent: str | None = None
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
    eval_freq: int | None = None,
    save_freq: int = 0,
    overrides: list[str] | dict[str, Any] | None = None,
    hyperparams_file: str | None = None,
    benchmarks: list[str] | None = None,
    eval_benchmarks: list[str] | None = None,
    trained_agent: str | None = None,
    env_kwargs: list[str] | dict[str, Any] | None = None,
    n_envs: int | None = None,
    vec_env: str | None = None,
    device: str = "cpu",
    num_threads: int | None = None,
) -> TrainConfig:
    """Resolve the hyperparameter files, overrides and dataset splits into a :class:`TrainConfig`.

    :param eval_freq: validate every this many steps (``None``: :data:`DEFAULT_EVAL_FREQ`;
        0: only at the end).
    :param trained_agent: a saved model (``.zip`` or run directory) to continue training: its settings
        (:data:`rl_compiler.agents.rl.checkpoints.MODEL_SETTINGS`) and hyperparameters replace the
        hyperparameter file's, ``overrides`` still apply. ``algo`` and ``env_id`` may then be ``None``.
    :param env_kwargs: ``gym.make`` arguments (``["key:value", ...]`` or a dict) over the file's ``env_kwargs``.
    :param vec_env: how the ``n_envs`` envs are stepped (:data:`~rl_compiler.agents.rl.vec_envs.VEC_ENVS`;
        ``None``: the hyperparameter file's ``vec_env``, else ``dummy``).
    :param num_threads: torch threads (``None``: :data:`DEFAULT_NUM_THREADS`).
    """
    model_settings: dict[str, Any] = {}
    if trained_agent:
        _, model_settings = checkpoints.trained_agent(trained_agent)
        saved_algo, saved_env = model_settings.get("algo"), model_settings.get("env")
        if algo and saved_algo and algo_name(algo) != algo_name(saved_algo):
            raise ValueError(f"--algo {algo} differs from the trained agent's algorithm {saved_algo} ({trained_agent})")
        if env_id and saved_env and env_id != saved_env:
            raise ValueError(f"--env {env_id} differs from the trained agent's env {saved_env} ({trained_agent})")
        algo, env_id = model_settings.get("algo", algo), model_settings.get("env", env_id)
    algo = algo_name(algo or "ppo")
    if env_id not in gym.registry:
        known = sorted(i for i in gym.registry if i.startswith("rl_compiler/"))
        raise ValueError(f"unknown env {env_id!r}; rl-compiler registers {', '.join(known)}")
    if trained_agent:
        params = {**load_hyperparams(algo, env_id, path=hyperparams_file), **model_settings["hyperparams"]}
        params.update(
            {k: v for k, v in model_settings.items() if k not in ("algo", "env", "hyperparams", "action_names")}
        )
        params.update(parse_overrides(overrides))
    else:
        params = load_hyperparams(algo, env_id, overrides, hyperparams_file)
    run, algo_kwargs = split_hyperparams(params)
    run["env_kwargs"] = {**dict(run.get("env_kwargs") or {}), **parse_overrides(env_kwargs)}
    if n_envs is not None:
        run["n_envs"] = n_envs
    if vec_env is not None:
        run["vec_env"] = vec_env
    if benchmarks is None or (eval_split and eval_benchmarks is None):
        from rl_compiler.datasets import get_dataset

        data = get_dataset(dataset)
        if benchmarks is None:
            benchmarks = data.benchmark_uris() if split == "all" else data.split(split)
        if eval_split and eval_benchmarks is None:
            eval_benchmarks = data.split(eval_split)
    if not benchmarks:
        raise ValueError(f"dataset {dataset!r} has no benchmarks in split {split!r}")
    import sb3_contrib
    import stable_baselines3
    import torch

    action_names = probe_action_names(env_id, dict(run.get("env_kwargs") or {}), list(run.get("wrappers") or []))
    if model_settings.get("action_names") and action_names != model_settings["action_names"]:
        raise ValueError(
            f"the trained agent {trained_agent} chose among {len(model_settings['action_names'])} actions that "
            f"{env_id} no longer has as they were ({len(action_names)} now): it cannot be trained further"
        )
    total = int(n_timesteps or run.get("n_timesteps", 10000))
    if eval_freq is None:
        eval_freq = DEFAULT_EVAL_FREQ
    if str(run.get("vec_env", "dummy")) not in VEC_ENVS:
        raise HyperparameterError(f"unknown vec_env {run.get('vec_env')!r}; expected one of {', '.join(VEC_ENVS)}")
    if int(run.get("n_envs", 1)) < 1:
        raise HyperparameterError(f"n_envs must be at least 1, got {run.get('n_envs')}")
    if num_threads is not None and num_threads < 1:
        raise ValueError(f"num_threads must be at least 1, got {num_threads}")
    if device != "auto":
        try:
            torch.device(device)
        except RuntimeError:
            raise ValueError(f"unknown torch device {device!r}; expected cpu, cuda, cuda:N, mps or auto") from None

    return TrainConfig(
        algo=algo,
        env=env_id,
        n_timesteps=total,
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
        vec_env=str(run.get("vec_env", "dummy")),
        device=device,
        num_threads=DEFAULT_NUM_THREADS if num_threads is None else num_threads,
        trained_agent=str(trained_agent) if trained_agent else None,
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


def experiment_dir(log_folder: str | Path, algo: str, env_id: str, exp_id: int = 0) -> Path:
    """The run directory ``<log_folder>/<algo>_<env name>_<exp_id>`` (the Zoo's ``--exp-id``; 0: the latest)."""
    stem = f"{algo_name(algo)}_{env_id.rsplit('/', 1)[-1]}"
    if exp_id:
        path = Path(log_folder) / f"{stem}_{exp_id}"
        if not path.is_dir():
            raise FileNotFoundError(f"no run directory {path}")
        return path
    ids = [
        int(p.name.rsplit("_", 1)[1]) for p in Path(log_folder).glob(f"{stem}_*") if p.name.rsplit("_", 1)[1].isdigit()
    ]
    if not ids:
        raise FileNotFoundError(f"no run of {algo} on {env_id} in {log_folder} (expected {stem}_<k>)")
    return Path(log_folder) / f"{stem}_{max(ids)}"


def planned_steps(model: Any, start: int, target: int) -> int:
    """The step count training from ``start`` to ``target`` steps ends at: SB3 collects whole rollouts
    (``n_steps`` per env on-policy, ``train_freq`` steps per env off-policy), so it rounds up."""
    from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm

    n_envs = int(getattr(model, "n_envs", 1) or 1)
    if isinstance(model, OnPolicyAlgorithm):  # PPO, A2C, MaskablePPO (DQN's n_steps means n-step returns)
        rollout = int(model.n_steps) * n_envs
    else:  # DQN: train_freq steps per env (an int, or (n, unit) before and a TrainFreq after learn starts)
        train_freq = getattr(model, "train_freq", 1)
        frequency, unit = (train_freq, "step") if isinstance(train_freq, int) else tuple(train_freq)
        # A frequency in episodes has no fixed length: count single steps.
        rollout = (int(frequency) if str(getattr(unit, "value", unit)) == "step" else 1) * n_envs
    remaining = max(target - start, 0)
    return start + -(-remaining // rollout) * rollout


def _callbacks(config: TrainConfig, run_dir: Path, progress: bool, total: int, on_evaluation: OnEvaluation | None):
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
    if config.eval_benchmarks:
        callbacks.append(make_validation_callback(config, run_dir, on_evaluation, total))
    return callbacks


def train(
    config: TrainConfig,
    run_dir: Path,
    *,
    resume: bool = False,
    progress: bool = False,
    verbose: int = 0,
    on_evaluation: OnEvaluation | None = None,
) -> Path:
    """Train (or, with ``resume``, continue) the run in ``run_dir``; return the final model's path.

    Ctrl-C saves a checkpoint at the current step and re-raises KeyboardInterrupt.

    :param on_evaluation: called with (steps, score) after every validation; an exception it raises stops
        the run (no final model is saved then).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    with run_log(run_dir):
        return _train(config, run_dir, resume, progress, verbose, on_evaluation)


def _train(
    config: TrainConfig,
    run_dir: Path,
    resume: bool,
    progress: bool,
    verbose: int,
    on_evaluation: OnEvaluation | None,
) -> Path:
    import torch

    from rl_compiler.llvm.cache import atomic_write_text

    cls = algo_class(config.algo)
    current = probe_action_names(config.env, config.env_kwargs, config.wrappers)
    if config.action_names and current != config.action_names:
        raise ValueError(
            f"the action set of {config.env} changed since this run started "
            f"({len(config.action_names)} actions then, {len(current)} now); start a new run"
        )
    torch.set_num_threads(config.num_threads or DEFAULT_NUM_THREADS)
    logger.info(
        "%s %s on %s: %d steps, %d training benchmarks (%s/%s), %d for validation, %d %s env(s)%s",
        "resuming" if resume else "training",
        config.algo,
        config.env,
        config.n_timesteps,
        len(config.benchmarks),
        config.dataset,
        config.split,
        len(config.eval_benchmarks),
        config.n_envs,
        config.vec_env,
        f", from {config.trained_agent}" if config.trained_agent and not resume else "",
    )
    logger.debug("run directory %s, hyperparameters %s", run_dir, config.hyperparams)
    vec_env = make_vec_env(config, run_dir)
    common = {"device": config.device, "tensorboard_log": str(run_dir / "tb"), "verbose": verbose}
    try:
        if resume:
            checkpoint = checkpoints.latest_checkpoint(run_dir)
            if checkpoint is None and (run_dir / "final_model.zip").is_file():
                checkpoint = run_dir / "final_model.zip"
            if checkpoint is None:
                raise FileNotFoundError(f"{run_dir} has no checkpoint to resume from (checkpoints/ is empty)")
            logger.info("resuming from %s", checkpoint)
            model = cls.load(str(checkpoint), env=vec_env, **common)
            buffer = checkpoints.replay_buffer_of(checkpoint)
            if hasattr(model, "load_replay_buffer") and buffer.is_file():
                model.load_replay_buffer(str(buffer))
        else:
            atomic_write_text(run_dir / "config.yml", config.to_yaml())
            if config.trained_agent:
                model_file, _ = checkpoints.trained_agent(config.trained_agent)
                model = checkpoints.load_for_training(
                    cls, model_file, vec_env, hyperparams=config.hyperparams, seed=config.seed, **common
                )
            else:
                model = cls(
                    config.policy, vec_env, seed=config.seed, **common, **resolve_policy_kwargs(config.hyperparams)
                )
        # A fine-tuned model starts with the steps of its first training: count this run's from zero.
        fresh = not resume
        remaining = config.n_timesteps - (0 if fresh else model.num_timesteps)
        planned = planned_steps(model, 0 if fresh else model.num_timesteps, config.n_timesteps)
        if remaining > 0 and planned != config.n_timesteps:
            logger.info("%d steps: SB3 runs whole rollouts, so %d steps in all", config.n_timesteps, planned)
        try:
            if remaining > 0:
                model.learn(
                    total_timesteps=remaining,
                    callback=_callbacks(config, run_dir, progress, planned, on_evaluation),
                    reset_num_timesteps=fresh,
                    tb_log_name="run",
                )
        except KeyboardInterrupt:
            path = run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{model.num_timesteps}_steps.zip"
            model.save(path)
            if hasattr(model, "save_replay_buffer"):
                model.save_replay_buffer(str(checkpoints.replay_buffer_of(path)))
            logger.info("interrupted at %d steps: saved %s", model.num_timesteps, path)
            raise
        final = run_dir / "final_model.zip"
        model.save(final)
        if config.save_freq:  # the last state is also the checkpoint to resume from
            model.save(run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{model.num_timesteps}_steps.zip")
        logger.info("saved %s (%d steps)", final, model.num_timesteps)
        return final
    finally:
        vec_env.close()

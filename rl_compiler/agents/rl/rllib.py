"""``rl-compiler train --backend rllib``: RLlib PPO (the new API stack) on any rl-compiler env id.

The run is configured exactly as an SB3 run (:func:`rl_compiler.agents.rl.training.resolve_config`: the same
hyperparameter files, wrappers, episode length, dataset splits) and writes the same run directory:

- ``config.yml``: the :class:`~rl_compiler.agents.rl.training.TrainConfig` plus ``backend: rllib`` and the
  resolved RLlib settings (``rllib:``);
- ``tb/run_1/``: TensorBoard scalars (``rollout/ep_rew_mean``, ``time/fps``, ``train/*``, ``eval/*``);
- ``checkpoints/model_<steps>_steps/``: RLlib checkpoints every ``save_freq`` steps and on Ctrl-C;
- ``evaluations.csv`` and ``best_model/``: the deterministic policy on the validation split every
  ``eval_freq`` steps and at the end (the same metric as the SB3 path), and the best checkpoint;
- ``final_model/``: the last checkpoint.

SB3 hyperparameters map onto RLlib's PPO (:data:`SB3_TO_RLLIB`; ``n_steps x n_envs`` is the train batch,
``policy_kwargs.net_arch`` the hidden layers, tanh as in SB3's MlpPolicy). Benchmarks are sharded across
env runners: runner ``i`` of ``n`` samples ``benchmarks[i-1::n]``. Envs with ``action_masks()`` (register
allocation, inlining) follow RLlib's action-masking convention: a ``Dict`` observation with
``action_mask`` and ``observations``, and RLlib's ``ActionMaskingTorchRLModule``.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import yaml

from rl_compiler.agents.rl.checkpoints import CHECKPOINT_PREFIX
from rl_compiler.agents.rl.training import TrainConfig
from rl_compiler.agents.rl.validation import evaluate_model, evaluation_metric, record_evaluation
from rl_compiler.agents.rl.vec_envs import make_env
from rl_compiler.agents.rl.wrappers import apply_wrappers

#: SB3 PPO hyperparameter -> RLlib ``PPOConfig.training`` argument.
SB3_TO_RLLIB = {
    "learning_rate": "lr",
    "gamma": "gamma",
    "gae_lambda": "lambda_",
    "n_epochs": "num_epochs",
    "batch_size": "minibatch_size",
    "ent_coef": "entropy_coeff",
    "clip_range": "clip_param",
    "vf_coef": "vf_loss_coeff",
    "max_grad_norm": "grad_clip",
}
#: SB3 settings with no RLlib counterpart that change nothing essential (RLlib always normalises advantages).
IGNORED = ("normalize_advantage",)
ENV_NAME = "rl_compiler_rllib"


class RLlibActionMask(gym.ObservationWrapper):
    """RLlib's action-masking convention: ``{"action_mask": float mask, "observations": observation}``."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        n = int(env.action_space.n)
        self.observation_space = gym.spaces.Dict(
            {"action_mask": gym.spaces.Box(0.0, 1.0, (n,), np.float32), "observations": env.observation_space}
        )

    def observation(self, observation: Any) -> dict[str, Any]:
        mask = np.asarray(self.env.get_wrapper_attr("action_masks")(), dtype=np.float32)
        return {"action_mask": mask, "observations": observation}


def has_action_masks(env: gym.Env) -> bool:
    try:
        return callable(env.get_wrapper_attr("action_masks"))
    except AttributeError:
        return False


def masked_env(env_id: str) -> bool:
    """Whether the registered env ``env_id`` offers ``action_masks()`` (checked on a fresh instance)."""
    if env_id not in gym.registry:
        return False
    env = gym.make(env_id)
    try:
        return has_action_masks(env)
    finally:
        env.close()


def shard(benchmarks: list[str], worker_index: int, num_workers: int) -> list[str]:
    """The benchmarks env runner ``worker_index`` (1-based; 0 is the driver's own runner) samples from."""
    if num_workers <= 0 or worker_index <= 0:
        return list(benchmarks)
    part = benchmarks[worker_index - 1 :: num_workers]
    return part or [benchmarks[(worker_index - 1) % len(benchmarks)]]


def make_rllib_env(env_config: Any) -> gym.Env:
    """The env an RLlib env runner steps: the SB3 path's env on this runner's shard, masked if needed."""
    import rl_compiler  # noqa: F401  (registers the environments in a fresh worker process)

    config = TrainConfig(**env_config["train_config"])
    worker = int(getattr(env_config, "worker_index", 0))
    workers = int(getattr(env_config, "num_workers", 0))
    vector = int(getattr(env_config, "vector_index", 0))
    env = make_env(config, shard(config.benchmarks, worker, workers), seed=config.seed + 1000 * worker + vector)
    return RLlibActionMask(env) if env_config["masked"] else env


def rllib_settings(config: TrainConfig) -> dict[str, Any]:
    """RLlib PPO ``training()`` arguments and model config from the run's (SB3-style) hyperparameters."""
    training: dict[str, Any] = {}
    unknown = []
    n_steps = 2048
    net_arch: Any = [64, 64]
    for key, value in config.hyperparams.items():
        if key in SB3_TO_RLLIB:
            training[SB3_TO_RLLIB[key]] = value
        elif key == "n_steps":
            n_steps = int(value)
        elif key == "policy_kwargs":
            value = dict(value or {})
            net_arch = value.pop("net_arch", net_arch)
            unknown += [f"policy_kwargs.{name}" for name in value]  # e.g. an SB3 features extractor
        elif key not in IGNORED:
            unknown.append(key)
    if unknown:
        raise ValueError(
            f"hyperparameters {', '.join(sorted(unknown))} have no RLlib PPO counterpart "
            f"(RLlib takes {', '.join(sorted([*SB3_TO_RLLIB, 'n_steps', 'policy_kwargs']))})"
        )
    if isinstance(net_arch, dict):  # SB3's {pi: [...], vf: [...]}: RLlib's default module has one size
        net_arch = net_arch.get("pi", [64, 64])
    training["train_batch_size_per_learner"] = n_steps * max(config.n_envs, 1)
    training.setdefault("minibatch_size", min(64, training["train_batch_size_per_learner"]))
    return {"training": training, "fcnet_hiddens": [int(n) for n in net_arch], "fcnet_activation": "tanh"}


def build_algorithm(config: TrainConfig, num_env_runners: int):
    """An RLlib PPO algorithm for ``config`` (Ray must be initialised)."""
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec
    from ray.tune.registry import register_env

    settings = rllib_settings(config)  # (a setting RLlib cannot take is refused before any env starts)
    probe = apply_wrappers(gym.make(config.env, **config.env_kwargs), config.wrappers)
    try:
        masked = has_action_masks(probe)
    finally:
        probe.close()
    register_env(ENV_NAME, make_rllib_env)
    model = DefaultModelConfig(fcnet_hiddens=settings["fcnet_hiddens"], fcnet_activation=settings["fcnet_activation"])
    ppo = (
        PPOConfig()
        .environment(ENV_NAME, env_config={"train_config": asdict(config), "masked": masked})
        .env_runners(num_env_runners=num_env_runners, num_envs_per_env_runner=max(config.n_envs, 1))
        .training(**settings["training"])
        .debugging(seed=config.seed, log_level="ERROR")
        .reporting(metrics_num_episodes_for_smoothing=20)
    )
    if masked:
        from ray.rllib.examples.rl_modules.classes.action_masking_rlm import ActionMaskingTorchRLModule

        ppo = ppo.rl_module(rl_module_spec=RLModuleSpec(module_class=ActionMaskingTorchRLModule, model_config=model))
    else:
        ppo = ppo.rl_module(model_config=model)
    return ppo.build_algo(), masked, settings


class RLlibModel:
    """An RLlib module behind SB3's ``predict`` (so the SB3 path's evaluation runs it unchanged)."""

    def __init__(self, module: Any, masked: bool, n_actions: int) -> None:
        self.module = module
        self.masked = masked
        self.n_actions = n_actions

    def predict(self, observation: Any, deterministic: bool = True, action_masks: Any = None) -> tuple[Any, None]:
        import torch

        if isinstance(observation, dict):
            action_masks = observation["action_mask"]
            observation = observation["observations"]
        obs = torch.as_tensor(np.asarray(observation, dtype=np.float32))[None]
        if self.masked:
            mask = np.ones(self.n_actions, np.float32) if action_masks is None else action_masks
            obs = {"action_mask": torch.as_tensor(np.asarray(mask, dtype=np.float32))[None], "observations": obs}
        with torch.no_grad():
            logits = self.module.forward_inference({"obs": obs})["action_dist_inputs"][0]
        if deterministic:
            return np.int64(int(torch.argmax(logits))), None
        return np.int64(int(torch.distributions.Categorical(logits=logits).sample())), None


def _metrics(result: dict[str, Any]) -> dict[str, float]:
    """The TensorBoard scalars of one training iteration (SB3's names where there is one)."""
    runners = result.get("env_runners", {})
    learner = result.get("learners", {}).get("default_policy", {})
    scalars = {
        "rollout/ep_rew_mean": runners.get("episode_return_mean"),
        "rollout/ep_len_mean": runners.get("episode_len_mean"),
        "train/policy_loss": learner.get("policy_loss"),
        "train/value_loss": learner.get("vf_loss"),
        "train/entropy": learner.get("entropy"),
        "train/approx_kl": learner.get("mean_kl_loss"),
    }
    return {key: float(value) for key, value in scalars.items() if isinstance(value, (int, float, np.floating))}


def env_steps(result: dict[str, Any]) -> int:
    """Environment steps sampled since the run began."""
    value = result.get("num_env_steps_sampled_lifetime")
    if value is None:
        value = result.get("env_runners", {}).get("num_env_steps_sampled_lifetime", 0)
    return int(value)


def latest_rllib_checkpoint(run_dir: Path) -> Path | None:
    """The RLlib checkpoint directory of the most steps in ``run_dir/checkpoints`` (None if there is none)."""
    found = sorted(
        (run_dir / "checkpoints").glob(f"{CHECKPOINT_PREFIX}_*_steps"), key=lambda p: int(p.name.split("_")[1])
    )
    return found[-1] if found else None


def train_rllib(
    config: TrainConfig,
    run_dir: Path,
    *,
    num_env_runners: int = 1,
    ray_address: str | None = None,
    resume: bool = False,
    progress: bool = False,
) -> Path:
    """Train (or, with ``resume``, continue) the RLlib run in ``run_dir``; return the final checkpoint.

    :param num_env_runners: RLlib env runners (Ray actors, one CPU each) sharing the training benchmarks.
    :param ray_address: a cluster to join; ``None`` starts a local Ray for this run and stops it after.
    """
    from torch.utils.tensorboard import SummaryWriter
    from tqdm.auto import tqdm

    from rl_compiler.distributed import ray_session
    from rl_compiler.llvm.cache import atomic_write_text

    run_dir.mkdir(parents=True, exist_ok=True)
    with ray_session(ray_address, datasets=[config.dataset]) as ray:
        config.versions["ray"] = ray.__version__
        algo, masked, settings = build_algorithm(config, num_env_runners)
        try:
            if resume:
                checkpoint = latest_rllib_checkpoint(run_dir) or (run_dir / "final_model")
                if not checkpoint.is_dir():
                    raise FileNotFoundError(f"{run_dir} has no checkpoint to resume from (checkpoints/ is empty)")
                algo.restore_from_path(str(checkpoint.resolve()))
            record = dict(asdict(config), backend="rllib", num_env_runners=num_env_runners, rllib=settings)
            atomic_write_text(run_dir / "config.yml", yaml.safe_dump(record, sort_keys=False))
            writer = SummaryWriter(str(run_dir / "tb" / "run_1"))
            best = -float("inf")
            steps = last_save = last_eval = 0
            bar = tqdm(total=config.n_timesteps, unit="step", desc="train rllib-ppo", disable=not progress)

            def save(path: Path) -> None:
                algo.save_to_path(str(path.resolve()))

            def validate() -> None:
                nonlocal best
                module = algo.get_module()
                n_actions = int(algo.config.action_space.n) if algo.config.action_space is not None else 0
                n_actions = n_actions or int(module.action_space.n)
                score, seconds = evaluate_model(RLlibModel(module, masked, n_actions), config)
                writer.add_scalar(f"eval/{evaluation_metric(config)}", score, steps)
                record_evaluation(run_dir, evaluation_metric(config), steps, score, seconds)
                if score > best:
                    best = score
                    save(run_dir / "best_model")

            try:
                while steps < config.n_timesteps:
                    start = time.perf_counter()
                    before = steps
                    result = algo.train()
                    steps = env_steps(result)
                    for key, value in _metrics(result).items():
                        writer.add_scalar(key, value, steps)
                    writer.add_scalar("time/fps", (steps - before) / max(time.perf_counter() - start, 1e-9), steps)
                    bar.update(steps - bar.n)
                    if config.save_freq and steps - last_save >= config.save_freq:
                        last_save = steps
                        save(run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{steps}_steps")
                    if config.eval_freq and config.eval_benchmarks and steps - last_eval >= config.eval_freq:
                        last_eval = steps
                        validate()
            except KeyboardInterrupt:
                save(run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{steps}_steps")
                raise
            finally:
                bar.close()
            final = run_dir / "final_model"
            save(final)
            if config.save_freq and last_save != steps:
                save(run_dir / "checkpoints" / f"{CHECKPOINT_PREFIX}_{steps}_steps")
            if config.eval_benchmarks and last_eval != steps:
                validate()
            writer.close()
            return final
        finally:
            algo.stop()

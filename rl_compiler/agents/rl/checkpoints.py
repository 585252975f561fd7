"""Saved models of training runs: which ``.zip`` to load, and the run config that goes with it.

A run directory (see :mod:`rl_compiler.agents.rl.training`) holds ``best_model.zip``, ``final_model.zip`` and
``checkpoints/model_<steps>_steps.zip``; its ``config.yml`` describes every one of them. A ``.zip`` found
anywhere else needs a ``.yml`` of the same stem beside it (the shipped policy is ``default-ic.zip`` with
``default-ic.yml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rl_compiler.data import read_yaml_mapping

#: Checkpoint file names: ``<prefix>_<steps>_steps.zip`` (the RL Zoo's and SB3's ``CheckpointCallback``).
CHECKPOINT_PREFIX = "model"
#: Which model of a run directory stands for the run, in order of preference.
RUN_MODELS = ("best_model.zip", "final_model.zip")


def checkpoint_steps(path: Path) -> int:
    """The step count in a checkpoint name ``<prefix>_<steps>_steps.zip`` (-1 if the name has none)."""
    try:
        return int(path.stem.rsplit("_", 2)[-2])
    except (ValueError, IndexError):
        return -1


def checkpoints(run_dir: str | Path) -> list[Path]:
    """The run's checkpoints, oldest first."""
    found = Path(run_dir, "checkpoints").glob(f"{CHECKPOINT_PREFIX}_*_steps.zip")
    return sorted((path for path in found if checkpoint_steps(path) >= 0), key=checkpoint_steps)


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The run's most recent checkpoint, or ``None``."""
    found = checkpoints(run_dir)
    return found[-1] if found else None


def checkpoint_at(run_dir: str | Path, steps: int) -> Path:
    """The checkpoint written at ``steps``; FileNotFoundError listing the ones there are."""
    for path in checkpoints(run_dir):
        if checkpoint_steps(path) == steps:
            return path
    there = ", ".join(str(checkpoint_steps(path)) for path in checkpoints(run_dir)) or "none"
    raise FileNotFoundError(f"{run_dir} has no checkpoint at {steps} steps (checkpoints at: {there})")


def replay_buffer_of(checkpoint: Path) -> Path:
    """Where the replay buffer of an off-policy checkpoint is saved (``model_replay_buffer_<steps>_steps.pkl``)."""
    return checkpoint.with_name(
        checkpoint.name.replace(f"{CHECKPOINT_PREFIX}_", f"{CHECKPOINT_PREFIX}_replay_buffer_", 1)
    ).with_suffix(".pkl")


def run_dir_of(model: Path) -> Path | None:
    """The run directory a model file belongs to (``run/x.zip`` or ``run/checkpoints/x.zip``), if any."""
    for folder in (model.parent, model.parent.parent):
        if (folder / "config.yml").is_file():
            return folder
    return None


def config_file_of(model: Path) -> Path:
    """The config of a saved model: a ``.yml`` of the same stem beside it, else its run's ``config.yml``."""
    beside = model.with_suffix(".yml")
    if beside.is_file():
        return beside
    run_dir = run_dir_of(model)
    if run_dir is None:
        raise FileNotFoundError(
            f"saved policy {model} has no config: expected {beside} or a run directory's config.yml "
            f"in {model.parent} or {model.parent.parent}"
        )
    return run_dir / "config.yml"


def find_model(path: str | Path, checkpoint: int | str | None = None) -> tuple[Path, dict[str, Any]]:
    """The model file and run config of a saved policy.

    :param path: a run directory or a ``.zip`` (its config: see :func:`config_file_of`).
    :param checkpoint: for a run directory, ``None`` (``best_model.zip``, else ``final_model.zip``, else the
        last checkpoint), a step count (``checkpoints/model_<N>_steps.zip``) or ``"last"`` (the last
        checkpoint).
    """
    path = Path(path)
    if path.is_dir():
        if checkpoint == "last":
            model = latest_checkpoint(path)
            if model is None:
                raise FileNotFoundError(f"{path} has no checkpoint (checkpoints/ is empty or missing)")
        elif checkpoint is not None:
            model = checkpoint_at(path, int(checkpoint))
        else:
            model = next((path / name for name in RUN_MODELS if (path / name).is_file()), latest_checkpoint(path))
            if model is None:
                raise FileNotFoundError(f"{path} holds no model ({', '.join(RUN_MODELS)} or checkpoints/)")
        config_file = path / "config.yml"
        if not config_file.is_file():
            raise FileNotFoundError(f"{path} is not a run directory: it has no config.yml")
    else:
        if checkpoint is not None:
            raise ValueError(f"a checkpoint can only be chosen in a run directory, not in the file {path}")
        if path.suffix != ".zip":
            raise FileNotFoundError(f"saved policy {path} is neither a run directory nor a .zip")
        if not path.is_file():
            raise FileNotFoundError(f"saved policy {path} does not exist")
        model, config_file = path, config_file_of(path)
    config = read_yaml_mapping(config_file, ValueError, "a run config (a mapping naming its 'algo')")
    if "algo" not in config:
        raise ValueError(f"{config_file} is not a run config (it names no 'algo')")
    return model, config


#: Settings a fine-tuned run takes from the model it starts from: they fix the network's inputs and outputs.
MODEL_SETTINGS = ("algo", "env", "policy", "episode_length", "wrappers", "env_kwargs", "action_names")


def trained_agent(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The model file of ``-i/--trained-agent`` (a ``.zip`` or a run directory) and what a run continuing it
    must keep: :data:`MODEL_SETTINGS` and its algorithm hyperparameters (``hyperparams``)."""
    model, config = find_model(path)
    settings = {key: config[key] for key in MODEL_SETTINGS if key in config}
    settings["hyperparams"] = dict(config.get("hyperparams") or {})
    return model, settings


def load_for_training(
    cls: type, path: str | Path, env: Any, *, hyperparams: dict[str, Any], seed: int, **kwargs: Any
) -> Any:
    """Load a saved model to train it further on ``env``, with ``hyperparams`` replacing the saved ones.

    ``policy_kwargs`` (the network's shape) stay the saved model's.
    """
    overrides = {key: value for key, value in hyperparams.items() if key != "policy_kwargs"}
    model = cls.load(str(path), env=env, **overrides, **kwargs)
    model.set_random_seed(seed)
    return model

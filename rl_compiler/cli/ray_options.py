"""The Ray options (docs/ray.md): ``--ray [ADDRESS]`` shared by ``search``, ``eval``, ``leaderboard run`` and
``tune``, and ``train``'s ``--backend rllib --ray-address ADDR --env-runners N``."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from rl_compiler.cli import CLIError

if TYPE_CHECKING:
    from rl_compiler.agents.base import EpisodeResult, Policy
    from rl_compiler.agents.distributed_evaluation import Journal
    from rl_compiler.agents.rl.training import TrainConfig


def add_ray_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--ray [ADDRESS]``: run the jobs as Ray tasks (alone: a local Ray started for this command)."""
    parser.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="run benchmarks x repetitions as Ray tasks (one CPU each) on the cluster at ADDRESS (host:port, "
        "auto, ray://host:10001); alone: a local Ray started and stopped with the command. Needs the [ray] extra",
    )


def check_ray(args: argparse.Namespace, flag: str = "--ray") -> None:
    """One clear error if ``flag`` was given and Ray is not installed."""
    if getattr(args, "ray", None) is None:
        return
    from rl_compiler.distributed import RayUnavailableError, require_ray

    try:
        require_ray(flag)
    except RayUnavailableError as error:
        raise CLIError(str(error)) from None


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """``train``'s backend choice and its RLlib settings."""
    group = parser.add_argument_group("RLlib on Ray (the [ray] extra)")
    group.add_argument(
        "--backend",
        choices=("sb3", "rllib"),
        default=None,
        help="sb3 (default) or rllib: RLlib PPO on Ray, benchmarks sharded across env runners (docs/ray.md)",
    )
    group.add_argument("--ray-address", metavar="ADDR", help="join this Ray cluster (default: a local Ray)")
    group.add_argument("--env-runners", type=int, default=1, help="RLlib env runners, one CPU each (default: 1)")


def training_backend(args: argparse.Namespace, default_env: str) -> str:
    """``sb3`` or ``rllib``: ``--backend``, else the resumed run's, else sb3. For rllib: Ray is checked (one
    clear error naming the extra) and ``args.algo`` becomes PPO's masked variant on envs with action masks."""
    backend = args.backend
    if backend is None and args.resume:
        import yaml

        config_file = Path(args.resume) / "config.yml"
        if config_file.is_file():
            backend = (yaml.safe_load(config_file.read_text()) or {}).get("backend")
    if (backend or "sb3") != "rllib":
        if args.ray_address:
            raise CLIError("--ray-address is for --backend rllib")
        return "sb3"
    from rl_compiler.distributed import RayUnavailableError, require_ray

    try:
        require_ray("train --backend rllib")
    except RayUnavailableError as error:
        raise CLIError(str(error)) from None
    if args.env_runners < 0:
        raise CLIError(f"--env-runners must be >= 0, got {args.env_runners}")
    if getattr(args, "trained_agent", None):
        raise CLIError("--backend rllib starts from a fresh policy: -i/--trained-agent continues SB3 models")
    if not args.resume:
        from rl_compiler.agents.rl.rllib import masked_env

        algo = args.algo or "ppo"
        if algo not in ("ppo", "maskable-ppo"):
            raise CLIError(f"--backend rllib trains PPO (--algo ppo or maskable-ppo), not {algo!r}")
        # On envs with action masks (register allocation, inlining): maskable_ppo.yml's settings.
        args.algo = "maskable-ppo" if masked_env(args.env or default_env) else algo
    return "rllib"


def rllib_run_dir_config(config: TrainConfig) -> TrainConfig:
    """The config an RLlib run directory is named after: ``rllib-<algo>_<env>_<k>``."""
    return dataclasses.replace(config, algo=f"rllib-{config.algo}")


def evaluate_with_ray(
    args: argparse.Namespace, agent: Policy, uris: list[str], output: Path | None, meta: dict
) -> tuple[list[EpisodeResult], Journal | None]:
    """``--ray``: one task per benchmark; with ``-o``, a journal beside the output makes the run resumable."""
    from tqdm.auto import tqdm

    from rl_compiler.agents.distributed_evaluation import Journal, JournalError, evaluate_on_ray

    identity = dict(meta, agent_kwargs=args.agent_kwargs, benchmarks=uris, run_programs=not args.no_run)
    identity.pop("python")
    journal = Journal(output, identity) if output is not None else None
    bar = tqdm(total=len(uris), desc=f"{args.agent} on Ray", unit="benchmark", disable=not args.progress, leave=False)
    try:
        results = evaluate_on_ray(
            agent,
            args.env,
            uris,
            address=args.ray,
            run_programs=not args.no_run,
            journal=journal,
            datasets=[args.dataset],
            on_result=lambda result, node: bar.update(1),
        )
    except (JournalError, ConnectionError) as error:
        raise CLIError(str(error)) from None
    finally:
        bar.close()
    return results, journal

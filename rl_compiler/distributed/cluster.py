"""Connecting to Ray: join a running cluster by address, or start a private local one for one command.

A local Ray started here keeps its session files in a private temporary directory (not ``/tmp/ray``) that
is removed when the command ends, and a killed command's directory is swept by the next rl-compiler
process (:mod:`rl_compiler.llvm.tempdirs`), so sessions do not pile up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from rl_compiler.datasets.registry import DATASETS_ENV
from rl_compiler.llvm.tempdirs import make_private_dir

#: The address that means "start a Ray of our own for this command" (Ray's own spelling of it).
LOCAL = "local"

#: How to get Ray, for every error that needs it.
INSTALL_HINT = "pip install 'rl-compiler[ray]'"


class RayUnavailableError(RuntimeError):
    """Ray (the optional ``[ray]`` extra) is not installed."""


def require_ray(feature: str = "this feature") -> ModuleType:
    """Import and return ``ray``; raise :class:`RayUnavailableError` naming the extra if it is missing.

    :param feature: what needs Ray, for the message (e.g. ``"--ray"``, ``"train --backend rllib"``).
    """
    try:
        import ray
    except ImportError as error:
        raise RayUnavailableError(
            f"{feature} needs Ray, which is the optional [ray] extra: {INSTALL_HINT} ({error})"
        ) from None
    return ray


def _quiet_environment() -> None:
    # No usage-stats prompt or upload, and no deduplication banner in our output.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")


@contextlib.contextmanager
def ray_session(
    address: str | None = None,
    *,
    num_cpus: int | None = None,
    datasets: list[str] | tuple[str, ...] = (),
    log_to_driver: bool = False,
) -> Iterator[ModuleType]:
    """Ray connected for the duration of the block; yields the ``ray`` module.

    :param address: a cluster to join (``host:port``, ``auto``, ``ray://host:10001``). ``None`` or
        :data:`LOCAL` starts a local Ray for this block and stops it afterwards (``None`` joins
        ``$RAY_ADDRESS`` instead if that is set, as ``ray.init`` does). If Ray is already initialised in
        this process, that connection is used and left open.
    :param num_cpus: CPUs of a local Ray (default: every core).
    :param datasets: dataset names or manifest paths the jobs use: manifests (user datasets) are made known
        to every worker of the job (``$RL_COMPILER_DATASETS``), so their ``benchmark://`` URIs resolve there;
        on a real cluster the path must exist on every node (docs/ray.md).
    :param log_to_driver: show the tasks' output in this process.
    """
    ray = require_ray("this command")
    if ray.is_initialized():
        yield ray
        return
    _quiet_environment()
    temp_dir = None
    kwargs: dict = {"log_to_driver": log_to_driver, "configure_logging": True, "logging_level": "WARNING"}
    manifests = [str(Path(d).expanduser().resolve()) for d in datasets if Path(d).expanduser().exists()]
    known = [entry for entry in os.environ.get(DATASETS_ENV, "").split(os.pathsep) if entry]
    if manifests or known:
        kwargs["runtime_env"] = {"env_vars": {DATASETS_ENV: os.pathsep.join(dict.fromkeys(known + manifests))}}
    if address and address != LOCAL:
        kwargs["address"] = address
    elif address == LOCAL or not os.environ.get("RAY_ADDRESS"):
        temp_dir = make_private_dir("ray")
        kwargs.update(num_cpus=num_cpus, include_dashboard=False, _temp_dir=str(temp_dir))
    try:
        try:
            ray.init(**kwargs)
        except ConnectionError as error:
            where = address or os.environ.get("RAY_ADDRESS")
            raise ConnectionError(f"cannot join the Ray cluster at {where}: {error}") from None
        yield ray
    finally:
        if ray.is_initialized():
            ray.shutdown()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)

"""Register every environment id declared in the shipped ``envs/registry.yaml`` with Gymnasium.

Each entry of the registry is a mapping with ``id``, ``entry_point`` and optionally ``kwargs``,
``max_episode_steps``, ``nondeterministic`` and ``description``. Registration is idempotent.

``import rl_compiler`` calls :func:`register_when_gymnasium_loads`: the ids are registered at once when Gymnasium
is loaded, else the moment it is, so that ``gym.make`` always finds them and a program that never uses
Gymnasium (``rl-compiler optimize``, whose time budget counts its imports) never loads it.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from typing import Any

from rl_compiler.data import data_path

REGISTRY_FILE = "registry.yaml"
#: The entry point whose ids build a :class:`rl_compiler.envs.vector.PipelinedVectorEnv` in ``gym.make_vec``.
PIPELINED = "rl_compiler.envs.passes:PassOrderingEnv"


def registry_entries() -> list[dict[str, Any]]:
    """The environment entries declared in ``envs/registry.yaml``."""
    import yaml

    path = data_path("envs", REGISTRY_FILE)
    entries = yaml.safe_load(path.read_text()) or []
    for entry in entries:
        missing = {"id", "entry_point"} - entry.keys()
        if missing:
            raise ValueError(f"{path}: entry {entry!r} lacks {', '.join(sorted(missing))}")
    return entries


def registered_ids() -> list[str]:
    """Every environment id rl-compiler registers."""
    return [entry["id"] for entry in registry_entries()]


def register_all() -> None:
    """Register every declared id with Gymnasium (skipping ids already registered)."""
    import gymnasium as gym

    for entry in registry_entries():
        if entry["id"] in gym.registry:
            continue
        gym.register(
            id=entry["id"],
            entry_point=entry["entry_point"],
            kwargs=entry.get("kwargs") or {},
            max_episode_steps=entry.get("max_episode_steps"),
            nondeterministic=bool(entry.get("nondeterministic", False)),
            disable_env_checker=False,
            vector_entry_point=VectorEntryPoint(entry["id"]) if entry["entry_point"] == PIPELINED else None,
        )


@dataclass(frozen=True)
class VectorEntryPoint:
    """The ``vector_entry_point`` of a pass-ordering id: ``gym.make_vec(id, n, **kwargs)`` builds a
    :class:`rl_compiler.envs.vector.PipelinedVectorEnv` of ``n`` envs ``gym.make(id, **kwargs)`` (the envs
    ``SyncVectorEnv`` would hold, stepped at once). ``autoreset_mode``, ``copy`` and ``observation_mode`` among
    the kwargs go to the vector env (Gymnasium passes no ``vector_kwargs`` in this mode). A dataclass: the id's
    spec pickles and compares equal; the vector module is imported only when a vector env is made.
    """

    env_id: str

    def __call__(self, num_envs: int = 1, **kwargs: Any) -> Any:
        from rl_compiler.envs.vector import make_pipelined

        return make_pipelined(self.env_id, num_envs, **kwargs)


def env_family(env_id: str) -> str:
    """``"mlgo"`` for an id whose env answers LLVM's MLGO channel (register allocation, inlining; its
    ``benchmark=`` may be a list it samples from), else ``"passes"`` (pass ordering)."""
    import gymnasium as gym
    from gymnasium.envs.registration import load_env_creator

    from rl_compiler.envs.mlgo_common import MLGOEnv

    if env_id not in gym.registry:
        known = sorted(i for i in gym.registry if i.startswith("rl_compiler/"))
        raise ValueError(f"unknown env {env_id!r}; rl-compiler registers {', '.join(known)}")
    creator = load_env_creator(gym.spec(env_id).entry_point)
    return "mlgo" if isinstance(creator, type) and issubclass(creator, MLGOEnv) else "passes"


def register_when_gymnasium_loads() -> None:
    """:func:`register_all` now if Gymnasium is loaded, else right after its first import (by anyone)."""
    if "gymnasium" in sys.modules:
        register_all()
    elif not any(isinstance(finder, _AfterGymnasium) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterGymnasium())


class _AfterGymnasium:
    """An import hook that finds nothing itself: at Gymnasium's import it has the real loader register the ids
    once Gymnasium is loaded, then leaves."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "gymnasium":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            load = spec.loader.exec_module

            def load_then_register(module: Any) -> None:
                load(module)
                register_all()

            spec.loader.exec_module = load_then_register  # type: ignore[method-assign]  # this load only
        return spec

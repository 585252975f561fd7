"""Hyperparameters as data: ``agents/hyperparams/<algo>.yml``, keyed by env id with a ``default``.

The Zoo convention: the entry for the env id is merged over ``default``; ``--hyperparams key:value`` (the
Zoo's form) or ``key=value`` overrides either (values are parsed as YAML, so ``n_steps:64``,
``policy_kwargs:{net_arch: [32]}``). Keys that are not the algorithm's constructor arguments are listed in
:data:`RUN_KEYS`; ``search_space`` declares the ranges ``--optimize`` searches (:mod:`rl_compiler.agents.rl.tuning`).
"""

from __future__ import annotations

import copy
import importlib
import re
from pathlib import Path
from typing import Any

import yaml

from rl_compiler.data import data_path, read_yaml_mapping

#: Keys of a hyperparameter entry that configure the run rather than the SB3 algorithm.
RUN_KEYS = ("n_timesteps", "policy", "n_envs", "vec_env", "episode_length", "wrappers", "env_kwargs", "search_space")
#: ``key:value`` or ``key=value``: the key is a name (dots reach nested settings), the value YAML.
OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*[:=](.*)$", re.DOTALL)


class HyperparameterError(ValueError):
    """A hyperparameter file or override that cannot be used."""


def hyperparams_file(algo: str) -> Path:
    return data_path("agents", "hyperparams", f"{algo.replace('-', '_')}.yml")


def load_hyperparams(
    algo: str,
    env_id: str,
    overrides: list[str] | dict[str, Any] | None = None,
    path: str | Path | None = None,
) -> dict[str, Any]:
    """The hyperparameters of ``algo`` on ``env_id``: ``default``, then the env's entry, then overrides.

    :param path: a hyperparameter file to use instead of the shipped one.
    """
    path = Path(path) if path else hyperparams_file(algo)
    if not path.is_file():
        raise HyperparameterError(f"no hyperparameter file for {algo!r}: {path} does not exist")
    table = read_yaml_mapping(path, HyperparameterError, "a mapping of env ids (and 'default') to settings")
    for key, entry in table.items():
        if not isinstance(entry, dict):
            raise HyperparameterError(f"{path}: entry {key!r} must be a mapping of settings, got {entry!r}")
    params = copy.deepcopy(table.get("default") or {})
    params.update(copy.deepcopy(table.get(env_id) or {}))
    for key, value in parse_overrides(overrides).items():
        set_dotted(params, key, value)
    return params


def parse_overrides(overrides: list[str] | dict[str, Any] | None) -> dict[str, Any]:
    """Parse ``["key:value", "key=value", ...]`` (values as YAML) into a dict."""
    if not overrides:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    parsed: dict[str, Any] = {}
    for item in overrides:
        match = OVERRIDE.match(item)
        if not match:
            raise HyperparameterError(f"invalid override {item!r}: expected key:value or key=value")
        key, value = match.groups()
        try:
            parsed[key] = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            raise HyperparameterError(f"invalid value in override {item!r}: not valid YAML") from None
    return parsed


#: ``policy_kwargs`` entries that name a class or function as ``"module:attribute"`` in a hyperparameter file.
CLASS_KEYS = ("features_extractor_class", "activation_fn")


def resolve_policy_kwargs(algo_kwargs: dict[str, Any]) -> dict[str, Any]:
    """``algo_kwargs`` with the ``"module:attribute"`` strings of :data:`CLASS_KEYS` in ``policy_kwargs``
    imported (YAML can only name them), e.g. ``rl_compiler.graph.network:ProgramlExtractor``."""
    policy_kwargs = algo_kwargs.get("policy_kwargs")
    if not isinstance(policy_kwargs, dict):
        return algo_kwargs
    resolved = dict(policy_kwargs)
    for key in CLASS_KEYS:
        name = resolved.get(key)
        if isinstance(name, str):
            module, _, attribute = name.partition(":")
            try:
                resolved[key] = getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError, ValueError) as error:
                raise HyperparameterError(
                    f"policy_kwargs.{key} = {name!r} cannot be imported ({error}); expected 'module:attribute'"
                ) from None
    return {**algo_kwargs, "policy_kwargs": resolved}


def split_hyperparams(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split resolved hyperparameters into (run settings, algorithm constructor kwargs)."""
    run = {k: params[k] for k in RUN_KEYS if k in params}
    algo_kwargs = {k: v for k, v in params.items() if k not in RUN_KEYS}
    return run, algo_kwargs


def set_dotted(params: dict[str, Any], key: str, value: Any) -> None:
    """``params["a"]["b"] = value`` for ``key="a.b"`` (creating the inner mappings)."""
    *path, last = key.split(".")
    node = params
    for part in path:
        if node.get(part) is None:
            node[part] = {}
        if not isinstance(node[part], dict):
            raise HyperparameterError(f"setting {key!r}: {part!r} is {node[part]!r}, not a mapping")
        node = node[part]
    node[last] = value

"""The shipped PPO policy's files: ``agents/policies/default-ic.zip`` and its config ``default-ic.yml``, whose
``search:`` section holds the macro actions ranked on the train split (used by the ``default`` agent and by
``rl-compiler optimize``'s candidate sequences)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rl_compiler.data import data_path

DEFAULT_POLICY_FILE = "default-ic.zip"


def default_policy_path() -> Path:
    """The shipped PPO model ``agents/policies/default-ic.zip`` (config: ``default-ic.yml`` beside it)."""
    return data_path("agents", "policies", DEFAULT_POLICY_FILE)


def search_settings(policy_path: Path) -> dict[str, Any]:
    """The ``search:`` section of a saved policy's config (macro actions and patience), if any."""
    config = policy_path.with_suffix(".yml")
    if not config.is_file():
        return {}
    return dict((yaml.safe_load(config.read_text()) or {}).get("search") or {})

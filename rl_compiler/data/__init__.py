"""Data shipped with rl-compiler, mapped from the repository's top-level folders.

``envs`` (environment specs and action sets), ``agents`` (hyperparameters) and ``benchmarks`` (the
built-in programs, leaderboard tasks and results) are plain data folders in the source tree and become
``rl_compiler.data.envs`` etc. in an installed wheel. Use :func:`data_path` to find them either way, and
:func:`read_yaml_mapping` to read one of their YAML files (or a user's: manifests, run configs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

_REPO_ROOT = Path(__file__).resolve().parents[2]
_FOLDERS = ("envs", "agents", "benchmarks")


def data_path(folder: str, *parts: str) -> Path:
    """Return the path of ``folder/parts...`` inside the shipped data (``folder`` is envs, agents or benchmarks)."""
    if folder not in _FOLDERS:
        raise ValueError(f"unknown data folder {folder!r}; expected one of {', '.join(_FOLDERS)}")
    installed = Path(__file__).resolve().parent / folder
    base = installed if installed.is_dir() else _REPO_ROOT / folder
    return base.joinpath(*parts)


def read_yaml_mapping(path: Path, error: Callable[[str], Exception], expected: str) -> dict[str, Any]:
    """The mapping a YAML file holds, parsed with libyaml when PyYAML has it (6x faster on a 1,000-program
    manifest, which ``optimize`` may read within its time budget).

    :param error: the caller's error class, raised with a message naming ``path``.
    :param expected: what the mapping should hold, in words (``"a mapping with 'dataset' and 'programs'"``).
    :raises error: the file is not valid YAML (or not UTF-8), or holds something other than a mapping.
    """
    import yaml

    try:
        data = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: expected {expected}, got {type(data).__name__}")
    return data

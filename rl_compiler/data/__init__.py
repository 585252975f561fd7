"""Data shipped with rl-compiler, mapped from the repository's top-level folders.

``envs`` (environment specs and action sets), ``agents`` (hyperparameters) and ``benchmarks`` (the
built-in programs, leaderboard tasks and results) are plain data folders in the source tree and become
``rl_compiler.data.envs`` etc. in an installed wheel. Use :func:`data_path` to find them either way.
"""

from __future__ import annotations

from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
_FOLDERS = ("envs", "agents", "benchmarks")


def data_path(folder: str, *parts: str) -> Path:
    """Return the path of ``folder/parts...`` inside the shipped data (``folder`` is envs, agents or benchmarks)."""
    if folder not in _FOLDERS:
        raise ValueError(f"unknown data folder {folder!r}; expected one of {', '.join(_FOLDERS)}")
    installed = Path(__file__).resolve().parent / folder
    base = installed if installed.is_dir() else _REPO_ROOT / folder
    return base.joinpath(*parts)

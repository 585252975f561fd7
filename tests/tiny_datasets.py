"""Small user datasets of real C programs, and a leaderboard task over one, written for a test session."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import yaml


def write_manifest(root: Path, dataset: str, programs: Mapping[str, tuple[str, str]]) -> Path:
    """Write ``{name: (split, C source)}`` as ``root/<name>.c`` files and their manifest; return its path."""
    entries = []
    for name, (split, source) in programs.items():
        (root / f"{name}.c").write_text(textwrap.dedent(source).strip() + "\n")
        entries.append({"name": name, "sources": [f"{name}.c"], "split": split})
    manifest = root / "manifest.yaml"
    manifest.write_text(yaml.safe_dump({"dataset": dataset, "description": "test programs", "programs": entries}))
    return manifest


def write_ic_task(manifest: Path, repetitions: int = 2) -> Path:
    """An ``llvm-ic`` leaderboard task judged on the test split of ``manifest``'s dataset, written beside it."""
    task = manifest.parent / "tiny-ic.yaml"
    fields = {
        "name": "llvm-ic",
        "description": "tiny",
        "env": "rl_compiler/llvm-ic-v0",
        "dataset": str(manifest),
        "split": "test",
        "repetitions": repetitions,
        "metric": "IrInstructionCountOz",
    }
    task.write_text(yaml.safe_dump(fields))
    return task

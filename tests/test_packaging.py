"""A plain (non-editable) install must ship the data folders and the engine's C source."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_data_folders_and_engine_source(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT)]
        + ["-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("rl_compiler-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every non-Python file of the package (the engine, the sandbox launcher, the profile runtime, ...).
    package_files = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "rl_compiler").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert "rl_compiler/llvm/engine.c" in package_files
    for required in (
        *package_files,
        "rl_compiler/data/envs/registry.yaml",
        "rl_compiler/data/benchmarks/builtin-v0/manifest.yaml",
        "rl_compiler/data/benchmarks/builtin-v0/crc32/crc32.c",
        "rl_compiler/data/benchmarks/leaderboard/tasks/llvm-ic.yaml",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    assert any(name.startswith("rl_compiler/data/envs/actions/") for name in names)
    assert any(name.startswith("rl_compiler/data/agents/") for name in names)


def test_data_path_finds_the_source_tree_folders() -> None:
    from rl_compiler.data import data_path

    assert data_path("envs", "registry.yaml").is_file()
    assert data_path("benchmarks", "builtin-v0", "manifest.yaml").is_file()
    with pytest.raises(ValueError, match="unknown data folder"):
        data_path("nope")

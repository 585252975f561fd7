"""The shipped data's one YAML reader: a mapping, or the caller's error naming the file and what it expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl_compiler.data import data_path, read_yaml_mapping


class FileError(Exception):
    pass


def test_a_mapping_is_read_as_the_safe_loader_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "ok.yml"
    path.write_text("name: x\nsteps: 1e3\nlist: [1, 2]\n")
    assert read_yaml_mapping(path, FileError, "a mapping") == {"name": "x", "steps": "1e3", "list": [1, 2]}
    shipped = read_yaml_mapping(data_path("agents", "hyperparams", "ppo.yml"), FileError, "a mapping")
    assert "default" in shipped


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a: [1, 2\n", r"bad.yml: not valid YAML"),
        (b"- a\n- b\n", r"bad.yml: expected a mapping of settings, got list"),
        (b"", r"bad.yml: expected a mapping of settings, got NoneType"),
        (b"a: \xff\xfe\n", r"bad.yml: not valid YAML"),
    ],
)
def test_anything_else_is_the_callers_error_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_bytes(content)
    with pytest.raises(FileError, match=message):
        read_yaml_mapping(path, FileError, "a mapping of settings")

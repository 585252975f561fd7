"""Finding the LLVM toolchain: a broken or too old ``llvm-config`` is named, with what it said."""

from __future__ import annotations

from pathlib import Path

import pytest

from rl_compiler.llvm.toolchain import ToolchainError, _load, check_tools, get_toolchain


def _llvm_config(tmp_path: Path, body: str) -> str:
    script = tmp_path / "llvm-config"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'echo "libLLVM.so: cannot open shared object file" >&2; exit 127',
            r"llvm-config --version failed \(exit status 127\):\nlibLLVM.so: cannot open",
        ),
        ("kill -9 $$", r"llvm-config --version failed \(killed by signal SIGKILL\)"),
        ("echo 18.1.8", "LLVM 18.1.8 from .* is too old"),
        ("echo unknown", "printed 'unknown', not a version number"),
    ],
)
def test_a_broken_llvm_config_is_named(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ToolchainError, match=message):
        _load(_llvm_config(tmp_path, body), "override")


def test_every_tool_runs() -> None:
    report = check_tools(get_toolchain())
    assert all("version" in line and not line.startswith("ERROR") for line in report.values()), report
